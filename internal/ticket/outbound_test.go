package ticket_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Outbound delivery against a real SMTP server (go-smtp) started in the test.

// relay is an SMTP server that records what it accepted; reject, when set,
// answers DATA for the next messages with an error instead.
type relay struct {
	addr string
	srv  *smtp.Server

	mu       sync.Mutex
	accepted []delivery
	reject   []*smtp.SMTPError // answered to the next DATA commands, in order
	rcptErr  []*smtp.SMTPError // answered to the next RCPT commands, in order
	tls      *tls.Config       // offers STARTTLS when set (before start)
	helos    []string          // EHLO names of the sessions
}

type delivery struct {
	from string
	to   []string
	data []byte
}

func (r *relay) NewSession(c *smtp.Conn) (smtp.Session, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.helos = append(r.helos, c.Hostname())
	return &relaySession{r: r}, nil
}

type relaySession struct {
	r    *relay
	from string
	to   []string
}

func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error { s.from = from; return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if len(s.r.rcptErr) > 0 {
		e := s.r.rcptErr[0]
		s.r.rcptErr = s.r.rcptErr[1:]
		return e
	}
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if len(s.r.reject) > 0 {
		e := s.r.reject[0]
		s.r.reject = s.r.reject[1:]
		return e
	}
	s.r.accepted = append(s.r.accepted, delivery{from: s.from, to: s.to, data: data})
	return nil
}
func (s *relaySession) Reset()        { s.from, s.to = "", nil }
func (s *relaySession) Logout() error { return nil }

// newRelay reserves an address; the relay is down until start.
func newRelay(t *testing.T) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return &relay{addr: addr}
}

func (r *relay) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	r.srv = smtp.NewServer(r)
	r.srv.Domain = "relay.test"
	r.srv.TLSConfig = r.tls
	r.srv.ReadTimeout, r.srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = r.srv.Serve(ln) }()
	t.Cleanup(func() { _ = r.srv.Close() })
}

func (r *relay) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery{}, r.accepted...)
}

// outEnv is a ticket service whose mailbox sends through a relay URL,
// sealed in the database like a real configuration; events are recorded.
type outEnv struct {
	*env
	relay  *relay
	events *live.Broker
	sub    *live.Subscription
	ackID  int64
	ticket int64
	// baseURL is TICKETER_BASE_URL of the services built after it is set.
	baseURL string
}

const testKey = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="

func newOutEnv(t *testing.T, dsn string, transport func(store.Mailbox) (smtpout.Sender, error)) *outEnv {
	t.Helper()
	e := newEnv(t, dsn)
	o := &outEnv{env: e, relay: newRelay(t)}
	box, err := secret.ParseKeys(testKey)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := box.Seal("smtp://" + o.relay.addr)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.DB().Exec(e.ctx, `UPDATE mailboxes SET smtp_relay = $1 WHERE id = $2`, sealed, e.mb); err != nil {
		t.Fatal(err)
	}
	o.events = live.New(e.st.DB(), live.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := o.events.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.events.Stop)
	o.sub = o.events.Subscribe()
	o.svc = o.service(t, transport)
	// A new conversation queues an acknowledgement: the outbound message.
	r := e.receive(e.mb, msg("From: Alice <alice@customer.test>", "Subject: Printer", first))
	acks := e.acks(r.TicketID)
	if len(acks) != 1 || acks[0].DeliveryStatus != store.DeliveryQueued {
		t.Fatalf("acknowledgement: %+v", acks)
	}
	o.ackID, o.ticket = acks[0].ID, r.TicketID
	return o
}

// service builds a ticket service over the env's database (a "process").
func (o *outEnv) service(t *testing.T, transport func(store.Mailbox) (smtpout.Sender, error)) *ticket.Service {
	t.Helper()
	box, _ := secret.ParseKeys(testKey)
	workers := river.NewWorkers()
	q, err := jobs.New(o.st.DB(), workers, jobs.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	svc := ticket.New(ticket.Config{Store: o.st, Blobs: o.blobs, Queue: q, Secrets: box, OutboxDir: o.outbox,
		Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return o.now }, Transport: transport, Events: o.events, BaseURL: o.baseURL})
	ticket.AddWorkers(workers, svc)
	return svc
}

