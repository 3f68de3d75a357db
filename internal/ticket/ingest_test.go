package ticket_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

type env struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	svc    *ticket.Service
	blobs  *blob.Store
	outbox string
	now    time.Time
	mb     int64
	mb2    int64
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	return newEnvWith(t, dsn, mailboxtest.Options{})
}

// newEnvWith is newEnv with options of the services (a logger, hooks).
func newEnvWith(t *testing.T, dsn string, o mailboxtest.Options) *env {
	t.Helper()
	e := newServices(t, dsn, o)
	e.mb = e.createMailbox("Acme Support", "support@acme.test", true)
	e.mb2 = e.createMailbox("Acme Sales", "sales@acme.test", true)
	return e
}

// newQuietEnv has one mailbox, Acme Support, that sends no
// acknowledgement: for tests that count what the hooks or the log see.
func newQuietEnv(t *testing.T, dsn string, o mailboxtest.Options) *env {
	t.Helper()
	e := newServices(t, dsn, o)
	e.mb = e.createMailbox("Acme Support", "support@acme.test", false)
	return e
}

// newServices is an env with no mailbox yet; the clock and manual
// ingestion are the env's, the other options the test's.
func newServices(t *testing.T, dsn string, o mailboxtest.Options) *env {
	t.Helper()
	e := &env{t: t, now: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	// Manual: the tests run ingestion themselves (Receive, then ProcessInbound).
	o.Now, o.Manual = func() time.Time { return e.now }, true
	m := mailboxtest.NewWith(t, dsn, o)
	e.ctx, e.st, e.svc, e.blobs, e.outbox = m.Ctx, m.Store, m.Svc, m.Blobs, m.OutboxDir
	return e
}

func (e *env) createMailbox(name, address string, ack bool) int64 {
	e.t.Helper()
	id, err := e.st.CreateMailbox(e.ctx, store.Mailbox{Name: name, Address: address, AckEnabled: ack, CreatedAt: e.now})
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// msg builds a small RFC 5322 message.
func msg(headers ...string) []byte {
	var b strings.Builder
	hasDate, hasCT := false, false
	for _, h := range headers {
		if strings.HasPrefix(h, "Date:") {
			hasDate = true
		}
		if strings.HasPrefix(h, "Content-Type:") {
			hasCT = true
		}
		if strings.HasPrefix(h, "BODY:") {
			continue
		}
		b.WriteString(h + "\r\n")
	}
	if !hasDate {
		b.WriteString("Date: Mon, 2 Nov 2026 10:00:00 +0000\r\n")
	}
	if !hasCT {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	}
	b.WriteString("\r\n")
	body := "Hello, my printer is on fire.\r\n"
	for _, h := range headers {
		if after, ok := strings.CutPrefix(h, "BODY:"); ok {
			body = after
		}
	}
	b.WriteString(body)
	return []byte(b.String())
}

func (e *env) importMsg(mailbox int64, raw []byte) ticket.Result {
	e.t.Helper()
	res, err := e.svc.Import(e.ctx, mailbox, raw)
	if err != nil {
		e.t.Fatalf("import: %v", err)
	}
	return res
}

// receive goes the way of SMTP mail: Receive, then the ingestion job.
func (e *env) receive(mailbox int64, raw []byte) ticket.Result {
	e.t.Helper()
	id, err := e.svc.Receive(e.ctx, ticket.Received{MailboxID: mailbox, Source: "smtp", EnvelopeTo: []string{"support@acme.test"}, Raw: raw})
	if err != nil {
		e.t.Fatalf("receive: %v", err)
	}
	if err := e.svc.ProcessInbound(e.ctx, id); err != nil {
		e.t.Fatalf("process: %v", err)
	}
	in, err := e.st.GetInbound(e.ctx, e.st.DB(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	res := ticket.Result{MessageID: in.MessageID, Note: in.Error}
	switch in.Status {
	case store.InboundDone:
		res.Outcome = ticket.OutcomeNew
	case store.InboundDuplicate:
		res.Outcome = ticket.OutcomeDuplicate
	case store.InboundIgnored:
		res.Outcome = ticket.OutcomeIgnored
	case store.InboundAutomatic:
		res.Outcome = ticket.OutcomeAutomatic
	default:
		e.t.Fatalf("inbound %d status %s: %s", id, in.Status, in.Error)
	}
	if in.MessageID != 0 {
		m, err := e.st.GetMessage(e.ctx, e.st.DB(), in.MessageID)
		if err != nil {
			e.t.Fatal(err)
		}
		res.TicketID = m.TicketID
	}
	return res
}

func (e *env) ticket(id int64) store.Ticket {
	e.t.Helper()
	tk, err := e.st.GetTicket(e.ctx, e.st.DB(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

func (e *env) messages(ticketID int64) []store.Message {
	e.t.Helper()
	list, err := e.st.ListMessages(e.ctx, ticketID)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

func (e *env) acks(ticketID int64) []store.Message {
	var out []store.Message
	for _, m := range e.messages(ticketID) {
		if m.AutoReason == "acknowledgement" {
			out = append(out, m)
		}
	}
	return out
}

func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.st.DB().QueryRow(e.ctx, query, args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

const first = "Message-ID: <m1@customer.test>"

// newConversation receives a first message from Alice, Cc Bob.
func (e *env) newConversation() (ticket.Result, store.Ticket) {
	e.t.Helper()
	res := e.receive(e.mb, msg("From: Alice Example <Alice@Customer.test>", "To: support@acme.test", "Cc: Bob <bob@customer.test>",
		"Subject: Printer on fire", first))
	if res.Outcome != ticket.OutcomeNew || res.TicketID == 0 {
		e.t.Fatalf("result %+v", res)
	}
	return res, e.ticket(res.TicketID)
}

// TestNewConversationOpensTicket: the ticket, its participants (not us) and
// its first audit entry.
func TestNewConversationOpensTicket(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		if tk.Subject != "Printer on fire" || tk.Status != "new" || tk.Priority != "normal" || tk.Requester.Email != "alice@customer.test" ||
			tk.Requester.Name != "Alice Example" || tk.MailboxID != e.mb || tk.MessageCount != 1 { // the acknowledgement is not counted
			t.Fatalf("ticket %+v", tk)
		}
		for _, who := range []string{"alice@customer.test", "bob@customer.test"} {
			if ok, _ := e.st.IsParticipant(e.ctx, e.st.DB(), tk.ID, who); !ok {
				t.Errorf("%s should be a participant", who)
			}
		}
		if ok, _ := e.st.IsParticipant(e.ctx, e.st.DB(), tk.ID, "support@acme.test"); ok {
			t.Error("our own address is not a participant")
		}
		evs, _ := e.st.ListEvents(e.ctx, tk.ID)
		if len(evs) == 0 || evs[0].Kind != "ticket_created" {
			t.Fatalf("events %+v", evs)
		}
	})
}

// TestNewConversationIsAcknowledged: one acknowledgement, threaded under the
// message, routed back to the ticket, queued with its send job.
func TestNewConversationIsAcknowledged(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		acks := e.acks(tk.ID)
		if len(acks) != 1 {
			t.Fatalf("want one acknowledgement, got %d", len(acks))
		}
		ack := acks[0]
		if ack.Kind != store.KindOutbound || ack.DeliveryStatus != store.DeliveryQueued || ack.InReplyTo != "m1@customer.test" ||
			ack.To[0].Email != "alice@customer.test" || !strings.Contains(ack.Subject, fmt.Sprintf("[#%d]", tk.ID)) ||
			!strings.HasSuffix(ack.MessageID, "@acme.test") {
			t.Fatalf("ack %+v", ack)
		}
		raw, err := e.blobs.Get(e.ctx, ack.RawKey)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Auto-Submitted: auto-replied", "In-Reply-To: <m1@customer.test>", fmt.Sprintf("support+t%d@acme.test", tk.ID)} {
			if !strings.Contains(string(raw), want) {
				t.Errorf("ack lacks %q:\n%s", want, raw)
			}
		}
		if n := e.count(`SELECT count(*) FROM river_job WHERE kind = 'send_message'`); n != 1 {
			t.Fatalf("send jobs: %d", n)
		}
	})
}

func TestThreadingAndDedupe(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		orig := msg("From: alice@customer.test", "To: support@acme.test", "Subject: Printer", first)
		r1 := e.importMsg(e.mb, orig)
		tid := r1.TicketID

		cases := []struct {
			name    string
			raw     []byte
			mailbox int64
			want    ticket.Outcome
			sameTkt bool
		}{
			{"same bytes again", orig, e.mb, ticket.OutcomeDuplicate, true},
			{"same Message-ID, other bytes", msg("From: alice@customer.test", "Subject: Printer (resent)", first), e.mb, ticket.OutcomeDuplicate, true},
			{"same message in a second mailbox", orig, e.mb2, ticket.OutcomeDuplicate, true},
			{"reply by In-Reply-To", msg("From: alice@customer.test", "Subject: Re: Printer", "Message-ID: <m2@customer.test>",
				"In-Reply-To: <m1@customer.test>"), e.mb, ticket.OutcomeNew, true},
			{"reply by References only", msg("From: carol@elsewhere.test", "Subject: Re: Printer", "Message-ID: <m3@customer.test>",
				"References: <zzz@unknown.test> <m2@customer.test>"), e.mb, ticket.OutcomeNew, true},
			{"subject token from a participant", msg("From: alice@customer.test", "Subject: Re: [#"+fmt.Sprint(tid)+"] Printer",
				"Message-ID: <m4@customer.test>"), e.mb, ticket.OutcomeNew, true},
			{"plus address token from a participant", msg("From: carol@elsewhere.test", "To: support+t"+fmt.Sprint(tid)+"@acme.test",
				"Subject: more", "Message-ID: <m5@customer.test>"), e.mb, ticket.OutcomeNew, true},
			{"subject token from a stranger opens a new ticket", msg("From: mallory@evil.test", "Subject: [#"+fmt.Sprint(tid)+"] let me in",
				"Message-ID: <m6@evil.test>"), e.mb, ticket.OutcomeNew, false},
			{"no Message-ID: new", msg("From: dave@customer.test", "Subject: no id", "BODY:unique body 1\r\n"), e.mb, ticket.OutcomeNew, false},
			{"no Message-ID, same bytes: duplicate", msg("From: dave@customer.test", "Subject: no id", "BODY:unique body 1\r\n"), e.mb, ticket.OutcomeDuplicate, false},
		}
		// In order: each row sees what the rows before it stored.
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, err := e.svc.Import(e.ctx, c.mailbox, c.raw)
				if err != nil {
					t.Fatal(err)
				}
				if res.Outcome != c.want {
					t.Errorf("outcome %s, want %s", res.Outcome, c.want)
				}
				if (res.TicketID == tid) != c.sameTkt {
					t.Errorf("ticket %d (first ticket %d), same wanted: %v", res.TicketID, tid, c.sameTkt)
				}
			})
		}
		// Three copies were seen (the original twice, which is one occurrence;
		// a resent copy with other bytes; the copy in the second mailbox),
		// all stored as one message.
		if n := e.count(`SELECT count(*) FROM message_occurrences WHERE message_id = $1`, r1.MessageID); n != 3 {
			t.Errorf("occurrences of the first message: %d, want 3", n)
		}
		if got := e.ticket(tid).MessageCount; got != 5 {
			t.Errorf("message count %d, want 5", got)
		}
		if n := e.count(`SELECT count(*) FROM messages`); n != 7 {
			t.Errorf("messages stored: %d, want 7", n)
		}
		if n := e.count(`SELECT count(*) FROM acknowledgements`); n != 0 {
			t.Errorf("import must not acknowledge: %d", n)
		}
	})
}

