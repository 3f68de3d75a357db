package mail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/mail/mailtest"
)

// preambleNested is nestedMessage with junk in front of every first
// delimiter, which enmime still takes as a delimiter.
func preambleNested(depth int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "junk--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "junk--b%d\r\nContent-Type: text/plain\r\n\r\ndeep\r\n", depth-1)
	return b.Bytes()
}

// guessedNested declares a boundary it never uses, so Parse retries with
// the one it finds ("--real0"), which then nests.
func guessedNested(depth int) []byte {
	raw := nestedMessage(depth)
	raw = bytes.ReplaceAll(raw, []byte("--b"), []byte("--real"))
	raw = bytes.ReplaceAll(raw, []byte("boundary=\"b"), []byte("boundary=\"real"))
	return bytes.Replace(raw, []byte("boundary=\"real0\""), []byte("boundary=\"declared\""), 1)
}

func withPartHeader(size int) []byte {
	return []byte("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=\"P\"\r\n\r\n" +
		"--P\r\nContent-Type: text/plain\r\nX-Pad: " + strings.Repeat("x", size) + "\r\n\r\nhello\r\n--P--\r\n")
}

func withHeader(size int) []byte {
	return []byte("Message-ID: <h@example.com>\r\nFrom: a@example.com\r\nX-Pad: " + strings.Repeat("x", size) + "\r\n\r\nhello\r\n")
}

func TestParseStructureLimits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		raw      []byte
		tooDeep  bool
		wantText string
	}{
		{"depth at the limit", nestedMessage(maxMIMEDepth), false, "deep"},
		{"depth over the limit", nestedMessage(maxMIMEDepth + 1), true, ""},
		{"depth over the limit behind preamble junk", preambleNested(maxMIMEDepth + 1), true, ""},
		{"depth over the limit after a boundary guess", guessedNested(maxMIMEDepth + 1), true, ""},
		{"guessed boundary within the limit", guessedNested(3), false, "deep"},
		{"parts at the limit", flatMessage(maxMIMEParts - 1), false, "many files"},
		{"parts over the limit", flatMessage(maxMIMEParts), true, ""},
		{"part header at the limit", withPartHeader(maxPartHeaderBytes - 60), false, "hello"},
		{"part header over the limit", withPartHeader(maxPartHeaderBytes), true, ""},
		{"header at the limit", withHeader(maxHeaderBytes - 100), false, "hello"},
		{"header over the limit", withHeader(maxHeaderBytes), true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(c.raw)
			if !c.tooDeep {
				if err != nil {
					t.Fatal(err)
				}
				eq(t, "Text", strings.TrimSpace(m.Text), c.wantText)
				return
			}
			if !errors.Is(err, ErrTooComplex) {
				t.Fatalf("err = %v, want ErrTooComplex", err)
			}
			if m == nil || len(m.Problems) == 0 || !strings.Contains(m.Problems[len(m.Problems)-1], err.Error()) {
				t.Fatalf("the reason must be kept in Problems: %+v", m)
			}
			if m.Text != "" || m.Attachments != nil {
				t.Fatalf("no body expected past a limit, got %q", m.Text)
			}
		})
	}
}

// TestParseTooComplexKeepsEnvelope: a message over a body limit still says
// who sent it, so it can be kept on a ticket with the reason.
func TestParseTooComplexKeepsEnvelope(t *testing.T) {
	t.Parallel()
	m, err := Parse(nestedMessage(maxMIMEDepth + 1))
	if !errors.Is(err, ErrTooComplex) || !strings.Contains(err.Error(), fmt.Sprint(maxMIMEDepth)) {
		t.Fatalf("err = %v", err)
	}
	eq(t, "From", m.From.Email, "a@example.com")
	eq(t, "MessageID", m.MessageID, "nested@example.com")
	eq(t, "Subject", m.Subject, "Nested")
}

// BenchmarkParseNested20000 is the message of issue 11: 20,000 nested
// levels in 1.4 MB. Before the structure check it cost minutes of CPU.
func BenchmarkParseNested20000(b *testing.B) {
	raw := nestedMessage(20000)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(raw); !errors.Is(err, ErrTooComplex) {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseManyParts: 100,000 sibling parts, rejected by count.
func BenchmarkParseManyParts(b *testing.B) {
	raw := flatMessage(100000)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(raw); !errors.Is(err, ErrTooComplex) {
			b.Fatal(err)
		}
	}
}

// nestedMessage builds a message with depth multipart/mixed levels, each
// holding the next, the innermost a short text part.
func nestedMessage(depth int) []byte {
	return []byte("Message-ID: <nested@example.com>\r\nFrom: a@example.com\r\nTo: support@ticketer.test\r\nSubject: Nested\r\n" +
		mailtest.Nested(depth))
}

// flatMessage builds a multipart/mixed message with n small attachments.
func flatMessage(n int) []byte {
	return []byte("Message-ID: <flat@example.com>\r\nFrom: a@example.com\r\nTo: support@ticketer.test\r\nSubject: Flat\r\n" +
		mailtest.ManyParts(n))
}

func addressList(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "u%d@example.org", i)
	}
	return b.String()
}

