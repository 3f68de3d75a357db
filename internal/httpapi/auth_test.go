package httpapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store/storetest"
)

func cookieNamed(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestLoginRefusesBadInput(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.browser()
		if code, _ := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": "wrong-password"}).must(t, 401).errorOf(t); code != "invalid_credentials" {
			t.Fatalf("code %s", code)
		}
		if _, field := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test"}).must(t, 422).errorOf(t); field != "password" {
			t.Fatalf("field %q", field)
		}
		if _, field := c.do("POST", "/api/v1/auth/login", `{"email": 5}`).must(t, 400).errorOf(t); field != "email" {
			t.Fatalf("field %q", field)
		}
		c.do("POST", "/api/v1/auth/login", `{"email":`).must(t, 400)
		c.do("GET", "/api/v1/me", nil).must(t, 401)
	})
}

func TestLoginStartsASession(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.browser()
		r := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "Agent@Acme.test", "password": agentPassword}).must(t, 200)
		sess, csrf := cookieNamed(r, "ticketer_session"), cookieNamed(r, "ticketer_csrf")
		if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Secure || sess.MaxAge <= 0 {
			t.Fatalf("session cookie %+v", sess)
		}
		if csrf == nil || csrf.HttpOnly || csrf.SameSite != http.SameSiteLaxMode || csrf.Value == "" {
			t.Fatalf("csrf cookie %+v", csrf)
		}
		var s struct {
			CSRFToken string `json:"csrf_token"`
			User      struct {
				Email, Role string
			}
		}
		r.json(t, &s)
		if s.CSRFToken != csrf.Value || s.User.Email != "agent@acme.test" || s.User.Role != "agent" {
			t.Fatalf("session body %s", r.body)
		}
		// Only a hash of the session token is stored.
		var n int
		if err := h.st.DB().QueryRow(h.ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, sess.Value).Scan(&n); err != nil || n != 0 {
			t.Fatalf("raw session token stored: %d %v", n, err)
		}
		var me struct{ Email string }
		c.do("GET", "/api/v1/me", nil).must(t, 200).json(t, &me)
		if me.Email != "agent@acme.test" {
			t.Fatalf("me %+v", me)
		}
	})
}

// A cookie request that changes something needs the session's own CSRF
// token, and a cross-site browser request is refused before anything else;
// GETs and bearer tokens need neither.
func TestCSRF(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		tk := h.newTicket(1, "")
		c := h.login("agent@acme.test", agentPassword)
		token := c.csrf
		patch := map[string]string{"priority": "high"}
		path := fmt.Sprintf("/api/v1/tickets/%d", tk)
		// Missing, wrong, right.
		c.csrf = ""
		if code, _ := c.do("PATCH", path, patch).must(t, 403).errorOf(t); code != "csrf" {
			t.Fatalf("missing csrf: %s", code)
		}
		c.csrf = "wrong" + token
		c.do("PATCH", path, patch).must(t, 403)
		// Another session's CSRF token, correctly echoed in both cookie and
		// header, is still refused: the token is bound to its session.
		other := h.login("agent@acme.test", agentPassword)
		u, _ := http.NewRequest("GET", h.srv.URL, nil)
		c.jar.SetCookies(u.URL, []*http.Cookie{{Name: "ticketer_csrf", Value: other.csrf, Path: "/"}})
		c.csrf = other.csrf
		c.do("PATCH", path, patch).must(t, 403)
		c.jar.SetCookies(u.URL, []*http.Cookie{{Name: "ticketer_csrf", Value: token, Path: "/"}})
		c.csrf = token
		c.do("PATCH", path, patch).must(t, 200)
		// GET needs no CSRF header.
		c.csrf = ""
		c.do("GET", path, nil).must(t, 200)
		c.csrf = token

		// A cross-site browser request is refused before anything else.
		c.hdr = map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
		if code, _ := c.do("PATCH", path, patch).must(t, 403).errorOf(t); code != "cross_origin" {
			t.Fatalf("cross origin: %s", code)
		}
		c.hdr = nil

		// Bearer tokens skip CSRF.
		h.bearer(h.agentToken).do("PATCH", path, map[string]string{"priority": "low"}).must(t, 200)
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.browser()
		r := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword}).must(t, 200)
		sess := cookieNamed(r, "ticketer_session")
		var s struct {
			CSRFToken string `json:"csrf_token"`
		}
		r.json(t, &s)
		c.csrf = s.CSRFToken
		other := h.login("agent@acme.test", agentPassword)

		// Logout ends the session and clears the cookies.
		r = c.do("POST", "/api/v1/auth/logout", nil).must(t, 204)
		if ck := cookieNamed(r, "ticketer_session"); ck == nil || ck.MaxAge >= 0 {
			t.Fatalf("logout cookie %+v", ck)
		}
		c.do("GET", "/api/v1/me", nil).must(t, 401)
		// The stolen cookie value is dead too.
		u, _ := http.NewRequest("GET", h.srv.URL, nil)
		replay := h.browser()
		replay.jar.SetCookies(u.URL, []*http.Cookie{{Name: "ticketer_session", Value: sess.Value, Path: "/"}})
		replay.do("GET", "/api/v1/me", nil).must(t, 401)
		// Other sessions of the same user live on.
		other.do("GET", "/api/v1/me", nil).must(t, 200)
	})
}

