package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/portal"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// The customer portal: POST /api/v1/portal/sign-in (JSON, in the spec) and
// the pages under /portal, rendered on the server with no script. A
// customer's session is the portal cookie alone (scoped to /portal, its own
// table): the agents' cookie or token means nothing here, and the portal
// cookie nothing on the agents' routes. Every form that changes something
// carries the session's CSRF token; cross-origin posts are refused before
// (routes.go).

const linkSentMessage = "If this address has tickets with us, a sign-in link is on its way."

func (s *Server) PortalSignIn(ctx context.Context, req oapi.PortalSignInRequestObject) (oapi.PortalSignInResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if err := s.portal.RequestLink(ctx, req.Body.Email, clientFrom(ctx)); err != nil {
		return nil, err
	}
	return oapi.PortalSignIn202JSONResponse{Message: linkSentMessage}, nil
}

// portalHandler is a portal page's handler, with the signed-in customer
// (zero when nobody is).
type portalHandler func(w http.ResponseWriter, r *http.Request, c portal.Customer)

// portalPage sets the portal's headers and finds the customer. With
// signedIn, a visitor who is not is sent to sign in, and a POST must carry
// the session's CSRF token (checked before the handler runs).
func (s *Server) portalPage(signedIn bool, h portalHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", portal.CSP)
		w.Header().Set("Cache-Control", "no-store")
		var c portal.Customer
		if ck, err := r.Cookie(portal.CookieName); err == nil {
			c, err = s.portal.Session(r.Context(), ck.Value)
			if err != nil && !errors.Is(err, portal.ErrNoSession) {
				s.portalProblem(w, r, c, err)
				return
			}
		}
		if signedIn && c.Email == "" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/portal", http.StatusSeeOther)
				return
			}
			s.renderPortal(w, http.StatusUnauthorized, "problem", portal.Page{Title: "Sign in first"})
			return
		}
		if signedIn && r.Method == http.MethodPost {
			if err := parsePortalForm(r); err != nil {
				s.portalProblem(w, r, c, err)
				return
			}
			if !c.CheckCSRF(r.PostFormValue("csrf")) {
				s.renderPortal(w, http.StatusForbidden, "problem", portal.Page{Title: "This form has expired: go back, reload and send it again", Customer: c})
				return
			}
		}
		h(w, r, c)
	}
}

func parsePortalForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return r.ParseMultipartForm(8 << 20) // past this, parts wait in temporary files
	}
	return r.ParseForm()
}

func (s *Server) renderPortal(w http.ResponseWriter, status int, name string, p portal.Page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := s.portalViews.Render(w, name, p); err != nil {
		s.log.Error("portal page", "page", name, "err", err)
	}
}

// portalProblem answers an error with a page: not found (any ticket that is
// not the customer's), too large, too many, or our fault.
func (s *Server) portalProblem(w http.ResponseWriter, r *http.Request, c portal.Customer, err error) {
	var tooBig *http.MaxBytesError
	var rl *auth.RateLimitError
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.renderPortal(w, http.StatusNotFound, "problem", portal.Page{Title: "Not found", Customer: c})
	case errors.As(err, &tooBig):
		s.renderPortal(w, http.StatusRequestEntityTooLarge, "problem", portal.Page{Title: fmt.Sprintf("Too large: at most %d MB in all", MaxUploadBytes>>20), Customer: c})
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
		s.renderPortal(w, http.StatusTooManyRequests, "sign-in", portal.Page{Title: "Sign in",
			Error: fmt.Sprintf("Too many links asked for: try again in %d minutes.", int(rl.RetryAfter.Minutes())+1)})
	default:
		s.log.Error("portal", "method", r.Method, "path", r.URL.Path, "err", err)
		s.renderPortal(w, http.StatusInternalServerError, "problem", portal.Page{Title: "Something went wrong on our side", Customer: c})
	}
}

// portalIndex: the customer's tickets, or the sign-in form.
func (s *Server) portalIndex(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	if c.Email == "" {
		s.renderPortal(w, http.StatusOK, "sign-in", portal.Page{Title: "Sign in"})
		return
	}
	s.portalTickets(w, r, c, http.StatusOK, portal.Page{})
}

func (s *Server) portalTickets(w http.ResponseWriter, r *http.Request, c portal.Customer, status int, p portal.Page) {
	var err error
	if p.Tickets, err = s.portal.Tickets(r.Context(), c); err == nil {
		p.Mailboxes, err = s.portal.Mailboxes(r.Context())
	}
	if err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	if r.URL.Query().Get("sent") == "1" && p.Error == "" {
		p.Notice = "Thank you: your message is sent. Your new ticket shows here in a moment."
	}
	p.Title, p.Customer = "Your tickets", c
	s.renderPortal(w, status, "tickets", p)
}

