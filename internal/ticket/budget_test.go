package ticket_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// budgetEnv is a manual ingestion environment whose clock moves 10 s at
// every reading, with a 25 s ingest budget: each attempt takes at least 10 s.
func budgetEnv(t *testing.T, dsn string) (*mailboxtest.Env, int64) {
	var ticks atomic.Int64
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	e := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true, IngestBudget: 25 * time.Second,
		Now: func() time.Time { return t0.Add(time.Duration(ticks.Add(1)) * 10 * time.Second) }})
	return e, e.Mailbox("support@acme.test", "")
}

func isCancel(err error) bool {
	var cancel *rivertype.JobCancelError
	return errors.As(err, &cancel)
}

// TestIngestBudgetSpansRetries: the time each failed attempt takes is kept
// on the inbound row and adds up over retries; once it passes the budget
// the message is kept as failed with the reason and its job is cancelled,
// even after the cause of the failures is gone (a retry does not reset it).
func TestIngestBudgetSpansRetries(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e, mb := budgetEnv(t, dsn)
		id, err := e.Svc.Receive(e.Ctx, ticket.Received{MailboxID: mb, Source: "smtp", Raw: msg("From: a@c.test", "Subject: slow", first)})
		if err != nil {
			t.Fatal(err)
		}
		in, _ := e.Store.GetInbound(e.Ctx, e.DB, id)
		path := filepath.Join(strings.TrimPrefix(blob.FileURL(filepath.Join(filepath.Dir(e.OutboxDir), "blobs")), "file://"), in.RawKey)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(path); err != nil { // a failure a retry could fix
			t.Fatal(err)
		}
		var spent []time.Duration
		var last error
		for range 5 {
			last = e.Svc.ProcessInbound(e.Ctx, id)
			in, _ = e.Store.GetInbound(e.Ctx, e.DB, id)
			spent = append(spent, in.IngestTime)
			if isCancel(last) {
				break
			}
			if last == nil {
				t.Fatal("ingested without its raw message")
			}
		}
		if !isCancel(last) || !errors.Is(last, ticket.ErrOverBudget) {
			t.Fatalf("after %d attempts: %v; want the job cancelled over its budget", len(spent), last)
		}
		if len(spent) > 3 || spent[0] < 10*time.Second || spent[1] <= spent[0] {
			t.Fatalf("time spent after each attempt: %v; want it kept and growing, over 25 s within 3 attempts", spent)
		}
		if in.Status != store.InboundFailed || !strings.Contains(in.Error, "budget") {
			t.Fatalf("inbound %+v; want failed with the reason", in)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := e.Svc.ProcessInbound(e.Ctx, id); !isCancel(err) || !errors.Is(err, ticket.ErrOverBudget) {
			t.Fatalf("a later retry = %v; want it refused over the budget", err)
		}
		if n := e.Count(`SELECT count(*) FROM messages`); n != 0 {
			t.Fatalf("messages: %d, want none", n)
		}
	})
}

// TestIngestAttemptsThatDiedCount: an attempt that never recorded its end
// (the process died during it) counts as a third of the budget, so a
// message that kills the server is given up after three such attempts
// instead of killing it twenty times.
func TestIngestAttemptsThatDiedCount(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e, mb := budgetEnv(t, dsn)
		w := &ticket.IngestWorker{Service: e.Svc}
		for _, c := range []struct {
			attempt int
			refused bool
		}{{1, false}, {3, false}, {4, true}} {
			id, err := e.Svc.Receive(e.Ctx, ticket.Received{MailboxID: mb, Source: "smtp",
				Raw: msg("From: a@c.test", "Subject: crash", "Message-ID: <crash"+string(rune('0'+c.attempt))+"@c.test>")})
			if err != nil {
				t.Fatal(err)
			}
			job := &river.Job[ticket.IngestArgs]{JobRow: &rivertype.JobRow{Attempt: c.attempt}, Args: ticket.IngestArgs{InboundID: id}}
			err = w.Work(e.Ctx, job)
			if refused := isCancel(err) && errors.Is(err, ticket.ErrOverBudget); refused != c.refused || (!c.refused && err != nil) {
				t.Errorf("attempt %d with no attempt recorded: %v; want refused %v", c.attempt, err, c.refused)
			}
		}
	})
}

// TestIngestQueueIsFair: large mail goes to its own queue, and once a
// mailbox has a backlog its mail yields (a lower River priority) to other
// mailboxes' new mail.
func TestIngestQueueIsFair(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e, flooded := budgetEnv(t, dsn)
		other := e.Mailbox("sales@acme.test", "")
		receive := func(mb int64, i int, body string) (queue string, priority int) {
			t.Helper()
			id, err := e.Svc.Receive(e.Ctx, ticket.Received{MailboxID: mb, Source: "smtp",
				Raw: msg("From: a@c.test", "Subject: flood", "Message-ID: <f"+time.Duration(i).String()+"@c.test>", "BODY:"+body)})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.DB.W().QueryRow(e.Ctx, `SELECT queue, priority FROM river_job WHERE kind = 'ingest' ORDER BY id DESC LIMIT 1`).Scan(&queue, &priority); err != nil {
				t.Fatal(err)
			}
			var inbound int64
			_ = e.DB.W().QueryRow(e.Ctx, `SELECT max(id) FROM inbound`).Scan(&inbound)
			if inbound != id {
				t.Fatalf("the last inbound row is %d, not %d", inbound, id)
			}
			return queue, priority
		}
		for i := range ticket.BacklogMessages {
			if q, p := receive(flooded, i, "small\r\n"); q != "ingest" || p != 1 {
				t.Fatalf("message %d of the flooded mailbox: queue %s priority %d; want ingest 1", i, q, p)
			}
		}
		if q, p := receive(flooded, 100, "small\r\n"); q != "ingest" || p != 2 {
			t.Fatalf("past the backlog: queue %s priority %d; want ingest 2", q, p)
		}
		if q, p := receive(other, 101, "small\r\n"); q != "ingest" || p != 1 {
			t.Fatalf("another mailbox's mail: queue %s priority %d; want ingest 1", q, p)
		}
		if q, _ := receive(other, 102, strings.Repeat("0123456789abcdef\r\n", ticket.LargeMessageBytes/18+1)); q != "ingest_large" {
			t.Fatalf("large mail: queue %s; want ingest_large", q)
		}
	})
}