func TestReplyBeforeItsParentThreads(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		child := e.importMsg(e.mb, msg("From: bob@customer.test", "Subject: Re: Outage", "Message-ID: <c@x.test>", "In-Reply-To: <p@x.test>", "References: <p@x.test>"))
		sibling := e.importMsg(e.mb, msg("From: carol@customer.test", "Subject: Re: Outage", "Message-ID: <s@x.test>", "In-Reply-To: <p@x.test>"))
		parent := e.importMsg(e.mb, msg("From: alice@customer.test", "Subject: Outage", "Message-ID: <p@x.test>"))
		if child.TicketID != sibling.TicketID || parent.TicketID != child.TicketID {
			t.Fatalf("one conversation, one ticket: child %d sibling %d parent %d", child.TicketID, sibling.TicketID, parent.TicketID)
		}
	})
}

func TestReopenAndAutoReplies(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r := e.receive(e.mb, msg("From: alice@customer.test", "Subject: Invoice", first))
		for i, st := range []domain.Status{domain.StatusSolved, domain.StatusClosed, domain.StatusPending} {
			// A day apart: six messages from one sender within a minute would be a loop.
			date := fmt.Sprintf("Date: Mon, %d Nov 2026 10:00:00 +0000", 3+i)
			if err := e.st.SetTicketStatus(e.ctx, e.st.DB().W(), r.TicketID, st, e.now); err != nil {
				t.Fatal(err)
			}
			// An out-of-office answer does not wake the ticket...
			auto := e.receive(e.mb, msg(date, "From: alice@customer.test", "Subject: Out of office", "Auto-Submitted: auto-replied",
				"Message-ID: <ooo-"+string(st)+"@customer.test>", "In-Reply-To: <m1@customer.test>"))
			if auto.TicketID != r.TicketID || e.ticket(r.TicketID).Status != st {
				t.Fatalf("auto reply changed the ticket: %+v status %s", auto, e.ticket(r.TicketID).Status)
			}
			// ...a human reply does.
			e.receive(e.mb, msg(date, "From: alice@customer.test", "Subject: Re: Invoice", "Message-ID: <re-"+string(st)+"@customer.test>", "In-Reply-To: <m1@customer.test>"))
			if got := e.ticket(r.TicketID).Status; got != domain.StatusOpen {
				t.Fatalf("reply to a %s ticket: status %s, want open", st, got)
			}
		}
		var autos int
		for _, m := range e.messages(r.TicketID) {
			if m.Kind == store.KindAutoReply {
				autos++
			}
		}
		if autos != 3 {
			t.Errorf("auto replies stored as auto_reply: %d", autos)
		}
		if n := len(e.acks(r.TicketID)); n != 1 {
			t.Errorf("acknowledgements: %d, want 1", n)
		}
	})
}

