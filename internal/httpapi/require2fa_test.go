package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// enrolSelf turns two-factor on for the caller, whoever they are.
func enrolSelf(t *testing.T, h *harness, c *client) {
	t.Helper()
	var e struct {
		Secret string `json:"secret"`
	}
	c.do("POST", "/api/v1/me/2fa", nil).must(t, 200).json(t, &e)
	c.do("POST", "/api/v1/me/2fa/confirm", map[string]string{"code": totpNow(t, e.Secret, h.clock.Now())}).must(t, 200)
}

// TestRequireTwoFactor: once an admin requires two-factor, a session of a
// user without it reaches only the enrolment routes (403
// totp_enrolment_required elsewhere) until they turn it on; API tokens are
// unaffected; nobody can then turn it off; only an admin with two-factor on
// may require it.
func TestRequireTwoFactor(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		admin := h.login("admin@acme.test", adminPassword)
		var set struct {
			Require bool `json:"require_2fa"`
		}
		admin.do("GET", "/api/v1/settings", nil).must(t, 200).json(t, &set)
		if set.Require {
			t.Fatal("required by default")
		}
		// The agent may not change it; the admin may not without two-factor.
		if code, _ := h.login("agent@acme.test", agentPassword).do("PATCH", "/api/v1/settings", map[string]bool{"require_2fa": true}).
			must(t, 403).errorOf(t); code != "forbidden" {
			t.Fatalf("agent: %s", code)
		}
		if code, _ := admin.do("PATCH", "/api/v1/settings", map[string]bool{"require_2fa": true}).must(t, 409).errorOf(t); code != "totp_off" {
			t.Fatalf("admin without two-factor: %s", code)
		}
		enrolSelf(t, h, admin)
		admin.do("PATCH", "/api/v1/settings", map[string]bool{"require_2fa": true}).must(t, 200).json(t, &set)
		if !set.Require {
			t.Fatal("not on")
		}
		// The agent signs in with the password alone (they have no code yet)...
		agent := h.login("agent@acme.test", agentPassword)
		var me struct {
			TwoFactor bool `json:"two_factor"`
			Required  bool `json:"two_factor_required"`
		}
		agent.do("GET", "/api/v1/me", nil).must(t, 200).json(t, &me)
		if me.TwoFactor || !me.Required {
			t.Fatalf("me %+v", me)
		}
		// ... and reaches nothing else.
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/tickets"}, {"GET", "/api/v1/mailboxes"}, {"GET", "/api/v1/settings"}, {"POST", "/api/v1/tokens"},
			{"PATCH", "/api/v1/me"}, {"DELETE", "/api/v1/me/2fa"},
		} {
			if code, _ := agent.do(c.method, c.path, map[string]string{"name": "x"}).must(t, 403).errorOf(t); code != "totp_enrolment_required" {
				t.Fatalf("%s %s: %s", c.method, c.path, code)
			}
		}
		// An API token of the same user is not held back.
		h.bearer(h.agentToken).do("GET", "/api/v1/tickets", nil).must(t, 200)
		// Enrolment opens the app to the same session.
		enrolSelf(t, h, agent)
		agent.do("GET", "/api/v1/tickets", nil).must(t, 200)
		// Turning it off is refused while it is required.
		if code, _ := agent.do("DELETE", "/api/v1/me/2fa", map[string]string{"code": "000000"}).must(t, 409).errorOf(t); code != "totp_required_by_admin" {
			t.Fatalf("disable: %s", code)
		}
		// Off again: sign-out still works for anyone, and the setting is off.
		admin.do("PATCH", "/api/v1/settings", map[string]bool{"require_2fa": false}).must(t, 200).json(t, &set)
		if set.Require {
			t.Fatal("still on")
		}
	})
}

// TestSignOutWhileEnrolmentIsPending: sign-out is one of the routes a
// session that must enrol still reaches.
func TestSignOutWhileEnrolmentIsPending(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		if err := h.st.SetSetting(context.Background(), store.SettingRequire2FA, "true"); err != nil {
			t.Fatal(err)
		}
		agent := h.login("agent@acme.test", agentPassword)
		agent.do("POST", "/api/v1/auth/logout", nil).must(t, 204)
		agent.do("GET", "/api/v1/me", nil).must(t, 401)
	})
}

// TestMailboxListShowsTheOpenAlert: every signed-in user sees a broken
// mailbox's alert in the list (the UI's banner); null otherwise.
func TestMailboxListShowsTheOpenAlert(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		if err := h.st.DB().InTx(ctx, func(tx *store.Tx) error {
			_, err := h.st.RaiseAlert(ctx, tx, store.MailboxAlert{MailboxID: h.mailbox, Reason: store.AlertAuth, Detail: "invalid_grant",
				Since: at, RaisedAt: at.Add(time.Minute)})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var list struct {
			Items []struct {
				ID    int64 `json:"id"`
				Alert *struct {
					Reason, Detail string
					Since          time.Time `json:"since"`
					RaisedAt       time.Time `json:"raised_at"`
				} `json:"alert"`
			} `json:"items"`
		}
		h.bearer(h.agentToken).do("GET", "/api/v1/mailboxes", nil).must(t, 200).json(t, &list)
		a := list.Items[0].Alert
		if a == nil || a.Reason != "auth" || a.Detail != "invalid_grant" || !a.Since.Equal(at) || !a.RaisedAt.Equal(at.Add(time.Minute)) {
			t.Fatalf("alert %+v", a)
		}
		if err := h.st.DB().InTx(ctx, func(tx *store.Tx) error {
			_, err := h.st.ResolveAlert(ctx, tx, h.mailbox, at.Add(time.Hour))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		h.bearer(h.agentToken).do("GET", "/api/v1/mailboxes", nil).must(t, 200).json(t, &list)
		if list.Items[0].Alert != nil {
			t.Fatalf("resolved alert still shown: %+v", list.Items[0].Alert)
		}
	})
}
