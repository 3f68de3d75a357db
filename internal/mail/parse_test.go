package mail

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fixtures lists the files matching pattern; none is an error (a moved
// folder must not leave a loop over nothing).
func fixtures(t testing.TB, pattern string) []string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		t.Fatalf("fixtures %s: %d files, %v", pattern, len(files), err)
	}
	return files
}

// readFixture reads a fixture file.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func mustParse(t *testing.T, name string) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return m
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func hasProblem(t *testing.T, m *Message, substr string) {
	t.Helper()
	for _, p := range m.Problems {
		if strings.Contains(p, substr) {
			return
		}
	}
	t.Errorf("Problems %q: none contains %q", m.Problems, substr)
}

func attachmentNamed(t *testing.T, m *Message, name string) Attachment {
	t.Helper()
	for _, a := range m.Attachments {
		if a.Filename == name {
			return a
		}
	}
	t.Fatalf("no attachment %q in %+v", name, m.Attachments)
	return Attachment{}
}

// TestParseFixtures checks, per fixture, the fields that fixture exists for.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, m *Message)
	}{
		{"plain_text.eml", func(t *testing.T, m *Message) {
			eq(t, "MessageID", m.MessageID, "plain-1@example.com")
			eq(t, "From", m.From, Address{"Alice Smith", "alice@example.com"})
			eq(t, "To", m.To, []Address{{"Support", "support@ticketer.test"}})
			eq(t, "Subject", m.Subject, "Printer on floor 3 is jammed")
			eq(t, "Date", m.Date, time.Date(2024, 3, 4, 8, 15, 0, 0, time.UTC))
			eq(t, "ReturnPath", m.ReturnPath, "alice@example.com")
			eq(t, "DeliveredTo", m.DeliveredTo, []string{"support@ticketer.test"})
			eq(t, "VisibleText", m.VisibleText, "Hello,\n\nthe printer on floor 3 is jammed again.\n\nThanks,\nAlice")
			eq(t, "Auto", m.Auto, "")
			eq(t, "HTML", m.HTML, "")
			eq(t, "Problems", len(m.Problems), 0)
		}},
		{"html_only.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "Hi team,\n\nthe VPN drops every 5 minutes.\n\n- Windows 11\n- Client 4.2")
			if !strings.Contains(m.HTML, "<b>VPN</b>") {
				t.Errorf("HTML not kept raw: %q", m.HTML)
			}
			eq(t, "VisibleText", m.VisibleText, m.Text)
		}},
		{"multipart_alternative.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "Could you resend invoice 2024-117?")
			eq(t, "HTML", m.HTML, `<div dir="ltr">Could you resend invoice <b>2024-117</b>?</div>`)
			eq(t, "Cc", m.Cc, []Address{{"Dave", "dave@example.net"}, {"", "erin@example.net"}})
			eq(t, "Date", m.Date, time.Date(2024, 3, 6, 16, 30, 0, 0, time.UTC))
			eq(t, "Attachments", len(m.Attachments), 0)
		}},
		{"related_inline_cid.eml", func(t *testing.T, m *Message) {
			a := attachmentNamed(t, m, "error.png")
			eq(t, "ContentType", a.ContentType, "image/png")
			eq(t, "ContentID", a.ContentID, "ii_error@example.com")
			eq(t, "Inline", a.Inline, true)
			eq(t, "len", len(a.Data), 48)
			eq(t, "Text", m.Text, "See the screenshot: [image: error.png]")
		}},
		{"attachment_rfc2231_filename.eml", func(t *testing.T, m *Message) {
			eq(t, "From", m.From, Address{"Jürgen König", "juergen@example.de"})
			pdf := attachmentNamed(t, m, "Übersicht Q1 2024.pdf")
			eq(t, "pdf type", pdf.ContentType, "application/pdf")
			eq(t, "pdf data", string(pdf.Data[:5]), "%PDF-")
			eq(t, "pdf inline", pdf.Inline, false)
			attachmentNamed(t, m, "evil.exe") // path stripped
			attachmentNamed(t, m, "attachment-3.jpg")
			eq(t, "count", len(m.Attachments), 3)
		}},
		{"subject_utf8_b.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Ünïcödé ✓ Betreff")
			eq(t, "From", m.From, Address{"Zoë Ångström", "zoe@example.com"})
		}},
		{"subject_utf8_q.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Problème de connexion — urgent")
			eq(t, "From.Name", m.From.Name, "François Lévesque")
		}},
		{"subject_iso8859_1.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Grüße aus München")
			eq(t, "From.Name", m.From.Name, "Björn Müller")
			eq(t, "Text", m.Text, "Schöne Grüße\n")
		}},
		{"subject_windows1252.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Price €100 – confirmed")
			eq(t, "From.Name", m.From.Name, "“Quoted” Name")
			eq(t, "Text", m.Text, "It costs €100 – “ok”.\n")
		}},
		{"subject_iso2022jp.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "お問い合わせ")
			eq(t, "From.Name", m.From.Name, "田中太郎")
			eq(t, "Text", m.Text, "よろしくお願いします。\n")
		}},
		{"subject_shift_jis.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "請求書について")
			eq(t, "Text", m.Text, "請求書を再送してください。\n")
		}},
		{"subject_gb2312.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "打印机故障")
			eq(t, "From.Name", m.From.Name, "王先生")
			eq(t, "Text", m.Text, "打印机又坏了。\n")
		}},
		{"charset_unknown.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Café menu")
			eq(t, "Text", m.Text, "Café is closed today.\n")
			hasProblem(t, m, `unknown charset "x-unknown"`)
		}},
		{"missing_message_id.eml", func(t *testing.T, m *Message) {
			eq(t, "MessageID", m.MessageID, "")
			hasProblem(t, m, "missing Message-ID")
		}},
		{"missing_message_id_empty.eml", func(t *testing.T, m *Message) {
			eq(t, "MessageID", m.MessageID, "")
		}},
		{"missing_from_uses_sender.eml", func(t *testing.T, m *Message) {
			eq(t, "From", m.From, Address{"Helpdesk Robot", "robot-sender@example.com"})
			hasProblem(t, m, "missing From")
		}},
		{"missing_from_uses_return_path.eml", func(t *testing.T, m *Message) {
			eq(t, "From", m.From, Address{"", "bounce-target@example.com"})
			eq(t, "Auto", m.Auto, "")
		}},
		{"missing_date.eml", func(t *testing.T, m *Message) {
			eq(t, "Date.IsZero", m.Date.IsZero(), true)
			hasProblem(t, m, "missing Date")
		}},
		{"bad_date.eml", func(t *testing.T, m *Message) {
			eq(t, "Date.IsZero", m.Date.IsZero(), true)
			hasProblem(t, m, "unparseable Date")
		}},
		{"raw_8bit_utf8_header.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Störung im Büro – dringend")
			eq(t, "From", m.From, Address{"Renée Faßbender", "renee@example.com"})
			eq(t, "Problems", len(m.Problems), 0)
		}},
		{"raw_8bit_latin1_header.eml", func(t *testing.T, m *Message) {
			eq(t, "Subject", m.Subject, "Información de facturación")
			eq(t, "From.Name", m.From.Name, "José García")
			eq(t, "Text", m.Text, "Gracias, señor.\n")
			hasProblem(t, m, "8-bit")
		}},
		{"mbox_from_line.eml", func(t *testing.T, m *Message) {
			eq(t, "MessageID", m.MessageID, "mbox@example.com")
			eq(t, "From.Email", m.From.Email, "alice@example.com")
		}},
		{"broken_boundary_unclosed.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "The body survives even though the message was cut off.")
			attachmentNamed(t, m, "cut.pdf")
			hasProblem(t, m, "not closed")
		}},
		{"wrong_boundary.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "Text from the real part.")
			eq(t, "HTML", m.HTML, "<p>Text from the real part.</p>")
			hasProblem(t, m, "boundary")
		}},
		{"multipart_without_boundary.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "Plain words in a multipart body without any boundary.")
			if len(m.Problems) == 0 {
				t.Error("want a problem")
			}
		}},
		{"bad_base64.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "Hello world!")
			attachmentNamed(t, m, "data.bin")
			hasProblem(t, m, "Base64")
		}},
		{"qp_soft_breaks.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "This is a very long line that was wrapped by the sender's mail client using soft line breaks so it must come back as one line. Café = ok.\n")
		}},
		{"gmail_reply.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "It is still jammed, please send someone.")
			eq(t, "VisibleTextFromHTML", VisibleTextFromHTML(m.HTML), "It is still jammed, please send someone.")
			eq(t, "InReplyTo", m.InReplyTo, []string{"ack-42@ticketer.test"})
			eq(t, "References", m.References, []string{"orig-1@example.com", "ack-42@ticketer.test"})
		}},
		{"gmail_html_only_reply.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "My badge works again.\n\nThanks!")
		}},
		{"outlook_reply.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "The battery still drains overnight.\n\nMike")
			eq(t, "VisibleTextFromHTML", VisibleTextFromHTML(m.HTML), "The battery still drains overnight.\nMike")
		}},
		{"outlook_desktop_reply.eml", func(t *testing.T, m *Message) {
			// The empty <p class=MsoNormal> between the lines is Nina's blank line.
			eq(t, "VisibleText", m.VisibleText, "Der Drucker geht wieder.\n\nNina")
		}},
		{"apple_mail_reply.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "Sync works on the Mac but not on the iPhone.")
			eq(t, "VisibleTextFromHTML", VisibleTextFromHTML(m.HTML), "Sync works on the Mac but not on the iPhone.")
		}},
		{"thunderbird_reply.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "Calendar invites arrive twice.")
		}},
		{"german_am_schrieb.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "Der Zugang funktioniert jetzt, danke.")
		}},
		{"french_le_a_ecrit.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "Merci, tout fonctionne.")
		}},
		{"wrapped_attribution.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "The guest Wi-Fi is fine now.")
		}},
		{"signature_dash_dash.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "I would like to request a second monitor.")
		}},
		{"top_posting.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "Done, the reset worked.\nThank you!")
		}},
		{"bottom_posting_inline.eml", func(t *testing.T, m *Message) {
			eq(t, "VisibleText", m.VisibleText, "Linux, Debian 12.\n\nFirefox 123.")
		}},
		{"references_chain_10.eml", func(t *testing.T, m *Message) {
			want := []string{}
			for i := 1; i <= 10; i++ {
				want = append(want, "ref-"+string(rune('0'+i/10))+string(rune('0'+i%10))+"@example.com")
			}
			eq(t, "References", m.References, want)
			eq(t, "InReplyTo", m.InReplyTo, []string{"ref-10@example.com"})
		}},
		{"in_reply_to_garbage.eml", func(t *testing.T, m *Message) {
			eq(t, "InReplyTo", m.InReplyTo, []string{"ack-53@ticketer.test", "second-irt@example.com"})
			eq(t, "References", m.References, []string{"real-ref@example.com"})
		}},
		{"forwarded_rfc822.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "Please take care of the attached complaint.")
			a := attachmentNamed(t, m, "Customer complaint.eml")
			eq(t, "ContentType", a.ContentType, "message/rfc822")
			inner, err := Parse(a.Data)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "inner MessageID", inner.MessageID, "complaint-1@customer.example")
			eq(t, "inner From", inner.From.Email, "angry@customer.example")
			eq(t, "Bounce", m.Bounce, (*Bounce)(nil))
		}},
		{"dsn_bounce_rfc822.eml", func(t *testing.T, m *Message) {
			eq(t, "Bounce", m.Bounce, &Bounce{
				OriginalMessageID: "reply-77@ticketer.test",
				Recipient:         "nobody@example.org",
				Status:            "5.1.1",
				Action:            "failed",
				Diagnostic:        "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown",
			})
			if m.Auto == "" {
				t.Error("bounce must be automatic")
			}
		}},
		{"dsn_bounce_headers_only.eml", func(t *testing.T, m *Message) {
			eq(t, "Bounce", m.Bounce, &Bounce{
				OriginalMessageID: "reply-78@ticketer.test",
				Recipient:         "slow@example.net",
				Status:            "4.4.1",
				Action:            "delayed",
				Diagnostic:        "The recipient server did not accept our requests to connect.",
			})
		}},
		{"dsn_bounce_envelope_id_only.eml", func(t *testing.T, m *Message) {
			eq(t, "Bounce", m.Bounce, &Bounce{
				OriginalMessageID: "reply-79@ticketer.test",
				Recipient:         "gone@example.com",
				Status:            "5.2.1",
				Action:            "failed",
				Diagnostic:        "mailbox disabled",
			})
		}},
		{"qmail_bounce.eml", func(t *testing.T, m *Message) {
			eq(t, "Bounce", m.Bounce, &Bounce{
				OriginalMessageID: "reply-80@ticketer.test",
				Recipient:         "olduser@example.net",
				Status:            "5.1.1",
				Action:            "failed",
				Diagnostic:        "Sorry, no mailbox here by that name. (#5.1.1)",
			})
		}},
		{"exim_bounce.eml", func(t *testing.T, m *Message) {
			eq(t, "Bounce", m.Bounce, &Bounce{
				OriginalMessageID: "reply-81@ticketer.test",
				Recipient:         "typo@example.org",
				Status:            "5.1.1",
				Action:            "failed",
				Diagnostic:        "550 5.1.1 User unknown",
			})
		}},
		// Not a DSN, and the original message attached whole: its Message-ID
		// comes from the attachment (the text names none).
		{"attached_original_bounce.eml", func(t *testing.T, m *Message) {
			eq(t, "Bounce", m.Bounce, &Bounce{
				OriginalMessageID: "reply-82@ticketer.test",
				Recipient:         "gone@example.com",
				Status:            "5.1.1",
				Action:            "failed",
				Diagnostic:        "host mx.example.com[192.0.2.1] said: 550 5.1.1",
			})
		}},
		{"auto_submitted_auto_replied.eml", autoIs("auto-submitted: auto-replied")},
		{"auto_submitted_auto_generated.eml", autoIs("auto-submitted: auto-generated")},
		{"auto_submitted_no.eml", autoIs("")},
		{"precedence_bulk.eml", autoIs("precedence: bulk")},
		{"precedence_junk.eml", autoIs("precedence: junk")},
		{"list_id.eml", autoIs("list-id")},
		{"list_unsubscribe.eml", autoIs("list-unsubscribe")},
		{"x_autoreply.eml", autoIs("x-autoreply")},
		{"x_autorespond.eml", autoIs("x-autorespond")},
		{"x_auto_response_suppress.eml", autoIs("x-auto-response-suppress")},
		{"empty_return_path.eml", func(t *testing.T, m *Message) {
			eq(t, "ReturnPath", m.ReturnPath, "<>")
			eq(t, "Auto", m.Auto, "null return-path")
		}},
		{"noreply_sender.eml", autoIs("sender: no-reply")},
		{"donotreply_sender.eml", autoIs("sender: do-not-reply")},
		{"postmaster_sender.eml", autoIs("sender: postmaster")},
		{"subject_token_re.eml", func(t *testing.T, m *Message) {
			id, ok := TicketTokenFromSubject(m.Subject)
			eq(t, "token", id, int64(42))
			eq(t, "ok", ok, true)
			eq(t, "normalized", NormalizeSubject(m.Subject), "Printer")
		}},
		{"subject_token_re_aw.eml", func(t *testing.T, m *Message) {
			id, ok := TicketTokenFromSubject(m.Subject)
			eq(t, "token", id, int64(7))
			eq(t, "ok", ok, true)
			eq(t, "normalized", NormalizeSubject(m.Subject), "Zugang gesperrt")
		}},
		{"plus_address_token.eml", func(t *testing.T, m *Message) {
			id, ok := TicketTokenFromAddress(m.To[0].Email)
			eq(t, "token", id, int64(42))
			eq(t, "ok", ok, true)
			_, ok = TicketTokenFromSubject(m.Subject)
			eq(t, "subject token", ok, false)
		}},
		{"delivered_to_headers.eml", func(t *testing.T, m *Message) {
			eq(t, "DeliveredTo", m.DeliveredTo, []string{"support@ticketer.test", "archive@ticketer.test", "helpdesk@ticketer.test", "alias@ticketer.test"})
			eq(t, "ReplyTo", m.ReplyTo, []Address{{"Replies", "replies@example.com"}})
		}},
		{"hostile_html.eml", func(t *testing.T, m *Message) {
			assertInert(t, SanitizeHTML(m.HTML))
			if strings.Contains(m.Text, "alert") {
				t.Errorf("script text leaked into Text: %q", m.Text)
			}
		}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(strings.TrimSuffix(tt.file, ".eml"), func(t *testing.T) {
			tt.check(t, mustParse(t, tt.file))
		})
	}
	// Every fixture must be covered by a case here or in TestParseNotEmail.
	files := fixtures(t, "testdata/*.eml")
	for _, f := range files {
		if b := filepath.Base(f); !seen[b] && !strings.HasPrefix(b, "not_email_") {
			t.Errorf("fixture %s has no test case", b)
		}
	}
}