func (o *outEnv) ack() store.Message {
	o.t.Helper()
	m, err := o.st.GetMessage(o.ctx, o.st.DB(), o.ackID)
	if err != nil {
		o.t.Fatal(err)
	}
	return m
}

// send runs the send job's attempt n of 12.
func (o *outEnv) send(svc *ticket.Service, attempt int) error {
	return svc.SendMessage(o.ctx, o.ackID, attempt, 12)
}

// checkOneDelivery: the relay holds exactly the stored message, once.
func (o *outEnv) checkOneDelivery() {
	o.t.Helper()
	got := o.relay.deliveries()
	if len(got) != 1 {
		o.t.Fatalf("relay accepted %d messages, want exactly 1", len(got))
	}
	m := o.ack()
	raw, err := o.blobs.Get(o.ctx, m.RawKey)
	if err != nil {
		o.t.Fatal(err)
	}
	if string(got[0].data) != string(raw) || !strings.Contains(string(got[0].data), "Message-Id: <"+m.MessageID+">") && !strings.Contains(string(got[0].data), "Message-ID: <"+m.MessageID+">") {
		o.t.Fatalf("relay got other bytes than stored (Message-ID %s):\n%s", m.MessageID, got[0].data)
	}
	if got[0].from != "support@acme.test" || fmt.Sprint(got[0].to) != "[alice@customer.test]" {
		o.t.Fatalf("envelope %s -> %v", got[0].from, got[0].to)
	}
}

// sawDeliveryEvent: a ticket.updated event for the message was published.
func (o *outEnv) sawDeliveryEvent() {
	o.t.Helper()
	for {
		select {
		case ev := <-o.sub.Events():
			if ev.Type == live.TicketUpdated && ev.TicketID == o.ticket && ev.MessageID == o.ackID {
				return
			}
		case <-time.After(10 * time.Second):
			o.t.Fatal("no ticket.updated event for the delivery")
		}
	}
}

func TestRelayDownThenUp(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		// Attempt 1: nothing listens. A temporary failure: River retries.
		err := o.send(o.svc, 1)
		if err == nil || smtpout.IsPermanent(err) {
			t.Fatalf("relay down: want a temporary error, got %v", err)
		}
		if m := o.ack(); m.DeliveryStatus != store.DeliveryRetrying || m.DeliveryAttempts != 1 || !strings.Contains(m.DeliveryError, "connect") {
			t.Fatalf("after relay down: %s attempts=%d %q", m.DeliveryStatus, m.DeliveryAttempts, m.DeliveryError)
		}
		o.relay.start(t)
		if err := o.send(o.svc, 2); err != nil {
			t.Fatal(err)
		}
		// River might still run the job once more (e.g. a retry racing a
		// rescue): it must be a no-op.
		if err := o.send(o.svc, 3); err != nil {
			t.Fatal(err)
		}
		o.checkOneDelivery()
		if m := o.ack(); m.DeliveryStatus != store.DeliverySent || m.DeliveryAttempts != 2 || m.DeliveryError != "" || m.DeliveredAt.IsZero() {
			t.Fatalf("after relay up: %s attempts=%d %q", m.DeliveryStatus, m.DeliveryAttempts, m.DeliveryError)
		}
		o.sawDeliveryEvent()
	})
}

func TestRelay4xxThen250(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		o.relay.reject = []*smtp.SMTPError{{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Greylisted, try again later"}}
		o.relay.rcptErr = []*smtp.SMTPError{{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 2, 2}, Message: "Mailbox full"}}
		o.relay.start(t)
		for attempt, want := range []string{"452", "451"} {
			err := o.send(o.svc, attempt+1)
			if err == nil || smtpout.IsPermanent(err) || !strings.Contains(err.Error(), want) {
				t.Fatalf("attempt %d: want a temporary %s error, got %v", attempt+1, want, err)
			}
			if m := o.ack(); m.DeliveryStatus != store.DeliveryRetrying || !strings.Contains(m.DeliveryError, want) {
				t.Fatalf("attempt %d: %s %q", attempt+1, m.DeliveryStatus, m.DeliveryError)
			}
		}
		if err := o.send(o.svc, 3); err != nil {
			t.Fatal(err)
		}
		o.checkOneDelivery()
		if m := o.ack(); m.DeliveryStatus != store.DeliverySent || m.DeliveryAttempts != 3 || m.DeliveryError != "" {
			t.Fatalf("after 250: %s attempts=%d %q", m.DeliveryStatus, m.DeliveryAttempts, m.DeliveryError)
		}
	})
}

