package portal

import (
	"embed"
	"html/template"
	"io"

	"github.com/ticketer/ticketer/internal/store"
)

// The portal's pages are rendered on the server, with no script at all:
// they are small, work on any phone, and their CSP can forbid scripts.

//go:embed pages/layout.html
var layout string

// CSS is the portal's one stylesheet (served at /portal/portal.css).
//
//go:embed pages/portal.css
var CSS []byte

var _ embed.FS // the go:embed directives above

// CSP is the portal pages' Content-Security-Policy: no script, styles
// from our one stylesheet, forms posted only to us, never framed.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Page is what a page shows.
type Page struct {
	Title, Notice, Error string
	Customer             Customer
	Email, Token         string
	LinkMinutes          int
	Tickets              []store.Ticket
	Ticket               store.Ticket
	Messages             []store.Message
	Mailboxes            []store.Mailbox
}

// Views renders the portal's pages.
type Views struct{ t *template.Template }

// NewViews parses the pages.
func NewViews() *Views {
	return &Views{t: template.Must(template.New("portal").Parse(layout))}
}

// Render writes the named page.
func (v *Views) Render(w io.Writer, name string, p Page) error {
	p.LinkMinutes = int(LinkTTL.Minutes())
	return v.t.ExecuteTemplate(w, name, p)
}