// Mail from one of our own addresses (a synced sent folder, a journal copy)
// is an answer someone wrote from another mail client: it lands on its
// ticket as ours, already delivered, and wakes nothing.
func TestMailFromOurAddressIsOurAnswer(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r := e.receive(e.mb, msg("From: alice@customer.test", "To: support@acme.test", "Subject: Invoice", first))
		if err := e.st.SetTicketStatus(e.ctx, e.st.DB().W(), r.TicketID, domain.StatusSolved, e.now); err != nil {
			t.Fatal(err)
		}
		answer := e.importMsg(e.mb, msg("From: Support <support@acme.test>", "To: alice@customer.test", "Subject: Re: Invoice",
			"Message-ID: <outlook-1@acme.test>", "In-Reply-To: <m1@customer.test>"))
		if answer.TicketID != r.TicketID {
			t.Fatalf("our answer went to ticket %d, want %d", answer.TicketID, r.TicketID)
		}
		m, err := e.st.GetMessage(e.ctx, e.st.DB(), answer.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != store.KindOutbound || m.DeliveryStatus != store.DeliverySent {
			t.Errorf("our answer stored as %s / %q, want outbound and sent", m.Kind, m.DeliveryStatus)
		}
		if got := e.ticket(r.TicketID).Status; got != domain.StatusSolved {
			t.Errorf("our own answer changed the status to %s", got)
		}

		// We write first: the ticket is the customer's, and nobody is acknowledged.
		first := e.receive(e.mb, msg("From: support@acme.test", "To: Bob <bob@customer.test>", "Cc: sales@acme.test", "Subject: Your order",
			"Message-ID: <outlook-2@acme.test>"))
		tk := e.ticket(first.TicketID)
		if first.TicketID == r.TicketID || tk.Requester.Email != "bob@customer.test" {
			t.Errorf("a conversation we started: %+v, requester %+v", first, tk.Requester)
		}
		if n := len(e.acks(first.TicketID)); n != 0 {
			t.Errorf("acknowledgements of our own mail: %d", n)
		}
		// Bob's answer is a customer's message on that ticket.
		reply := e.importMsg(e.mb, msg("From: bob@customer.test", "To: support@acme.test", "Subject: Re: Your order",
			"Message-ID: <bob-1@customer.test>", "In-Reply-To: <outlook-2@acme.test>"))
		if reply.TicketID != first.TicketID {
			t.Errorf("the customer's reply went to ticket %d, want %d", reply.TicketID, first.TicketID)
		}
	})
}