func TestSecureCookiesOnHTTPS(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.SQLiteURL(t), harnessOpts{baseURL: "https://help.acme.test"})
	r := h.anon().do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword}).must(t, 200)
	if c := cookieNamed(r, "ticketer_session"); c == nil || !c.Secure {
		t.Fatalf("session cookie not Secure: %+v", c)
	}
	if c := cookieNamed(r, "ticketer_csrf"); c == nil || !c.Secure {
		t.Fatalf("csrf cookie not Secure: %+v", c)
	}
}

func TestSessionExpiry(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		// Idle expiry (12 hours), refreshed by use.
		c := h.login("agent@acme.test", agentPassword)
		h.clock.advance(11 * time.Hour)
		c.do("GET", "/api/v1/me", nil).must(t, 200)
		h.clock.advance(11 * time.Hour) // 22h after login, 11h after last use
		c.do("GET", "/api/v1/me", nil).must(t, 200)
		h.clock.advance(12*time.Hour + time.Minute)
		c.do("GET", "/api/v1/me", nil).must(t, 401)

		// Absolute expiry (30 days) even when used all the time.
		c = h.login("agent@acme.test", agentPassword)
		for elapsed := time.Duration(0); elapsed < 30*24*time.Hour-11*time.Hour; elapsed += 11 * time.Hour {
			h.clock.advance(11 * time.Hour)
			c.do("GET", "/api/v1/me", nil).must(t, 200)
		}
		h.clock.advance(11 * time.Hour)
		c.do("GET", "/api/v1/me", nil).must(t, 401)
	})
}

// Five failures lock an account (not the other accounts) for 15 minutes.
func TestLoginRateLimitPerAccount(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.anon()
		for range 5 {
			c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": "nope-nope"}).must(t, 401)
		}
		r := c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword}).must(t, 429)
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 || s > 15*60+1 {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}
		// Another account from the same address is not locked by that.
		c.do("POST", "/api/v1/auth/login", map[string]string{"email": "admin@acme.test", "password": adminPassword}).must(t, 200)
		h.clock.advance(16 * time.Minute)
		c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword}).must(t, 200)
	})
}

// Twenty failures over many accounts lock the address.
func TestLoginRateLimitPerAddress(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.anon()
		for i := range 20 {
			c.do("POST", "/api/v1/auth/login", map[string]string{"email": fmt.Sprintf("nobody%d@acme.test", i), "password": "nope-nope"}).must(t, 401)
		}
		c.do("POST", "/api/v1/auth/login", map[string]string{"email": "admin@acme.test", "password": adminPassword}).must(t, 429)
		h.clock.advance(16 * time.Minute)
		c.do("POST", "/api/v1/auth/login", map[string]string{"email": "admin@acme.test", "password": adminPassword}).must(t, 200)
	})
}

func TestDisabledUserIsLockedOut(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		sess := h.login("agent@acme.test", agentPassword)
		agentBearer := h.bearer(h.agentToken)
		agentBearer.do("GET", "/api/v1/me", nil).must(t, 200)
		admin := h.bearer(h.adminToken)
		path := fmt.Sprintf("/api/v1/users/%d", h.agent.ID)
		var u struct{ Disabled bool }
		admin.do("PATCH", path, map[string]any{"disabled": true}).must(t, 200).json(t, &u)
		if !u.Disabled {
			t.Fatal("not disabled")
		}
		agentBearer.do("GET", "/api/v1/me", nil).must(t, 401)
		sess.do("GET", "/api/v1/me", nil).must(t, 401)
		h.anon().do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword}).must(t, 401)
		// Enabled again: the token and the session stay dead (issue 11 item 8).
		admin.do("PATCH", path, map[string]any{"disabled": false}).must(t, 200)
		agentBearer.do("GET", "/api/v1/me", nil).must(t, 401)
		sess.do("GET", "/api/v1/me", nil).must(t, 401)
	})
}

