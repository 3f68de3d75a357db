package ticket_test

import (
	"context"
	"errors"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// sentMail records what a test sender was given.
type sentMail struct {
	from string
	raw  string
	left time.Duration // until the send's deadline
	err  error
}

func (s *sentMail) Send(ctx context.Context, from string, _ []string, raw []byte) error {
	s.from, s.raw = from, string(raw)
	if d, ok := ctx.Deadline(); ok {
		s.left = time.Until(d)
	}
	return s.err
}

// TestSendSystemMail: system mail goes from the mailbox marked for it, else
// the first whose relay works, else the first; the transport is said, and
// a local mailbox's Message-ID takes the base URL's host.
func TestSendSystemMail(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		m := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true})
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		relay := &sentMail{}
		svc := ticket.New(ticket.Config{Store: m.Store, OutboxDir: m.OutboxDir, Now: func() time.Time { return now }, BaseURL: "https://help.acme.test/",
			Transport: func(mb store.Mailbox) (smtpout.Sender, error) {
				if mb.SMTPRelay == "" && mb.Provider == "" {
					return nil, nil // the outbox folder
				}
				return relay, nil
			}})
		to := ticket.SystemMail{To: mail.Address{Name: "Ann", Email: "ann@customer.test"}, Subject: "Your invitation", Text: "Welcome."}
		if _, err := svc.SendSystemMail(m.Ctx, to); err == nil || !strings.Contains(err.Error(), "no mailbox") {
			t.Fatalf("without a mailbox: %v", err)
		}
		create := func(mb store.Mailbox) int64 {
			mb.CreatedAt = now
			id, err := m.Store.CreateMailbox(m.Ctx, mb)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		send := func() (ticket.SentSystemMail, error) {
			relay.from, relay.raw = "", ""
			return svc.SendSystemMail(m.Ctx, to)
		}
		create(store.Mailbox{Name: "Local", Address: "help@localhost"})
		got, err := send()
		if err != nil || got != (ticket.SentSystemMail{From: "help@localhost", Transport: "outbox"}) || relay.from != "" {
			t.Fatalf("the only mailbox: %+v %v", got, err)
		}
		broken := create(store.Mailbox{Name: "Broken", Address: "broken@acme.test", SMTPRelay: "sealed"})
		if err := m.Store.SetRelayError(m.Ctx, m.DB.W(), broken, "certificate expired", now); err != nil {
			t.Fatal(err)
		}
		if got, err := send(); err != nil || got.From != "help@localhost" {
			t.Fatalf("a relay that does not work is passed over: %+v %v", got, err)
		}
		create(store.Mailbox{Name: "Relayed", Address: "relayed@acme.test", SMTPRelay: "sealed"})
		got, err = send()
		if err != nil || got != (ticket.SentSystemMail{From: "relayed@acme.test", Transport: "smtp_relay"}) || relay.from != "relayed@acme.test" {
			t.Fatalf("the first working relay: %+v %v (sent from %q)", got, err, relay.from)
		}
		if relay.left <= ticket.SystemMailTimeout-5*time.Second || relay.left > ticket.SystemMailTimeout || ticket.SystemMailTimeout != 30*time.Second {
			t.Fatalf("sent with %s left, want the %s of SystemMailTimeout (30s)", relay.left, ticket.SystemMailTimeout)
		}
		if h := header(t, relay.raw); h.Get("Subject") != "Your invitation" || !strings.HasSuffix(h.Get("Message-ID"), "@acme.test>") || h.Get("Auto-Submitted") != "auto-generated" {
			t.Fatalf("the mail: %v", h)
		}
		api := create(store.Mailbox{Name: "API", Address: "api@localhost", Provider: "gmail"})
		yes := true
		if _, err := svc.UpdateMailbox(m.Ctx, api, ticket.MailboxUpdate{SystemMail: &yes}); err != nil {
			t.Fatal(err)
		}
		relay.err = errors.New("quota exceeded")
		got, err = send()
		if !errors.Is(err, relay.err) || got != (ticket.SentSystemMail{From: "api@localhost", Transport: "gmail"}) {
			t.Fatalf("the marked mailbox: %+v %v", got, err)
		}
		if h := header(t, relay.raw); !strings.HasSuffix(h.Get("Message-ID"), "@help.acme.test>") {
			t.Fatalf("a local mailbox's Message-ID: %v", h)
		}
	})
}

func header(t *testing.T, raw string) netmail.Header {
	t.Helper()
	m, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("%v: %q", err, raw)
	}
	return m.Header
}
