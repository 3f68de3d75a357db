package mail

import (
	"os"
	"strings"
	"testing"
)

// TestHeaderRecipients: the delivery headers come first, most specific
// first, then To and Cc, lower-cased; a bare or malformed Delivered-To still
// counts; the body is never read.
func TestHeaderRecipients(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, raw, want string
	}{
		{"order", "To: Sales <Sales@Acme.test>\r\nCc: b@acme.test\r\nX-Forwarded-To: fwd@acme.test\r\nDelivered-To: Support@Acme.test\r\n" +
			"X-Original-To: orig@acme.test\r\n\r\nTo: body@acme.test\r\n", "support@acme.test orig@acme.test fwd@acme.test sales@acme.test b@acme.test"},
		{"lenient", "Delivered-To: <support@acme.test>>\r\nTo: undisclosed-recipients:;\r\n\r\n", "support@acme.test"},
		{"no header section", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := strings.Join(HeaderRecipients([]byte(tc.raw)), " "); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRecipientsOfParsedMessage: the same order for a parsed message, after
// the envelope; HeaderRecipients reads the same delivery headers as Parse.
func TestRecipientsOfParsedMessage(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("testdata/delivered_to_headers.eml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Recipients("rcpt@acme.test")
	if got[0] != "rcpt@acme.test" || strings.Join(got[1:1+len(m.DeliveredTo)], " ") != strings.Join(m.DeliveredTo, " ") {
		t.Fatalf("recipients %v: want the envelope, then %v", got, m.DeliveredTo)
	}
	if n := len(got); n != 1+len(m.DeliveredTo)+len(m.To)+len(m.Cc) {
		t.Fatalf("recipients %v: want envelope, delivery headers, To and Cc", got)
	}
	fromHeaders := HeaderRecipients(raw)
	if strings.Join(fromHeaders[:len(m.DeliveredTo)], " ") != strings.Join(m.DeliveredTo, " ") {
		t.Fatalf("HeaderRecipients %v, Parse's DeliveredTo %v", fromHeaders, m.DeliveredTo)
	}
}

// TestTicketMail: every mail about a ticket comes from the mailbox with a
// Message-ID of its domain, routes answers to the ticket (Reply-To, the
// ticket header), and threads under its parent.
func TestTicketMail(t *testing.T) {
	t.Parallel()
	from := Address{Name: "Acme Support", Email: "support@acme.test"}
	for _, tc := range []struct {
		name, parent      string
		refs              []string
		wantIRT, wantRefs string
	}{
		{"answers a message", "m2@customer.test", []string{"m1@customer.test"}, "m2@customer.test", "m1@customer.test m2@customer.test"},
		{"parent without Message-ID", "", []string{"m1@customer.test"}, "", "m1@customer.test"},
		{"no parent", "", nil, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := TicketMail(from, 42, tc.parent, tc.refs, sampleOutgoing().Date)
			if o.From != from || !strings.HasSuffix(o.MessageID, "@acme.test") || o.InReplyTo != tc.wantIRT ||
				strings.Join(o.References, " ") != tc.wantRefs {
				t.Fatalf("%+v", o)
			}
			if o.Headers["Reply-To"] != "support+t42@acme.test" || o.Headers["X-Ticketer-Ticket"] != "42" {
				t.Fatalf("headers %v", o.Headers)
			}
			if id, ok := TicketTokenFromAddress(o.Headers["Reply-To"]); !ok || id != 42 {
				t.Fatalf("Reply-To %q does not read back as ticket 42", o.Headers["Reply-To"])
			}
		})
	}
}
