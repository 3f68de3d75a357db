package mail

import (
	"net/url"
	"regexp"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// sanitizePolicy is built on first use, once, and only read afterwards;
// bluemonday policies are safe for concurrent use once construction is
// finished. Not at start-up: its regexps (the Unicode classes repeated up
// to 100 times) hold about 2 MB, which a server that never renders mail
// HTML would carry for nothing.
var sanitizePolicy = sync.OnceValue(newSanitizePolicy)

// newSanitizePolicy is bluemonday's UGC policy rebuilt for email (UGC's own
// unconditional href rules cannot be narrowed afterwards): tables and legacy
// presentational attributes (email layout is 1999 HTML), cid: images, raster
// data: images in img src only, links forced to open safely in a new tab.
// style attributes and <style> are dropped entirely rather than filtered:
// CSS expressions and url() are an endless source of bypasses. id and class
// are dropped so mail cannot clobber or restyle the UI around it.
func newSanitizePolicy() *bluemonday.Policy {
	// dataImageRe: raster images only. SVG is excluded on purpose: it is
	// a script container.
	dataImageRe := regexp.MustCompile(`^image/(png|gif|jpeg|webp);base64,[A-Za-z0-9+/=\s]*$`)
	// notDataURLRe rejects href="data:..." (allowed nowhere but img src).
	// Go regexps have no look-ahead, hence the spelled-out prefix check.
	notDataURLRe := regexp.MustCompile(`(?i)^(?:$|[^d\s]|d(?:$|[^a]|a(?:$|[^t]|t(?:$|[^a]|a(?:$|[^:])))))`)

	p := bluemonday.NewPolicy()
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("http", "https", "mailto", "tel", "cid")
	p.AllowURLSchemeWithCustomPolicy("data", func(u *url.URL) bool {
		return u.RawQuery == "" && u.Fragment == "" && dataImageRe.MatchString(u.Opaque)
	})
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)

	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()

	p.AllowElements("article", "aside", "section", "figure", "figcaption", "summary", "details",
		"h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "br", "div", "hr", "p", "span", "wbr",
		"abbr", "acronym", "cite", "code", "dfn", "em", "mark", "s", "samp", "strong", "sub", "sup", "var",
		"b", "i", "pre", "small", "big", "strike", "tt", "u", "center", "font", "blockquote", "q",
		"del", "ins", "address", "caption")
	p.AllowAttrs("href").Matching(notDataURLRe).OnElements("a")
	p.AllowAttrs("name").Matching(regexp.MustCompile(`^[\p{L}\p{N}_-]+$`)).OnElements("a")
	p.AllowAttrs("color").Matching(regexp.MustCompile(`^#?[a-zA-Z0-9]{1,20}$`)).OnElements("font")
	p.AllowAttrs("face").Matching(regexp.MustCompile(`^[\p{L}\p{N} ,'"_-]{1,100}$`)).OnElements("font")
	p.AllowAttrs("size").Matching(regexp.MustCompile(`^[+-]?[0-7]$`)).OnElements("font")
	p.AllowLists()
	p.AllowTables()
	p.AllowAttrs("align", "valign", "width", "height", "bgcolor", "border", "cellpadding", "cellspacing",
		"colspan", "rowspan", "nowrap").Matching(regexp.MustCompile(`^[#a-zA-Z0-9%.]{0,20}$`)).
		OnElements("table", "tr", "td", "th", "tbody", "thead", "tfoot", "col", "colgroup")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`(?i)^(left|right|center|justify)$`)).
		OnElements("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "center")

	p.AllowAttrs("src").OnElements("img")
	p.AllowAttrs("align").Matching(bluemonday.ImageAlign).OnElements("img")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("img")
	p.AllowAttrs("height", "width").Matching(bluemonday.NumberOrPercent).OnElements("img")
	p.AllowAttrs("border").Matching(bluemonday.Number).OnElements("img")
	return p
}

// SanitizeHTML makes hostile email HTML inert for display. The result is a
// fragment (no html/head/body) safe to place in the UI; remote images are
// still present and must be blocked by the UI's CSP.
func SanitizeHTML(html string) string {
	return sanitizePolicy().Sanitize(html)
}
