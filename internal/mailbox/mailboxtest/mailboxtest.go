// Package mailboxtest gives connector tests Ticketer's receiving side: a
// store of either engine, the ticket service with ingestion workers running,
// and helpers to wait for and count what arrived.
package mailboxtest

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Key is the encryption key tests seal with.
const Key = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="

// WaitFor bounds how long a test waits for an asynchronous outcome.
const WaitFor = 60 * time.Second

// Env is the receiving side.
type Env struct {
	T         testing.TB
	Ctx       context.Context
	DB        *store.DB
	Store     *store.Store
	Svc       *ticket.Service
	Queue     *jobs.Queue
	Blobs     *blob.Store
	OutboxDir string // where replies go without a relay
	Box       *secret.Box
	Log       *slog.Logger
}

// Options change what New sets up.
type Options struct {
	Now    func() time.Time // the ticket service's clock; time.Now when nil
	Manual bool             // no job workers: the test runs ingestion itself
	// Register adds a connector's own job workers; they may use e.Svc
	// once working (it is set before the workers start).
	Register func(e *Env, w *river.Workers)
	Hooks    []ticket.Hook // the ticket service's hooks
	// IngestBudget is the ticket service's; its default when 0.
	IngestBudget time.Duration
	// HooksFrom adds hooks that need the environment (its store, its queue).
	HooksFrom func(e *Env) []ticket.Hook
	// Log is the services' logger (a test that reads what they log); when
	// nil, discarded, or stderr with TICKETER_TEST_LOG set.
	Log *slog.Logger
}

// New opens the database at dsn and starts the ingestion workers.
func New(t testing.TB, dsn string) *Env { return NewWith(t, dsn, Options{}) }

// NewWith is New with options.
func NewWith(t testing.TB, dsn string, o Options) *Env {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, dsn)
	if err := jobs.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	blobs, err := blob.Open(ctx, blob.FileURL(filepath.Join(dir, "blobs")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	box, err := secret.ParseKeys(Key)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	if os.Getenv("TICKETER_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if o.Log != nil {
		log = o.Log
	}
	e := &Env{T: t, Ctx: ctx, DB: db, Store: store.New(db), Blobs: blobs, OutboxDir: filepath.Join(dir, "outbox"), Box: box, Log: log}
	workers := river.NewWorkers()
	if o.Register != nil {
		o.Register(e, workers)
	}
	q, err := jobs.New(db, workers, jobs.Options{Work: !o.Manual, Logger: log, PollInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	e.Queue = q
	hooks := o.Hooks
	if o.HooksFrom != nil {
		hooks = append(append([]ticket.Hook{}, hooks...), o.HooksFrom(e)...)
	}
	e.Svc = ticket.New(ticket.Config{Store: e.Store, Blobs: blobs, Queue: q, Secrets: box, OutboxDir: e.OutboxDir, Logger: log, Now: o.Now, Hooks: hooks,
		IngestBudget: o.IngestBudget})
	ticket.AddWorkers(workers, e.Svc)
	if o.Manual {
		return e
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	return e
}

// Mailbox creates a mailbox and returns its id.
func (e *Env) Mailbox(address, provider string) int64 {
	e.T.Helper()
	id, err := e.Store.CreateMailbox(e.Ctx, store.Mailbox{Name: address, Address: address, Provider: provider, AckEnabled: true, CreatedAt: time.Now()})
	if err != nil {
		e.T.Fatal(err)
	}
	return id
}

// Host returns the connector host of a mailbox.
func (e *Env) Host(mailboxID int64, address string) *mailbox.Host {
	return mailbox.NewHost(e.Store, e.Svc, mailboxID, address, e.Log)
}

// Count runs a count query.
func (e *Env) Count(query string, args ...any) int {
	e.T.Helper()
	var n int
	if err := e.DB.W().QueryRow(e.Ctx, query, args...).Scan(&n); err != nil {
		e.T.Fatalf("%s: %v", query, err)
	}
	return n
}

// Settled waits until every received message has been processed.
func (e *Env) Settled() {
	e.T.Helper()
	e.WaitUntil("ingestion", func() bool { return e.Count(`SELECT count(*) FROM inbound WHERE status = 'pending'`) == 0 })
}

// WaitUntil polls cond until it holds.
func (e *Env) WaitUntil(what string, cond func() bool) {
	e.T.Helper()
	deadline := time.Now().Add(WaitFor)
	for !cond() {
		if time.Now().After(deadline) {
			e.T.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Messages counts inbound messages stored for a mailbox.
func (e *Env) Messages(mailboxID int64) int {
	return e.Count(`SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.kind = 'inbound' AND t.mailbox_id = $1`, mailboxID)
}
