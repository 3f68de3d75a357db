package graph

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/store"
)

// Notifications receives Graph's change and lifecycle notifications
// (POST NotificationsPath and LifecyclePath; no session: the clientState
// of the subscription authenticates them).
//
//   - validation: Graph POSTs ?validationToken=... when a subscription is
//     created and expects 200 text/plain with the token within 10 s;
//   - a notification batch {"value":[...]}: each item's subscriptionId must
//     be one we hold and its clientState must match (constant time against
//     the stored hash); an item that fails is logged and ignored. For the
//     others a SyncArgs job is committed and Graph gets 202 at once (an
//     endpoint with over 10% of answers slower than 10 s in 10 minutes is
//     delayed, over 15% has its notifications dropped); a 5xx when the job
//     cannot be committed makes Graph retry for up to 4 hours. The job runs
//     a delta round wherever River runs it, so whichever replica got the
//     POST, no replica must hold anything.
//
// https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks
// https://learn.microsoft.com/en-us/graph/change-notifications-lifecycle-events
type Notifications struct {
	Store *store.Store
	Queue Enqueuer
	Log   *slog.Logger
}

// Enqueuer inserts a job in a transaction (*jobs.Queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error
}

// maxNotificationBody bounds a batch (Graph sends small JSON: ids only for
// notifications without resource data).
const maxNotificationBody = 1 << 20

// maxSubscriptionsPerBatch bounds the distinct subscriptions one batch may
// name (two per mailbox: Inbox and Sent Items).
const maxSubscriptionsPerBatch = 1000

// notification is one item of a batch.
type notification struct {
	SubscriptionID string `json:"subscriptionId"`
	ClientState    string `json:"clientState"`
	ChangeType     string `json:"changeType"`
	LifecycleEvent string `json:"lifecycleEvent"`
}

// Lifecycle events: https://learn.microsoft.com/en-us/graph/change-notifications-lifecycle-events
const (
	EventReauthorizationRequired = "reauthorizationRequired"
	EventSubscriptionRemoved     = "subscriptionRemoved"
	EventMissed                  = "missed"
)

func (h *Notifications) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

