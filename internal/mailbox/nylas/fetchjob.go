package nylas

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/store"
)

// FetchArgs asks for the message a webhook notification announced to be
// fetched as raw MIME and delivered. It is the committed record of the
// notification: the webhook answers once it is inserted.
type FetchArgs struct {
	MailboxID      int64  `json:"mailbox_id"`
	GrantID        string `json:"grant_id"`
	MessageID      string `json:"message_id"`
	NotificationID string `json:"notification_id,omitempty"`
}

// Kind implements river.JobArgs.
func (FetchArgs) Kind() string { return "nylas_fetch" }

// InsertOpts puts the fetch with ingestion. Nylas delivers at least once;
// a repeated notification only adds a delivery that dedupes.
func (FetchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueIngest, MaxAttempts: 10}
}

// FetchWorker works FetchArgs. Register it with river.AddWorker; Receiver
// must be set before the workers start.
type FetchWorker struct {
	river.WorkerDefaults[FetchArgs]
	Store    *store.Store
	Receiver mailbox.Receiver
	Config   Config
	Log      *slog.Logger
}

// Timeout bounds one fetch, retries after 429/5xx included.
func (w *FetchWorker) Timeout(*river.Job[FetchArgs]) time.Duration { return 2 * time.Minute }

// Work fetches and delivers the message. A mailbox no longer on this grant
// ends the job; a refused key is shown on the mailbox and retried.
func (w *FetchWorker) Work(ctx context.Context, j *river.Job[FetchArgs]) error {
	c, err := w.Store.GetConnector(ctx, j.Args.MailboxID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Provider != "nylas" {
		return nil
	}
	cr, err := OpenCredentials(w.Config.Secrets, c.Credentials)
	if err != nil {
		return fmt.Errorf("nylas credentials of mailbox %d: %w", c.MailboxID, err)
	}
	if cr.GrantID != j.Args.GrantID {
		return nil
	}
	log := w.Log
	if log == nil {
		log = slog.Default()
	}
	conn := New(w.Config, mailbox.NewHost(w.Store, w.Receiver, c.MailboxID, c.Address, log), cr, time.Time{})
	return conn.loud(ctx, conn.deliver(ctx, j.Args.MessageID))
}

// Register adds the worker to a River worker set (jobs.Options.Register).
func (w *FetchWorker) Register(ws *river.Workers) { river.AddWorker(ws, w) }
