// Package httpapi is Ticketer's HTTP API: JSON under /api/v1, described by
// api/openapi.yaml. The strict server interface and models are generated
// (package oapi); routes.go puts every route and its access rule on one screen.
package httpapi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/portal"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/survey"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

// Deps are the services the API calls.
type Deps struct {
	Store   *store.Store
	Blobs   *blob.Store
	Tickets *ticket.Service
	Auth    *auth.Service
	// Portal runs the customer portal (/portal, POST /api/v1/portal/sign-in).
	Portal *portal.Service
	Logger *slog.Logger
	// Connectors runs the mailboxes' IMAP, Gmail and Nylas connectors (nil:
	// none run, and connecting a mailbox to Nylas fails).
	Connectors Connectors
	// Webhooks manages outgoing webhooks.
	Webhooks *webhook.Service
	// Presence tracks who is on which ticket's page (live.Broker); nil
	// answers 404 on the presence endpoints.
	Presence Presence
}

// Presence is what the API asks of the live presence tracker.
type Presence interface {
	Announce(ctx context.Context, ticketID int64, v live.Viewer) ([]live.Viewer, error)
	Leave(ctx context.Context, ticketID, userID int64) error
}

// Connectors is what the API asks of the mailbox connectors.
type Connectors interface {
	ConnectNylas(ctx context.Context, mailboxID int64, grantID, apiKey, apiBase string, since time.Time) error
	// Refresh makes the connectors see a mailbox change at once.
	Refresh()
}

// Options are handlers built elsewhere and mounted on the API's routes; a nil
// one leaves its route unregistered (404).
type Options struct {
	// Stream serves GET /api/v1/events/stream (Server-Sent Events) behind the
	// agent rule; it finds the caller with UserFrom(r.Context()).
	Stream http.Handler
	// Metrics serves GET /metrics (public).
	Metrics http.Handler
	// Middleware wraps the route table itself (e.g. request metrics, which
	// read the matched pattern from the request the mux fills in).
	Middleware func(http.Handler) http.Handler
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (TICKETER_TRUSTED_PROXIES); from anyone else the header is ignored.
	TrustedProxies []netip.Prefix
	// GmailOAuthStart and GmailOAuthCallback run the Gmail connect flow
	// (admin); NylasWebhook receives Nylas' notifications (public: their
	// signature authenticates them).
	GmailOAuthStart, GmailOAuthCallback, NylasWebhook http.Handler
	// MicrosoftOAuthStart and MicrosoftOAuthCallback run the Microsoft 365
	// connect flow (admin).
	MicrosoftOAuthStart, MicrosoftOAuthCallback http.Handler
	// MicrosoftNotifications receives Graph's change and lifecycle
	// notifications (public: the subscription's clientState authenticates
	// them).
	MicrosoftNotifications http.Handler
	// OIDCStart and OIDCCallback run single sign-on (public; nil when
	// TICKETER_OIDC_ISSUER is not set). They find the client with ClientFrom.
	OIDCStart, OIDCCallback http.Handler
	// MailOAuthStart and MailOAuthCallback run "Connect account" of IMAP
	// and SMTP-relay mailboxes with Google or Microsoft (admin).
	MailOAuthStart, MailOAuthCallback http.Handler
}

// Server implements oapi.StrictServerInterface.
type Server struct {
	store    *store.Store
	db       *store.DB
	blobs    *blob.Store
	tickets  *ticket.Service
	webhooks *webhook.Service
	auth     *auth.Service
	log      *slog.Logger
	conns    Connectors
	presence Presence
	trusted  []netip.Prefix

	portal      *portal.Service
	portalViews *portal.Views
	surveyViews *survey.Views
	sso         bool // single sign-on is mounted
}

// Limits on request bodies.
const (
	maxJSONBody = 1 << 20
	// MaxUploadBytes caps a reply with attachments (multipart), in total.
	MaxUploadBytes = 25 << 20
)