func TestNoAcknowledgement(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		cases := []struct {
			name string
			raw  []byte
		}{
			{"auto-submitted", msg("From: a@c.test", "Subject: x", "Auto-Submitted: auto-generated", "Message-ID: <n1@c.test>")},
			{"precedence bulk", msg("From: a@c.test", "Subject: x", "Precedence: bulk", "Message-ID: <n2@c.test>")},
			{"list mail", msg("From: a@c.test", "Subject: x", "List-Id: <news.c.test>", "Message-ID: <n3@c.test>")},
			{"x-autoreply", msg("From: a@c.test", "Subject: x", "X-Autoreply: yes", "Message-ID: <n4@c.test>")},
			{"empty return-path", msg("Return-Path: <>", "From: a@c.test", "Subject: x", "Message-ID: <n5@c.test>")},
			{"noreply sender", msg("From: no-reply@c.test", "Subject: x", "Message-ID: <n6@c.test>")},
			{"mailer-daemon", msg("From: MAILER-DAEMON@c.test", "Subject: x", "Message-ID: <n7@c.test>")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.t = t
				r := e.receive(e.mb, c.raw)
				if r.Outcome != ticket.OutcomeAutomatic || r.TicketID != 0 {
					t.Fatalf("automatic mail opened a ticket or was not kept: %+v", r)
				}
			})
		}
		e.t = t
		if n := e.count(`SELECT count(*) FROM tickets`); n != 0 {
			t.Fatalf("automatic mail opened %d tickets", n)
		}
		if n := e.count(`SELECT count(*) FROM messages WHERE auto_reason = 'acknowledgement'`); n != 0 {
			t.Fatalf("automatic mail acknowledged %d times", n)
		}
		// Mail from one of our own addresses opens its ticket, unacknowledged.
		r := e.receive(e.mb, msg("From: sales@acme.test", "Subject: x", "Message-ID: <n8@c.test>"))
		if r.TicketID == 0 || len(e.acks(r.TicketID)) != 0 || !strings.HasPrefix(r.Note, "no acknowledgement") {
			t.Fatalf("our own address: %+v", r)
		}
	})
}