func TestRelay5xxFailsAtOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		o.relay.reject = []*smtp.SMTPError{{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relay access denied"}}
		o.relay.start(t)
		// A permanent failure is recorded and the job ends (nil: no retry).
		if err := o.send(o.svc, 1); err != nil {
			t.Fatalf("permanent failure must end the job, got %v", err)
		}
		if err := o.send(o.svc, 2); err != nil {
			t.Fatal(err)
		}
		if m := o.ack(); m.DeliveryStatus != store.DeliveryFailed || m.DeliveryAttempts != 1 || !strings.Contains(m.DeliveryError, "554") {
			t.Fatalf("after 554: %s attempts=%d %q", m.DeliveryStatus, m.DeliveryAttempts, m.DeliveryError)
		}
		if n := len(o.relay.deliveries()); n != 0 {
			t.Fatalf("relay accepted %d", n)
		}
		o.sawDeliveryEvent()
	})
}

// dying wraps a relay sender; the worker "dies" (its goroutine exits, so
// nothing after the send runs) either after the relay accepted the message
// or before anything was sent.
type dying struct {
	inner     smtpout.CommitSender
	afterSend bool
}

func (d *dying) Send(ctx context.Context, from string, to []string, raw []byte) error {
	return d.SendCommit(ctx, from, to, raw, nil)
}

func (d *dying) SendCommit(ctx context.Context, from string, to []string, raw []byte, commit func() error) error {
	if !d.afterSend {
		runtime.Goexit() // killed while connecting: nothing sent, nothing recorded
	}
	err := d.inner.SendCommit(ctx, from, to, raw, commit)
	if err == nil {
		runtime.Goexit() // killed right after the relay's 250, before recording it
	}
	return err
}

// runWorker runs one attempt in its own goroutine, as a worker would, and
// reports whether it died.
func runWorker(fn func() error) (died bool, err error) {
	done := make(chan struct{})
	var returned bool
	go func() {
		defer close(done)
		err = fn()
		returned = true
	}()
	<-done
	return !returned, err
}

func TestCrashBetweenSendAndRecord(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		var o *outEnv
		relaySender := func(mb store.Mailbox) (smtpout.Sender, error) {
			return smtpout.NewRelay(smtpout.RelayConfig{Host: "127.0.0.1", Port: portOf(t, o.relay.addr), Timeout: 10 * time.Second}), nil
		}
		o = newOutEnv(t, dsn, nil)
		o.relay.start(t)

		// 1. The worker dies after the relay said 250, before recording it.
		crashing := o.service(t, func(mb store.Mailbox) (smtpout.Sender, error) {
			s, _ := relaySender(mb)
			return &dying{inner: s.(smtpout.CommitSender), afterSend: true}, nil
		})
		died, err := runWorker(func() error { return o.send(crashing, 1) })
		if !died {
			t.Fatalf("the worker was meant to die, it returned %v", err)
		}
		if n := len(o.relay.deliveries()); n != 1 {
			t.Fatalf("relay accepted %d before the crash", n)
		}
		if m := o.ack(); m.DeliveryStatus != store.DeliverySending {
			t.Fatalf("state after the crash: %s (want sending)", m.DeliveryStatus)
		}
		// 2. After a restart River runs the job again: it must not resend.
		restarted := o.service(t, nil)
		if err := o.send(restarted, 2); err != nil {
			t.Fatalf("retry after crash: %v", err)
		}
		o.checkOneDelivery()
		m := o.ack()
		if m.DeliveryStatus != store.DeliveryFailed || !strings.Contains(m.DeliveryError, "outcome unknown") {
			t.Fatalf("after the retry: %s %q", m.DeliveryStatus, m.DeliveryError)
		}
		if err := o.send(restarted, 3); err != nil || len(o.relay.deliveries()) != 1 {
			t.Fatalf("a further run sent again: %v, %d deliveries", err, len(o.relay.deliveries()))
		}
	})
}