// New returns the API handler.
func New(d Deps, opts Options) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Server{store: d.Store, db: d.Store.DB(), blobs: d.Blobs, tickets: d.Tickets, webhooks: d.Webhooks, auth: d.Auth, log: d.Logger, conns: d.Connectors, presence: d.Presence,
		trusted: opts.TrustedProxies, portal: d.Portal, portalViews: portal.NewViews(), surveyViews: survey.NewViews(), sso: opts.OIDCStart != nil}
	strict := oapi.NewStrictHandlerWithOptions(s, nil, oapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  s.requestError,
		ResponseErrorHandlerFunc: s.fail,
	})
	api := &oapi.ServerInterfaceWrapper{Handler: strict, ErrorHandlerFunc: s.requestError}
	return s.routes(api, opts)
}

type ctxKey int

const (
	principalKey ctxKey = iota
	clientKey
)

// UserFrom returns the authenticated user of a request (handlers mounted
// through Options use it).
func UserFrom(ctx context.Context) (store.User, bool) {
	p, ok := ctx.Value(principalKey).(auth.Principal)
	return p.User, ok
}

func principalFrom(ctx context.Context) auth.Principal {
	p, _ := ctx.Value(principalKey).(auth.Principal)
	return p
}

// ClientFrom is who sent the request (the address behind trusted proxies),
// for handlers mounted through Options.
func ClientFrom(r *http.Request) auth.Client { return clientFrom(r.Context()) }

func clientFrom(ctx context.Context) auth.Client {
	c, _ := ctx.Value(clientKey).(auth.Client)
	return c
}

// access is a route's rule.
type access int

const (
	public access = iota // anyone
	agent                // any signed-in user (agents and admins)
	admin                // admins only
)

func (a access) String() string { return [...]string{"public", "agent", "admin"}[a] }

// guard authenticates the caller (Bearer token or session cookie), enforces
// the CSRF double submit on cookie requests that change something, then the
// route's rule.
func (s *Server) guard(rule access, group string, h http.Handler) http.Handler {
	return s.guardEnrol(rule, group, h, false)
}

// guardEnrolling is guard for the routes a session may reach while its user
// must still turn two-factor on (an admin requires it): the enrolment itself,
// who am I, sign-out.
func (s *Server) guardEnrolling(rule access, group string, h http.Handler) http.Handler {
	return s.guardEnrol(rule, group, h, true)
}

func (s *Server) guardEnrol(rule access, group string, h http.Handler, enrolling bool) http.Handler {
	if rule == public {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.auth.Authenticate(r.Context(), r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := auth.CheckCSRF(r, p); err != nil {
			s.fail(w, r, err)
			return
		}
		if p.MustEnrol && !enrolling {
			s.fail(w, r, auth.ErrTOTPEnrolment)
			return
		}
		if rule == admin && !p.IsAdmin() {
			writeError(w, http.StatusForbidden, "forbidden", "this needs the admin role", "")
			return
		}
		if !p.Allows(r.Method, group) {
			writeError(w, http.StatusForbidden, "token_scope", fmt.Sprintf("this token's scopes (%s) do not allow %s on %s endpoints",
				strings.Join(p.Scopes, ", "), r.Method, cmp.Or(group, "these")), "")
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey, p)))
	})
}

// common adds security headers, limits request bodies, records the client
// for sign-in rate limits, and logs each request.
func (s *Server) common(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		limit := int64(maxJSONBody)
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			limit = MaxUploadBytes + 1<<20 // the parts' headers and boundaries
		}
		if r.Method == http.MethodPost && r.URL.Path == newTicketPath {
			limit = newTicketBodyLimit // attachments come base64 in the JSON
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		client := auth.Client{RemoteAddr: clientAddr(r, s.trusted), UserAgent: r.UserAgent()}
		r = r.WithContext(context.WithValue(r.Context(), clientKey, client))
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		next.ServeHTTP(sw, r)
		s.log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", sw.status, "dur", time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection (SSE deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg, field string) {
	var e oapi.Error
	e.Error.Code, e.Error.Message = code, msg
	if field != "" {
		e.Error.Field = &field
	}
	writeJSON(w, status, e)
}

