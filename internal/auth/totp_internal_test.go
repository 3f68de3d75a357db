package auth

import (
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The SHA1 rows of RFC 6238 appendix B: secret "12345678901234567890", 8 digits.
func TestTOTPRFC6238Vectors(t *testing.T) {
	t.Parallel()
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of 12345678901234567890
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsEight, Algorithm: otp.AlgorithmSHA1}
	for _, v := range []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	} {
		t.Run(v.code, func(t *testing.T) {
			t.Parallel()
			got, err := TOTPCode(secret, time.Unix(v.unix, 0), opts)
			if err != nil || got != v.code {
				t.Fatalf("code at %d = %q %v, want %s", v.unix, got, err, v.code)
			}
			step, ok := matchStep(secret, v.code, time.Unix(v.unix, 0), opts)
			if !ok || step != v.unix/30 {
				t.Fatalf("matchStep = %d %v, want step %d", step, ok, v.unix/30)
			}
		})
	}
}

// One step of clock skew either way is accepted, two are not.
func TestTOTPSkew(t *testing.T) {
	t.Parallel()
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Unix(1_800_000_015, 0)
	for _, c := range []struct {
		offset time.Duration
		ok     bool
	}{{-60 * time.Second, false}, {-30 * time.Second, true}, {0, true}, {30 * time.Second, true}, {60 * time.Second, false}} {
		t.Run(c.offset.String(), func(t *testing.T) {
			t.Parallel()
			code, err := TOTPCode(secret, now.Add(c.offset), totpOpts)
			if err != nil {
				t.Fatal(err)
			}
			step, ok := matchStep(secret, code, now, totpOpts)
			if ok != c.ok {
				t.Fatalf("code from %s: accepted %v, want %v", c.offset, ok, c.ok)
			}
			if ok && step != now.Add(c.offset).Unix()/30 {
				t.Fatalf("step %d", step)
			}
		})
	}
	if _, ok := matchStep(secret, "12345", now, totpOpts); ok {
		t.Fatal("a 5-digit code was accepted")
	}
}

func TestRecoveryCodeShape(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 50 {
		c := recoveryCode()
		if len(c) != 11 || c[5] != '-' || seen[c] {
			t.Fatalf("recovery code %q (or a repeat)", c)
		}
		seen[c] = true
		if normRecovery(c) != normRecovery(" "+c[:5]+c[6:]) {
			t.Fatal("recovery code not accepted without its dash")
		}
	}
}