func TestAcknowledgementRateLimit(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		acked := 0
		for i := range 5 {
			r := e.receive(e.mb, msg("From: loop@robot.test", fmt.Sprintf("Subject: ticket %d", i), fmt.Sprintf("Message-ID: <l%d@robot.test>", i)))
			acked += len(e.acks(r.TicketID))
			e.now = e.now.Add(time.Minute)
		}
		if acked != 3 {
			t.Fatalf("acknowledged %d of 5 in an hour, want 3", acked)
		}
		e.now = e.now.Add(2 * time.Hour)
		r := e.receive(e.mb, msg("From: loop@robot.test", "Subject: later", "Message-ID: <later@robot.test>"))
		if len(e.acks(r.TicketID)) != 1 {
			t.Fatal("an hour later the sender is acknowledged again")
		}
	})
}

// TestAcknowledgementWindowIsOneHour: the rate limit counts the sender's
// acknowledgements of exactly the last hour, its start included. Three at
// 10:00 block one at 11:00:00; at 11:00:01 they have left the window.
func TestAcknowledgementWindowIsOneHour(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		start := e.now
		for i := range 3 {
			r := e.receive(e.mb, msg("From: loop@robot.test", fmt.Sprintf("Subject: burst %d", i), fmt.Sprintf("Message-ID: <b%d@robot.test>", i)))
			if len(e.acks(r.TicketID)) != 1 {
				t.Fatalf("message %d of the burst not acknowledged", i)
			}
		}
		for _, c := range []struct {
			after time.Duration
			acked bool
		}{
			{59 * time.Minute, false},
			{time.Hour, false},
			{time.Hour + time.Second, true},
		} {
			e.now = start.Add(c.after)
			r := e.receive(e.mb, msg("From: loop@robot.test", "Subject: after "+c.after.String(), "Message-ID: <after-"+c.after.String()+"@robot.test>"))
			if got := len(e.acks(r.TicketID)) == 1; got != c.acked {
				t.Fatalf("%s after three acknowledgements: acknowledged %v, want %v (%s)", c.after, got, c.acked, r.Note)
			}
		}
	})
}

func TestBounceMarksOutboundFailed(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r := e.receive(e.mb, msg("From: alice@customer.test", "Subject: Hi", first))
		ack := e.acks(r.TicketID)[0]
		tickets := e.count(`SELECT count(*) FROM tickets`)
		bounce := []byte("From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\r\n" +
			"To: support@acme.test\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce1@mx.customer.test>\r\n" +
			"Date: Mon, 2 Nov 2026 10:05:00 +0000\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
			"--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n" +
			"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.test\r\n\r\n" +
			"Final-Recipient: rfc822; alice@customer.test\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
			"Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n" +
			"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@acme.test\r\nTo: alice@customer.test\r\n" +
			"Message-ID: <" + ack.MessageID + ">\r\nSubject: " + ack.Subject + "\r\n" +
			"--B--\r\n")
		br := e.receive(e.mb, bounce)
		if br.TicketID != r.TicketID {
			t.Fatalf("bounce attached to ticket %d, want %d", br.TicketID, r.TicketID)
		}
		if got := e.count(`SELECT count(*) FROM tickets`); got != tickets {
			t.Fatal("a bounce opened a ticket")
		}
		m, err := e.st.GetMessage(e.ctx, e.st.DB(), ack.ID)
		if err != nil {
			t.Fatal(err)
		}
		if m.DeliveryStatus != store.DeliveryFailed || !strings.Contains(m.DeliveryError, "5.1.1") {
			t.Fatalf("ack delivery %s %q", m.DeliveryStatus, m.DeliveryError)
		}
		// A bounce for something we never sent is kept, visible, but opens nothing.
		stray := strings.ReplaceAll(string(bounce), ack.MessageID, "never-sent@acme.test")
		stray = strings.ReplaceAll(stray, "bounce1@", "bounce2@")
		sr := e.receive(e.mb, []byte(stray))
		if sr.Outcome != ticket.OutcomeAutomatic || e.count(`SELECT count(*) FROM tickets`) != tickets {
			t.Fatalf("stray bounce: %+v", sr)
		}
		if n := e.count(`SELECT count(*) FROM inbound WHERE status = 'automatic' AND reason = 'bounce' AND rfc_message_id = 'bounce2@mx.customer.test'`); n != 1 {
			t.Fatalf("stray bounce kept as automatic mail: %d rows", n)
		}
	})
}

