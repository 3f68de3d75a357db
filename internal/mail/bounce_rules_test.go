package mail

import (
	"errors"
	"strings"
	"testing"
)

// TestTypedAddress: the address type before ";" goes, even when empty.
func TestTypedAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"rfc822; User@Example.org": "user@example.org",
		"rfc822;<a@b.example>":     "a@b.example",
		";a@b.example":             "a@b.example",
		"a@b.example":              "a@b.example",
	} {
		if got := typedAddress(in); got != want {
			t.Errorf("typedAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDiagnosticText: a type prefix ("smtp;", up to 11 characters without
// blanks, possibly empty) goes; a longer word or words before a ";" are the
// text itself.
func TestDiagnosticText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"smtp; 550 5.1.1 User unknown":  "550 5.1.1 User unknown",
		"X-Postfix; host said:  550":    "host said: 550",
		"; 550 no type":                 "550 no type",
		"abcdefghijk; eleven":           "eleven",
		"abcdefghijkl; twelve is text":  "abcdefghijkl; twelve is text",
		"mailbox full; try again later": "mailbox full; try again later",
		"no prefix at all":              "no prefix at all",
	} {
		if got := diagnosticText(in); got != want {
			t.Errorf("diagnosticText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTextBounceNeedsARobotSender: a bounce without a DSN part needs
// failure wording and a robot sender: MAILER-DAEMON, postmaster or the null
// return path, any one of them.
func TestTextBounceNeedsARobotSender(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, from, returnPath string
		bounce                 bool
	}{
		{"mailer-daemon", "MAILER-DAEMON@mx.example", "<bounce@mx.example>", true},
		{"postmaster", "postmaster@mx.example", "<bounce@mx.example>", true},
		{"null return path", "ann@mx.example", "<>", true},
		{"a person", "ann@mx.example", "<ann@mx.example>", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := "Return-Path: " + c.returnPath + "\r\nFrom: " + c.from + "\r\nTo: support@ticketer.test\r\n" +
				"Subject: Undeliverable: Printer\r\nMessage-ID: <b@mx.example>\r\n\r\nYour message could not be delivered.\r\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if (m.Bounce != nil) != c.bounce {
				t.Errorf("bounce %+v, want one: %v", m.Bounce, c.bounce)
			}
		})
	}
}

// TestParseIDsBare: without any <id>, bare tokens with an "@" are the ids.
func TestParseIDsBare(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"abc@x.example def@y.example", []string{"abc@x.example", "def@y.example"}},
		{"a@x.example\tb@y.example,c@z.example", []string{"a@x.example", "b@y.example", "c@z.example"}},
		{`"a@x.example" b@y.example`, []string{"a@x.example", "b@y.example"}},
		{"<a@x.example> b@y.example", []string{"a@x.example"}},
		{"no ids here", nil},
	} {
		if got := parseIDs(c.in); strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("parseIDs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestFromFallsBackToSender: a From with no address leaves the Sender's.
func TestFromFallsBackToSender(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte("From: undisclosed\r\nSender: Ann <ann@customer.example>\r\nTo: support@ticketer.test\r\nSubject: Hi\r\n\r\nHello.\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Email != "ann@customer.example" {
		t.Errorf("From %+v, want the Sender's address", m.From)
	}
}

// TestHeaderSectionLimit: a header section of exactly maxHeaderBytes is
// read, one byte more is too complex.
func TestHeaderSectionLimit(t *testing.T) {
	t.Parallel()
	build := func(size int) []byte {
		head := "From: ann@customer.example\r\nX-Pad: "
		end := "\r\n\r\n"
		return []byte(head + strings.Repeat("a", size-len(head)-len(end)) + end + "Hello.\r\n")
	}
	if _, err := Parse(build(maxHeaderBytes)); err != nil {
		t.Errorf("a header of exactly %d bytes: %v", maxHeaderBytes, err)
	}
	if _, err := Parse(build(maxHeaderBytes + 1)); !errors.Is(err, ErrTooComplex) {
		t.Errorf("a header of %d bytes: %v, want ErrTooComplex", maxHeaderBytes+1, err)
	}
}

// TestParseMessageID: the first <id>, else a bare value without blanks.
func TestParseMessageID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"<a@x.example>":           "a@x.example",
		"(comment) <a@x.example>": "a@x.example",
		"abc-123":                 "abc-123",
		"<abc-123>":               "abc-123",
		"<>":                      "",
		"":                        "",
		"two words":               "",
	} {
		if got := parseMessageID(in); got != want {
			t.Errorf("parseMessageID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPrefix: at most n bytes, cut back to a character start, never below
// nothing (a text starting mid-character gives "").
func TestPrefix(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 5, "abc"},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"aé", 2, "a"},
		{"\x80\x80\x80", 2, ""},
	} {
		if got := prefix(c.s, c.n); got != c.want {
			t.Errorf("prefix(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

// TestPartialWithoutTotal: a fragment that does not give the total (all but
// the last may leave it out, RFC 2046 5.2.2) says "of ?", not "of 0".
func TestPartialWithoutTotal(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte("From: ann@legacy.example\r\nTo: support@ticketer.test\r\nSubject: Export\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: message/partial; id=\"r-7@legacy.example\"; number=2\r\n\r\n2,b\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	hasProblem(t, m, `message/partial fragment 2 of ? (id "r-7@legacy.example")`)
}

// TestPartialFirstFragmentWithoutText: a first fragment whose enclosed
// message has no text part (here a zip) shows the fragment as received, so
// the agent sees something rather than an empty message.
func TestPartialFirstFragmentWithoutText(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte("From: ann@legacy.example\r\nTo: support@ticketer.test\r\nSubject: Export\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: message/partial; id=\"r-8@legacy.example\"; number=1; total=2\r\n\r\n" +
		"Content-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\nUEsDBAoAAAAAAA==\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "UEsDBAoAAAAAAA==") || m.HTML != "" {
		t.Fatalf("text %q html %q, want the fragment as received", m.Text, m.HTML)
	}
}

// TestListID: the id inside the last angle brackets, lower-cased; an
// empty pair is no id.
func TestListID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Support <Support.Acme.Test>": "support.acme.test",
		"<a.b.example>":               "a.b.example",
		"Support <>":                  "",
		"bare.id.example":             "bare.id.example",
	} {
		if got := listID(in); got != want {
			t.Errorf("listID(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReceiptFields: a read receipt's recipient is its Final-Recipient,
// else its Original-Recipient, and its Original-Message-ID is kept.
func TestReceiptFields(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, fields, recipient string
	}{
		{"final recipient first", "Final-Recipient: rfc822; Ann@Customer.example\r\nOriginal-Recipient: rfc822; alias@customer.example\r\n", "ann@customer.example"},
		{"else the original recipient", "Original-Recipient: rfc822; alias@customer.example\r\n", "alias@customer.example"},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := "From: ann@customer.example\r\nTo: support@ticketer.test\r\nSubject: Read: Printer\r\nMIME-Version: 1.0\r\n" +
				"Content-Type: multipart/report; report-type=disposition-notification; boundary=b\r\n\r\n" +
				"--b\r\nContent-Type: text/plain\r\n\r\nYour message was read.\r\n" +
				"--b\r\nContent-Type: message/disposition-notification\r\n\r\n" + c.fields +
				"Original-Message-ID: <reply-1@ticketer.test>\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n--b--\r\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Receipt == nil || m.Receipt.Recipient != c.recipient || m.Receipt.OriginalMessageID != "reply-1@ticketer.test" || m.Receipt.Disposition != "displayed" {
				t.Fatalf("receipt %+v, want recipient %s", m.Receipt, c.recipient)
			}
		})
	}
}

// TestPlainAddress: the first address in the value, lower-cased, else the
// value read as a typed address.
func TestPlainAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"<Ann@X.example>":            "ann@x.example",
		"rfc822; Ann@X.example":      "ann@x.example",
		"Ann <ann@x.example> (work)": "ann@x.example",
		"rfc822; nobody":             "nobody",
		"":                           "",
	} {
		if got := plainAddress(in); got != want {
			t.Errorf("plainAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