// A password change ends sessions, and the new password works.
func TestPasswordChangeEndsSessions(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		sess := h.login("agent@acme.test", agentPassword)
		h.bearer(h.adminToken).do("PATCH", fmt.Sprintf("/api/v1/users/%d", h.agent.ID), map[string]any{"password": "brand-new-password"}).must(t, 200)
		sess.do("GET", "/api/v1/me", nil).must(t, 401)
		h.login("agent@acme.test", "brand-new-password")
	})
}

// The last enabled admin cannot be disabled or demoted.
func TestLastAdminStays(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		admin := h.bearer(h.adminToken)
		adminPath := fmt.Sprintf("/api/v1/users/%d", h.admin.ID)
		if code, _ := admin.do("PATCH", adminPath, map[string]any{"disabled": true}).must(t, 409).errorOf(t); code != "last_admin" {
			t.Fatal(code)
		}
		admin.do("PATCH", adminPath, map[string]any{"role": "agent"}).must(t, 409)
	})
}

func TestDevLogin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		opts   harnessOpts
		status int
	}{
		{"off by default", harnessOpts{baseURL: "http://localhost:8080"}, 404},
		{"on, localhost", harnessOpts{baseURL: "http://localhost:8080", allowDevLogin: true}, 200},
		{"on, ::1", harnessOpts{baseURL: "http://[::1]:8080", allowDevLogin: true}, 200},
		{"on, but a public base URL", harnessOpts{baseURL: "https://help.acme.test", allowDevLogin: true}, 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, storetest.SQLiteURL(t), tc.opts)
			c := h.browser()
			r := c.do("POST", "/api/v1/auth/dev-login", map[string]string{"email": "admin@acme.test"}).must(t, tc.status)
			if tc.status == 200 {
				if cookieNamed(r, "ticketer_session") == nil {
					t.Fatal("no session cookie")
				}
				c.do("GET", "/api/v1/me", nil).must(t, 200)
				c.do("POST", "/api/v1/auth/dev-login", map[string]string{"email": "nobody@acme.test"}).must(t, 401)
			}
		})
	}
}

func TestAPITokens(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		var created struct {
			ID    int64 `json:"id"`
			Name  string
			Token string
		}
		agent.do("POST", "/api/v1/tokens", map[string]string{"name": "zapier"}).must(t, 201).json(t, &created)
		if !strings.HasPrefix(created.Token, "tkt_") || created.Name != "zapier" {
			t.Fatalf("created %+v", created)
		}
		if _, field := agent.do("POST", "/api/v1/tokens", map[string]string{"name": " "}).must(t, 422).errorOf(t); field != "name" {
			t.Fatal(field)
		}
		fresh := h.bearer(created.Token)
		fresh.do("GET", "/api/v1/me", nil).must(t, 200)
		r := agent.do("GET", "/api/v1/tokens", nil).must(t, 200)
		if strings.Contains(string(r.body), created.Token) || !strings.Contains(string(r.body), `"zapier"`) {
			t.Fatalf("list: %s", r.body)
		}
		// Someone else's token is not yours to revoke.
		h.bearer(h.adminToken).do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), nil).must(t, 404)
		fresh.do("GET", "/api/v1/me", nil).must(t, 200)
		agent.do("DELETE", fmt.Sprintf("/api/v1/tokens/%d", created.ID), nil).must(t, 204)
		fresh.do("GET", "/api/v1/me", nil).must(t, 401)
		var list struct {
			Items []struct {
				ID        int64   `json:"id"`
				RevokedAt *string `json:"revoked_at"`
			}
		}
		agent.do("GET", "/api/v1/tokens", nil).must(t, 200).json(t, &list)
		revoked := false
		for _, it := range list.Items {
			revoked = revoked || (it.ID == created.ID && it.RevokedAt != nil)
		}
		if !revoked {
			t.Fatalf("revoked token not shown as revoked: %+v", list)
		}
		h.bearer("tkt_not-a-token").do("GET", "/api/v1/me", nil).must(t, 401)
		c := h.anon()
		c.hdr = map[string]string{"Authorization": "Basic Zm9vOmJhcg=="}
		c.do("GET", "/api/v1/me", nil).must(t, 401)
	})
}

// TestLogoutEverywhere: every session and token of the caller stop
// working; other users' do not.
func TestLogoutEverywhere(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		h := newHarness(t, dsn, harnessOpts{})
		first := h.login("agent@acme.test", agentPassword)
		second := h.login("agent@acme.test", agentPassword)
		first.do("POST", "/api/v1/auth/logout-everywhere", nil).must(t, 204)
		first.do("GET", "/api/v1/me", nil).must(t, 401)
		second.do("GET", "/api/v1/me", nil).must(t, 401)
		h.bearer(h.agentToken).do("GET", "/api/v1/me", nil).must(t, 401)
		h.bearer(h.adminToken).do("GET", "/api/v1/me", nil).must(t, 200)
	})
}