// portalRequestLink: the sign-in form posted.
func (s *Server) portalRequestLink(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	err := s.portal.RequestLink(r.Context(), email, clientFrom(r.Context()))
	if de, ok := domain.As(err); ok {
		s.renderPortal(w, http.StatusUnprocessableEntity, "sign-in", portal.Page{Title: "Sign in", Email: email, Error: de.Message})
		return
	}
	if err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	s.renderPortal(w, http.StatusOK, "link-sent", portal.Page{Title: "Check your mail", Email: email})
}

// portalConfirm: the mailed link shows a button; only its POST uses the
// link, so a mail scanner that follows links does not spend it.
func (s *Server) portalConfirm(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	s.renderPortal(w, http.StatusOK, "confirm", portal.Page{Title: "Sign in", Token: r.PathValue("token")})
}

func (s *Server) portalSignIn(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	se, err := s.portal.SignIn(r.Context(), r.PathValue("token"))
	if errors.Is(err, store.ErrNotFound) {
		s.renderPortal(w, http.StatusNotFound, "link-dead", portal.Page{Title: "Link expired"})
		return
	}
	if err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: portal.CookieName, Value: se.Token, Path: portal.CookiePath, MaxAge: int(portal.SessionTTL.Seconds()), // the server checks its own expiry
		HttpOnly: true, Secure: s.portal.Secure(), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}

func (s *Server) portalSignOut(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	if err := s.portal.SignOut(r.Context(), c); err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: portal.CookieName, Value: "", Path: portal.CookiePath, MaxAge: -1,
		HttpOnly: true, Secure: s.portal.Secure(), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/portal", http.StatusSeeOther)
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("id %q: %w", r.PathValue("id"), store.ErrNotFound)
	}
	return id, nil
}

func (s *Server) portalTicket(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	s.portalTicketPage(w, r, c, http.StatusOK, portal.Page{})
}

func (s *Server) portalTicketPage(w http.ResponseWriter, r *http.Request, c portal.Customer, status int, p portal.Page) {
	id, err := pathID(r)
	if err == nil {
		p.Ticket, p.Messages, err = s.portal.Ticket(r.Context(), c, id)
	}
	if err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	if r.URL.Query().Get("sent") == "1" && p.Error == "" {
		p.Notice = "Thank you: your reply is sent. It shows here in a moment."
	}
	p.Title, p.Customer = p.Ticket.Subject, c
	s.renderPortal(w, status, "ticket", p)
}

// portalFiles reads the form's attached files.
func portalFiles(r *http.Request) ([]ticket.File, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []ticket.File
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Filename == "" {
			continue
		}
		data, err := readPart(fh)
		if err != nil {
			return nil, err
		}
		ct := "application/octet-stream"
		if mt, _, err := mime.ParseMediaType(fh.Header.Get("Content-Type")); err == nil {
			ct = mt
		}
		out = append(out, ticket.File{Name: fh.Filename, ContentType: ct, Data: data})
	}
	return out, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("attachment %q: %w", fh.Filename, err)
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (s *Server) portalReply(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	id, err := pathID(r)
	if err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	files, err := portalFiles(r)
	if err == nil {
		_, err = s.portal.Reply(r.Context(), c, id, r.PostFormValue("body"), files)
	}
	if de, ok := domain.As(err); ok {
		s.portalTicketPage(w, r, c, http.StatusUnprocessableEntity, portal.Page{Error: de.Message})
		return
	}
	if err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/portal/tickets/"+strconv.FormatInt(id, 10)+"?sent=1", http.StatusSeeOther)
}

func (s *Server) portalOpen(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	mailboxID, _ := strconv.ParseInt(r.PostFormValue("mailbox_id"), 10, 64)
	files, err := portalFiles(r)
	if err == nil {
		_, err = s.portal.Open(r.Context(), c, mailboxID, r.PostFormValue("subject"), r.PostFormValue("body"), files)
	}
	if de, ok := domain.As(err); ok {
		s.portalTickets(w, r, c, http.StatusUnprocessableEntity, portal.Page{Error: de.Message})
		return
	}
	if err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	http.Redirect(w, r, "/portal?sent=1", http.StatusSeeOther)
}

// portalAttachment downloads an attachment of the customer's mail: always
// a download, never rendered in our origin.
func (s *Server) portalAttachment(w http.ResponseWriter, r *http.Request, c portal.Customer) {
	id, err := pathID(r)
	var a store.Attachment
	if err == nil {
		a, err = s.portal.Attachment(r.Context(), c, id)
	}
	var body io.ReadCloser
	if err == nil {
		body, err = s.blobs.Open(r.Context(), a.BlobKey)
	}
	if err != nil {
		s.portalProblem(w, r, c, err)
		return
	}
	_ = download{a: a, body: body}.VisitGetAttachmentContentResponse(w)
}

func portalCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.ServeContent(w, r, "portal.css", time.Time{}, strings.NewReader(string(portal.CSS)))
}
