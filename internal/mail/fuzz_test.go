package mail

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: Parse and the text helpers must never panic, whatever arrives.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.eml")
	for _, p := range files {
		if raw, err := os.ReadFile(p); err == nil {
			f.Add(raw)
		}
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
