// Package survey renders the satisfaction survey's pages (/survey/{token}):
// small, server-rendered, no script, their own Content-Security-Policy. The
// survey's rules (tokens, expiry, ratings) are ticket.Service's; the
// handlers are httpapi's.
package survey

import (
	"crypto/hmac"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"html/template"
	"io"
	"time"
)

//go:embed pages/survey.html
var pages string

// CSP is the survey pages' Content-Security-Policy: no script, the
// portal's one stylesheet, the form posted only to us, never framed.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Page is what a survey page shows.
type Page struct {
	Title, Notice, Error, Message string
	Token, CSRF                   string
	TicketID                      int64
	Subject                       string
	Rating, Comment               string
	ExpiresAt                     time.Time
	MaxComment                    int
}

// Views renders the pages.
type Views struct{ t *template.Template }

// NewViews parses the pages.
func NewViews() *Views { return &Views{t: template.Must(template.New("survey").Parse(pages))} }

// Render writes the named page (survey, thanks, dead).
func (v *Views) Render(w io.Writer, name string, p Page) error {
	return v.t.ExecuteTemplate(w, name, p)
}

// CSRF is the form token of a survey link: a cross-site page cannot
// compute it without the link's token (which only the mail holds), so a
// forged post cannot vote; the form carries it back.
func CSRF(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("ticketer survey csrf"))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a form's token is the link's.
func CheckCSRF(token, formToken string) bool {
	return formToken != "" && hmac.Equal([]byte(formToken), []byte(CSRF(token)))
}