func autoIs(want string) func(t *testing.T, m *Message) {
	return func(t *testing.T, m *Message) {
		t.Helper()
		eq(t, "Auto", m.Auto, want)
	}
}

func TestParseNotEmail(t *testing.T) {
	for _, name := range []string{"not_email_no_headers.eml", "not_email_empty.eml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if m, err := Parse(raw); !errors.Is(err, ErrNotEmail) || m != nil {
			t.Errorf("%s: got (%v, %v), want ErrNotEmail", name, m, err)
		}
	}
	if _, err := Parse(nil); !errors.Is(err, ErrNotEmail) {
		t.Errorf("nil input: %v", err)
	}
	if _, err := Parse([]byte(`{"json": true}`)); !errors.Is(err, ErrNotEmail) {
		t.Errorf("json input: %v", err)
	}
}

// TestParseSkipsLeadingJunk: lines before the first field that are not fields
// (a stray continuation, a tool's banner) are dropped and counted once each.
func TestParseSkipsLeadingJunk(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, head, problem string }{
		{"stray continuation", " folded nothing\r\n", "skipped 1 malformed header line(s)"},
		{"banner", "X-Banner without colon\r\n", "skipped 1 malformed header line(s)"},
		{"both", " folded nothing\r\nbanner line\r\n\tmore folding\r\n", "skipped 3 malformed header line(s)"},
	} {
		m, err := Parse([]byte(tt.head + "From: ann@example.com\r\nSubject: Hi\r\n\r\nBody\r\n"))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		eq(t, tt.name+" From", m.From.Email, "ann@example.com")
		eq(t, tt.name+" Subject", m.Subject, "Hi")
		hasProblem(t, m, tt.problem)
	}
}

