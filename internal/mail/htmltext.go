package mail

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderText walks the tree and writes readable text: block elements end
// lines, <br> breaks, list items get "- ", blockquotes become "> " lines
// (so VisibleText can drop them), and invisible content is skipped.
func renderText(n *html.Node) string {
	var t textWriter
	t.node(n, 0)
	lines := strings.Split(strings.ReplaceAll(t.b.String(), "\u00a0", " "), "\n")
	return trimBlankLines(collapseBlankLines(lines))
}

type textWriter struct {
	b      strings.Builder
	pre    int // depth inside <pre>
	quotes int // depth inside <blockquote>
}

// maxQuoteDepth bounds the blockquotes rendered as one more "> " level.
// Each level copies its text once more, so hostile nesting was quadratic;
// deeper levels are still inside the outer quotes, so still "> " lines.
const maxQuoteDepth = 16

func (t *textWriter) atLineStart() bool {
	s := t.b.String()
	return len(s) == 0 || s[len(s)-1] == '\n'
}

func (t *textWriter) newline() {
	if !t.atLineStart() {
		t.b.WriteByte('\n')
	}
}

func (t *textWriter) blankLine() {
	t.newline()
	s := t.b.String()
	if len(s) > 0 && !strings.HasSuffix(s, "\n\n") {
		t.b.WriteByte('\n')
	}
}

func (t *textWriter) text(s string) {
	if t.pre > 0 {
		t.b.WriteString(s)
		return
	}
	lead := len(s) > 0 && isSpaceByte(s[0])
	trail := len(s) > 0 && isSpaceByte(s[len(s)-1])
	words := strings.Fields(s)
	if len(words) == 0 {
		if lead && !t.atLineStart() && !strings.HasSuffix(t.b.String(), " ") {
			t.b.WriteByte(' ')
		}
		return
	}
	if lead && !t.atLineStart() && !strings.HasSuffix(t.b.String(), " ") {
		t.b.WriteByte(' ')
	}
	t.b.WriteString(strings.Join(words, " "))
	if trail {
		t.b.WriteByte(' ')
	}
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// maxRenderDepth bounds recursion on hostile nesting.
const maxRenderDepth = 256

func (t *textWriter) node(n *html.Node, depth int) {
	if depth > maxRenderDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		t.text(n.Data)
		return
	case html.CommentNode, html.DoctypeNode:
		return
	case html.ElementNode:
	default:
		t.children(n, depth)
		return
	}
	switch n.DataAtom {
	case atom.Head, atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript,
		atom.Object, atom.Iframe, atom.Svg, atom.Math, atom.Select, atom.Option:
		return
	case atom.Br:
		t.b.WriteByte('\n')
		return
	case atom.Hr:
		t.newline()
		return
	case atom.Blockquote:
		if t.quotes >= maxQuoteDepth {
			t.newline()
			t.children(n, depth)
			t.newline()
			return
		}
		sub := textWriter{quotes: t.quotes + 1}
		sub.children(n, depth)
		inner := strings.Split(strings.ReplaceAll(sub.b.String(), "\u00a0", " "), "\n")
		body := trimBlankLines(collapseBlankLines(inner))
		t.newline()
		for _, l := range strings.Split(body, "\n") {
			t.b.WriteString(strings.TrimRight("> "+l, " "))
			t.b.WriteByte('\n')
		}
		return
	case atom.Pre:
		t.newline()
		t.pre++
		t.children(n, depth)
		t.pre--
		t.newline()
		return
	case atom.Li:
		t.newline()
		t.b.WriteString("- ")
		t.children(n, depth)
		t.newline()
		return
	case atom.Td, atom.Th:
		if !t.atLineStart() && !strings.HasSuffix(t.b.String(), " ") {
			t.b.WriteByte(' ')
		}
		t.children(n, depth)
		t.b.WriteByte(' ')
		return
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Ul, atom.Ol:
		// Outlook writes one <p class=MsoNormal> per line with explicit
		// empty paragraphs for spacing, so those must not add blank lines.
		if strings.Contains(strings.ToLower(attr(n, "class")), "msonormal") {
			t.newline()
			if isBlankParagraph(n) {
				// <p class=MsoNormal>&nbsp;</p> is how Outlook writes a blank line.
				t.b.WriteByte('\n')
				return
			}
			t.children(n, depth)
			t.newline()
			return
		}
		t.blankLine()
		t.children(n, depth)
		t.blankLine()
		return
	case atom.Div, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Center,
		atom.Address, atom.Dl, atom.Dt, atom.Dd, atom.Form, atom.Fieldset, atom.Main, atom.Nav, atom.Aside:
		t.newline()
		t.children(n, depth)
		t.newline()
		return
	}
	t.children(n, depth)
}

func (t *textWriter) children(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c, depth+1)
	}
}

// isBlankParagraph: nothing but white space (no-break spaces included) and
// no image under n.
func isBlankParagraph(n *html.Node) bool {
	blank := true
	var walk func(*html.Node, int)
	walk = func(n *html.Node, depth int) {
		if !blank || depth > maxRenderDepth {
			return
		}
		switch {
		case n.Type == html.TextNode && strings.TrimSpace(strings.ReplaceAll(n.Data, "\u00a0", " ")) != "":
			blank = false
		case n.Type == html.ElementNode && n.DataAtom == atom.Img:
			blank = false
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return blank
}
