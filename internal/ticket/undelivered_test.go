package ticket_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// replyEnv: an agent's reply on the outEnv's ticket, through a relay that
// refuses connections until started.
func replyEnv(t *testing.T, dsn string) (*outEnv, store.Message) {
	t.Helper()
	o := newOutEnv(t, dsn, nil)
	uid, err := o.st.CreateUser(o.ctx, store.User{Email: "bob@acme.test", Name: "Bob Agent", Role: domain.RoleAgent, CreatedAt: o.now})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := o.svc.Reply(o.ctx, store.User{ID: uid, Email: "bob@acme.test", Name: "Bob Agent", Role: domain.RoleAgent}, o.ticket,
		ticket.ReplyInput{Body: "We are on it."})
	if err != nil {
		t.Fatal(err)
	}
	return o, reply
}

func (o *outEnv) message(id int64) store.Message {
	o.t.Helper()
	m, err := o.st.GetMessage(o.ctx, o.st.DB(), id)
	if err != nil {
		o.t.Fatal(err)
	}
	return m
}

// A reply that cannot be delivered never looks queued: each failed attempt
// leaves it retrying, with the error and the time of the next attempt; the
// last leaves it failed; the ticket counts it undelivered throughout, and
// has no first response until a reply is actually sent.
func TestUndeliverableReplyRetriesThenFails(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o, reply := replyEnv(t, dsn)
		if tk := o.env.ticket(o.ticket); !tk.FirstResponseAt.IsZero() || tk.Undelivered != 0 || tk.Status != domain.StatusOpen {
			t.Fatalf("queued reply: first response %v, undelivered %d, %s", tk.FirstResponseAt, tk.Undelivered, tk.Status)
		}
		const attempts = 3
		for attempt := 1; attempt < attempts; attempt++ {
			o.now = o.now.Add(time.Minute)
			if err := o.svc.SendMessage(o.ctx, reply.ID, attempt, attempts); err == nil {
				t.Fatalf("attempt %d: the relay refuses connections, want an error to retry", attempt)
			}
			m := o.message(reply.ID)
			if m.DeliveryStatus != store.DeliveryRetrying || !strings.Contains(m.DeliveryError, "connect") || m.DeliveryAttempts != attempt ||
				!m.DeliveryNextAt.Equal(o.now.Add(ticket.SendRetryDelay(attempt))) {
				t.Fatalf("attempt %d: %s %q attempts=%d next=%v", attempt, m.DeliveryStatus, m.DeliveryError, m.DeliveryAttempts, m.DeliveryNextAt)
			}
			if tk := o.env.ticket(o.ticket); !tk.FirstResponseAt.IsZero() || tk.Undelivered != 1 {
				t.Fatalf("attempt %d: first response %v, undelivered %d", attempt, tk.FirstResponseAt, tk.Undelivered)
			}
		}
		// The acknowledgement fails too, but it is no reply: not counted.
		if err := o.send(o.svc, 1); err == nil || o.ack().DeliveryStatus != store.DeliveryRetrying {
			t.Fatalf("acknowledgement: %v %s", err, o.ack().DeliveryStatus)
		}
		if tk := o.env.ticket(o.ticket); tk.Undelivered != 1 {
			t.Fatalf("undelivered %d with the acknowledgement retrying, want 1 (the reply)", tk.Undelivered)
		}
		// The last attempt: failed, nothing to retry (the job ends).
		if err := o.svc.SendMessage(o.ctx, reply.ID, attempts, attempts); err != nil {
			t.Fatalf("last attempt: want the job to end, got %v", err)
		}
		m := o.message(reply.ID)
		if m.DeliveryStatus != store.DeliveryFailed || !strings.Contains(m.DeliveryError, "connect") || !m.DeliveryNextAt.IsZero() {
			t.Fatalf("after the last attempt: %s %q next=%v", m.DeliveryStatus, m.DeliveryError, m.DeliveryNextAt)
		}
		if tk := o.env.ticket(o.ticket); !tk.FirstResponseAt.IsZero() || tk.Undelivered != 1 {
			t.Fatalf("failed: first response %v, undelivered %d", tk.FirstResponseAt, tk.Undelivered)
		}
		if n := o.count(`SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'delivery_failed'`, o.ticket); n != 1 {
			t.Fatalf("delivery_failed audit entries: %d", n)
		}
		// An agent retries once the relay works: queued, then sent; the
		// first response is the time it was delivered.
		o.relay.start(t)
		if _, err := o.svc.RetryMessage(o.ctx, store.User{ID: reply.AuthorID, Email: "bob@acme.test"}, reply.ID); err != nil {
			t.Fatal(err)
		}
		if m := o.message(reply.ID); m.DeliveryStatus != store.DeliveryQueued || m.DeliveryError != "" {
			t.Fatalf("retried: %s %q", m.DeliveryStatus, m.DeliveryError)
		}
		o.now = o.now.Add(time.Hour)
		if err := o.svc.SendMessage(o.ctx, reply.ID, 1, attempts); err != nil {
			t.Fatal(err)
		}
		tk := o.env.ticket(o.ticket)
		if m := o.message(reply.ID); m.DeliveryStatus != store.DeliverySent || !tk.FirstResponseAt.Equal(o.now) || tk.Undelivered != 0 {
			t.Fatalf("sent: %s, first response %v (want %v), undelivered %d", m.DeliveryStatus, tk.FirstResponseAt, o.now, tk.Undelivered)
		}
	})
}

