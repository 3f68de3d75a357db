package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Webhook is an outgoing webhook: the events it wants, where they go, and
// its signing secret, sealed (the webhook service seals and opens it).
type Webhook struct {
	ID        int64
	URL       string
	Events    []string
	Secret    string
	Enabled   bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

const webhookSelect = `SELECT id, url, events, secret, enabled, created_at, updated_at FROM webhooks`

func scanWebhook(r Row) (Webhook, error) {
	var w Webhook
	var events string
	err := r.Scan(&w.ID, &w.URL, &events, &w.Secret, &w.Enabled, &w.CreatedAt, &w.UpdatedAt)
	w.Events = splitList(events)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return w, err
}

// splitList reads a comma-separated column ("" is none).
func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// ListWebhooks returns every webhook by id; enabledOnly leaves out the
// disabled ones (what the change path reads on every change).
func (s *Store) ListWebhooks(ctx context.Context, q Querier, enabledOnly bool) ([]Webhook, error) {
	query := webhookSelect
	if enabledOnly {
		query += ` WHERE enabled`
	}
	out := []Webhook{}
	err := scanAll(q.Query(ctx, query+` ORDER BY id`))(func(r Rows) error {
		w, err := scanWebhook(r)
		out = append(out, w)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	return out, nil
}

// GetWebhook returns one webhook.
func (s *Store) GetWebhook(ctx context.Context, q Querier, id int64) (Webhook, error) {
	w, err := scanWebhook(q.QueryRow(ctx, webhookSelect+` WHERE id = $1`, id))
	if err != nil {
		return w, fmt.Errorf("webhook %d: %w", id, err)
	}
	return w, nil
}

// CreateWebhook inserts a webhook and returns its id.
func (s *Store) CreateWebhook(ctx context.Context, q Querier, w Webhook) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO webhooks (url, events, secret, enabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, w.URL, strings.Join(w.Events, ","), w.Secret, w.Enabled, w.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create webhook: %w", err)
	}
	return id, nil
}

// UpdateWebhook writes a webhook's URL, events, secret and enabled flag.
func (s *Store) UpdateWebhook(ctx context.Context, q Querier, w Webhook) error {
	n, err := q.Exec(ctx, `UPDATE webhooks SET url = $2, events = $3, secret = $4, enabled = $5, updated_at = $6 WHERE id = $1`,
		w.ID, w.URL, strings.Join(w.Events, ","), w.Secret, w.Enabled, w.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("update webhook %d: %w", w.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("webhook %d: %w", w.ID, ErrNotFound)
	}
	return nil
}

// DeleteWebhook removes a webhook and its delivery log.
func (s *Store) DeleteWebhook(ctx context.Context, q Querier, id int64) error {
	n, err := q.Exec(ctx, `DELETE FROM webhooks WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete webhook %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("webhook %d: %w", id, ErrNotFound)
	}
	return nil
}

// States of a webhook delivery.
const (
	HookPending   = "pending"   // not tried yet
	HookRetrying  = "retrying"  // an attempt failed; NextAt is the next
	HookDelivered = "delivered" // the receiver answered 2xx
	HookFailed    = "failed"    // given up
)

// WebhookDelivery is one event sent (or to send) to one webhook.
type WebhookDelivery struct {
	ID           int64
	WebhookID    int64
	TicketID     int64 // 0: not about a ticket (a test)
	UID          string
	Event        string
	Payload      string
	Status       string
	ResponseCode int
	DurationMS   int64
	Attempts     int
	Error        string
	NextAt       time.Time
	CreatedAt    time.Time
	At           time.Time // the last attempt; zero before the first
}

const deliverySelect = `SELECT id, webhook_id, ticket_id, uid, event, payload, status, response_code, duration_ms, attempts, error,
	next_at, created_at, at FROM webhook_deliveries`

func scanDelivery(r Row) (WebhookDelivery, error) {
	var d WebhookDelivery
	var ticket sql.NullInt64
	var next, at sql.NullTime
	err := r.Scan(&d.ID, &d.WebhookID, &ticket, &d.UID, &d.Event, &d.Payload, &d.Status, &d.ResponseCode, &d.DurationMS, &d.Attempts,
		&d.Error, &next, &d.CreatedAt, &at)
	d.TicketID, d.NextAt, d.At, d.CreatedAt = ticket.Int64, timeOf(next), timeOf(at), d.CreatedAt.UTC()
	return d, err
}

// AddWebhookDelivery inserts a pending delivery and returns its id. Ids
// order a ticket's deliveries: the change that writes them holds the
// ticket's row lock (SQLite: the one writer) until it commits, so a later
// change's deliveries get larger ids.
func (s *Store) AddWebhookDelivery(ctx context.Context, q Querier, d WebhookDelivery) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO webhook_deliveries (webhook_id, ticket_id, uid, event, payload, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, d.WebhookID, nullInt(d.TicketID), d.UID, d.Event, d.Payload, HookPending,
		d.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add webhook delivery: %w", err)
	}
	return id, nil
}

// GetWebhookDelivery returns one delivery.
func (s *Store) GetWebhookDelivery(ctx context.Context, q Querier, id int64) (WebhookDelivery, error) {
	d, err := scanDelivery(q.QueryRow(ctx, deliverySelect+` WHERE id = $1`, id))
	if err != nil {
		return d, fmt.Errorf("webhook delivery %d: %w", id, err)
	}
	return d, nil
}

// ListWebhookDeliveries returns a webhook's latest deliveries, newest first.
func (s *Store) ListWebhookDeliveries(ctx context.Context, q Querier, webhookID int64, limit int) ([]WebhookDelivery, error) {
	out := []WebhookDelivery{}
	err := scanAll(q.Query(ctx, deliverySelect+` WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2`, webhookID, limit))(func(r Rows) error {
		d, err := scanDelivery(r)
		out = append(out, d)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	return out, nil
}

// EarlierOpenDelivery returns the first unfinished (pending or retrying)
// delivery of the same ticket to the same webhook before d, if any: d must
// wait for it.
func (s *Store) EarlierOpenDelivery(ctx context.Context, q Querier, d WebhookDelivery) (WebhookDelivery, bool, error) {
	if d.TicketID == 0 {
		return WebhookDelivery{}, false, nil
	}
	e, err := scanDelivery(q.QueryRow(ctx, deliverySelect+` WHERE webhook_id = $1 AND ticket_id = $2 AND id < $3
		AND status IN ('pending', 'retrying') ORDER BY id LIMIT 1`, d.WebhookID, d.TicketID, d.ID))
	if errors.Is(err, ErrNotFound) {
		return WebhookDelivery{}, false, nil
	}
	if err != nil {
		return e, false, fmt.Errorf("earlier webhook delivery: %w", err)
	}
	return e, true, nil
}

// RecordWebhookAttempt writes the outcome of one attempt.
func (s *Store) RecordWebhookAttempt(ctx context.Context, q Querier, d WebhookDelivery) error {
	_, err := q.Exec(ctx, `UPDATE webhook_deliveries SET status = $2, response_code = $3, duration_ms = $4, attempts = $5, error = $6,
		next_at = $7, at = $8 WHERE id = $1`, d.ID, d.Status, d.ResponseCode, d.DurationMS, d.Attempts, d.Error, nullTime(d.NextAt), d.At.UTC())
	if err != nil {
		return fmt.Errorf("record webhook attempt %d: %w", d.ID, err)
	}
	return nil
}
