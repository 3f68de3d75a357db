package ticket_test

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// countingMetrics records what the service reports.
type countingMetrics struct{ ingested, failed, delivery []string }

func (m *countingMetrics) Ingested(o string) { m.ingested = append(m.ingested, o) }
func (m *countingMetrics) IngestFailed()     { m.failed = append(m.failed, "x") }
func (m *countingMetrics) Delivery(r string) { m.delivery = append(m.delivery, r) }

// drain collects the events published so far (waiting briefly for the
// PostgreSQL listener to hand them over) until want events arrived.
func drain(t *testing.T, sub *live.Subscription, want int) []string {
	t.Helper()
	var got []string
	for len(got) < want {
		select {
		case ev := <-sub.Events():
			got = append(got, fmt.Sprintf("%s t%d m%d", ev.Type, ev.TicketID, ev.MessageID))
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d events, want %d: %v", len(got), want, got)
		}
	}
	return got
}

// TestIngestionPublishesEventsAndCounts: every write of ingestion announces
// itself once committed; nothing is announced for a failed attempt or a
// duplicate.
func TestIngestionPublishesEventsAndCounts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		broker := live.New(e.st.DB(), live.Options{Logger: slog.New(slog.DiscardHandler)})
		if err := broker.Start(e.ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(broker.Stop)
		sub := broker.Subscribe()
		box, _ := secret.ParseKeys(testKey)
		workers := river.NewWorkers()
		q, err := jobs.New(e.st.DB(), workers, jobs.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		m := &countingMetrics{}
		e.svc = ticket.New(ticket.Config{Store: e.st, Blobs: e.blobs, Queue: q, Secrets: box, OutboxDir: e.outbox,
			Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return e.now }, Events: broker, Metrics: m})
		ticket.AddWorkers(workers, e.svc)

		r := e.receive(e.mb, msg("From: alice@customer.test", "Subject: Hi", first))
		ack := e.acks(r.TicketID)[0]
		got := drain(t, sub, 3)
		want := []string{
			fmt.Sprintf("ticket.created t%d m0", r.TicketID),
			fmt.Sprintf("message.added t%d m%d", r.TicketID, r.MessageID),
			fmt.Sprintf("message.added t%d m%d", r.TicketID, ack.ID),
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Fatalf("new conversation events:\n got %v\nwant %v", got, want)
		}

		// Solved, then the customer answers: the reply is added and the ticket reopens.
		if err := e.st.SetTicketStatus(e.ctx, e.st.DB().W(), r.TicketID, domain.StatusSolved, e.now); err != nil {
			t.Fatal(err)
		}
		r2 := e.receive(e.mb, msg("From: alice@customer.test", "Subject: Re: Hi", "Message-ID: <m2@customer.test>", "In-Reply-To: <m1@customer.test>"))
		got = drain(t, sub, 2)
		want = []string{fmt.Sprintf("message.added t%d m%d", r.TicketID, r2.MessageID), fmt.Sprintf("ticket.updated t%d m0", r.TicketID)}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Fatalf("reply events:\n got %v\nwant %v", got, want)
		}

		// A duplicate announces nothing; a failed attempt (rolled back) neither.
		e.receive(e.mb, msg("From: alice@customer.test", "Subject: Re: Hi", "Message-ID: <m2@customer.test>", "In-Reply-To: <m1@customer.test>"))
		id, err := e.svc.Receive(e.ctx, ticket.Received{MailboxID: e.mb, Source: "smtp", Raw: msg("From: bob@customer.test", "Subject: New", "Message-ID: <m3@customer.test>")})
		if err != nil {
			t.Fatal(err)
		}
		in, _ := e.st.GetInbound(e.ctx, e.st.DB(), id)
		path := filepath.Join(filepath.Dir(e.outbox), "blobs", in.RawKey)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(path)
		if err := e.svc.ProcessInbound(e.ctx, id); err == nil {
			t.Fatal("want a failure without the raw message")
		}
		if err := os.WriteFile(path, data, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ProcessInbound(e.ctx, id); err != nil {
			t.Fatal(err)
		}
		got = drain(t, sub, 3) // the retried message: created, added, its acknowledgement
		if !strings.HasPrefix(got[0], "ticket.created") || !strings.HasPrefix(got[1], "message.added") {
			t.Fatalf("after the duplicate and the failure: %v (nothing may come before the retry's events)", got)
		}
		if fmt.Sprint(m.ingested) != "[new new duplicate new]" || len(m.failed) != 1 {
			t.Fatalf("metrics: ingested %v failed %d", m.ingested, len(m.failed))
		}
		// Delivery: sending and sent, each announced.
		if err := e.svc.SendMessage(e.ctx, ack.ID, 1, 5); err != nil {
			t.Fatal(err)
		}
		got = drain(t, sub, 2)
		want = []string{fmt.Sprintf("ticket.updated t%d m%d", r.TicketID, ack.ID), fmt.Sprintf("ticket.updated t%d m%d", r.TicketID, ack.ID)}
		if strings.Join(got, ", ") != strings.Join(want, ", ") || fmt.Sprint(m.delivery) != "[sent]" {
			t.Fatalf("delivery events %v, metrics %v", got, m.delivery)
		}
	})
}
