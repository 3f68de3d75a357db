package mail

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

func sampleOutgoing() Outgoing {
	refs := make([]string, 0, 12)
	for i := 0; i < 12; i++ {
		refs = append(refs, strings.Repeat("r", 20)+string(rune('a'+i))+"@mail.example.com")
	}
	return Outgoing{
		From:          Address{"Jörg Müller (Support)", "support@ticketer.test"},
		To:            []Address{{"Zoë Ångström", "zoe@example.com"}, {"", "plain@example.com"}},
		Cc:            []Address{{"田中太郎", "tanaka@example.jp"}},
		Subject:       "Re: [#42] Grüße aus Köln – the printer on floor 3 is still jammed after the repair visit",
		MessageID:     "reply-1@ticketer.test",
		InReplyTo:     "CAGmail123@mail.gmail.com",
		References:    refs,
		Text:          "Hallo Zoë,\n\nwe sent a technician. A very long line follows that must be wrapped by quoted-printable because it is longer than seventy-six characters.\n\n-- \nSupport",
		HTML:          `<p>Hallo Zoë,</p><p>we sent a technician.</p><img src="cid:logo@ticketer.test">`,
		AutoSubmitted: "auto-replied",
		Date:          time.Date(2024, 3, 4, 10, 0, 0, 0, time.FixedZone("CET", 3600)),
		Attachments: []Attachment{
			{Filename: "Übersicht März.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 binary \x00\x01\x02")},
			{Filename: "logo.png", ContentType: "image/png", ContentID: "logo@ticketer.test", Inline: true, Data: []byte("\x89PNG\r\n\x1a\n")},
		},
		Headers: map[string]string{"X-Ticketer-Ticket": "42", "X-Ticketer-Note": "non-ASCII ✓"},
	}
}

func TestComposeRoundTrip(t *testing.T) {
	o := sampleOutgoing()
	raw, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "MessageID", m.MessageID, o.MessageID)
	eq(t, "InReplyTo", m.InReplyTo, []string{o.InReplyTo})
	eq(t, "References", m.References, o.References)
	eq(t, "Subject", m.Subject, o.Subject)
	eq(t, "From", m.From, o.From)
	eq(t, "To", m.To, o.To)
	eq(t, "Cc", m.Cc, o.Cc)
	eq(t, "Date", m.Date, o.Date.UTC())
	eq(t, "Auto", m.Auto, "auto-submitted: auto-replied")
	eq(t, "Text", strings.TrimRight(m.Text, "\n"), o.Text)
	eq(t, "HTML", strings.TrimRight(m.HTML, "\n"), o.HTML)
	eq(t, "VisibleText", m.VisibleText, "Hallo Zoë,\n\nwe sent a technician. A very long line follows that must be wrapped by quoted-printable because it is longer than seventy-six characters.")
	eq(t, "attachments", len(m.Attachments), 2)
	for _, want := range o.Attachments {
		got := attachmentNamed(t, m, want.Filename)
		eq(t, want.Filename+" data", got.Data, want.Data)
		eq(t, want.Filename+" type", got.ContentType, want.ContentType)
		eq(t, want.Filename+" cid", got.ContentID, want.ContentID)
		eq(t, want.Filename+" inline", got.Inline, want.Inline)
	}
	eq(t, "Problems", m.Problems, []string(nil))

	// Raw-level properties: CRLF only, short lines, nothing unencoded.
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("bare LF in output")
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 998 {
			t.Errorf("line longer than 998: %d", len(l))
		}
		for _, c := range []byte(l) {
			if c >= 0x80 {
				t.Fatalf("8-bit byte in output line %q", l)
			}
		}
	}
	for _, h := range []string{"X-Auto-Response-Suppress: All\r\n", "X-Ticketer-Ticket: 42\r\n", "Auto-Submitted: auto-replied\r\n", "MIME-Version: 1.0\r\n"} {
		if !bytes.Contains(raw, []byte(h)) {
			t.Errorf("missing %q", h)
		}
	}
	if !regexp.MustCompile(`References: <[^>]+>\r\n <`).Match(raw) {
		t.Error("References not folded")
	}
}

