package mail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// mimeFields are the only top-level fields enmime needs. Handing it a
// header we already cleaned (unfolded, UTF-8) keeps its view of the message
// consistent with ours.
var mimeFields = []string{"Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "Content-ID"}

// newParser returns enmime configured for salvage: skip broken parts, keep
// partial base64, trust declared charsets (detection guesses wrong on
// short mail), and treat multipart without boundary as one part.
func newParser() *enmime.Parser {
	return enmime.NewParser(
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.DisableCharacterDetection(true),
		enmime.SetReadPartErrorPolicy(func(_ *enmime.Part, err error) bool {
			return enmime.IsBase64CorruptInputError(err)
		}),
	)
}

// readParts builds the MIME tree; contentType overrides the header value
// when non-empty (used to retry with a recovered boundary or as text/plain).
// A structure over the limits fails with ErrTooComplex before enmime runs.
func readParts(h header, body []byte, contentType string) (*enmime.Part, error) {
	ct := contentType
	if ct == "" {
		ct = h.get("Content-Type")
	}
	if err := checkStructure(ct, body); err != nil {
		return nil, err
	}
	var head strings.Builder
	for _, name := range mimeFields {
		v := h.get(name)
		if name == "Content-Type" && contentType != "" {
			v = contentType
		}
		if v != "" {
			head.WriteString(name + ": " + v + "\r\n")
		}
	}
	head.WriteString("\r\n")
	// The body is read where it is, not copied after the header: a copy of
	// a message with a large attachment cost about 2% of the import's CPU.
	root, err := newParser().ReadParts(io.MultiReader(strings.NewReader(head.String()), bytes.NewReader(body)))
	if err != nil {
		return nil, fmt.Errorf("read MIME parts: %w", err)
	}
	return root, nil
}

// parseBody fills Text, HTML and Attachments and returns the MIME root (nil
// when MIME parsing failed outright) and whether Text was derived from HTML.
// Its only error is ErrTooComplex: everything else is noted and salvaged.
func parseBody(m *Message, hb headerBlock, dec *mime.WordDecoder, note func(string)) (*enmime.Part, bool, error) {
	root, err := readParts(hb.fields, hb.body, "")
	if errors.Is(err, ErrTooComplex) {
		return nil, false, err
	}
	if err != nil {
		note(err.Error())
		// Last resort: the body as plain text is better than nothing.
		if root, err = readParts(hb.fields, hb.body, "text/plain"); err != nil {
			m.Text = normalizeNewlines(toUTF8Noted(hb.body, "body", note))
			return nil, false, nil
		}
	}
	if isMultipart(root) && root.FirstChild == nil {
		// A boundary that never occurs: look for the one actually used.
		if b := guessBoundary(hb.body, root.Boundary); b != "" {
			mt, params, _, perr := mediatype.Parse(hb.fields.get("Content-Type"))
			if perr != nil {
				mt, params = root.ContentType, map[string]string{}
			}
			params["boundary"] = b
			r2, err := readParts(hb.fields, hb.body, mime.FormatMediaType(mt, params))
			if errors.Is(err, ErrTooComplex) {
				return nil, false, err
			}
			if err == nil && r2.FirstChild != nil {
				note(fmt.Sprintf("declared multipart boundary %q not found, used %q", root.Boundary, b))
				root = r2
			}
		}
	}
	collectPartProblems(root, note)

	var c collector
	c.walk(root, 0)
	m.Text = normalizeNewlines(strings.Join(decodeTexts(c.texts, note), "\n"))
	m.HTML = normalizeNewlines(strings.Join(decodeTexts(c.htmls, note), "\n"))
	if p := partOfType(root, "message/partial"); p != nil {
		readPartial(m, p, note)
	}
	if m.Text == "" && m.HTML == "" && len(c.atts) == 0 && len(bytes.TrimSpace(hb.body)) > 0 {
		note("no readable MIME part, showing the raw body")
		m.Text = normalizeNewlines(toUTF8Noted(hb.body, "body", note))
	}
	derived := false
	if strings.TrimSpace(m.Text) == "" && m.HTML != "" {
		m.Text = htmlToText(m.HTML)
		derived = true
	}
	m.Attachments = buildAttachments(c.atts, m.HTML, dec)
	return root, derived, nil
}

func isMultipart(p *enmime.Part) bool {
	return p != nil && strings.HasPrefix(p.ContentType, "multipart/")
}

// collector sorts MIME leaves into body texts and attachments.
type collector struct {
	texts, htmls []*enmime.Part
	atts         []*enmime.Part
}

func (c *collector) walk(p *enmime.Part, depth int) {
	if p == nil || depth > maxMIMEDepth { // checkStructure stops deeper ones first; a backstop
		return
	}
	if isMultipart(p) {
		if p.ContentType == "multipart/alternative" {
			// Alternatives say the same thing: keep one of each kind.
			var sub collector
			for ch := p.FirstChild; ch != nil; ch = ch.NextSibling {
				sub.walk(ch, depth+1)
			}
			if len(sub.texts) > 0 {
				c.texts = append(c.texts, sub.texts[0])
			}
			if len(sub.htmls) > 0 {
				c.htmls = append(c.htmls, sub.htmls[0])
			}
			c.atts = append(c.atts, sub.atts...)
			return
		}
		for ch := p.FirstChild; ch != nil; ch = ch.NextSibling {
			c.walk(ch, depth+1)
		}
		return
	}
	switch {
	case !isBodyPart(p):
		c.atts = append(c.atts, p)
	case p.ContentType == "text/html":
		c.htmls = append(c.htmls, p)
	default:
		c.texts = append(c.texts, p)
	}
}

// isBodyPart: text without a filename or attachment disposition is body
// text; a named text part (a .txt or .csv the user attached) is a file.
func isBodyPart(p *enmime.Part) bool {
	switch p.ContentType {
	case "text/plain", "text/html", "":
	default:
		return false
	}
	return !strings.EqualFold(p.Disposition, "attachment") && p.FileName == ""
}

func decodeTexts(parts []*enmime.Part, note func(string)) []string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		s := toUTF8Noted(p.Content, "part "+p.PartID, note)
		if flowed, delsp := flowedParams(p); flowed {
			s = unflow(s, delsp)
		}
		out = append(out, s)
	}
	return out
}

func toUTF8Noted(b []byte, what string, note func(string)) string {
	s, guessed := bytesToUTF8(b)
	if guessed {
		note(what + " is not valid UTF-8, decoded as Latin-1")
	}
	return s
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// guessBoundary finds the first "--token" delimiter line in body that is not
// the declared boundary.
func guessBoundary(body []byte, declared string) string {
	rest := body
	for len(rest) > 0 {
		var line []byte
		line, rest = cutLine(rest)
		if !bytes.HasPrefix(line, []byte("--")) {
			continue
		}
		b := strings.TrimSuffix(strings.TrimSpace(string(line[2:])), "--")
		if len(b) >= 4 && b != declared && !strings.ContainsAny(b, " \t\"") {
			return b
		}
	}
	return ""
}

func collectPartProblems(root *enmime.Part, note func(string)) {
	_ = root.DepthMatchAll(func(p *enmime.Part) bool {
		for _, e := range p.Errors {
			note(fmt.Sprintf("part %s: %s: %s", p.PartID, e.Name, e.Detail))
		}
		return false
	})
}