func TestFailedIngestionIsKeptAndRetried(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		id, err := e.svc.Receive(e.ctx, ticket.Received{MailboxID: e.mb, Source: "smtp", Raw: msg("From: a@c.test", "Subject: x", first)})
		if err != nil {
			t.Fatal(err)
		}
		in, _ := e.st.GetInbound(e.ctx, e.st.DB(), id)
		// Simulate a lost raw blob: processing fails, the row keeps the error.
		blobDir := strings.TrimPrefix(blob.FileURL(filepath.Join(filepath.Dir(e.outbox), "blobs")), "file://")
		path := filepath.Join(blobDir, in.RawKey)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ProcessInbound(e.ctx, id); err == nil {
			t.Fatal("processing without the raw message must fail")
		}
		failed, _ := e.st.ListInbound(e.ctx, store.InboundFailed, 10)
		if len(failed) != 1 || failed[0].ID != id || failed[0].Error == "" {
			t.Fatalf("failed rows: %+v", failed)
		}
		// The retry succeeds once the cause is gone.
		if err := os.WriteFile(path, data, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ProcessInbound(e.ctx, id); err != nil {
			t.Fatal(err)
		}
		in, _ = e.st.GetInbound(e.ctx, e.st.DB(), id)
		if in.Status != store.InboundDone || in.MessageID == 0 {
			t.Fatalf("after retry: %+v", in)
		}
		// Processing again is a no-op.
		if err := e.svc.ProcessInbound(e.ctx, id); err != nil {
			t.Fatal(err)
		}
		if n := e.count(`SELECT count(*) FROM messages WHERE kind = 'inbound'`); n != 1 {
			t.Fatalf("messages: %d", n)
		}
	})
}

func TestSendAcknowledgementToOutbox(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r := e.receive(e.mb, msg("From: alice@customer.test", "Subject: Hi", first))
		ack := e.acks(r.TicketID)[0]
		for range 2 { // the second run must not send again
			if err := e.svc.SendMessage(e.ctx, ack.ID, 1, 5); err != nil {
				t.Fatal(err)
			}
		}
		files, err := os.ReadDir(e.outbox)
		if err != nil || len(files) != 1 {
			t.Fatalf("outbox: %v %v", files, err)
		}
		m, _ := e.st.GetMessage(e.ctx, e.st.DB(), ack.ID)
		if m.DeliveryStatus != store.DeliverySent || m.DeliveryAttempts != 1 || m.DeliveredAt.IsZero() {
			t.Fatalf("delivery %+v", m)
		}
		got, _ := os.ReadFile(filepath.Join(e.outbox, files[0].Name()))
		want, _ := e.blobs.Get(e.ctx, ack.RawKey)
		if string(got) != string(want) {
			t.Fatal("the outbox file is not the stored message")
		}
	})
}

// A batch commits its good messages even when one of them fails inside the
// transaction or cannot be parsed; the unparsable one is kept for retry.
func TestImportBatchIsolatesBadMessages(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		reply := msg("From: a@c.test", "Subject: Re: printer", "Message-ID: <m2@customer.test>", "In-Reply-To: <m1@customer.test>")
		items := []*ticket.ImportItem{
			e.svc.PrepareImport(e.ctx, e.mb, msg("From: a@c.test", "Subject: printer", first)),
			e.svc.PrepareImport(e.ctx, 9999, msg("From: b@c.test", "Subject: to a mailbox that does not exist", "Message-ID: <x@c.test>")),
			e.svc.PrepareImport(e.ctx, e.mb, []byte{}),
			e.svc.PrepareImport(e.ctx, e.mb, reply),
			e.svc.PrepareImport(e.ctx, e.mb, msg("From: a@c.test", "Subject: printer", first)), // again: a duplicate
		}
		results, errs := e.svc.ImportBatch(e.ctx, items)
		want := []struct {
			outcome ticket.Outcome
			failed  bool
		}{{ticket.OutcomeNew, false}, {"", true}, {"", true}, {ticket.OutcomeNew, false}, {ticket.OutcomeDuplicate, false}}
		for i, w := range want {
			if results[i].Outcome != w.outcome || (errs[i] != nil) != w.failed {
				t.Errorf("item %d: outcome %q err %v, want %q failed=%v", i, results[i].Outcome, errs[i], w.outcome, w.failed)
			}
		}
		if results[0].TicketID == 0 || results[3].TicketID != results[0].TicketID {
			t.Errorf("the reply must thread onto the first message's ticket: %+v %+v", results[0], results[3])
		}
		if n := e.count(`SELECT count(*) FROM messages`); n != 2 {
			t.Errorf("messages stored: %d, want 2", n)
		}
		// The unparsable message is visible and will be retried; the one for
		// an unknown mailbox cannot even be kept, and says so.
		if n := e.count(`SELECT count(*) FROM inbound WHERE status = 'failed'`); n != 1 {
			t.Errorf("failed inbound rows: %d, want 1", n)
		}
		if !strings.Contains(errs[1].Error(), "9999") {
			t.Errorf("error for the unknown mailbox should name it: %v", errs[1])
		}
	})
}

