package sso_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/sso"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

type bundle struct {
	ctx   context.Context
	idp   *provider
	st    *store.Store
	authn *auth.Service
	app   *httptest.Server

	mu  sync.Mutex
	now time.Time
}

func (b *bundle) clock() time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

func (b *bundle) advance(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.now = b.now.Add(d)
}

// setup runs Ticketer's sign-in (the flow, auth, a SQLite store) against an
// in-process provider; acme.test is the allowed domain.
func setup(t testing.TB) *bundle {
	t.Helper()
	b := &bundle{ctx: context.Background(), idp: newProvider(t), st: store.New(storetest.Open(t, storetest.SQLiteURL(t))), now: time.Now()}
	mux := http.NewServeMux()
	b.app = httptest.NewServer(mux)
	t.Cleanup(b.app.Close)
	var err error
	b.authn, err = auth.New(auth.Config{Store: b.st, BaseURL: b.app.URL, Logger: slog.New(slog.DiscardHandler), Now: b.clock})
	if err != nil {
		t.Fatal(err)
	}
	flow := sso.New(sso.Config{Issuer: b.idp.srv.URL, ClientID: clientID, ClientSecret: clientSecret, RedirectURL: b.app.URL + sso.CallbackPath,
		AllowedDomains: []string{"acme.test"}, Store: b.st, Auth: b.authn, Logger: slog.New(slog.DiscardHandler), Now: b.clock})
	mux.HandleFunc("GET "+sso.StartPath, flow.Start)
	mux.HandleFunc("GET "+sso.CallbackPath, flow.Callback)
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return b
}

// browser is a cookie-keeping client; stopAt makes it stop before
// following a redirect to a URL with that path.
func (b *bundle) browser(t testing.TB, stopAt string) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if stopAt != "" && req.URL.Path == stopAt {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// signIn runs a whole sign-in in a new browser and returns where it ended
// and the browser.
func (b *bundle) signIn(t testing.TB, next string) (*url.URL, *http.Client) {
	t.Helper()
	c := b.browser(t, "")
	return b.get(t, c, b.app.URL+sso.StartPath+"?next="+url.QueryEscape(next)), c
}

func (b *bundle) get(t testing.TB, c *http.Client, u string) *url.URL {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode/100 == 3 {
		loc, err := res.Location()
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	return res.Request.URL
}

// principal is who the browser's session cookie signs in as.
func (b *bundle) principal(t *testing.T, c *http.Client) (auth.Principal, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, b.app.URL+"/api/v1/me", nil)
	app, _ := url.Parse(b.app.URL)
	for _, ck := range c.Jar.Cookies(app) {
		r.AddCookie(ck)
	}
	return b.authn.Authenticate(b.ctx, r)
}

func (b *bundle) user(t testing.TB, email string, role domain.Role) store.User {
	t.Helper()
	id, err := b.st.CreateUser(b.ctx, store.User{Email: email, Name: "Existing", Role: role, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	u, err := b.st.GetUser(b.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantRefused(t *testing.T, b *bundle, end *url.URL, c *http.Client, reason string) {
	t.Helper()
	if end.Path != "/signin" || end.Query().Get("sso_error") != reason {
		t.Fatalf("ended at %s, want /signin?sso_error=%s", end, reason)
	}
	if p, err := b.principal(t, c); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatalf("signed in as %q all the same (%v)", p.User.Email, err)
	}
}

func TestSignInAsTheUserWithThatEmail(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ada := b.user(t, "ada@acme.test", domain.RoleAdmin)
	b.idp.set(func(p *provider) { p.claims["email"] = "Ada@ACME.test" })
	end, c := b.signIn(t, "/tickets/7")
	if end.Path != "/tickets/7" {
		t.Fatalf("ended at %s, want the next page", end)
	}
	p, err := b.principal(t, c)
	if err != nil || p.User.ID != ada.ID || p.User.Role != domain.RoleAdmin {
		t.Fatalf("signed in as %+v, %v; want ada", p.User, err)
	}
}

func TestSignInCreatesAnAgentJustInTime(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.idp.set(func(p *provider) { p.claims["email"], p.claims["name"] = "grace@acme.test", "Grace Hopper" })
	end, c := b.signIn(t, "https://evil.test/")
	if end.Path != "/" || end.Host != strings.TrimPrefix(b.app.URL, "http://") {
		t.Fatalf("ended at %s, want this site's /", end)
	}
	u, err := b.st.UserByEmail(b.ctx, "grace@acme.test")
	if err != nil || u.Role != domain.RoleAgent || u.Name != "Grace Hopper" || u.PasswordHash != "" {
		t.Fatalf("created %+v, %v; want an agent without a password", u, err)
	}
	if p, err := b.principal(t, c); err != nil || p.User.ID != u.ID {
		t.Fatalf("signed in as %+v, %v", p.User, err)
	}
}

func TestSSOSessionIsNotHeldBackForTwoFactor(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if err := b.st.SetSetting(b.ctx, store.SettingRequire2FA, "true"); err != nil {
		t.Fatal(err)
	}
	_, c := b.signIn(t, "/")
	p, err := b.principal(t, c)
	if err != nil || p.MustEnrol {
		t.Fatalf("principal %+v, %v; want signed in and not held back", p, err)
	}
	// The same user with a session opened otherwise is held back.
	now := b.clock()
	if _, err := b.st.CreateSession(b.ctx, store.Session{UserID: p.User.ID, TokenHash: auth.HashToken("other"), CSRFHash: "c",
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), Method: store.SessionPassword}); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, b.app.URL+"/api/v1/me", nil)
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: "other"})
	if p, err := b.authn.Authenticate(b.ctx, r); err != nil || !p.MustEnrol {
		t.Fatalf("password session %+v, %v; want held back", p, err)
	}
}

func TestKeyRotationFetchesTheNewKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if end, _ := b.signIn(t, "/"); end.Path != "/" {
		t.Fatalf("first sign-in ended at %s", end)
	}
	b.idp.rotate()
	end, c := b.signIn(t, "/")
	if end.Path != "/" {
		t.Fatalf("sign-in after rotation ended at %s", end)
	}
	if _, err := b.principal(t, c); err != nil {
		t.Fatal(err)
	}
	b.idp.set(func(p *provider) {
		if p.jwksHit != 2 {
			t.Errorf("JWKS fetched %d times, want 2 (once, then again for the new kid)", p.jwksHit)
		}
	})
}

func TestRefused(t *testing.T) {
	t.Parallel()
	forged := func(p *provider) {
		var err error
		if p.forger, err = rsaKey(); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, reason string
		idp          func(p *provider)
	}{
		{"forged id token (signed with another key under a published kid)", "invalid", forged},
		{"wrong nonce", "invalid", func(p *provider) { p.nonce = "another nonce" }},
		{"domain not allowed", "domain", func(p *provider) { p.claims["email"] = "eve@evil.test" }},
		{"subdomain of an allowed domain", "domain", func(p *provider) { p.claims["email"] = "eve@x.acme.test" }},
		{"email not verified", "unverified", func(p *provider) { p.claims["email_verified"] = false }},
		{"email not verified, as a string", "unverified", func(p *provider) { p.claims["email_verified"] = "false" }},
		{"no email", "invalid", func(p *provider) { delete(p.claims, "email") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.idp.set(c.idp)
			end, browser := b.signIn(t, "/")
			wantRefused(t, b, end, browser, c.reason)
			if _, err := b.st.UserByEmail(b.ctx, "eve@evil.test"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a user was created: %v", err)
			}
		})
	}
}

func TestVerifiedAsAStringIsAccepted(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.idp.set(func(p *provider) { p.claims["email_verified"] = "true" })
	if end, _ := b.signIn(t, "/x"); end.Path != "/x" {
		t.Fatalf("ended at %s", end)
	}
}

func TestDisabledUserIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.user(t, "root@acme.test", domain.RoleAdmin)
	ada := b.user(t, "ada@acme.test", domain.RoleAgent)
	disabled := true
	if _, err := b.authn.UpdateUser(b.ctx, ada.ID, auth.UserUpdate{Disabled: &disabled}); err != nil {
		t.Fatal(err)
	}
	end, c := b.signIn(t, "/")
	wantRefused(t, b, end, c, "disabled")
}

// callbackURL starts a sign-in and returns the provider's redirect back,
// not yet followed.
func (b *bundle) callbackURL(t *testing.T, c *http.Client) string {
	t.Helper()
	return b.get(t, c, b.app.URL+sso.StartPath).String()
}

func TestStateIsSingleUse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.browser(t, sso.CallbackPath)
	back := b.callbackURL(t, c)
	// Replayed with the state cookie put back, as an attacker holding both would.
	app, _ := url.Parse(b.app.URL)
	cookies := c.Jar.Cookies(&url.URL{Scheme: "http", Host: app.Host, Path: sso.CallbackPath})
	if end := b.get(t, c, back); end.Path != "/" {
		t.Fatalf("first callback ended at %s", end)
	}
	again := b.browser(t, "")
	again.Jar.SetCookies(&url.URL{Scheme: "http", Host: app.Host, Path: sso.CallbackPath}, cookies)
	wantRefused(t, b, b.get(t, again, back), again, "expired")
}

func TestStateExpires(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.browser(t, sso.CallbackPath)
	back := b.callbackURL(t, c)
	b.advance(sso.Lifetime)
	wantRefused(t, b, b.get(t, c, back), c, "expired")
}

func TestStateOfAnotherBrowserIsRefused(t *testing.T) {
	t.Parallel()
	b := setup(t)
	back := b.callbackURL(t, b.browser(t, sso.CallbackPath))
	victim := b.browser(t, "")
	wantRefused(t, b, b.get(t, victim, back), victim, "expired")
}

func TestProviderErrorIsShown(t *testing.T) {
	t.Parallel()
	b := setup(t)
	c := b.browser(t, sso.CallbackPath)
	back, err := url.Parse(b.callbackURL(t, c))
	if err != nil {
		t.Fatal(err)
	}
	q := back.Query()
	q.Del("code")
	q.Set("error", "access_denied")
	back.RawQuery = q.Encode()
	wantRefused(t, b, b.get(t, c, back.String()), c, "denied")
}

func TestUnreachableProvider(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.idp.srv.Close()
	end, c := b.signIn(t, "/")
	wantRefused(t, b, end, c, "unavailable")
}

// BenchmarkSignIn is one whole sign-in of an existing user: start, the
// provider's redirect, the callback (code exchange, ID token check against
// the cached JWKS, session), on SQLite.
func BenchmarkSignIn(b *testing.B) {
	bd := setup(b)
	bd.user(b, "ada@acme.test", domain.RoleAgent)
	bd.signIn(b, "/") // discovery and JWKS fetched once
	b.ResetTimer()
	for b.Loop() {
		if end, _ := bd.signIn(b, "/"); end.Path != "/" {
			b.Fatalf("ended at %s", end)
		}
	}
}