func TestComposeDeterministic(t *testing.T) {
	a, err := Compose(sampleOutgoing())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compose(sampleOutgoing())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("Compose is not deterministic")
	}
}

func TestComposeTextOnly(t *testing.T) {
	o := Outgoing{
		From: Address{"Support", "support@ticketer.test"}, To: []Address{{"", "a@example.com"}},
		Subject: "Hello", MessageID: "<ack-1@ticketer.test>", Text: "Thanks, we got it.\n",
		Date: time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC),
	}
	raw, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nThanks, we got it.\r\n")) {
		t.Errorf("unexpected text-only output:\n%s", raw)
	}
	for _, h := range []string{"Auto-Submitted", "In-Reply-To", "\r\nCc:"} {
		if bytes.Contains(raw, []byte(h)) {
			t.Errorf("optional header %q written although empty", h)
		}
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "MessageID", m.MessageID, "ack-1@ticketer.test")
	eq(t, "Auto", m.Auto, "")
}

func TestComposeRejects(t *testing.T) {
	good := Outgoing{From: Address{Email: "s@x.test"}, To: []Address{{Email: "a@x.test"}}, MessageID: "m@x", Date: time.Unix(0, 0)}
	tests := map[string]func(o *Outgoing){
		"no message id":   func(o *Outgoing) { o.MessageID = " <> " },
		"no from":         func(o *Outgoing) { o.From = Address{} },
		"no to":           func(o *Outgoing) { o.To = nil },
		"no date":         func(o *Outgoing) { o.Date = time.Time{} },
		"reserved header": func(o *Outgoing) { o.Headers = map[string]string{"Content-Type": "text/html"} },
		"bad header name": func(o *Outgoing) { o.Headers = map[string]string{"X Bad:": "v"} },
	}
	for name, mutate := range tests {
		o := good
		mutate(&o)
		if _, err := Compose(o); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
	if _, err := Compose(good); err != nil {
		t.Errorf("good: %v", err)
	}
}

func TestComposeNoHeaderInjection(t *testing.T) {
	o := Outgoing{
		From: Address{"Evil\r\nBcc: victim@x.test", "s@x.test"}, To: []Address{{Email: "a@x.test"}},
		Subject: "Hi\r\nBcc: victim@x.test", MessageID: "m@x", Date: time.Unix(0, 0),
		Headers: map[string]string{"X-Note": "a\r\nBcc: victim@x.test"},
	}
	raw, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("\r\nBcc:")) {
		t.Errorf("header injection:\n%s", raw)
	}
}

func TestNewMessageID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-v]{26}@ticketer\.test$`)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id := NewMessageID("ticketer.test")
		if !re.MatchString(id) {
			t.Fatalf("bad id %q", id)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
	if id := NewMessageID(""); !strings.HasSuffix(id, "@localhost") {
		t.Errorf("empty domain: %q", id)
	}
}

// TestComposeUnnamedAttachments: an attachment without a filename goes out as
// attachment-N with its type's extension, numbered across the message
// (inline parts first), so the recipient sees distinct names.
func TestComposeUnnamedAttachments(t *testing.T) {
	t.Parallel()
	o := Outgoing{
		From: Address{Email: "support@ticketer.test"}, To: []Address{{Email: "a@example.com"}},
		Subject: "Files", MessageID: "files-1@ticketer.test", Date: time.Unix(0, 0),
		Text: "See the files.", HTML: `<p>See the files.</p><img src="cid:img@ticketer.test">`,
		Attachments: []Attachment{
			{ContentType: "image/png", ContentID: "img@ticketer.test", Inline: true, Data: []byte("\x89PNG")},
			{ContentType: "application/pdf", Data: []byte("%PDF")},
			{ContentType: "not a type", Data: []byte("raw")},
		},
	}
	raw, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"filename=attachment-1.png\r\n", "filename=attachment-2.pdf\r\n", "filename=attachment-3.bin\r\n"} {
		if !bytes.Contains(raw, []byte(name)) {
			t.Errorf("no %s in:\n%s", name, raw)
		}
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "pdf", string(attachmentNamed(t, m, "attachment-2.pdf").Data), "%PDF")
	eq(t, "bin type", attachmentNamed(t, m, "attachment-3.bin").ContentType, "application/octet-stream")
}
