package mail

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestRenderTextSpaces: inline elements join their text as written: white
// space (any of the five HTML space bytes) at either side of a text becomes
// one space, and no space is made up where there was none.
func TestRenderTextSpaces(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"<p>x<b>y</b>z</p>", "xyz"},
		{"<p>x<b> y</b>z</p>", "x yz"},
		{"<p>x<b>\ty</b>z</p>", "x yz"},
		{"<p>x<b>\ny</b>z</p>", "x yz"},
		{"<p>x<b>\ry</b>z</p>", "x yz"},
		{"<p>x<b>\fy</b>z</p>", "x yz"},
		{"<p>x<b>y\t</b>z</p>", "xy z"},
		{"<p>x<b>y\f</b>z</p>", "xy z"},
		{"<p>x<b>\f</b>z</p>", "x z"},
	}
	for _, tt := range tests {
		doc, err := html.Parse(strings.NewReader(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := renderText(doc); got != tt.want {
			t.Errorf("renderText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// nestedSpans is HTML whose text "deep" sits under n nested <span>s in a
// paragraph, after the text "top".
func nestedSpans(n int) string {
	return "<p>top</p><p>" + strings.Repeat("<span>", n) + "deep" + strings.Repeat("</span>", n) + "</p>"
}

// TestRenderTextDepth: text deeper than maxRenderDepth (counted from the
// document node: html, body and p are 1 to 3) is not rendered; text at
// that depth is.
func TestRenderTextDepth(t *testing.T) {
	t.Parallel()
	// The text node is at depth 3 + spans + 1.
	atLimit := maxRenderDepth - 4
	for _, tt := range []struct {
		spans int
		want  string
	}{
		{atLimit, "top\n\ndeep"},
		{atLimit + 1, "top"},
		{atLimit + 20, "top"},
	} {
		doc, err := html.Parse(strings.NewReader(nestedSpans(tt.spans)))
		if err != nil {
			t.Fatal(err)
		}
		if got := renderText(doc); got != tt.want {
			t.Errorf("%d spans: renderText = %q, want %q", tt.spans, got, tt.want)
		}
	}
}

// TestIsBlankParagraphDepth: isBlankParagraph looks maxRenderDepth levels
// under the paragraph, no deeper.
func TestIsBlankParagraphDepth(t *testing.T) {
	t.Parallel()
	// The text node is at depth spans + 1 under the paragraph.
	atLimit := maxRenderDepth - 1
	for _, tt := range []struct {
		spans int
		blank bool
	}{
		{0, false},
		{atLimit, false},
		{atLimit + 1, true},
		{atLimit + 20, true},
	} {
		doc, err := html.Parse(strings.NewReader(nestedSpans(tt.spans)))
		if err != nil {
			t.Fatal(err)
		}
		p := lastElement(doc, atom.P)
		if p == nil {
			t.Fatal("no paragraph")
		}
		if got := isBlankParagraph(p); got != tt.blank {
			t.Errorf("%d spans: isBlankParagraph = %v, want %v", tt.spans, got, tt.blank)
		}
	}
}

// lastElement is the last element of kind a under n in document order.
func lastElement(n *html.Node, a atom.Atom) *html.Node {
	var found *html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == a {
			found = c
		}
		if f := lastElement(c, a); f != nil {
			found = f
		}
	}
	return found
}