// requestError answers input the generated code could not decode.
func (s *Server) requestError(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var paramErr *oapi.InvalidParamFormatError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "request body larger than "+strconv.FormatInt(tooBig.Limit, 10)+" bytes", "")
	case errors.As(err, &typeErr):
		writeError(w, http.StatusBadRequest, "invalid_body", typeErr.Field+": must be "+jsonKind(typeErr.Type.Kind().String()), typeErr.Field)
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		writeError(w, http.StatusBadRequest, "invalid_body", "body: not valid JSON", "body")
	case errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "invalid_body", "body: a JSON object is required", "body")
	case errors.As(err, &paramErr):
		writeError(w, http.StatusBadRequest, "invalid_parameter", paramErr.ParamName+": "+paramMessage(paramErr.ParamName), paramErr.ParamName)
	default:
		writeError(w, http.StatusBadRequest, "bad_request", err.Error(), "")
	}
}

func jsonKind(k string) string {
	switch k {
	case "int64", "int", "int32":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a " + k
}

func paramMessage(name string) string {
	switch name {
	case "id", "mailbox":
		return "must be a positive number"
	case "limit":
		return limitRule
	}
	return "invalid value"
}

// fail translates an error into the API's error answer, once, here.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var rl *auth.RateLimitError
	var tooBig *http.MaxBytesError
	de, isDomain := domain.As(err)
	switch {
	case errors.As(err, &rl):
		w.Header().Set("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds())+1))
		writeError(w, http.StatusTooManyRequests, "rate_limited", rl.Error(), "")
	case errors.Is(err, auth.ErrUnauthenticated):
		writeError(w, http.StatusUnauthorized, "unauthorized", "sign in, or send Authorization: Bearer <token>", "")
	case errors.Is(err, auth.ErrInvalidCredentials):
		writeError(w, http.StatusUnauthorized, "invalid_credentials", err.Error(), "")
	case errors.Is(err, auth.ErrCSRF):
		writeError(w, http.StatusForbidden, "csrf", err.Error(), "")
	case errors.Is(err, auth.ErrDevLoginDisabled):
		writeError(w, http.StatusNotFound, "not_found", err.Error(), "")
	case errors.Is(err, auth.ErrDevLoginNotLocal):
		writeError(w, http.StatusForbidden, "forbidden", err.Error(), "")
	case errors.Is(err, auth.ErrTOTPRequired):
		writeError(w, http.StatusUnauthorized, "totp_required", err.Error(), "")
	case errors.Is(err, auth.ErrTOTPInvalid):
		writeError(w, http.StatusUnauthorized, "totp_invalid", err.Error(), "")
	case errors.Is(err, auth.ErrTOTPOn):
		writeError(w, http.StatusConflict, "totp_on", err.Error(), "")
	case errors.Is(err, auth.ErrTOTPEnrolment):
		writeError(w, http.StatusForbidden, "totp_enrolment_required", err.Error(), "")
	case errors.Is(err, auth.ErrTOTPRequiredByAdmin):
		writeError(w, http.StatusConflict, "totp_required_by_admin", err.Error(), "")
	case errors.Is(err, auth.ErrTOTPOff):
		writeError(w, http.StatusConflict, "totp_off", err.Error(), "")
	case errors.Is(err, auth.ErrSSOOnly):
		writeError(w, http.StatusForbidden, "sso_only", err.Error(), "")
	case errors.Is(err, auth.ErrLastAdmin):
		writeError(w, http.StatusConflict, "last_admin", err.Error(), "")
	case isDomain:
		status, code := domainStatus(de.Kind)
		writeError(w, status, code, de.Error(), de.Field)
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "too_large", "request body larger than "+strconv.FormatInt(tooBig.Limit, 10)+" bytes", "")
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "not found", "")
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", "already exists", "")
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error", "")
	}
}

// domainStatus is the one mapping of a domain refusal to its HTTP status and
// error code.
func domainStatus(k domain.Kind) (int, string) {
	switch k {
	case domain.KindInvalid:
		return http.StatusUnprocessableEntity, "invalid"
	case domain.KindBadRequest:
		return http.StatusBadRequest, "bad_request"
	case domain.KindNotFound:
		return http.StatusNotFound, "not_found"
	case domain.KindConflict:
		return http.StatusConflict, "conflict"
	case domain.KindForbidden:
		return http.StatusForbidden, "forbidden"
	}
	return http.StatusInternalServerError, "internal"
}