// TestFixtureInvariants holds for every message we can parse.
func TestFixtureInvariants(t *testing.T) {
	files := fixtures(t, "testdata/*.eml")
	if len(files) < 45 {
		t.Fatalf("only %d fixtures", len(files))
	}
	for _, f := range files {
		raw := readFixture(t, f)
		m, err := Parse(raw)
		if err != nil {
			continue
		}
		for _, a := range m.Attachments {
			if a.Filename == "" || strings.ContainsAny(a.Filename, `/\`) {
				t.Errorf("%s: bad filename %q", f, a.Filename)
			}
			if a.ContentType == "" || strings.Contains(a.ContentType, ";") {
				t.Errorf("%s: bad content type %q", f, a.ContentType)
			}
		}
		if m.From.Email != strings.ToLower(m.From.Email) {
			t.Errorf("%s: From not lower-cased", f)
		}
		if !m.Date.IsZero() && m.Date.Location() != time.UTC {
			t.Errorf("%s: Date not UTC", f)
		}
		assertInert(t, SanitizeHTML(m.HTML))
	}
}

// TestIsTokenByte: a field name is letters, digits and !#$%&'*+-.^_`|~; the
// bytes next to each range (and controls, space, 8-bit) end it.
func TestIsTokenByte(t *testing.T) {
	t.Parallel()
	for _, c := range []byte("azAZ09mM5!#$%&'*+-.^_`|~") {
		if !isTokenByte(c) {
			t.Errorf("%q is a token byte", c)
		}
	}
	for _, c := range []byte("{@[/: \t\x00\x7f\x80\xff\"(),;<=>?\\]") {
		if isTokenByte(c) {
			t.Errorf("%q is not a token byte", c)
		}
	}
}
