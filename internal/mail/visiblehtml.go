package mail

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// VisibleTextFromHTML returns the new content of an HTML reply as plain
// text. Client-specific quote containers are removed structurally (that is
// far more reliable than guessing from text), the rest is converted to text
// with blockquotes rendered as "> " lines, and VisibleText finishes the job.
func VisibleTextFromHTML(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return VisibleText(s)
	}
	full := renderText(doc)
	stripQuotes(doc)
	text := renderText(doc)
	if strings.TrimSpace(text) == "" {
		// Everything was quote (a bare forward): show it rather than nothing.
		text = full
	}
	return VisibleText(text)
}

// htmlToText converts an HTML body to readable plain text, keeping quotes as
// "> " lines. It is used for Message.Text when a message has no text part.
func htmlToText(s string) string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return s
	}
	return renderText(doc)
}

// stripQuotes removes quoted history and signatures in place.
func stripQuotes(doc *html.Node) {
	var remove []*html.Node
	var cut *html.Node
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if cut != nil {
			return
		}
		if n.Type == html.ElementNode {
			switch quoteKind(n) {
			case quoteRemove:
				remove = append(remove, n)
				return
			case quoteCutAfter:
				cut = n
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(doc)
	if cut != nil {
		cutFrom(cut)
	}
	for _, n := range remove {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

type quoteAction int

const (
	quoteKeep quoteAction = iota
	quoteRemove
	quoteCutAfter
)

// quoteKind knows the markers of the common clients.
func quoteKind(n *html.Node) quoteAction {
	classes := strings.Fields(strings.ToLower(attr(n, "class")))
	hasClass := func(names ...string) bool {
		for _, c := range classes {
			for _, name := range names {
				if c == name {
					return true
				}
			}
		}
		return false
	}
	id := strings.ToLower(attr(n, "id"))
	switch {
	case id == "divrplyfwdmsg" || id == "x_divrplyfwdmsg" || id == "appendonsend" || hasClass("outlookmessageheader"):
		return quoteCutAfter // Outlook (web and desktop; x_ when quoted again)
	case id == "ms-outlook-mobile-signature" || hasClass("ms-outlook-mobile-signature"):
		return quoteRemove // Outlook for iOS and Android: "Get Outlook for iOS"
	case hasClass("gmail_quote", "gmail_quote_container", "gmail_signature", "gmail_extra_quote"),
		attr(n, "data-smartmail") == "gmail_signature":
		return quoteRemove // Gmail
	case n.DataAtom == atom.Blockquote && strings.EqualFold(attr(n, "type"), "cite"):
		return quoteRemove // Apple Mail, Thunderbird
	case hasClass("moz-cite-prefix", "moz-signature", "yahoo_quoted", "protonmail_quote", "zmail_extra"):
		return quoteRemove // Thunderbird attribution and signature, Yahoo, Proton, Zoho
	case n.DataAtom == atom.Div && strings.Contains(strings.ToLower(strings.ReplaceAll(attr(n, "style"), " ", "")), "border-top:solid") &&
		hdrFromRe.MatchString(textContent(n, 200)):
		return quoteCutAfter // Outlook desktop header block above the quote
	}
	return quoteKeep
}

// cutFrom removes n and everything after it in document order.
func cutFrom(n *html.Node) {
	for cur := n; cur != nil && cur.Parent != nil; cur = cur.Parent {
		if cur.DataAtom == atom.Body || cur.DataAtom == atom.Html {
			break
		}
		for s := cur.NextSibling; s != nil; {
			next := s.NextSibling
			cur.Parent.RemoveChild(s)
			s = next
		}
	}
	if n.Parent != nil {
		n.Parent.RemoveChild(n)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// textContent returns up to max bytes of the text under n.
func textContent(n *html.Node, max int) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if b.Len() >= max {
			return
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return collapseSpace(b.String())
}
