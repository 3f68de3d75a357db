// Package sso signs agents in with OpenID Connect: the authorization code
// flow with PKCE, a nonce and a single-use state, the ID token checked by
// go-oidc against the provider's JWKS (fetched again when a token names a
// key it has not seen: key rotation). Who may come in is decided here
// (a verified email of an allowed domain); the session is opened by auth.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/store"
)

// Paths of the flow, and the cookie binding a sign-in to the browser that
// started it (a callback link sent to someone else does nothing).
const (
	StartPath    = "/api/v1/auth/oidc/start"
	CallbackPath = "/api/v1/auth/oidc/callback"
	stateCookie  = "ticketer_oidc_state"
	// Lifetime is how long a sign-in may take at the identity provider.
	Lifetime = 10 * time.Minute
)

// Config is the flow's settings and dependencies.
type Config struct {
	Issuer, ClientID, ClientSecret string
	RedirectURL                    string // BASE_URL + CallbackPath
	AllowedDomains                 []string
	Store                          *store.Store
	Auth                           *auth.Service
	// Client tells who is signing in (the HTTP layer knows the proxies).
	Client     func(*http.Request) auth.Client
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
}

// Flow serves the start and callback of a sign-in.
type Flow struct {
	cfg    Config
	secure bool

	mu       sync.Mutex
	provider *oidc.Provider // discovered at the first sign-in, then kept
}

// New returns a Flow; the provider's discovery document is fetched at the
// first sign-in, so a provider down at start does not stop the server.
func New(cfg Config) *Flow {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.Client == nil {
		cfg.Client = func(r *http.Request) auth.Client {
			return auth.Client{RemoteAddr: r.RemoteAddr, UserAgent: r.UserAgent()}
		}
	}
	return &Flow{cfg: cfg, secure: strings.HasPrefix(cfg.RedirectURL, "https://")}
}

// Why a sign-in failed, as the sign-in page is told (?sso_error=).
const (
	reasonUnavailable = "unavailable" // the provider could not be reached
	reasonExpired     = "expired"     // unknown, used or expired state
	reasonDenied      = "denied"      // the provider answered with an error
	reasonInvalid     = "invalid"     // token exchange or ID token check failed
	reasonUnverified  = "unverified"  // the provider does not vouch for the email
	reasonDomain      = "domain"      // the email's domain is not allowed
	reasonDisabled    = "disabled"    // the user is disabled
)

// failure is a refused sign-in: reason for the page, err for the log.
type failure struct {
	reason string
	err    error
}

func (f *failure) Error() string { return f.reason + ": " + f.err.Error() }

func fail(reason string, err error) error { return &failure{reason: reason, err: err} }

func (f *Flow) discover(ctx context.Context) (*oidc.Provider, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.provider != nil {
		return f.provider, nil
	}
	// Not the request's context: the provider keeps it for its JWKS
	// fetches long after this request.
	bg := oidc.ClientContext(context.WithoutCancel(ctx), f.cfg.HTTPClient)
	p, err := oidc.NewProvider(bg, f.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery of %s: %w", f.cfg.Issuer, err)
	}
	f.provider = p
	return p, nil
}

func (f *Flow) oauth2(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: f.cfg.ClientID, ClientSecret: f.cfg.ClientSecret, RedirectURL: f.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
}

func random() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Start sends the browser to the identity provider. ?next= is the local
// page to go on to afterwards.
func (f *Flow) Start(w http.ResponseWriter, r *http.Request) {
	p, err := f.discover(r.Context())
	if err != nil {
		f.finish(w, r, "", fail(reasonUnavailable, err))
		return
	}
	now := f.cfg.Now().UTC()
	state, nonce, verifier := random(), random(), oauth2.GenerateVerifier()
	if err := f.cfg.Store.CreateOIDCLogin(r.Context(), store.OIDCLogin{StateHash: hash(state), Nonce: nonce, Verifier: verifier,
		Next: safeNext(r.URL.Query().Get("next")), CreatedAt: now, ExpiresAt: now.Add(Lifetime)}); err != nil {
		f.finish(w, r, "", fail(reasonUnavailable, err))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: CallbackPath, MaxAge: int(Lifetime.Seconds()),
		HttpOnly: true, Secure: f.secure, SameSite: http.SameSiteLaxMode})
	to := f.oauth2(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	http.Redirect(w, r, to, http.StatusFound)
}

// Callback checks the provider's answer and signs the user in.
func (f *Flow) Callback(w http.ResponseWriter, r *http.Request) {
	// The state cookie is used up whatever happens.
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: CallbackPath, MaxAge: -1, HttpOnly: true, Secure: f.secure,
		SameSite: http.SameSiteLaxMode})
	next, err := f.callback(w, r)
	f.finish(w, r, next, err)
}

