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

// eventsBundle is a ticket service publishing to a live broker the test
// listens to, and counting into metrics.
type eventsBundle struct {
	*env
	sub     *live.Subscription
	metrics *countingMetrics
}

func setupEvents(t *testing.T, dsn string) *eventsBundle {
	t.Helper()
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
	return &eventsBundle{env: e, sub: sub, metrics: m}
}

// conversation receives a new conversation, then the customer's reply to it
// once solved, and drains their events.
func (b *eventsBundle) conversation() ticket.Result {
	b.t.Helper()
	r := b.receive(b.mb, msg("From: alice@customer.test", "Subject: Hi", first))
	drain(b.t, b.sub, 3)
	if err := b.st.SetTicketStatus(b.ctx, b.st.DB().W(), r.TicketID, domain.StatusSolved, b.now); err != nil {
		b.t.Fatal(err)
	}
	b.receive(b.mb, msg("From: alice@customer.test", "Subject: Re: Hi", "Message-ID: <m2@customer.test>", "In-Reply-To: <m1@customer.test>"))
	drain(b.t, b.sub, 2)
	return r
}

// TestNewConversationEvents: a new conversation announces the ticket, its
// message and the acknowledgement.
func TestNewConversationEvents(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupEvents(t, dsn)
		r := b.receive(b.mb, msg("From: alice@customer.test", "Subject: Hi", first))
		ack := b.acks(r.TicketID)[0]
		got := drain(t, b.sub, 3)
		want := []string{
			fmt.Sprintf("ticket.created t%d m0", r.TicketID),
			fmt.Sprintf("message.added t%d m%d", r.TicketID, r.MessageID),
			fmt.Sprintf("message.added t%d m%d", r.TicketID, ack.ID),
		}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Fatalf("new conversation events:\n got %v\nwant %v", got, want)
		}
	})
}

// TestReopenEvents: the customer answers a solved ticket: the reply is added
// and the ticket reopens, each announced.
func TestReopenEvents(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupEvents(t, dsn)
		r := b.receive(b.mb, msg("From: alice@customer.test", "Subject: Hi", first))
		drain(t, b.sub, 3)
		if err := b.st.SetTicketStatus(b.ctx, b.st.DB().W(), r.TicketID, domain.StatusSolved, b.now); err != nil {
			t.Fatal(err)
		}
		r2 := b.receive(b.mb, msg("From: alice@customer.test", "Subject: Re: Hi", "Message-ID: <m2@customer.test>", "In-Reply-To: <m1@customer.test>"))
		got := drain(t, b.sub, 2)
		want := []string{fmt.Sprintf("message.added t%d m%d", r.TicketID, r2.MessageID), fmt.Sprintf("ticket.updated t%d m0", r.TicketID)}
		if strings.Join(got, ", ") != strings.Join(want, ", ") {
			t.Fatalf("reply events:\n got %v\nwant %v", got, want)
		}
	})
}

// TestNothingAnnouncedForDuplicatesOrFailures: a duplicate announces
// nothing, a failed attempt (rolled back) neither; the metrics count each.
func TestNothingAnnouncedForDuplicatesOrFailures(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupEvents(t, dsn)
		b.conversation()
		b.receive(b.mb, msg("From: alice@customer.test", "Subject: Re: Hi", "Message-ID: <m2@customer.test>", "In-Reply-To: <m1@customer.test>"))
		id, err := b.svc.Receive(b.ctx, ticket.Received{MailboxID: b.mb, Source: "smtp", Raw: msg("From: bob@customer.test", "Subject: New", "Message-ID: <m3@customer.test>")})
		if err != nil {
			t.Fatal(err)
		}
		in, _ := b.st.GetInbound(b.ctx, b.st.DB(), id)
		path := filepath.Join(filepath.Dir(b.outbox), "blobs", in.RawKey)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(path)
		if err := b.svc.ProcessInbound(b.ctx, id); err == nil {
			t.Fatal("want a failure without the raw message")
		}
		if err := os.WriteFile(path, data, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := b.svc.ProcessInbound(b.ctx, id); err != nil {
			t.Fatal(err)
		}
		got := drain(t, b.sub, 3) // the retried message: created, added, its acknowledgement
		if !strings.HasPrefix(got[0], "ticket.created") || !strings.HasPrefix(got[1], "message.added") {
			t.Fatalf("after the duplicate and the failure: %v (nothing may come before the retry's events)", got)
		}
		if fmt.Sprint(b.metrics.ingested) != "[new new duplicate new]" || len(b.metrics.failed) != 1 {
			t.Fatalf("metrics: ingested %v failed %d", b.metrics.ingested, len(b.metrics.failed))
		}
	})
}

// TestDeliveryEvents: sending and sent are each announced, naming the message.
func TestDeliveryEvents(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupEvents(t, dsn)
		r := b.receive(b.mb, msg("From: alice@customer.test", "Subject: Hi", first))
		ack := b.acks(r.TicketID)[0]
		drain(t, b.sub, 3)
		if err := b.svc.SendMessage(b.ctx, ack.ID, 1, 5); err != nil {
			t.Fatal(err)
		}
		got := drain(t, b.sub, 2)
		want := []string{fmt.Sprintf("ticket.updated t%d m%d", r.TicketID, ack.ID), fmt.Sprintf("ticket.updated t%d m%d", r.TicketID, ack.ID)}
		if strings.Join(got, ", ") != strings.Join(want, ", ") || fmt.Sprint(b.metrics.delivery) != "[sent]" {
			t.Fatalf("delivery events %v, metrics %v", got, b.metrics.delivery)
		}
	})
}