// The acknowledgement is no response: sending it sets no first response time.
func TestAcknowledgementIsNoFirstResponse(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		o.relay.start(t)
		if err := o.send(o.svc, 1); err != nil {
			t.Fatal(err)
		}
		if m, tk := o.ack(), o.env.ticket(o.ticket); m.DeliveryStatus != store.DeliverySent || !tk.FirstResponseAt.IsZero() {
			t.Fatalf("ack %s, first response %v", m.DeliveryStatus, tk.FirstResponseAt)
		}
	})
}

// A reply that bounces after it was sent no longer counts as the first
// response: the time goes back to none (or to another delivered reply).
func TestBouncedReplyIsNoFirstResponse(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o, reply := replyEnv(t, dsn)
		o.relay.start(t)
		if err := o.svc.SendMessage(o.ctx, reply.ID, 1, 12); err != nil {
			t.Fatal(err)
		}
		if tk := o.env.ticket(o.ticket); !tk.FirstResponseAt.Equal(o.now) {
			t.Fatalf("sent: first response %v", tk.FirstResponseAt)
		}
		o.now = o.now.Add(time.Minute)
		o.receive(o.mb, deliveryReport("bounce9", "failed", "5.1.1", "550 5.1.1 no such user", reply))
		m, tk := o.message(reply.ID), o.env.ticket(o.ticket)
		if m.DeliveryStatus != store.DeliveryFailed || !tk.FirstResponseAt.IsZero() || tk.Undelivered != 1 {
			t.Fatalf("bounced: %s %q, first response %v, undelivered %d", m.DeliveryStatus, m.DeliveryError, tk.FirstResponseAt, tk.Undelivered)
		}
	})
}

// The message count is the conversation: the customer's mail and our
// replies, not the acknowledgement or notes.
func TestMessageCountLeavesOutAcksAndNotes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o, _ := replyEnv(t, dsn)
		if _, err := o.svc.AddNote(o.ctx, store.User{ID: 1, Email: "bob@acme.test"}, o.ticket, "internal"); err != nil {
			t.Fatal(err)
		}
		// first message + reply; the ack and the note are on the ticket too.
		if tk, all := o.env.ticket(o.ticket), len(o.messages(o.ticket)); tk.MessageCount != 2 || all != 4 {
			t.Fatalf("message count %d of %d messages, want 2 of 4", tk.MessageCount, all)
		}
	})
}
