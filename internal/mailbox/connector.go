// Package mailbox runs the connectors that pull mail from where a team's
// mailbox lives (IMAP, Gmail API, Nylas) into the ingestion pipeline. Every
// connector hands raw messages to the same Receive call (raw blob + job in one
// transaction) with a provider id, so re-syncs and overlapping sources only
// add occurrences, never duplicates.
package mailbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Connector is one mailbox at one provider. The supervisor drives it:
// Backfill once (resumable), then Watch, which syncs incrementally whenever
// the provider signals new mail (IDLE, push) or on a poll interval.
type Connector interface {
	// Test checks connectivity and credentials.
	Test(ctx context.Context) error
	// Backfill fetches every message received since the given time (zero:
	// everything). It resumes from the saved state after an interruption.
	Backfill(ctx context.Context, since time.Time) error
	// Sync fetches what arrived since the saved state.
	Sync(ctx context.Context) error
	// Watch syncs, then waits for new mail and syncs again, until ctx ends
	// (nil) or the connection fails (the error). The supervisor reconnects.
	Watch(ctx context.Context) error
	// Send submits an outbound message through the provider.
	Send(ctx context.Context, from string, to []string, raw []byte) error
	// Close releases connections.
	Close() error
}

// Message is one raw message a connector fetched.
type Message struct {
	// ProviderID identifies it at the provider (imap:<uidvalidity>:<uid>,
	// gmail:<id>, nylas:<id>): the occurrence key.
	ProviderID   string
	Source       string // imap, imap-sent, gmail, nylas
	EnvelopeFrom string
	EnvelopeTo   []string
	Raw          []byte
}

// Receiver is the ingestion entry point (ticket.Service satisfies it).
type Receiver interface {
	Receive(ctx context.Context, r ticket.Received) (int64, error)
}

// Host is what a connector may use of Ticketer for its mailbox: deliver
// messages, keep its resume state and report progress.
type Host struct {
	MailboxID int64
	Address   string
	Log       *slog.Logger
	store     *store.Store
	recv      Receiver
	now       func() time.Time
	// route picks the mailbox a message belongs to (journal mailboxes); nil:
	// always MailboxID.
	route func(ctx context.Context, m Message) (int64, []string)
	// onIdle tells the supervisor the connector reached a synced state.
	onIdle func()
}

// NewHost returns a Host for one mailbox (tests and the supervisor).
func NewHost(st *store.Store, recv Receiver, mailboxID int64, address string, log *slog.Logger) *Host {
	if log == nil {
		log = slog.Default()
	}
	return &Host{MailboxID: mailboxID, Address: address, Log: log, store: st, recv: recv, now: time.Now}
}

// Deliver commits one message to the pipeline. When it returns nil the raw
// bytes and the ingestion job are stored: only then may the connector advance
// its resume point past the message.
func (h *Host) Deliver(ctx context.Context, m Message) error {
	mb, to := h.MailboxID, m.EnvelopeTo
	if h.route != nil {
		var orig []string
		if mb, orig = h.route(ctx, m); len(to) == 0 {
			to = orig
		}
	}
	_, err := h.recv.Receive(ctx, ticket.Received{MailboxID: mb, Source: m.Source, ProviderID: m.ProviderID,
		EnvelopeFrom: m.EnvelopeFrom, EnvelopeTo: to, Raw: m.Raw})
	if err != nil {
		return fmt.Errorf("deliver %s: %w", m.ProviderID, err)
	}
	return nil
}

// LoadState decodes the mailbox's saved sync state into v ({} when new).
func (h *Host) LoadState(ctx context.Context, v any) error {
	c, err := h.store.GetConnector(ctx, h.MailboxID)
	if err != nil {
		return err
	}
	if c.SyncState == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(c.SyncState), v); err != nil {
		return fmt.Errorf("mailbox %d sync state: %w", h.MailboxID, err)
	}
	return nil
}

// SaveState stores v as the mailbox's sync state (its resume point).
func (h *Host) SaveState(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode sync state: %w", err)
	}
	return h.store.SaveSyncState(ctx, h.MailboxID, string(b), h.now())
}

// Progress reports done of total messages in the current sync.
func (h *Host) Progress(ctx context.Context, done, total int64) {
	if err := h.store.SetSyncProgress(ctx, h.MailboxID, done, total); err != nil {
		h.Log.Warn("mailbox progress", "mailbox", h.MailboxID, "err", err)
	}
}

// Idle reports the mailbox in sync (status ok).
func (h *Host) Idle(ctx context.Context) {
	if h.onIdle != nil {
		h.onIdle()
	}
	if err := h.store.SetSyncOK(ctx, h.MailboxID, h.now()); err != nil {
		h.Log.Warn("mailbox status", "mailbox", h.MailboxID, "err", err)
	}
}

// Fail records an error on the mailbox without stopping the connector
// (e.g. a token refresh failure the connector will retry).
func (h *Host) Fail(ctx context.Context, reason string) {
	if err := h.store.SetSyncError(ctx, h.MailboxID, reason, h.now()); err != nil {
		h.Log.Warn("mailbox status", "mailbox", h.MailboxID, "err", err)
	}
}

// Refused records that the provider refused the mailbox's credentials (a
// revoked or expired grant): an error a retry will not fix, so the admins
// are alerted at once instead of after the error grace.
func (h *Host) Refused(ctx context.Context, reason string) {
	if err := h.store.SetAuthRefused(ctx, h.MailboxID, reason, h.now()); err != nil {
		h.Log.Warn("mailbox status", "mailbox", h.MailboxID, "err", err)
	}
}

// Credentials reads the mailbox's sealed credentials (opened by the caller).
func (h *Host) Credentials(ctx context.Context) (string, error) {
	c, err := h.store.GetConnector(ctx, h.MailboxID)
	return c.Credentials, err
}

// Received returns which of providerIDs were already delivered from
// source (in any mailbox: journal mail is routed elsewhere): a backfill
// resumes by what it has, not by a position that deletions shift.
func (h *Host) Received(ctx context.Context, source string, providerIDs []string) (map[string]bool, error) {
	return h.store.ReceivedProviderIDs(ctx, source, providerIDs)
}

// SetRoute makes Deliver pick the mailbox (and the original recipients) per
// message: journal mailboxes.
func (h *Host) SetRoute(route func(ctx context.Context, m Message) (int64, []string)) {
	h.route = route
}

// Store is the store the host writes to (routing lookups).
func (h *Host) Store() *store.Store { return h.store }

// PollSync calls sync now and then every interval until ctx ends (nil) or a
// sync fails (its error): Watch for connectors without push.
func PollSync(ctx context.Context, every time.Duration, sync func(context.Context) error) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := sync(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
