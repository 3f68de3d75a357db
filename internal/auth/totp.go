package auth

// Two-factor authentication: TOTP (RFC 6238: SHA1, 6 digits, 30 s steps)
// through github.com/pquerna/otp, one step of clock skew either way, and
// ten single-use recovery codes stored as sha256.

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Two-factor errors the HTTP layer translates.
var (
	ErrTOTPRequired = errors.New("this account has two-factor authentication on: send the current code (or a recovery code) as totp")
	ErrTOTPInvalid  = errors.New("wrong, expired or already used two-factor code")
	ErrTOTPOn       = errors.New("two-factor authentication is already on; turn it off first")
	// ErrTOTPEnrolment: an admin requires two-factor and the caller has
	// not turned it on; only the enrolment routes answer until they do.
	ErrTOTPEnrolment = errors.New("two-factor authentication is required for every user: turn it on first (POST /api/v1/me/2fa, then /api/v1/me/2fa/confirm)")
	// ErrTOTPRequiredByAdmin: two-factor cannot be turned off while it is required.
	ErrTOTPRequiredByAdmin = errors.New("two-factor authentication is required for every user: it cannot be turned off")
	// ErrTOTPOff: an admin may require two-factor only with it on their own account.
	ErrTOTPOff = errors.New("turn two-factor on for your own account before requiring it for everyone")
)

// RequireTwoFactor reports whether an admin requires two-factor for every user.
func (s *Service) RequireTwoFactor(ctx context.Context) (bool, error) {
	v, _, err := s.store.Setting(ctx, store.SettingRequire2FA)
	return v == "true", err
}

// SetRequireTwoFactor turns the requirement on or off. Turning it on needs
// two-factor on the admin's own account, so they never lock themselves out
// of the setting.
func (s *Service) SetRequireTwoFactor(ctx context.Context, admin store.User, on bool) error {
	if on {
		enabled, err := s.TOTPEnabled(ctx, admin)
		if err != nil {
			return err
		}
		if !enabled {
			return ErrTOTPOff
		}
	}
	return s.store.SetSetting(ctx, store.SettingRequire2FA, strconv.FormatBool(on))
}

