package mail

import (
	"strings"
	"testing"
)

// FuzzParse: Parse and the text helpers must never panic, whatever arrives.
func FuzzParse(f *testing.F) {
	for _, p := range fixtures(f, "testdata/*.eml") {
		f.Add(readFixture(f, p))
	}
	f.Add([]byte("Subject: x\n\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=a\n\n--a--\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw)
		if err != nil {
			if m != nil {
				t.Fatal("message returned with error")
			}
			return
		}
		// Only a panic fails here: the results are checked by the unit tests.
		_ = VisibleText(m.Text)
		_ = VisibleTextFromHTML(m.HTML)
		_ = SanitizeHTML(m.HTML)
		_ = NormalizeSubject(m.Subject)
		_, _ = TicketTokenFromSubject(m.Subject)
		_, _ = TicketTokenFromAddress(m.From.Email)
		_ = VisibleText(string(raw))
		_ = VisibleTextFromHTML(string(raw))
	})
}

// FuzzVisibleText: the visible-text path invents nothing (every line it
// returns is a line of the input), never returns nothing for a text that
// has something, and the HTML path never panics on any markup.
func FuzzVisibleText(f *testing.F) {
	for _, p := range fixtures(f, "testdata/replies/*.eml") {
		if m, err := Parse(readFixture(f, p)); err == nil {
			f.Add(m.Text)
			f.Add(m.HTML)
		}
	}
	f.Add("Yes.\nOn Mon,\nAnn\n<a@x> wrote:\n> q")
	f.Add("-- \n")
	f.Fuzz(func(t *testing.T, s string) {
		got := VisibleText(s)
		in := map[string]bool{}
		for _, l := range strings.Split(normalizeNewlines(s), "\n") {
			in[strings.TrimRight(l, " \t")] = true
		}
		for _, l := range strings.Split(got, "\n") {
			if l != "" && !in[l] {
				t.Fatalf("line %q is not in the input %q", l, s)
			}
		}
		if strings.TrimSpace(s) != "" && strings.TrimSpace(got) == "" {
			t.Fatalf("nothing visible in %q", s)
		}
		_ = VisibleTextFromHTML(s)
	})
}
