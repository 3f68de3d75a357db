package mail

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestRepliesReduceExactly: every reply in testdata/replies (at least two
// per language, wrapped attributions, mobile clients, signatures) carries
// the same reply as text/plain and text/html in its client's shape, and
// both must reduce to exactly what its author wrote (the .want file next
// to it), while Message.Text still holds the quoted history.
func TestRepliesReduceExactly(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/replies/*.eml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 34 {
		t.Fatalf("only %d replies", len(files))
	}
	var exactText, exactHTML atomic.Int32
	t.Cleanup(func() {
		t.Logf("replies reduced exactly: %d of %d from text/plain, %d of %d from text/html",
			exactText.Load(), len(files), exactHTML.Load(), len(files))
	})
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".eml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(strings.TrimSuffix(f, ".eml") + ".want")
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			w := strings.TrimSuffix(string(want), "\n")
			if got := VisibleText(m.Text); got == w {
				exactText.Add(1)
			} else {
				t.Errorf("from text/plain:\n got %q\nwant %q", got, w)
			}
			if got := VisibleTextFromHTML(m.HTML); got == w {
				exactHTML.Add(1)
			} else {
				t.Errorf("from text/html:\n got %q\nwant %q", got, w)
			}
			eq(t, "VisibleText", m.VisibleText, w)
			if strings.Count(m.Text, "\n") <= strings.Count(w, "\n")+1 {
				t.Errorf("Text lost the quoted history: %q", m.Text)
			}
		})
	}
}
