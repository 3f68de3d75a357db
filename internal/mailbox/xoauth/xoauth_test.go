package xoauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/health"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth/xoauthtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestSASLInitialResponse(t *testing.T) {
	t.Parallel()
	// The format both Google and Microsoft document, byte for byte.
	got := xoauth.SASL("support@acme.test", "ya29.token")
	want := "user=support@acme.test\x01auth=Bearer ya29.token\x01\x01"
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// clock is a controllable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)} }

func apps(tokenURL string) xoauth.Apps {
	app := xoauth.App{ClientID: "client", ClientSecret: "client-secret", AuthURL: "https://login.example.test/authorize", TokenURL: tokenURL}
	return xoauth.Apps{Google: app, Microsoft: app, RedirectURL: "https://help.acme.test/api/v1/mailboxes/oauth/callback"}
}

// The access token is renewed once it is within RefreshMargin of its
// expiry, not before and not after.
func TestSourceRefreshesBeforeExpiry(t *testing.T) {
	t.Parallel()
	ts := xoauthtest.Start(t)
	ts.Lock(func(s *xoauthtest.Server) { s.Refresh["rt-1"] = true })
	clk := newClock()
	config, _ := apps(ts.URL).Config(xoauth.Google)
	src := xoauth.NewSource(config, "rt-1", nil, clk.Now, nil)
	ctx := context.Background()
	steps := []struct {
		after time.Duration // since the previous step
		want  string
	}{
		{0, "at-1"},
		{time.Hour - xoauth.RefreshMargin - time.Second, "at-1"}, // 54m59s: one second before the margin
		{time.Second, "at-2"}, // 55m: within the margin of at-1's expiry
		{time.Minute, "at-2"},
	}
	for i, st := range steps {
		clk.Add(st.after)
		got, err := src.Token(ctx)
		if err != nil || got != st.want {
			t.Fatalf("step %d: %q, %v; want %q", i, got, err, st.want)
		}
	}
	if n := ts.Count(); n != 2 {
		t.Fatalf("refreshes: %d, want 2", n)
	}
}

type env struct {
	ctx    context.Context
	st     *store.Store
	tokens *xoauth.Tokens
	ts     *xoauthtest.Server
	clk    *clock
	logs   *bytes.Buffer
	mb     int64
	seal   func(provider, refresh string) string
}

