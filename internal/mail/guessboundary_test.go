package mail

import (
	"strings"
	"testing"
)

// TestGuessedBoundaryKeepsParameters: when the declared boundary never
// occurs, the parts are read again with the one the body uses, and the
// Content-Type's other parameters stay: here the report-type that makes the
// message a report of a kind we do not read.
func TestGuessedBoundaryKeepsParameters(t *testing.T) {
	t.Parallel()
	raw := "From: reports@mx.example\r\nTo: support@ticketer.test\r\nSubject: Weekly\r\nMessage-ID: <r@mx.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=tlsrpt; boundary=\"declared\"\r\n\r\n" +
		"--used\r\nContent-Type: text/plain\r\n\r\nA report.\r\n--used\r\nContent-Type: application/tlsrpt+json\r\n\r\n{}\r\n--used--\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Auto != "report: tlsrpt" || m.Reason != ReasonAutoReply {
		t.Errorf("reason %q auto %q, want %q, report: tlsrpt", m.Reason, m.Auto, ReasonAutoReply)
	}
	if strings.TrimSpace(m.Text) != "A report." {
		t.Errorf("text %q", m.Text)
	}
}

// TestEmptyBodyIsNoProblem: a message with nothing after its header, or
// only blank lines, has no text and no parse problem to show; a body no
// MIME part could read is shown raw, with the problem noted.
func TestEmptyBodyIsNoProblem(t *testing.T) {
	t.Parallel()
	head := "From: ann@customer.example\r\nTo: support@ticketer.test\r\nSubject: Hi\r\nMessage-ID: <e@customer.example>\r\nMIME-Version: 1.0\r\n"
	for _, c := range []struct {
		name, ct, body string
		text           string
		problem        bool
	}{
		{"no body", "", "", "", false},
		{"blank lines", "", "\r\n \r\n\t\r\n", "", false},
		{"an empty multipart", "Content-Type: multipart/mixed; boundary=b\r\n", "\r\n", "", false},
		{"a multipart with no part", "Content-Type: multipart/mixed; boundary=b\r\n", "just words\r\n", "just words\n", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(head + c.ct + "\r\n" + c.body))
			if err != nil {
				t.Fatal(err)
			}
			noted := false
			for _, p := range m.Problems {
				noted = noted || strings.Contains(p, "no readable MIME part")
			}
			if strings.TrimSpace(m.Text) != strings.TrimSpace(c.text) || noted != c.problem {
				t.Errorf("text %q problems %q, want text %q, noted %v", m.Text, m.Problems, c.text, c.problem)
			}
		})
	}
}

// TestAlternativeKeepsOneOfEachKind: the parts of a multipart/alternative
// say the same thing, so the first text and the first HTML are kept; every
// text part of a multipart/mixed is kept. An alternative may lack either.
func TestAlternativeKeepsOneOfEachKind(t *testing.T) {
	t.Parallel()
	head := "From: ann@customer.example\r\nTo: support@ticketer.test\r\nSubject: Hi\r\nMessage-ID: <a@customer.example>\r\nMIME-Version: 1.0\r\n"
	part := func(ct, body string) string { return "--b\r\nContent-Type: " + ct + "\r\n\r\n" + body + "\r\n" }
	plain := func(s string) string { return part("text/plain", s) }
	html := func(s string) string { return part("text/html", "<p>"+s+"</p>") }
	for _, c := range []struct {
		name, kind, parts string
		text, html        string
	}{
		{"text and HTML", "alternative", plain("A") + html("B"), "A", "<p>B</p>"},
		{"two texts, the first kept", "alternative", plain("A1") + plain("A2"), "A1", ""},
		{"two HTML, the first kept", "alternative", html("H1") + html("H2"), "H1", "<p>H1</p>"},
		{"HTML only: the text comes from it", "alternative", html("H"), "H", "<p>H</p>"},
		{"text only", "alternative", plain("P"), "P", ""},
		{"mixed keeps every text", "mixed", plain("M1") + plain("M2"), "M1\nM2", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := head + "Content-Type: multipart/" + c.kind + "; boundary=b\r\n\r\n" + c.parts + "--b--\r\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(m.Text) != c.text || strings.TrimSpace(m.HTML) != c.html {
				t.Errorf("text %q html %q, want %q and %q", m.Text, m.HTML, c.text, c.html)
			}
		})
	}
}

// TestGuessBoundary: the first "--token" line that is not the declared
// boundary, of 4 characters or more, without blanks or quotes; a closing
// "--token--" counts too.
func TestGuessBoundary(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, body, declared, want string
	}{
		{"four characters", "text\r\n--abcd\r\nmore\r\n", "x", "abcd"},
		{"three are too few", "--abc\r\n", "x", ""},
		{"the declared one is skipped", "--declared\r\n--other\r\n", "declared", "other"},
		{"a closing delimiter", "--used--\r\n", "x", "used"},
		{"a signature separator and blanks are no boundary", "-- \r\n--a b c d\r\n", "x", ""},
		{"quotes are no boundary", "--\"abcd\"\r\n", "x", ""},
		{"none", "just text\r\n", "x", ""},
		{"empty body", "", "x", ""},
	} {
		if got := guessBoundary([]byte(c.body), c.declared); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}