func (f *Flow) callback(w http.ResponseWriter, r *http.Request) (string, error) {
	ctx := r.Context()
	q := r.URL.Query()
	state := q.Get("state")
	c, err := r.Cookie(stateCookie)
	if state == "" || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(state)) != 1 {
		return "", fail(reasonExpired, errors.New("the state is missing or not this browser's"))
	}
	login, err := f.cfg.Store.TakeOIDCLogin(ctx, hash(state), f.cfg.Now().UTC())
	if errors.Is(err, store.ErrNotFound) {
		return "", fail(reasonExpired, err)
	}
	if err != nil {
		return "", err
	}
	if e := q.Get("error"); e != "" {
		return "", fail(reasonDenied, fmt.Errorf("the identity provider answered %s: %s", e, q.Get("error_description")))
	}
	p, err := f.discover(ctx)
	if err != nil {
		return "", fail(reasonUnavailable, err)
	}
	hctx := oidc.ClientContext(context.WithValue(ctx, oauth2.HTTPClient, f.cfg.HTTPClient), f.cfg.HTTPClient)
	tok, err := f.oauth2(p).Exchange(hctx, q.Get("code"), oauth2.VerifierOption(login.Verifier))
	if err != nil {
		return "", fail(reasonInvalid, fmt.Errorf("code exchange: %w", err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", fail(reasonInvalid, errors.New("the token answer has no id_token"))
	}
	idt, err := p.VerifierContext(hctx, &oidc.Config{ClientID: f.cfg.ClientID, Now: f.cfg.Now}).Verify(hctx, raw)
	if err != nil {
		return "", fail(reasonInvalid, fmt.Errorf("id token: %w", err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(login.Nonce)) != 1 {
		return "", fail(reasonInvalid, errors.New("id token: wrong nonce"))
	}
	var cl claims
	if err := idt.Claims(&cl); err != nil {
		return "", fail(reasonInvalid, fmt.Errorf("id token claims: %w", err))
	}
	if cl.Email == "" && p.UserInfoEndpoint() != "" {
		// Some providers (Entra ID) leave the email out of the ID token.
		if err := f.userInfo(hctx, p, tok, idt.Subject, &cl); err != nil {
			return "", fail(reasonInvalid, err)
		}
	}
	email, err := f.admit(cl)
	if err != nil {
		return "", err
	}
	ns, err := f.cfg.Auth.SignInSSO(ctx, email, cl.displayName(), f.cfg.Client(r))
	if errors.Is(err, auth.ErrSSODisabled) {
		return "", fail(reasonDisabled, err)
	}
	if err != nil {
		return "", err
	}
	for _, c := range f.cfg.Auth.SessionCookies(ns) {
		http.SetCookie(w, c)
	}
	return login.Next, nil
}

func (f *Flow) userInfo(ctx context.Context, p *oidc.Provider, tok *oauth2.Token, subject string, cl *claims) error {
	ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		return fmt.Errorf("userinfo: %w", err)
	}
	if ui.Subject != subject {
		return fmt.Errorf("userinfo is about %q, the id token about %q", ui.Subject, subject)
	}
	return ui.Claims(cl)
}

// admit returns the email of a verified, allowed identity.
func (f *Flow) admit(cl claims) (string, error) {
	email := strings.ToLower(strings.TrimSpace(cl.Email))
	at := strings.LastIndexByte(email, '@')
	if at < 1 {
		return "", fail(reasonInvalid, errors.New("the identity provider gave no email address (is the email scope granted?)"))
	}
	if cl.EmailVerified != nil && !*cl.EmailVerified {
		return "", fail(reasonUnverified, fmt.Errorf("%s is not verified at the identity provider", email))
	}
	if !slices.Contains(f.cfg.AllowedDomains, email[at+1:]) {
		return "", fail(reasonDomain, fmt.Errorf("%s is not of an allowed domain (TICKETER_OIDC_ALLOWED_DOMAINS)", email))
	}
	return email, nil
}

// finish sends the browser on: to next after a sign-in, else to the
// sign-in page with the reason.
func (f *Flow) finish(w http.ResponseWriter, r *http.Request, next string, err error) {
	if err == nil {
		http.Redirect(w, r, safeNext(next), http.StatusFound)
		return
	}
	var fl *failure
	reason := "failed"
	if errors.As(err, &fl) {
		reason = fl.reason
		f.cfg.Logger.Warn("failed sign-in", "method", store.SessionSSO, "reason", reason, "remote", f.cfg.Client(r).RemoteAddr, "err", fl.err)
	} else {
		f.cfg.Logger.Error("single sign-on failed", "err", err)
	}
	http.Redirect(w, r, "/signin?sso_error="+url.QueryEscape(reason), http.StatusFound)
}

// safeNext accepts only a local path, never another site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// claims are what the sign-in reads of the ID token (or userinfo).
type claims struct {
	Email             string    `json:"email"`
	EmailVerified     *flexBool `json:"email_verified"`
	Name              string    `json:"name"`
	PreferredUsername string    `json:"preferred_username"`
}

func (c claims) displayName() string {
	if c.Name != "" {
		return c.Name
	}
	return c.PreferredUsername
}

// flexBool reads true, false, "true" and "false": some providers send the
// boolean as a string.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case bool:
		*b = flexBool(v)
	case string:
		*b = flexBool(strings.EqualFold(v, "true"))
	default:
		return fmt.Errorf("email_verified is %s, not a boolean", data)
	}
	return nil
}