func (h *Notifications) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if q := r.URL.Query(); q.Has("validationToken") {
		// Echoed as plain text (never HTML: the token comes from whoever
		// calls), URL-decoded as the documentation asks.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, q.Get("validationToken"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNotificationBody+1))
	if err != nil || len(body) > maxNotificationBody {
		http.Error(w, "unreadable or oversized body", http.StatusBadRequest)
		return
	}
	var batch struct {
		Value []notification `json:"value"`
	}
	if err := json.Unmarshal(body, &batch); err != nil {
		http.Error(w, "malformed notification", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	var todo []SyncArgs
	seen := map[SyncArgs]bool{}
	// One lookup per subscription, and a bound on them: the endpoint is
	// public, so a body must not buy thousands of queries.
	subs := map[string]store.GraphSubscription{}
	unknown := map[string]bool{}
	for _, n := range batch.Value {
		g, ok := subs[n.SubscriptionID]
		if unknown[n.SubscriptionID] {
			continue
		}
		if !ok && len(subs)+len(unknown) >= maxSubscriptionsPerBatch {
			http.Error(w, "too many subscriptions in one batch", http.StatusBadRequest)
			return
		}
		var err error
		if !ok {
			g, err = h.Store.GraphSubscriptionByID(ctx, n.SubscriptionID)
		}
		if errors.Is(err, store.ErrNotFound) {
			unknown[n.SubscriptionID] = true
			h.log().Warn("microsoft notification for a subscription we do not hold; ignored", "subscription", n.SubscriptionID, "remote", r.RemoteAddr)
			continue
		}
		if err != nil {
			h.log().Error("microsoft notification: find the subscription; Graph will retry", "err", err)
			http.Error(w, "temporary failure", http.StatusInternalServerError)
			return
		}
		subs[n.SubscriptionID] = g
		if subtle.ConstantTimeCompare([]byte(hashClientState(n.ClientState)), []byte(g.ClientStateHash)) != 1 {
			h.log().Warn("microsoft notification with a wrong clientState; ignored", "subscription", n.SubscriptionID, "remote", r.RemoteAddr)
			continue
		}
		a := SyncArgs{MailboxID: g.MailboxID, SubscriptionID: g.SubscriptionID, Event: n.LifecycleEvent}
		if !seen[a] {
			seen[a] = true
			todo = append(todo, a)
		}
	}
	if len(todo) > 0 {
		err := h.Store.DB().InTx(ctx, func(tx *store.Tx) error {
			for _, a := range todo {
				if err := h.Queue.Enqueue(ctx, tx, a); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			h.log().Error("microsoft notification: record the sync; Graph will retry", "err", err)
			http.Error(w, "temporary failure", http.StatusInternalServerError)
			return
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// SyncArgs asks for a delta round of a mailbox after a notification, and
// for the subscription upkeep a lifecycle event asks for first.
type SyncArgs struct {
	MailboxID      int64  `json:"mailbox_id"`
	SubscriptionID string `json:"subscription_id"`
	// Event is the lifecycle event ("" for a change notification).
	Event string `json:"event,omitempty"`
}

// Kind implements river.JobArgs.
func (SyncArgs) Kind() string { return "graph_sync" }

// InsertOpts puts the round with ingestion. Not unique: a notification
// arriving while a round runs may announce a message that round already
// passed, so it must get a round of its own (one cheap call if not).
func (SyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueIngest, MaxAttempts: 10}
}

// SyncWorker works SyncArgs. Register it with river.AddWorker; Receiver
// must be set before the workers start.
type SyncWorker struct {
	river.WorkerDefaults[SyncArgs]
	Store    *store.Store
	Receiver mailbox.Receiver
	Config   Config
	Log      *slog.Logger
}

// Timeout bounds one round (a page or two after a notification; the
// backfill is the connector's, never a job's). It stays under River's
// rescue of stuck jobs (3 minutes), so a round is never run twice at once
// by that.
func (w *SyncWorker) Timeout(*river.Job[SyncArgs]) time.Duration { return 2 * time.Minute }

// Register adds the worker to a River worker set.
func (w *SyncWorker) Register(ws *river.Workers) { river.AddWorker(ws, w) }

// Work runs the upkeep a lifecycle event asks for, then a delta round from
// the stored deltaLink. A round concurrent with the connector's own only
// repeats deliveries, which dedupe (graph:<id>), and saves a deltaLink as
// valid as the other's. A mailbox not yet backfilled is left to its
// backfill.
func (w *SyncWorker) Work(ctx context.Context, j *river.Job[SyncArgs]) error {
	c, err := w.Store.GetConnector(ctx, j.Args.MailboxID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Provider != Provider || !c.Enabled || c.BackfilledAt.IsZero() {
		return nil
	}
	if w.Config.App.ClientID == "" || w.Config.App.ClientSecret == "" {
		return ErrNotConfigured
	}
	cr, err := openCredentials(w.Config, c)
	if err != nil {
		return err
	}
	log := w.Log
	if log == nil {
		log = slog.Default()
	}
	conn := New(w.Config, mailbox.NewHost(w.Store, w.Receiver, c.MailboxID, c.Address, log), cr, c.BackfillSince)
	if err := conn.lifecycle(ctx, j.Args); err != nil {
		return conn.loud(ctx, err)
	}
	return conn.loud(ctx, conn.rounds(ctx, conn.since))
}

// lifecycle renews the subscription after reauthorizationRequired and
// replaces it after subscriptionRemoved; missed only needs the round.
func (c *Conn) lifecycle(ctx context.Context, a SyncArgs) error {
	if a.Event != EventReauthorizationRequired && a.Event != EventSubscriptionRemoved || !c.subscriptionsEnabled() {
		return nil
	}
	g, err := c.host.Store().GraphSubscriptionByID(ctx, a.SubscriptionID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // replaced already
	}
	if err != nil {
		return err
	}
	if a.Event == EventSubscriptionRemoved {
		c.host.Log.Warn("microsoft removed the subscription; subscribing again", "mailbox", c.host.MailboxID, "subscription", g.SubscriptionID)
		_, err = c.resubscribe(ctx, g)
		return err
	}
	_, err = c.renewOrRecreate(ctx, g)
	return err
}
