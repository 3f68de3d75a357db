package auth

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func testBox(t *testing.T) *secret.Box {
	t.Helper()
	box, err := secret.ParseKeys(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'k'}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// TestTwoFactorLifecycle: Ada (an admin with a password) turns two-factor
// on, signs in with codes and recovery codes, each good once, and turns it
// off again; an admin requirement keeps it on.
func TestTwoFactorLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		box := testBox(t)
		s := replica(Config{Secrets: box})
		ada, err := b.st.UserByEmail(b.ctx, "ada@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		codeAt := func(secret string, after time.Duration) string {
			t.Helper()
			c, err := TOTPCode(secret, b.now.Add(after), totpOpts)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		signIn := func(code string) error {
			_, err := s.LoginTOTP(b.ctx, "ada@acme.test", "right password", code, Client{RemoteAddr: "192.0.2.1"})
			return err
		}
		stored := func() store.TOTP {
			t.Helper()
			tt, err := b.st.TOTPByUser(b.ctx, ada.ID)
			if err != nil {
				t.Fatal(err)
			}
			return tt
		}

		// Without the encryption key there is nothing to seal the secret with.
		if _, err := replica(Config{}).StartTOTP(b.ctx, ada); err == nil || errors.Is(err, ErrTOTPOn) {
			t.Fatalf("StartTOTP without a key: %v", err)
		}
		if _, err := b.st.TOTPByUser(b.ctx, ada.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a refused enrolment was stored: %v", err)
		}

		en, err := s.StartTOTP(b.ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		if en.Secret == "" || !strings.HasPrefix(en.URI, "otpauth://totp/Ticketer:ada@acme.test?") ||
			!strings.Contains(en.URI, "secret="+en.Secret) || !strings.Contains(en.URI, "issuer=Ticketer") {
			t.Fatalf("enrolment %q, %q", en.Secret, en.URI)
		}
		raw, ok := strings.CutPrefix(en.QRPNG, "data:image/png;base64,")
		pngBytes, err := base64.StdEncoding.DecodeString(raw)
		if !ok || err != nil {
			t.Fatalf("QR code %.40q: %v", en.QRPNG, err)
		}
		if img, err := png.Decode(bytes.NewReader(pngBytes)); err != nil || img.Bounds().Dx() != 240 || img.Bounds().Dy() != 240 {
			t.Fatalf("QR code image: %v", err)
		}
		if p := stored(); p.Enabled || p.Secret == en.Secret {
			t.Fatalf("pending enrolment %+v: enabled, or its secret stored in clear", p)
		} else if open, err := box.Open(p.Secret); err != nil || open != en.Secret {
			t.Fatalf("the sealed secret opens to %q, %v", open, err)
		}

		// Pending, it asks nothing at sign-in and cannot be "turned off".
		if err := signIn(""); err != nil {
			t.Fatalf("sign-in with a pending enrolment: %v", err)
		}
		wantKind(t, s.DisableTOTP(b.ctx, ada, codeAt(en.Secret, 0)), domain.KindInvalid)
		if on, err := s.TOTPEnabled(b.ctx, ada); err != nil || on {
			t.Fatalf("enabled %v, %v before confirmation", on, err)
		}

		// A code two steps ahead is out of the skew; the current one confirms.
		_, err = s.ConfirmTOTP(b.ctx, ada, codeAt(en.Secret, 2*totpPeriod*time.Second))
		wantKind(t, err, domain.KindInvalid)
		codes, err := s.ConfirmTOTP(b.ctx, ada, codeAt(en.Secret, 0))
		if err != nil || len(codes) != recoveryCount {
			t.Fatalf("confirm: %d codes, %v", len(codes), err)
		}
		if p := stored(); !p.Enabled || p.LastStep != b.now.Unix()/totpPeriod || len(strings.Split(p.Recovery, "\n")) != recoveryCount {
			t.Fatalf("confirmed enrolment %+v", p)
		}
		if _, err := s.ConfirmTOTP(b.ctx, ada, codeAt(en.Secret, 0)); !errors.Is(err, ErrTOTPOn) {
			t.Fatalf("confirming again: %v", err)
		}
		if _, err := s.StartTOTP(b.ctx, ada); !errors.Is(err, ErrTOTPOn) {
			t.Fatalf("starting again: %v", err)
		}
		if on, err := s.TOTPEnabled(b.ctx, ada); err != nil || !on {
			t.Fatalf("enabled %v, %v after confirmation", on, err)
		}

		for i, c := range []struct {
			after time.Duration // moves the clock first
			code  string
			want  error
		}{
			{code: "", want: ErrTOTPRequired},
			{code: "   ", want: ErrTOTPRequired},
			{code: codeAt(en.Secret, 0), want: ErrTOTPInvalid}, // its step confirmed the enrolment
			{after: totpPeriod * time.Second, code: " " + codeAt(en.Secret, totpPeriod*time.Second) + " "},
			{code: codeAt(en.Secret, totpPeriod*time.Second), want: ErrTOTPInvalid}, // replayed
			{code: codes[0]}, // the first recovery code
			{code: codes[0], want: ErrTOTPInvalid},
			{code: strings.ToLower(strings.Replace(codes[9], "-", "", 1))}, // the last, typed loosely
			{code: "AAAAA-AAAAA", want: ErrTOTPInvalid},
		} {
			b.now = b.now.Add(c.after)
			if err := signIn(c.code); !errors.Is(err, c.want) {
				t.Fatalf("sign-in %d with %q: %v, want %v", i, c.code, err, c.want)
			}
		}
		if left := strings.Split(stored().Recovery, "\n"); len(left) != recoveryCount-2 {
			t.Fatalf("%d recovery codes left after using 2", len(left))
		}

		// Required by an admin, two-factor cannot be turned off.
		if err := s.SetRequireTwoFactor(b.ctx, ada, true); err != nil {
			t.Fatal(err)
		}
		if req, err := s.RequireTwoFactor(b.ctx); err != nil || !req {
			t.Fatalf("required %v, %v", req, err)
		}
		if err := s.DisableTOTP(b.ctx, ada, codes[1]); !errors.Is(err, ErrTOTPRequiredByAdmin) {
			t.Fatalf("turning off while required: %v", err)
		}
		if err := s.SetRequireTwoFactor(b.ctx, ada, false); err != nil {
			t.Fatal(err)
		}
		if req, err := s.RequireTwoFactor(b.ctx); err != nil || req {
			t.Fatalf("required %v, %v after lifting it", req, err)
		}

		wantKind(t, s.DisableTOTP(b.ctx, ada, codeAt(en.Secret, 3*totpPeriod*time.Second)), domain.KindInvalid)
		if err := s.DisableTOTP(b.ctx, ada, codes[1]); err != nil {
			t.Fatalf("turning off with a recovery code: %v", err)
		}
		if on, err := s.TOTPEnabled(b.ctx, ada); err != nil || on {
			t.Fatalf("enabled %v, %v after turning off", on, err)
		}
		if err := signIn(""); err != nil {
			t.Fatalf("sign-in after turning off: %v", err)
		}
		if err := s.SetRequireTwoFactor(b.ctx, ada, true); !errors.Is(err, ErrTOTPOff) {
			t.Fatalf("requiring two-factor without it: %v", err)
		}
	})
}

// TestDisableTOTPWithCode: the current code turns two-factor off too (the
// six-digit path; a recovery code takes the other).
func TestDisableTOTPWithCode(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		s := replica(Config{Secrets: testBox(t)})
		ada, err := b.st.UserByEmail(b.ctx, "ada@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		en, err := s.StartTOTP(b.ctx, ada)
		if err != nil {
			t.Fatal(err)
		}
		code, err := TOTPCode(en.Secret, b.now, totpOpts)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ConfirmTOTP(b.ctx, ada, code); err != nil {
			t.Fatal(err)
		}
		b.now = b.now.Add(totpPeriod * time.Second)
		if code, err = TOTPCode(en.Secret, b.now, totpOpts); err != nil {
			t.Fatal(err)
		}
		if err := s.DisableTOTP(b.ctx, ada, code); err != nil {
			t.Fatalf("turning off with the current code: %v", err)
		}
		if _, err := b.st.TOTPByUser(b.ctx, ada.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the enrolment is still stored: %v", err)
		}
	})
}