func setup(t *testing.T, dsn, provider string) *env {
	e := mailboxtest.New(t, dsn)
	ts := xoauthtest.Start(t)
	logs := &bytes.Buffer{}
	clk := newClock()
	en := &env{ctx: e.Ctx, st: e.Store, ts: ts, clk: clk, logs: logs}
	en.tokens = &xoauth.Tokens{Store: e.Store, Secrets: e.Box, Apps: apps(ts.URL), Now: clk.Now,
		Log: slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	en.seal = func(provider, refresh string) string {
		b, _ := json.Marshal(xoauth.Credentials{Provider: provider, RefreshToken: refresh})
		s, err := e.Box.Seal(string(b))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	var err error
	if en.mb, err = e.Store.CreateMailbox(e.Ctx, store.Mailbox{Name: "Support", Address: provider + "-" + strconv.Itoa(nextAddress()) + "@acme.test", Provider: provider,
		CreatedAt: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	return en
}

var addresses struct {
	mu sync.Mutex
	n  int
}

// nextAddress keeps the mailboxes of subtests sharing a database apart.
func nextAddress() int {
	addresses.mu.Lock()
	defer addresses.mu.Unlock()
	addresses.n++
	return addresses.n
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Microsoft rotates refresh tokens: the new one is sealed on the mailbox
// before it is relied on, and the next refresh uses it.
func TestRotatedRefreshTokenIsSealed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := setup(t, dsn, "imap")
		e.ts.Lock(func(s *xoauthtest.Server) { s.Refresh["rt-1"] = true; s.Rotate = true })
		if err := e.st.SetCredentials(e.ctx, e.mb, e.seal(xoauth.Microsoft, "rt-1")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tokens.Token(e.ctx, e.mb); err != nil {
			t.Fatal(err)
		}
		c, err := e.st.GetConnector(e.ctx, e.mb)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(c.Credentials, "rt-rotated-1") {
			t.Fatal("the stored credentials hold the refresh token in the clear")
		}
		plain, err := e.tokens.Secrets.Open(c.Credentials)
		if err != nil || !strings.Contains(plain, `"refresh_token":"rt-rotated-1"`) {
			t.Fatalf("stored: %s, %v", plain, err)
		}
		e.clk.Add(time.Hour) // expired: refreshes with the rotated token
		if tok, err := e.tokens.Token(e.ctx, e.mb); err != nil || tok != "at-2" {
			t.Fatalf("%q, %v", tok, err)
		}
	})
}

// A refresh the provider refuses (invalid_grant) puts the mailbox in error
// and raises the health alert at once; connecting the account again clears
// it. No token reaches the log.
func TestRefusedRefreshMarksMailboxAndAlerts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		for _, provider := range []string{"imap", "smtp"} { // an IMAP mailbox and a relay-only one
			t.Run(provider, func(t *testing.T) {
				e := setup(t, dsn, provider)
				if err := e.st.SetCredentials(e.ctx, e.mb, e.seal(xoauth.Google, "rt-revoked")); err != nil {
					t.Fatal(err)
				}
				_, err := e.tokens.Token(e.ctx, e.mb)
				if !errors.Is(err, xoauth.ErrRefused) || !strings.Contains(err.Error(), "invalid_grant") {
					t.Fatalf("err %v, want ErrRefused with invalid_grant", err)
				}
				h := mailboxHealth(t, e)
				if !h.AuthRefused || h.Status != store.SyncError || !strings.Contains(h.LastError, "token refresh refused") {
					t.Fatalf("mailbox: %+v", h)
				}
				if p, bad := health.New(health.Config{}).Assess(h, health.Quiet{}, e.clk.Now()); !bad || p.Reason != store.AlertAuth {
					t.Fatalf("health: %+v %v, want the auth alert", p, bad)
				}
				// Connected again: a new grant works and clears the refusal.
				e.ts.Lock(func(s *xoauthtest.Server) { s.Refresh["rt-new"] = true })
				if err := e.st.SetCredentials(e.ctx, e.mb, e.seal(xoauth.Google, "rt-new")); err != nil {
					t.Fatal(err)
				}
				if tok, err := e.tokens.Token(e.ctx, e.mb); err != nil || tok != "at-1" {
					t.Fatalf("%q, %v", tok, err)
				}
				if h := mailboxHealth(t, e); h.AuthRefused || h.Status == store.SyncError {
					t.Fatalf("after a good refresh: %+v", h)
				}
				for _, secret := range []string{"rt-revoked", "rt-new", "at-1"} {
					if strings.Contains(e.logs.String(), secret) {
						t.Fatalf("the log holds %q:\n%s", secret, e.logs.String())
					}
				}
				if !strings.Contains(e.logs.String(), "OAUTH TOKEN REFRESH REFUSED") {
					t.Fatalf("the refusal is not logged:\n%s", e.logs.String())
				}
			})
		}
	})
}

