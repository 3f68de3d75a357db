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
