package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/netguard"
	"github.com/ticketer/ticketer/internal/store"
)

// Retries: an attempt that fails is tried again after Backoff(attempts),
// doubling from FirstRetry up to MaxBackoff, for as long as the next attempt
// falls within RetryWindow of the event; then the delivery is failed.
const (
	RetryWindow = 24 * time.Hour
	FirstRetry  = 30 * time.Second
	MaxBackoff  = 2 * time.Hour
)

// Backoff is the wait after the n-th failed attempt (n from 1).
func Backoff(first time.Duration, n int) time.Duration {
	d := first
	for i := 1; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// nextAttempt says when to try again after the n-th failed attempt, at
// now, of an event made at created; ok is false once that would be past
// the retry window.
func nextAttempt(first time.Duration, created, now time.Time, n int) (time.Time, bool) {
	next := now.Add(Backoff(first, n))
	return next, next.Sub(created) <= RetryWindow
}

// Sign is the X-Ticketer-Signature of a body: "sha256=" and the hex
// HMAC-SHA256 of the body with the webhook's secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// DeliverArgs is the job that delivers one webhook delivery.
type DeliverArgs struct {
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "webhook_delivery" }

// InsertOpts puts it on the webhooks queue. River's own attempts are for
// errors of ours (the database); the receiver's failures are retried by
// snoozing the job (see Deliver), which takes none of them.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueWebhooks, MaxAttempts: 10}
}

// DeliverWorker runs Service.Deliver.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Service *Service
}

// Work delivers.
func (w *DeliverWorker) Work(ctx context.Context, j *river.Job[DeliverArgs]) error {
	wait, err := w.Service.Deliver(ctx, j.Args.DeliveryID)
	if err != nil {
		return err
	}
	if wait > 0 {
		return river.JobSnooze(wait)
	}
	return nil
}

// AddWorkers adds the delivery worker.
func AddWorkers(w *river.Workers, s *Service) {
	river.AddWorker(w, &DeliverWorker{Service: s})
}

// orderWait is how soon a delivery looks again when an earlier one of the
// same ticket, not yet retrying, is still to go.
const orderWait = 200 * time.Millisecond

// Deliver makes one attempt at a delivery, unless it is finished (jobs may
// run twice) or must wait for an earlier delivery of the same ticket to the
// same webhook: a ticket's events reach a receiver in the order they
// happened. It returns how long to wait before the job runs again (0: done).
func (s *Service) Deliver(ctx context.Context, id int64) (time.Duration, error) {
	db := s.cfg.Store.DB()
	d, err := s.cfg.Store.GetWebhookDelivery(ctx, db, id)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil // its webhook was deleted
	}
	if err != nil {
		return 0, err
	}
	if d.Status == store.HookDelivered || d.Status == store.HookFailed {
		return 0, nil
	}
	now := s.cfg.Now()
	if d.Status == store.HookRetrying && d.NextAt.After(now) {
		return d.NextAt.Sub(now), nil // a job run early (a rescue): keep the schedule
	}
	earlier, ok, err := s.cfg.Store.EarlierOpenDelivery(ctx, db, d)
	if err != nil {
		return 0, err
	}
	if ok {
		if earlier.Status == store.HookRetrying && earlier.NextAt.After(now) {
			return earlier.NextAt.Sub(now) + orderWait, nil
		}
		return orderWait, nil
	}
	w, err := s.cfg.Store.GetWebhook(ctx, db, d.WebhookID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if !w.Enabled && d.Event != EventTest {
		d.Status, d.Error, d.At = store.HookFailed, "webhook disabled", now
		return 0, s.cfg.Store.RecordWebhookAttempt(ctx, db.W(), d)
	}
	key, err := s.cfg.Secrets.Open(w.Secret)
	if err != nil {
		return 0, err
	}
	code, took, sendErr := s.post(ctx, w.URL, key, d)
	d.Attempts++
	d.ResponseCode, d.DurationMS, d.At = code, took.Milliseconds(), now.Add(took)
	d.Error, d.NextAt = "", time.Time{}
	var wait time.Duration
	switch {
	case sendErr == nil:
		d.Status = store.HookDelivered
	case errors.Is(sendErr, netguard.ErrForbidden):
		// An address the guard refuses stays refused: no retry.
		d.Status, d.Error = store.HookFailed, sendErr.Error()
	default:
		d.Error = sendErr.Error()
		next, ok := nextAttempt(s.first(), d.CreatedAt, d.At, d.Attempts)
		if ok {
			d.Status, d.NextAt, wait = store.HookRetrying, next, next.Sub(d.At)
		} else {
			d.Status = store.HookFailed
		}
	}
	if err := s.cfg.Store.RecordWebhookAttempt(ctx, db.W(), d); err != nil {
		return 0, err
	}
	if d.Status == store.HookFailed {
		s.cfg.Logger.Warn("webhook delivery failed", "webhook", w.ID, "delivery", d.UID, "event", d.Event, "attempts", d.Attempts, "err", d.Error)
	}
	return wait, nil
}

func (s *Service) first() time.Duration {
	if s.cfg.FirstRetry > 0 {
		return s.cfg.FirstRetry
	}
	return FirstRetry
}

// post sends the body; an answer other than 2xx is an error. The answer's
// body is never read into the error (it is the receiver's, not ours to show).
func (s *Service) post(ctx context.Context, url, key string, d store.WebhookDelivery) (int, time.Duration, error) {
	body := []byte(d.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Ticketer-Webhooks/1")
	req.Header.Set("X-Ticketer-Event", d.Event)
	req.Header.Set("X-Ticketer-Delivery", d.UID)
	req.Header.Set("X-Ticketer-Signature", Sign(key, body))
	start := time.Now()
	resp, err := s.client.Do(req)
	took := time.Since(start)
	if err != nil {
		return 0, took, fmt.Errorf("webhook POST: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, took, fmt.Errorf("webhook POST: the receiver answered %d", resp.StatusCode)
	}
	return resp.StatusCode, took, nil
}