func mailboxHealth(t *testing.T, e *env) store.MailboxHealth {
	t.Helper()
	list, err := e.st.MailboxesHealth(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range list {
		if h.MailboxID == e.mb {
			return h
		}
	}
	t.Fatalf("mailbox %d not found", e.mb)
	return store.MailboxHealth{}
}

func TestTokenWithoutConnectedAccount(t *testing.T) {
	e := setup(t, storetest.SQLiteURL(t), "imap")
	if _, err := e.tokens.Token(e.ctx, e.mb); !errors.Is(err, xoauth.ErrNotConnected) {
		t.Fatalf("err %v, want ErrNotConnected", err)
	}
}

// Connect account: consent with PKCE and the provider's scopes, the code
// exchanged with the verifier, the refresh token sealed on the mailbox
// (whose provider stays), never in the log or the redirect.
func TestConnectFlow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		for _, tc := range []struct {
			provider string
			scope    string
			extra    url.Values
		}{
			{xoauth.Google, "https://mail.google.com/", url.Values{"access_type": {"offline"}, "prompt": {"consent"}}},
			{xoauth.Microsoft, "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access",
				url.Values{"prompt": {"select_account"}}},
		} {
			t.Run(tc.provider, func(t *testing.T) {
				e := setup(t, dsn, "imap")
				connected := 0
				flow := &xoauth.OAuthFlow{Apps: e.tokens.Apps, Secrets: e.tokens.Secrets, Flow: oauthweb.Flow{Store: e.st, Log: e.tokens.Log,
					Session: func(*http.Request) (string, error) { return "session-1", nil }, StateKey: []byte("state key"),
					Done: "/admin/mailboxes", Connected: func(int64) { connected++ }, Now: e.clk.Now}}
				rec := httptest.NewRecorder()
				flow.Start(rec, httptest.NewRequest("GET", "/api/v1/mailboxes/oauth/start?provider="+tc.provider+"&mailbox_id="+strconv.FormatInt(e.mb, 10), nil))
				if rec.Code != http.StatusFound {
					t.Fatalf("start: %d %s", rec.Code, rec.Body)
				}
				loc, _ := url.Parse(rec.Header().Get("Location"))
				q := loc.Query()
				if q.Get("scope") != tc.scope || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
					q.Get("redirect_uri") != "https://help.acme.test/api/v1/mailboxes/oauth/callback" {
					t.Fatalf("consent URL: %s", loc)
				}
				for k := range tc.extra {
					if q.Get(k) != tc.extra.Get(k) {
						t.Fatalf("%s=%q, want %q", k, q.Get(k), tc.extra.Get(k))
					}
				}
				e.ts.Lock(func(s *xoauthtest.Server) { s.Codes["code-1"] = q.Get("code_challenge") })
				rec = httptest.NewRecorder()
				flow.Callback(rec, httptest.NewRequest("GET", "/api/v1/mailboxes/oauth/callback?code=code-1&state="+url.QueryEscape(q.Get("state")), nil))
				back := rec.Header().Get("Location")
				if rec.Code != http.StatusFound || !strings.Contains(back, "oauth=connected") || connected != 1 {
					t.Fatalf("callback: %d %s", rec.Code, back)
				}
				c, err := e.st.GetConnector(e.ctx, e.mb)
				if err != nil {
					t.Fatal(err)
				}
				if c.Provider != "imap" || c.Credentials == "" || strings.Contains(c.Credentials, "rt-from-code") {
					t.Fatalf("stored: provider %s, credentials %q", c.Provider, c.Credentials)
				}
				if tok, err := e.tokens.Token(e.ctx, e.mb); err != nil || !strings.HasPrefix(tok, "at-") {
					t.Fatalf("the connected account gives no token: %q %v", tok, err)
				}
				if strings.Contains(e.logs.String(), "rt-from-code") || strings.Contains(back, "rt-from-code") {
					t.Fatal("the refresh token leaked to the log or the redirect")
				}
				// Replayed from another session: refused.
				other := *flow
				other.Session = func(*http.Request) (string, error) { return "session-2", nil }
				rec = httptest.NewRecorder()
				other.Callback(rec, httptest.NewRequest("GET", "/api/v1/mailboxes/oauth/callback?code=code-1&state="+url.QueryEscape(q.Get("state")), nil))
				if rec.Code != http.StatusBadRequest {
					t.Fatalf("another session's callback: %d", rec.Code)
				}
			})
		}
	})
}

// The flow is for IMAP and SMTP mailboxes (a Gmail API mailbox keeps its
// own grant there), with a known provider.
func TestConnectFlowRefuses(t *testing.T) {
	e := setup(t, storetest.SQLiteURL(t), "gmail")
	flow := &xoauth.OAuthFlow{Apps: e.tokens.Apps, Secrets: e.tokens.Secrets, Flow: oauthweb.Flow{Store: e.st,
		Session: func(*http.Request) (string, error) { return "s", nil }, StateKey: []byte("k")}}
	for _, tc := range []struct{ name, query, want string }{
		{"gmail mailbox", "provider=google&mailbox_id=" + strconv.FormatInt(e.mb, 10), "mailbox_id"},
		{"unknown provider", "provider=yahoo&mailbox_id=" + strconv.FormatInt(e.mb, 10), "provider"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			flow.Start(rec, httptest.NewRequest("GET", "/api/v1/mailboxes/oauth/start?"+tc.query, nil))
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}
