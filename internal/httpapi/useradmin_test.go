package httpapi_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store/storetest"
)

type createdUser struct {
	ID         int64           `json:"id"`
	Email      string          `json:"email"`
	Invitation *invitationLink `json:"invitation"`
}

type invitationLink struct {
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expires_at"`
}

// token is the secret part of an invitation link.
func (l invitationLink) token(t *testing.T) string {
	t.Helper()
	_, tok, ok := strings.Cut(l.URL, "/invite/")
	if !ok || tok == "" {
		t.Fatalf("not an invitation link: %q", l.URL)
	}
	return tok
}

func TestInvitationOverTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		h := newHarness(t, dsn, harnessOpts{})
		admin := h.bearer(h.adminToken)
		var u createdUser
		admin.do("POST", "/api/v1/users", map[string]string{"email": "nia@acme.test", "name": "Nia New", "role": "agent"}).must(t, 201).json(t, &u)
		if u.Invitation == nil || !strings.HasPrefix(u.Invitation.URL, "http://127.0.0.1:8080/invite/") ||
			!u.Invitation.ExpiresAt.Equal(h.clock.Now().Add(7*24*time.Hour)) {
			t.Fatalf("a user without a password got no invitation link: %+v", u)
		}
		tok := u.Invitation.token(t)
		path := "/api/v1/auth/invitations/" + tok

		var inv struct{ Email, Name string }
		h.anon().do("GET", path, nil).must(t, 200).json(t, &inv)
		if inv.Email != "nia@acme.test" || inv.Name != "Nia New" {
			t.Fatalf("invitation %+v", inv)
		}
		t.Run("a password that breaks the rules is refused, the link stays", func(t *testing.T) {
			if _, field := h.anon().do("POST", path, map[string]string{"password": "short"}).must(t, 422).errorOf(t); field != "password" {
				t.Fatalf("field %q", field)
			}
		})
		browser := h.browser()
		var s struct {
			User struct{ Email string } `json:"user"`
		}
		browser.do("POST", path, map[string]string{"password": "nia's long password"}).must(t, 200).json(t, &s)
		if s.User.Email != "nia@acme.test" {
			t.Fatalf("session for %q", s.User.Email)
		}
		browser.do("GET", "/api/v1/me", nil).must(t, 200)
		h.login("nia@acme.test", "nia's long password")

		t.Run("reuse", func(t *testing.T) {
			if code, _ := h.anon().do("POST", path, map[string]string{"password": "somebody else's password"}).must(t, 409).errorOf(t); code != "conflict" {
				t.Fatalf("code %q", code)
			}
			h.anon().do("GET", path, nil).must(t, 409)
		})
		t.Run("a wrong token", func(t *testing.T) {
			if code, _ := h.anon().do("POST", "/api/v1/auth/invitations/tki_wrong", map[string]string{"password": "a long password 2"}).must(t, 404).errorOf(t); code != "not_found" {
				t.Fatalf("code %q", code)
			}
		})
		t.Run("expired", func(t *testing.T) {
			var link invitationLink
			admin.do("POST", fmt.Sprintf("/api/v1/users/%d/invite", u.ID), nil).must(t, 201).json(t, &link)
			h.clock.advance(7 * 24 * time.Hour)
			r := h.anon().do("POST", "/api/v1/auth/invitations/"+link.token(t), map[string]string{"password": "a long password 3"}).must(t, 409)
			if !strings.Contains(string(r.body), "expired") {
				t.Fatalf("body %s", r.body)
			}
			h.login("nia@acme.test", "nia's long password") // unchanged
		})
		t.Run("a user made with a password gets no link", func(t *testing.T) {
			var v createdUser
			admin.do("POST", "/api/v1/users", map[string]string{"email": "pat@acme.test", "name": "Pat", "role": "agent", "password": "pat's long password"}).
				must(t, 201).json(t, &v)
			if v.Invitation != nil {
				t.Fatalf("invitation %+v", v.Invitation)
			}
		})
		t.Run("an unknown user", func(t *testing.T) {
			admin.do("POST", "/api/v1/users/424242/invite", nil).must(t, 404)
		})
	})
}

func TestChangeMyPasswordOverTheAPI(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		h := newHarness(t, dsn, harnessOpts{})
		here := h.login("agent@acme.test", agentPassword)
		elsewhere := h.login("agent@acme.test", agentPassword)
		for _, c := range []struct {
			name  string
			body  map[string]string
			field string
		}{
			{"wrong current password", map[string]string{"current": "not my password", "new": "a new long password"}, "current"},
			{"a new password that breaks the rules", map[string]string{"current": agentPassword, "new": "short"}, "new"},
		} {
			t.Run(c.name, func(t *testing.T) {
				if _, field := here.do("POST", "/api/v1/me/password", c.body).must(t, 422).errorOf(t); field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
		// The session's CSRF check applies as to every change.
		noCSRF := *here
		noCSRF.csrf = ""
		noCSRF.do("POST", "/api/v1/me/password", map[string]string{"current": agentPassword, "new": "a new long password"}).must(t, 403)

		here.do("POST", "/api/v1/me/password", map[string]string{"current": agentPassword, "new": "a new long password"}).must(t, 204)
		here.do("GET", "/api/v1/me", nil).must(t, 200)
		elsewhere.do("GET", "/api/v1/me", nil).must(t, 401)
		h.login("agent@acme.test", "a new long password")
		h.anon().do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword}).must(t, 401)
	})
}

func TestAuthConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		o    harnessOpts
		want bool
	}{
		{"dev login off", harnessOpts{}, false},
		{"dev login on, local base URL", harnessOpts{allowDevLogin: true, baseURL: "http://localhost:8080"}, true},
		{"dev login on, public base URL", harnessOpts{allowDevLogin: true, baseURL: "https://help.acme.test"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, storetest.SQLiteURL(t), c.o)
			var cfg struct {
				DevLogin *bool `json:"dev_login"`
			}
			h.anon().do("GET", "/api/v1/auth/config", nil).must(t, 200).json(t, &cfg)
			if cfg.DevLogin == nil || *cfg.DevLogin != c.want {
				t.Fatalf("dev_login %v, want %v", cfg.DevLogin, c.want)
			}
		})
	}
}

// TestAuthConfigSSO: the sign-in page learns whether SSO is there and
// whether passwords still work; without SSO its routes are not mounted.
func TestAuthConfigSSO(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name          string
		o             harnessOpts
		sso, password bool
		startStatus   int
	}{
		{"no sso", harnessOpts{noSSO: true}, false, true, 404},
		{"sso beside passwords", harnessOpts{}, true, true, 200},
		{"sso only", harnessOpts{ssoOnly: true}, true, false, 200},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, storetest.SQLiteURL(t), c.o)
			var cfg struct {
				SSO      *bool `json:"sso"`
				Password *bool `json:"password_login"`
			}
			h.anon().do("GET", "/api/v1/auth/config", nil).must(t, 200).json(t, &cfg)
			if cfg.SSO == nil || *cfg.SSO != c.sso || cfg.Password == nil || *cfg.Password != c.password {
				t.Fatalf("sso %v, password_login %v; want %v, %v", cfg.SSO, cfg.Password, c.sso, c.password)
			}
			h.anon().do("GET", "/api/v1/auth/oidc/start", nil).must(t, c.startStatus)
		})
	}
}

// TestSSOOnlyLogin: with SSO the only way, a password is refused with 403
// sso_only, but for the break-glass admin.
func TestSSOOnlyLogin(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.SQLiteURL(t), harnessOpts{ssoOnly: true, breakGlass: "admin@acme.test"})
	res := h.anon().do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword}).must(t, 403)
	if !strings.Contains(string(res.body), `"sso_only"`) {
		t.Fatalf("answer %s, want code sso_only", res.body)
	}
	h.login("admin@acme.test", adminPassword)
}

// outboxWith returns the outbox file containing s (soft line breaks of
// quoted-printable undone), or "".
func (h *harness) outboxWith(s string) string {
	entries, _ := os.ReadDir(h.outbox)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(h.outbox, e.Name()))
		if text := strings.ReplaceAll(string(data), "=\r\n", ""); err == nil && strings.Contains(text, s) {
			return text
		}
	}
	return ""
}

// An invitation made in the UI or the API is mailed to the user, from a
// mailbox that works (here the outbox folder), and the admin still gets the
// link; a reset link for a user with a password is mailed the same way.
// When the mail cannot go, the admin is told why and has the link.
func TestInvitationIsMailed(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		admin := h.bearer(h.adminToken)
		var u struct {
			ID         int64 `json:"id"`
			Invitation struct {
				URL       string  `json:"url"`
				MailedTo  *string `json:"mailed_to"`
				MailError *string `json:"mail_error"`
			} `json:"invitation"`
		}
		admin.do("POST", "/api/v1/users", map[string]string{"email": "nia@acme.test", "name": "Nia New", "role": "agent"}).must(t, 201).json(t, &u)
		if u.Invitation.MailedTo == nil || *u.Invitation.MailedTo != "nia@acme.test" || u.Invitation.MailError != nil || u.Invitation.URL == "" {
			t.Fatalf("invitation %+v", u.Invitation)
		}
		eml := h.outboxWith(u.Invitation.URL)
		if !strings.Contains(eml, "To: \"Nia New\" <nia@acme.test>") || !strings.Contains(eml, "From: \"Acme Support\" <support@acme.test>") ||
			!strings.Contains(eml, "Subject: You are invited to Ticketer") || !strings.Contains(eml, "Auto-Submitted: auto-generated") {
			t.Fatalf("no invitation mail with the link in the outbox:\n%s", eml)
		}

		var reset struct {
			URL      string  `json:"url"`
			MailedTo *string `json:"mailed_to"`
		}
		admin.do("POST", fmt.Sprintf("/api/v1/users/%d/invite", h.agent.ID), nil).must(t, 201).json(t, &reset)
		if reset.MailedTo == nil || *reset.MailedTo != "agent@acme.test" || !strings.Contains(h.outboxWith(reset.URL), "Subject: Reset your Ticketer password") {
			t.Fatalf("reset link not mailed: %+v", reset)
		}

		// The system-mail mailbox's relay refuses connections: not mailed, and said so.
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		down := ln.Addr().String()
		ln.Close()
		admin.do("PATCH", fmt.Sprintf("/api/v1/mailboxes/%d", h.mailbox), map[string]any{"smtp_relay": "smtp://" + down + "?tls=none", "system_mail": true}).must(t, 200)
		u.Invitation.MailedTo, u.Invitation.MailError = nil, nil
		admin.do("POST", "/api/v1/users", map[string]string{"email": "ola@acme.test", "name": "Ola", "role": "agent"}).must(t, 201).json(t, &u)
		if u.Invitation.URL == "" || u.Invitation.MailedTo != nil || u.Invitation.MailError == nil || !strings.Contains(*u.Invitation.MailError, "connect") {
			t.Fatalf("invitation through a dead relay %+v", u.Invitation)
		}
	})
}
