package mail

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// Partial identifies one fragment of a message that the sender's MTA split
// over several mails (message/partial, RFC 2046 section 5.2.2).
type Partial struct {
	ID     string // the id all fragments share
	Number int    // this fragment, from 1
	Total  int    // number of fragments; 0 when not known (only the last one must say)
}

// readPartial makes a message/partial fragment readable without the other
// fragments, which may never come: the fragment itself stays an attachment
// (collector put it there), and when the mail has no other text, what can be
// read of it becomes the text. The first fragment starts with the enclosed
// message's own header, so it is parsed as a message; a later one is the
// raw continuation of that message's body. Reassembly needs the other
// fragments, so it belongs to whoever stores them, not to this package.
func readPartial(m *Message, p *enmime.Part, note func(string)) {
	_, params, _, _ := mediatype.Parse(p.Header.Get("Content-Type"))
	f := &Partial{ID: strings.TrimSpace(params["id"])}
	f.Number, _ = strconv.Atoi(strings.TrimSpace(params["number"]))
	f.Total, _ = strconv.Atoi(strings.TrimSpace(params["total"]))
	m.Partial = f
	of := "?"
	if f.Total > 0 {
		of = strconv.Itoa(f.Total)
	}
	note(fmt.Sprintf("message/partial fragment %d of %s (id %q): shown as received, not reassembled", f.Number, of, f.ID))
	if m.Text != "" || m.HTML != "" {
		return
	}
	if f.Number == 1 {
		// The enclosed message's parts, without Parse: a fragment holding a
		// fragment must not recurse.
		if hb := readHeaderBlock(p.Content); len(hb.fields) > 0 {
			if root, err := readParts(hb.fields, hb.body, ""); err == nil {
				var c collector
				c.walk(root, 0)
				m.Text = normalizeNewlines(strings.Join(decodeTexts(c.texts, note), "\n"))
				m.HTML = normalizeNewlines(strings.Join(decodeTexts(c.htmls, note), "\n"))
				if m.Text != "" || m.HTML != "" {
					return
				}
			}
		}
	}
	m.Text = normalizeNewlines(toUTF8Noted(p.Content, "message/partial fragment", note))
}
