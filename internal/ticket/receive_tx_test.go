package ticket_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// failingQueue is the real job queue, made to fail before or after it wrote
// the job: what a crash or a database error between the two writes does.
type failingQueue struct {
	real       *jobs.Queue
	afterWrite bool // write the job, then fail
	fail       bool
}

func (q *failingQueue) Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error {
	if !q.fail {
		return q.real.Enqueue(ctx, tx, args)
	}
	if q.afterWrite {
		if err := q.real.Enqueue(ctx, tx, args); err != nil {
			return err
		}
	}
	return errors.New("queue broke")
}

// TestReceiveWritesRowAndJobTogether: the inbound row and its ingestion job
// are one transaction. A failure between them leaves neither (Receive says
// so, and the sender's server keeps the mail and retries); success leaves
// both, the job naming the row.
func TestReceiveWritesRowAndJobTogether(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		workers := river.NewWorkers()
		real, err := jobs.New(e.st.DB(), workers, jobs.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		q := &failingQueue{real: real}
		svc := ticket.New(ticket.Config{Store: e.st, Blobs: e.blobs, Queue: q, OutboxDir: e.outbox,
			Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return e.now }})
		ticket.AddWorkers(workers, svc) // never started: the jobs stay in the table
		receive := func(n int) (int64, error) {
			// A write outside the transaction waits for SQLite's one writer
			// forever: bounded, it fails as an error instead of a hang.
			ctx, cancel := context.WithTimeout(e.ctx, time.Minute)
			defer cancel()
			return svc.Receive(ctx, ticket.Received{MailboxID: e.mb, Source: "smtp", EnvelopeTo: []string{"support@acme.test"},
				Raw: msg("From: alice@customer.test", "Subject: Printer", fmt.Sprintf("Message-ID: <tx%d@customer.test>", n))})
		}
		counts := func() (rows, jobs int) {
			return e.count(`SELECT count(*) FROM inbound`), e.count(`SELECT count(*) FROM river_job WHERE kind = 'ingest'`)
		}
		for i, c := range []struct {
			name       string
			afterWrite bool
		}{{"the job cannot be written", false}, {"the job was written, then the transaction fails", true}} {
			q.fail, q.afterWrite = true, c.afterWrite
			if _, err := receive(i); err == nil {
				t.Fatalf("%s: Receive answered nil", c.name)
			}
			if rows, jobs := counts(); rows != 0 || jobs != 0 {
				t.Fatalf("%s: %d inbound rows and %d ingestion jobs left, want neither", c.name, rows, jobs)
			}
		}
		q.fail = false
		id, err := receive(9)
		if err != nil {
			t.Fatal(err)
		}
		if rows, jobs := counts(); rows != 1 || jobs != 1 {
			t.Fatalf("after success: %d inbound rows and %d ingestion jobs, want one of each", rows, jobs)
		}
		asText := "json(args)" // River's SQLite driver stores JSONB
		if strings.HasPrefix(dsn, "postgres") {
			asText = "args::text"
		}
		var args string
		if err := e.st.DB().QueryRow(e.ctx, `SELECT `+asText+` FROM river_job WHERE kind = 'ingest'`).Scan(&args); err != nil {
			t.Fatal(err)
		}
		var job ticket.IngestArgs
		if err := json.Unmarshal([]byte(args), &job); err != nil || job.InboundID != id {
			t.Fatalf("the ingestion job %s (%v) does not name inbound row %d", args, err, id)
		}
		in, err := e.st.GetInbound(e.ctx, e.st.DB(), id)
		if err != nil || in.Status != store.InboundPending {
			t.Fatalf("inbound row %d: %+v %v", id, in.Status, err)
		}
	})
}
