package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func totpNow(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// enrol turns two-factor on for the agent and returns the secret and the
// recovery codes.
func enrol(t *testing.T, h *harness, c *client) (string, []string) {
	t.Helper()
	var e struct {
		Secret     string `json:"secret"`
		OtpauthURI string `json:"otpauth_uri"`
		QRPNG      string `json:"qr_png"`
	}
	c.do("POST", "/api/v1/me/2fa", nil).must(t, 200).json(t, &e)
	if e.Secret == "" || e.OtpauthURI != "otpauth://totp/Ticketer:agent@acme.test?algorithm=SHA1&digits=6&issuer=Ticketer&period=30&secret="+e.Secret {
		t.Fatalf("enrolment %+v", e)
	}
	if !strings.HasPrefix(e.QRPNG, "data:image/png;base64,iVBORw0KGgo") {
		t.Fatalf("QR code %.40q", e.QRPNG)
	}
	if code, _ := c.do("POST", "/api/v1/me/2fa/confirm", map[string]string{"code": "000000x"}).must(t, 422).errorOf(t); code == "" {
		t.Fatal("no error code")
	}
	var r struct {
		Codes []string `json:"recovery_codes"`
	}
	c.do("POST", "/api/v1/me/2fa/confirm", map[string]string{"code": totpNow(t, e.Secret, h.clock.Now())}).must(t, 200).json(t, &r)
	if len(r.Codes) != 10 {
		t.Fatalf("recovery codes %v", r.Codes)
	}
	if code, _ := c.do("POST", "/api/v1/me/2fa", nil).must(t, 409).errorOf(t); code != "totp_on" {
		t.Fatalf("second enrolment: %s", code)
	}
	var me struct {
		TwoFactor bool `json:"two_factor"`
	}
	if c.do("GET", "/api/v1/me", nil).must(t, 200).json(t, &me); !me.TwoFactor {
		t.Fatal("GET /api/v1/me does not say two-factor is on")
	}
	return e.Secret, r.Codes
}

func TestTwoFactorSignIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		browser := h.login("agent@acme.test", agentPassword)
		secret, recovery := enrol(t, h, browser)
		login := func(totpCode string) response {
			body := map[string]string{"email": "agent@acme.test", "password": agentPassword}
			if totpCode != "" {
				body["totp"] = totpCode
			}
			return h.anon().do("POST", "/api/v1/auth/login", body)
		}
		if code, _ := login("").must(t, 401).errorOf(t); code != "totp_required" {
			t.Fatalf("without a code: %s", code)
		}
		if code, _ := h.anon().do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": "wrong-one", "totp": "123456"}).must(t, 401).errorOf(t); code != "invalid_credentials" {
			t.Fatalf("wrong password with a code: %s", code)
		}
		h.clock.advance(90 * time.Second) // past the confirming code's window
		wrong := "000000"
		if totpNow(t, secret, h.clock.Now()) == wrong {
			wrong = "111111"
		}
		if code, _ := login(wrong).must(t, 401).errorOf(t); code != "totp_invalid" {
			t.Fatalf("wrong code: %s", code)
		}
		// A code from one step ago (clock skew) is good; once.
		prev := totpNow(t, secret, h.clock.Now().Add(-30*time.Second))
		login(prev).must(t, 200)
		if code, _ := login(prev).must(t, 401).errorOf(t); code != "totp_invalid" {
			t.Fatalf("replayed code: %s", code)
		}
		// The current code is a later step: still good, once.
		cur := totpNow(t, secret, h.clock.Now())
		login(cur).must(t, 200)
		login(cur).must(t, 401)
		// A recovery code works once, typed in lower case without its dash.
		rc := recovery[3]
		login(rc[:5]+rc[6:]).must(t, 200)
		if code, _ := login(rc).must(t, 401).errorOf(t); code != "totp_invalid" {
			t.Fatalf("recovery code reused: %s", code)
		}
		login(recovery[4]).must(t, 200)
		// API tokens are unaffected.
		h.bearer(h.agentToken).do("GET", "/api/v1/me", nil).must(t, 200)
		// Turning it off needs a good code; then the password alone signs in.
		browser.do("DELETE", "/api/v1/me/2fa", map[string]string{"code": recovery[3]}).must(t, 422)
		browser.do("DELETE", "/api/v1/me/2fa", map[string]string{"code": recovery[9]}).must(t, 204)
		login("").must(t, 200)
	})
}

// Wrong codes count against the same limit as wrong passwords: five per
// account and client address, then 429 even with the right code.
func TestTwoFactorRateLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		secret, _ := enrol(t, h, h.login("agent@acme.test", agentPassword))
		h.clock.advance(90 * time.Second)
		c := h.anon()
		wrong := "000000"
		if totpNow(t, secret, h.clock.Now()) == wrong || totpNow(t, secret, h.clock.Now().Add(-30*time.Second)) == wrong {
			wrong = "111111"
		}
		for range 3 {
			c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": "nope-nope"}).must(t, 401)
		}
		// Asking for the code does not count.
		for range 3 {
			c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword}).must(t, 401)
		}
		for range 2 {
			c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword, "totp": wrong}).must(t, 401)
		}
		c.do("POST", "/api/v1/auth/login", map[string]string{"email": "agent@acme.test", "password": agentPassword,
			"totp": totpNow(t, secret, h.clock.Now())}).must(t, 429)
	})
}