func idList(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " <r%d@example.org>", i)
	}
	return b.String()
}

// TestParseCaps: at each cap everything is kept; one over, the cap is kept
// and the cut noted.
func TestParseCaps(t *testing.T) {
	t.Parallel()
	header := func(name, value string) []byte {
		return []byte("From: a@example.com\r\nMessage-ID: <m@example.com>\r\n" + name + ": " + value + "\r\n\r\nbody\r\n")
	}
	cases := []struct {
		name  string
		raw   []byte
		count func(*Message) int
		want  int
		cut   bool
	}{
		{"attachments at the cap", flatMessage(maxAttachments), func(m *Message) int { return len(m.Attachments) }, maxAttachments, false},
		{"attachments over the cap", flatMessage(maxAttachments + 1), func(m *Message) int { return len(m.Attachments) }, maxAttachments, true},
		{"Cc at the cap", header("Cc", addressList(maxAddresses)), func(m *Message) int { return len(m.Cc) }, maxAddresses, false},
		{"Cc over the cap", header("Cc", addressList(maxAddresses+1)), func(m *Message) int { return len(m.Cc) }, maxAddresses, true},
		{"To over the cap", header("To", addressList(maxAddresses+1)), func(m *Message) int { return len(m.To) }, maxAddresses, true},
		{"References at the cap", header("References", idList(maxReferences)), func(m *Message) int { return len(m.References) }, maxReferences, false},
		{"References over the cap", header("References", idList(maxReferences+1)), func(m *Message) int { return len(m.References) }, maxReferences, true},
		{"Delivered-To at the cap", header("Delivered-To", addressList(maxAddresses)), func(m *Message) int { return len(m.DeliveredTo) }, maxAddresses, false},
		{"Delivered-To over the cap", header("Delivered-To", addressList(maxAddresses+1)), func(m *Message) int { return len(m.DeliveredTo) }, maxAddresses, true},
		{"In-Reply-To at the cap", header("In-Reply-To", idList(maxReferences)), func(m *Message) int { return len(m.InReplyTo) }, maxReferences, false},
		{"In-Reply-To over the cap", header("In-Reply-To", idList(maxReferences+1)), func(m *Message) int { return len(m.InReplyTo) }, maxReferences, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.count(m); got != c.want {
				t.Fatalf("kept %d, want %d", got, c.want)
			}
			noted := false
			for _, p := range m.Problems {
				noted = noted || strings.HasPrefix(p, "truncated:")
			}
			if noted != c.cut {
				t.Fatalf("truncation noted %v, want %v: %q", noted, c.cut, m.Problems)
			}
		})
	}
}