// An interrupted import keeps none of its batch, not even as failed rows
// (which the server would retry while the import runs again): its next run
// picks the messages up.
func TestImportBatchStopsWhenCancelled(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		ctx, cancel := context.WithCancel(e.ctx)
		items := []*ticket.ImportItem{
			e.svc.PrepareImport(ctx, e.mb, msg("From: a@c.test", "Subject: printer", first)),
			e.svc.PrepareImport(ctx, e.mb, msg("From: b@c.test", "Subject: scanner", "Message-ID: <s1@c.test>")),
		}
		cancel()
		_, errs := e.svc.ImportBatch(ctx, items)
		for i, err := range errs {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("item %d: %v, want context.Canceled", i, err)
			}
		}
		if n := e.count(`SELECT count(*) FROM messages`) + e.count(`SELECT count(*) FROM inbound`); n != 0 {
			t.Fatalf("%d messages and inbound rows kept by a cancelled batch, want 0", n)
		}
		results, errs := e.svc.ImportBatch(e.ctx, items)
		for i := range items {
			if errs[i] != nil || results[i].Outcome != ticket.OutcomeNew {
				t.Errorf("item %d again: %q %v, want new", i, results[i].Outcome, errs[i])
			}
		}
	})
}

// A batch looks things up once for all its messages; each message must still
// see the ones before it, exactly as if each had its own transaction.
func TestImportBatchMatchesOneByOne(t *testing.T) {
	t.Parallel()
	withAttachment := msg("From: p@c.test", "Subject: invoice", "Message-ID: <p1@c.test>",
		`Content-Type: multipart/mixed; boundary="b1"`,
		"BODY:--b1\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b1\r\nContent-Type: application/pdf\r\n"+
			"Content-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n")
	noID := msg("From: q@c.test", "Subject: no id")
	batch := [][]byte{
		msg("From: x@c.test", "Subject: new one", "Message-ID: <n1@c.test>"),
		msg("From: Xavier <x@c.test>", "Subject: Re: new one", "Message-ID: <n2@c.test>", "In-Reply-To: <n1@c.test>"),
		msg("From: x@c.test", "Subject: new one", "Message-ID: <n1@c.test>"), // a duplicate
		msg("From: a@c.test", "Subject: Re: old", "Message-ID: <r1@c.test>", "In-Reply-To: <m0@c.test>"),
		msg("From: a@c.test", "Subject: Re: old", "Message-ID: <r2@c.test>", "References: <m0@c.test> <r1@c.test>"),
		msg("From: y@c.test", "Subject: Re: new one", "Message-ID: <n3@c.test>", "References: <n2@c.test>"),
		withAttachment,
		noID,
		noID, // a duplicate by its bytes
		// Automatic mail that belongs nowhere is kept once; its copy is a duplicate.
		msg("From: ooo@c.test", "Subject: Out of office", "Auto-Submitted: auto-replied", "Message-ID: <ooo@c.test>"),
		msg("From: ooo@c.test", "Subject: Out of office", "Auto-Submitted: auto-replied", "Message-ID: <ooo@c.test>"),
		// Outlook's conversation, learned within the batch.
		msg("From: o@c.test", "Subject: VPN", "Thread-Index: AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1Fw==", "Message-ID: <ti1@c.test>"),
		msg("From: o@c.test", "Subject: RE: VPN", "Thread-Index: AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1F0AAAAAA", "Message-ID: <ti2@c.test>"),
	}
	// A reply loop on the old ticket: the sixth message within a minute is one.
	for i := range 6 {
		batch = append(batch, msg(fmt.Sprintf("Date: Mon, 2 Nov 2026 10:05:%02d +0000", i*5), "From: bot@c.test", "Subject: Re: old",
			fmt.Sprintf("Message-ID: <loop%d@c.test>", i), "In-Reply-To: <m0@c.test>"))
	}
	run := func(t *testing.T, dsn string, oneByOne bool) (*env, []ticket.Result) {
		e := newEnv(t, dsn)
		old := e.importMsg(e.mb, msg("From: a@c.test", "Subject: old", "Message-ID: <m0@c.test>"))
		if err := e.st.SetTicketStatus(e.ctx, e.st.DB().W(), old.TicketID, domain.StatusSolved, e.now); err != nil {
			t.Fatal(err)
		}
		var items []*ticket.ImportItem
		for _, raw := range batch {
			items = append(items, e.svc.PrepareImport(e.ctx, e.mb, raw))
		}
		var results []ticket.Result
		if oneByOne {
			for _, it := range items {
				res, errs := e.svc.ImportBatch(e.ctx, []*ticket.ImportItem{it})
				if errs[0] != nil {
					t.Fatal(errs[0])
				}
				results = append(results, res[0])
			}
			return e, results
		}
		results, errs := e.svc.ImportBatch(e.ctx, items)
		for i, err := range errs {
			if err != nil {
				t.Fatalf("item %d: %v", i, err)
			}
		}
		return e, results
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e, got := run(t, dsn, false)
		n, dup := ticket.OutcomeNew, ticket.OutcomeDuplicate
		auto := ticket.OutcomeAutomatic
		for i, want := range []ticket.Outcome{n, n, dup, n, n, n, n, n, dup, auto, dup, n, n, n, n, n, n, n, n} {
			if got[i].Outcome != want {
				t.Errorf("item %d: outcome %q, want %q", i, got[i].Outcome, want)
			}
		}
		if got[1].TicketID != got[0].TicketID || got[5].TicketID != got[0].TicketID || got[2].MessageID != got[0].MessageID {
			t.Errorf("a reply, a duplicate and a reply by a key learned in the batch must join the first ticket: %+v", got)
		}
		if got[4].TicketID != got[3].TicketID || got[8].MessageID != got[7].MessageID {
			t.Errorf("replies to the old ticket, or the copy without Message-ID, went astray: %+v", got)
		}
		old := e.ticket(got[3].TicketID)
		if got[12].TicketID != got[11].TicketID || got[11].TicketID == got[0].TicketID {
			t.Errorf("the Thread-Index reply must join its conversation's ticket: %+v", got[11:13])
		}
		if n := e.count(`SELECT count(*) FROM messages WHERE kind = 'auto_reply' AND auto_reason LIKE 'loop:%'`); n != 1 {
			t.Errorf("loop messages: %d, want 1", n)
		}
		if old.Status != domain.StatusOpen || old.MessageCount != 8 || // m0, r1, r2 and five loop messages; the sixth is automatic, uncounted
			e.ticket(got[0].TicketID).MessageCount != 3 {
			t.Errorf("old ticket %+v: want open with 3 messages, and 3 on the new one", old)
		}
		if n := e.count(`SELECT count(*) FROM ticket_events WHERE kind = 'status_changed'`); n != 1 {
			t.Errorf("reopen events: %d, want 1 (the second reply finds the ticket open)", n)
		}
		if n := e.count(`SELECT count(*) FROM contacts WHERE email = 'x@c.test' AND name = 'Xavier'`); n != 1 {
			t.Errorf("the second message's name must fill the contact's")
		}
		other := storetest.SQLiteURL(t)
		if dsn != "" && !strings.HasSuffix(dsn, ".db") {
			other = storetest.PostgresURL(t)
		}
		single, _ := run(t, other, true)
		if a, b := dumpState(e), dumpState(single); a != b {
			t.Errorf("batch and one-by-one imports differ:\nbatch:\n%s\none by one:\n%s", a, b)
		}
	})
}

