package mail

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestTextContent: textContent stops taking text nodes once it holds max
// bytes (each node's text and a space), so an Outlook header block is
// recognized from its start, whatever follows.
func TestTextContent(t *testing.T) {
	t.Parallel()
	doc, err := html.Parse(strings.NewReader("<div><p>ab</p><p>cd</p><p>ef</p></div>"))
	if err != nil {
		t.Fatal(err)
	}
	div := lastElement(doc, atom.Div)
	for _, tt := range []struct {
		max  int
		want string
	}{
		{0, ""},
		{1, "ab"},
		{3, "ab"}, // "ab " is exactly 3 bytes: "cd" is not taken
		{4, "ab cd"},
		{100, "ab cd ef"},
	} {
		if got := textContent(div, tt.max); got != tt.want {
			t.Errorf("textContent(max %d) = %q, want %q", tt.max, got, tt.want)
		}
	}
}
