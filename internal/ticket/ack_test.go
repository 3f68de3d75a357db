package ticket_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestAcknowledgementDoesNotQuoteTheDisplayName: a forged From whose
// display name carries a message must not make us mail that text to the
// address it names. The default template and a mailbox's own template that
// uses RequesterName both leave the display name out.
func TestAcknowledgementDoesNotQuoteTheDisplayName(t *testing.T) {
	t.Parallel()
	const lure = "Your account is locked call 555 0100"
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if _, err := e.st.DB().Exec(e.ctx, `UPDATE mailboxes SET ack_body = $1 WHERE id = $2`, "Dear {{.RequesterName}}, ticket {{.TicketID}}.", e.mb2); err != nil {
			t.Fatal(err)
		}
		for _, mb := range []int64{e.mb, e.mb2} {
			res := e.receive(mb, msg(`From: "`+lure+`" <victim@customer.test>`, "To: support@acme.test", "Subject: Hi",
				"Message-ID: <lure"+string(rune('0'+mb))+"@customer.test>"))
			acks := e.acks(res.TicketID)
			if len(acks) != 1 {
				t.Fatalf("mailbox %d: %d acknowledgements", mb, len(acks))
			}
			raw, err := e.blobs.Get(e.ctx, acks[0].RawKey)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(acks[0].Text, "locked") || strings.Contains(string(raw), "locked") {
				t.Errorf("mailbox %d: the acknowledgement quotes the display name:\n%s", mb, raw)
			}
			if acks[0].To[0].Email != "victim@customer.test" {
				t.Errorf("mailbox %d: ack to %+v", mb, acks[0].To)
			}
		}
	})
}

// TestRenderAckDefault: the default acknowledgement greets without a name.
func TestRenderAckDefault(t *testing.T) {
	t.Parallel()
	_, body, err := ticket.RenderAck(store.Mailbox{Name: "Acme Support"}, ticket.AckData{TicketID: 7, Subject: "Printer",
		RequesterName: "alice@customer.test", RequesterEmail: "alice@customer.test", MailboxName: "Acme Support"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body, "Hello,\n") {
		t.Fatalf("body starts %q", strings.SplitN(body, "\n", 2)[0])
	}
}

// TestAcknowledgementCanLinkToThePortal: a template's {{.PortalURL}} is the
// ticket's page in the customer portal, under the base URL.
func TestAcknowledgementCanLinkToThePortal(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if _, err := e.st.DB().Exec(e.ctx, `UPDATE mailboxes SET ack_body = $1 WHERE id = $2`, "View this ticket online: {{.PortalURL}}", e.mb); err != nil {
			t.Fatal(err)
		}
		res := e.receive(e.mb, msg("From: alice@customer.test", "To: support@acme.test", "Subject: Hi", "Message-ID: <portal-ack@customer.test>"))
		acks := e.acks(res.TicketID)
		if len(acks) != 1 {
			t.Fatalf("%d acknowledgements", len(acks))
		}
		want := "/portal/tickets/" + strconv.FormatInt(res.TicketID, 10)
		if !strings.HasSuffix(strings.TrimSpace(acks[0].Text), want) {
			t.Fatalf("ack %q, want the link %q", acks[0].Text, want)
		}
	})
}

func TestPortalURL(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ base, want string }{
		{"https://help.example.com", "https://help.example.com/portal/tickets/42"},
		{"https://help.example.com/", "https://help.example.com/portal/tickets/42"},
	} {
		t.Run(c.base, func(t *testing.T) {
			if got := ticket.PortalURL(c.base, 42); got != c.want {
				t.Fatalf("PortalURL(%q) = %q, want %q", c.base, got, c.want)
			}
		})
	}
}

// TestAcknowledgementRecipient: the acknowledgement goes to Reply-To when
// the message names one (the address alone), else to From; a Reply-To of
// ours is answered by nothing (it would mail ourselves), and the ingestion's
// note says so. A sent acknowledgement leaves no note.
func TestAcknowledgementRecipient(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		headers []string
		want    string // "": no acknowledgement
	}{
		{"from", []string{"From: Alice <alice@customer.test>"}, "alice@customer.test"},
		{"reply-to", []string{"From: Alice <alice@customer.test>", "Reply-To: Printer Team <printers@customer.test>"}, "printers@customer.test"},
		{"the first reply-to", []string{"From: alice@customer.test", "Reply-To: one@customer.test, two@customer.test"}, "one@customer.test"},
		{"reply-to of ours", []string{"From: alice@customer.test", "Reply-To: sales@acme.test"}, ""},
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.t = t
				h := append([]string{"To: support@acme.test", "Subject: Recipient " + c.name, "Message-ID: <rcpt" + strconv.Itoa(i) + "@customer.test>"}, c.headers...)
				res := e.receive(e.mb, msg(h...))
				acks := e.acks(res.TicketID)
				var got string
				if len(acks) == 1 && len(acks[0].To) == 1 {
					got = acks[0].To[0].Email
				} else if len(acks) != 0 {
					t.Fatalf("%d acknowledgements: %+v", len(acks), acks)
				}
				if got != c.want {
					t.Fatalf("acknowledged to %q, want %q (%s)", got, c.want, res.Note)
				}
				// The note says why there is no acknowledgement, and only then.
				if c.want == "" && !strings.HasPrefix(res.Note, "no acknowledgement: ") || c.want != "" && res.Note != "" {
					t.Fatalf("note %q with the acknowledgement to %q", res.Note, got)
				}
			})
		}
	})
}