// TestParseReferencesKeepRootAndLatest: threading needs the first id (the
// root) and the latest ones.
func TestParseReferencesKeepRootAndLatest(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte("From: a@example.com\r\nReferences:" + idList(maxReferences+50) + "\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.References[0] != "r0@example.org" || m.References[len(m.References)-1] != fmt.Sprintf("r%d@example.org", maxReferences+49) ||
		m.References[1] != "r51@example.org" {
		t.Fatalf("kept %q ... %q", m.References[:2], m.References[len(m.References)-1])
	}
}

// TestVisibleTextReadsTheFirstMegabyte: the visible text is made from the
// first maxVisibleSource bytes of a body, plain or HTML, and the text keeps
// everything. A body one byte over the limit loses its last line from the
// visible text; one at the limit keeps it.
func TestVisibleTextReadsTheFirstMegabyte(t *testing.T) {
	t.Parallel()
	if maxVisibleSource != 1<<20 {
		t.Fatalf("maxVisibleSource is %d: the README says 1 MiB", maxVisibleSource)
	}
	// A body of exactly n bytes (after the parser's CRLF to LF) ending in
	// "\nTAIL".
	body := func(n int) string {
		line := strings.Repeat("é", 31) + "\n" // 63 bytes: the cut lands inside a character
		s := strings.Repeat(line, n/len(line)+1)[:n-len("\nTAIL")]
		return strings.ToValidUTF8(s, "") + strings.Repeat("x", n-len("\nTAIL")-len(strings.ToValidUTF8(s, ""))) + "\nTAIL"
	}
	cases := []struct {
		name     string
		ctype    string
		size     int
		wantTail bool
	}{
		{"plain at the limit", "text/plain", maxVisibleSource, true},
		{"plain one byte over", "text/plain", maxVisibleSource + 1, false},
		{"html one byte over", "text/html", maxVisibleSource + 1, false},
		{"html well under", "text/html", maxVisibleSource / 2, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := body(c.size)
			if len(b) != c.size {
				t.Fatalf("body of %d bytes, want %d", len(b), c.size)
			}
			if c.ctype == "text/html" {
				b = strings.Replace(b, "\nTAIL", "<p>TAIL", 1)
			}
			m, err := Parse([]byte("From: a@example.com\r\nMessage-ID: <v@example.com>\r\nContent-Type: " + c.ctype +
				"; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + b))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(m.Text, "TAIL") {
				t.Fatal("the text lost its end")
			}
			if got := strings.HasSuffix(strings.TrimSpace(m.VisibleText), "TAIL"); got != c.wantTail {
				t.Fatalf("visible text ends with TAIL: %v, want %v (visible %d bytes)", got, c.wantTail, len(m.VisibleText))
			}
			if !utf8.ValidString(m.VisibleText) {
				t.Fatal("the visible text was cut inside a character")
			}
		})
	}
}

// TestPrefixCutsAtACharacter: the visible text's source is cut before a
// character its byte limit would split, so it stays valid UTF-8.
func TestPrefixCutsAtACharacter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abc", 5, "abc"},
		{"abcd", 2, "ab"},
		{"aé", 2, "a"},   // byte 2 is the middle of "é"
		{"aéb", 3, "aé"}, // byte 3 starts "b"
		{"a€", 3, "a"},   // 3-byte "€": two bytes to step back over
		{"é", 1, ""},
	}
	for _, tt := range tests {
		if got := prefix(tt.in, tt.n); got != tt.want {
			t.Errorf("prefix(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// TestMatchDelimiter: a line is a boundary delimiter when the boundary is
// followed by nothing, a space or a tab (RFC 2046 transport padding) or "--"
// (the closing one); innermost boundary first. Other text after it is not one.
func TestMatchDelimiter(t *testing.T) {
	t.Parallel()
	open := [][]byte{[]byte("--outer"), []byte("--inner")}
	cases := []struct {
		line  string
		i     int
		final bool
	}{
		{"--inner", 1, false},
		{"--inner--", 1, true},
		{"--inner ", 1, false},
		{"--inner\t", 1, false},
		{"--outer", 0, false},
		{"--outer--", 0, true},
		{"--innerX", -1, false},
		{"--inner-x", -1, false},
		{"text", -1, false},
		{"x --inner", -1, false},
	}
	for _, tt := range cases {
		i, final := matchDelimiter(open, []byte(tt.line), false)
		if i != tt.i || final != tt.final {
			t.Errorf("%q: got %d,%v want %d,%v", tt.line, i, final, tt.i, tt.final)
		}
	}
}

// TestPartHeader: a MIME part's header runs to the blank line, folded lines
// (space or tab) included, and may be maxPartHeaderBytes long, line ends
// included, not one byte more.
func TestPartHeader(t *testing.T) {
	t.Parallel()
	padded := func(n int) string { // a header of n bytes
		return "X-Pad: " + strings.Repeat("x", n-len("X-Pad: \r\n")) + "\r\n"
	}
	tests := []struct {
		name, in, ctype, rest string
		tooBig                bool
	}{
		{"space folding", "Content-Type: multipart/mixed;\r\n boundary=\"b1\"\r\n\r\nbody", "multipart/mixed; boundary=\"b1\"", "body", false},
		{"tab folding", "Content-Type: multipart/mixed;\r\n\tboundary=\"b1\"\r\n\r\nbody", "multipart/mixed;\tboundary=\"b1\"", "body", false},
		{"no blank line", "Content-Type: text/plain\r\nbody\r\n", "text/plain", "body\r\n", false},
		{"at the limit", padded(maxPartHeaderBytes) + "\r\nbody", "", "body", false},
		{"one byte over", padded(maxPartHeaderBytes+1) + "\r\nbody", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, rest, err := partHeader([]byte(tt.in))
			if tt.tooBig {
				if !errors.Is(err, ErrTooComplex) {
					t.Fatalf("err = %v, want ErrTooComplex", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Content-Type", h.get("Content-Type"), tt.ctype)
			eq(t, "rest", strings.TrimPrefix(string(rest), "\r\n"), tt.rest)
		})
	}
}