func TestCrashBeforeSendingIsRetried(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		o.relay.start(t)
		// The worker dies before the relay accepted the envelope: nothing can
		// have gone out, so the message stays queued and the retry sends it.
		crashing := o.service(t, func(store.Mailbox) (smtpout.Sender, error) {
			return &dying{afterSend: false}, nil
		})
		if died, err := runWorker(func() error { return o.send(crashing, 1) }); !died {
			t.Fatalf("the worker was meant to die, it returned %v", err)
		}
		if m := o.ack(); m.DeliveryStatus != store.DeliveryQueued {
			t.Fatalf("state after an early crash: %s (want queued)", m.DeliveryStatus)
		}
		if err := o.send(o.service(t, nil), 2); err != nil {
			t.Fatal(err)
		}
		o.checkOneDelivery()
		if m := o.ack(); m.DeliveryStatus != store.DeliverySent {
			t.Fatalf("after the retry: %s %q", m.DeliveryStatus, m.DeliveryError)
		}
	})
}

// deliveryReport is a delivery-status report (RFC 3464) about orig.
func deliveryReport(id, action, status, diag string, orig store.Message) []byte {
	return []byte("From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>\r\n" +
		"To: support@acme.test\r\nSubject: Delivery Status Notification\r\nMessage-ID: <" + id + "@mx.customer.test>\r\n" +
		"Date: Mon, 2 Nov 2026 10:05:00 +0000\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nDelivery report.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.customer.test\r\n\r\n" +
		"Final-Recipient: rfc822; alice@customer.test\r\nAction: " + action + "\r\nStatus: " + status + "\r\n" +
		"Diagnostic-Code: smtp; " + diag + "\r\n" +
		"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: support@acme.test\r\nTo: alice@customer.test\r\n" +
		"Message-ID: <" + orig.MessageID + ">\r\nSubject: " + orig.Subject + "\r\n" +
		"--B--\r\n")
}

// TestBounceOfSentReply: a delivery-status report naming the Message-ID of
// a message the relay accepted marks it failed, with the reason, in the
// audit trail, and as a live event; a "delayed" report does not.
func TestBounceOfSentReply(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		o.relay.start(t)
		if err := o.send(o.svc, 1); err != nil {
			t.Fatal(err)
		}
		o.checkOneDelivery()
		sent := o.ack()
		report := func(id, action, status, diag string) []byte { return deliveryReport(id, action, status, diag, sent) }
		o.receive(o.mb, report("delay1", "delayed", "4.4.7", "451 4.4.7 still trying"))
		if m := o.ack(); m.DeliveryStatus != store.DeliverySent {
			t.Fatalf("a delayed report changed the state to %s", m.DeliveryStatus)
		}
		br := o.receive(o.mb, report("bounce1", "failed", "5.2.2", "552 5.2.2 Mailbox full"))
		if br.TicketID != o.ticket {
			t.Fatalf("bounce on ticket %d, want %d", br.TicketID, o.ticket)
		}
		m := o.ack()
		if m.DeliveryStatus != store.DeliveryFailed || !strings.Contains(m.DeliveryError, "5.2.2") || !strings.Contains(m.DeliveryError, "Mailbox full") {
			t.Fatalf("after the bounce: %s %q", m.DeliveryStatus, m.DeliveryError)
		}
		evs, err := o.st.ListEvents(o.ctx, o.ticket)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ev := range evs {
			if ev.Kind == "delivery_failed" && ev.OldValue == sent.MessageID && strings.Contains(ev.NewValue, "Mailbox full") {
				found = true
			}
		}
		if !found {
			t.Fatalf("no delivery_failed event naming %s: %+v", sent.MessageID, evs)
		}
		o.sawDeliveryEvent()
		// The send job running again after the bounce never resends.
		if err := o.send(o.svc, 2); err != nil || len(o.relay.deliveries()) != 1 {
			t.Fatalf("resent after bounce: %v", err)
		}
	})
}

func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if _, err := fmt.Sscan(p, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