const (
	totpPeriod    = 30
	totpSkew      = 1 // steps accepted either side of now
	recoveryCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// TOTPCode is the code of secret (base32) at t, with opts (tests use the
// RFC 6238 vectors' 8 digits).
func TOTPCode(secret string, t time.Time, opts totp.ValidateOpts) (string, error) {
	return totp.GenerateCodeCustom(secret, t, opts)
}

// matchStep returns the step whose code equals code, within the skew of
// now; ok false when none does.
func matchStep(secret, code string, now time.Time, opts totp.ValidateOpts) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != opts.Digits.Length() {
		return 0, false
	}
	cur := now.Unix() / int64(opts.Period)
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := cur + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*int64(opts.Period), 0), opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// TOTPEnabled reports whether u has two-factor on.
func (s *Service) TOTPEnabled(ctx context.Context, u store.User) (bool, error) {
	t, err := s.store.TOTPByUser(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return t.Enabled, err
}

// Enrolment is a two-factor secret just made, with its otpauth:// URI.
type Enrolment struct{ Secret, URI, QRPNG string }

// StartTOTP makes a new secret for u and stores it sealed, pending
// confirmation.
func (s *Service) StartTOTP(ctx context.Context, u store.User) (Enrolment, error) {
	if s.cfg.Secrets == nil {
		return Enrolment{}, errors.New("two-factor needs the encryption key")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Ticketer", AccountName: u.Email, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("two-factor secret: %w", err)
	}
	sealed, err := s.cfg.Secrets.Seal(key.Secret())
	if err != nil {
		return Enrolment{}, err
	}
	ok, err := s.store.StartTOTP(ctx, u.ID, sealed)
	if err != nil {
		return Enrolment{}, err
	}
	if !ok {
		return Enrolment{}, ErrTOTPOn
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return Enrolment{}, fmt.Errorf("two-factor QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrolment{}, fmt.Errorf("two-factor QR code: %w", err)
	}
	return Enrolment{Secret: key.Secret(), URI: key.URL(), QRPNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// ConfirmTOTP turns u's pending enrolment on with one code and returns the
// recovery codes, which exist in clear only here.
func (s *Service) ConfirmTOTP(ctx context.Context, u store.User, code string) ([]string, error) {
	t, err := s.store.TOTPByUser(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, domain.Invalid("code", "start two-factor enrolment first (POST /api/v1/me/2fa)")
	}
	if err != nil {
		return nil, err
	}
	if t.Enabled {
		return nil, ErrTOTPOn
	}
	secret, err := s.cfg.Secrets.Open(t.Secret)
	if err != nil {
		return nil, err
	}
	step, ok := matchStep(secret, code, s.now(), totpOpts)
	if !ok {
		return nil, domain.Invalid("code", "is not the current code of the new secret")
	}
	codes := make([]string, recoveryCount)
	hashes := make([]string, recoveryCount)
	for i := range codes {
		codes[i] = recoveryCode()
		hashes[i] = HashToken(normRecovery(codes[i]))
	}
	on, err := s.store.EnableTOTP(ctx, u.ID, strings.Join(hashes, "\n"), step)
	if err != nil {
		return nil, err
	}
	if !on {
		return nil, ErrTOTPOn
	}
	return codes, nil
}

// DisableTOTP turns two-factor off for u, given a current or recovery code.
func (s *Service) DisableTOTP(ctx context.Context, u store.User, code string) error {
	if req, err := s.RequireTwoFactor(ctx); err != nil || req {
		return cmp.Or(err, ErrTOTPRequiredByAdmin)
	}
	ok, err := s.checkSecondFactor(ctx, u.ID, code)
	if err != nil {
		return err
	}
	if !ok {
		return domain.Invalid("code", "is not a current two-factor code nor an unused recovery code")
	}
	return s.store.DeleteTOTP(ctx, u.ID)
}

// secondFactor reports whether u needs a code, and if so whether code is
// good (a code is good once: its step, or the recovery code, is used up).
func (s *Service) secondFactor(ctx context.Context, u store.User, code string) error {
	t, err := s.store.TOTPByUser(ctx, u.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !t.Enabled) {
		return nil
	}
	if err != nil {
		return err
	}
	if strings.TrimSpace(code) == "" {
		return ErrTOTPRequired
	}
	ok, err := s.checkSecondFactor(ctx, u.ID, code)
	if err != nil {
		return err
	}
	if !ok {
		return ErrTOTPInvalid
	}
	return nil
}

// checkSecondFactor checks code against the enabled enrolment of userID,
// using it up when good.
func (s *Service) checkSecondFactor(ctx context.Context, userID int64, code string) (bool, error) {
	t, err := s.store.TOTPByUser(ctx, userID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !t.Enabled) {
		return false, domain.Invalid("code", "two-factor authentication is not on")
	}
	if err != nil {
		return false, err
	}
	code = strings.TrimSpace(code)
	if len(code) == totpOpts.Digits.Length() {
		secret, err := s.cfg.Secrets.Open(t.Secret)
		if err != nil {
			return false, err
		}
		step, ok := matchStep(secret, code, s.now(), totpOpts)
		if !ok {
			return false, nil
		}
		return s.store.UseTOTPStep(ctx, userID, step)
	}
	hashes := strings.Split(t.Recovery, "\n")
	h := HashToken(normRecovery(code))
	i := slices.Index(hashes, h)
	if i < 0 || t.Recovery == "" {
		return false, nil
	}
	return s.store.UseRecovery(ctx, userID, t.Recovery, strings.Join(slices.Delete(hashes, i, i+1), "\n"))
}

// normRecovery lets a recovery code be typed in either case, with or
// without its dash.
func normRecovery(c string) string {
	return strings.NewReplacer(" ", "", "-", "").Replace(strings.ToUpper(c))
}

// recoveryCode is 10 characters of an unambiguous base32 alphabet, 50 bits,
// written XXXXX-XXXXX.
func recoveryCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:5]) + "-" + string(b[5:])
}