// dumpState describes what ingestion stored, without the ids that may differ
// between runs (message ids are reserved in advance on PostgreSQL).
func dumpState(e *env) string {
	e.t.Helper()
	var b strings.Builder
	for _, q := range []struct {
		cols int
		sql  string
	}{
		{5, `SELECT t.id, t.subject, t.status, t.message_count, c.email FROM tickets t JOIN contacts c ON c.id = t.requester_id ORDER BY t.id`},
		{7, `SELECT coalesce(message_id, ''), ticket_id, kind, coalesce(dedupe_key, ''), threaded_by, threaded_key, auto_reason FROM messages ORDER BY ticket_id, message_id, kind`},
		{5, `SELECT status, reason, rfc_message_id, from_email, coalesce(dedupe_key, '') FROM inbound ORDER BY rfc_message_id, status`},
		{5, `SELECT ticket_id, kind, field, old_value, new_value FROM ticket_events ORDER BY ticket_id, kind, new_value`},
		{2, `SELECT email, name FROM contacts ORDER BY email`},
		{2, `SELECT p.ticket_id, c.email FROM ticket_participants p JOIN contacts c ON c.id = p.contact_id ORDER BY p.ticket_id, c.email`},
		{2, `SELECT key, ticket_id FROM thread_keys ORDER BY key`},
		{3, `SELECT m.message_id, a.filename, a.size FROM attachments a JOIN messages m ON m.id = a.message_id ORDER BY m.message_id`},
		{1, `SELECT count(*) FROM message_occurrences`},
	} {
		rows, err := e.st.DB().Query(e.ctx, q.sql)
		if err != nil {
			e.t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, q.cols)
			for i := range vals {
				vals[i] = new(any)
			}
			if err := rows.Scan(vals...); err != nil {
				e.t.Fatal(err)
			}
			for _, v := range vals {
				fmt.Fprintf(&b, "%v | ", *(v.(*any)))
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}
