package store

import (
	"context"
	"database/sql"
	"fmt"
)

// TOTP is a user's two-factor enrolment. Secret is sealed; Recovery holds
// the sha256 (hex) of each unused recovery code, one a line.
type TOTP struct {
	UserID   int64
	Secret   string
	Enabled  bool
	LastStep int64
	Recovery string
}

// TOTPByUser returns userID's enrolment; ErrNotFound when there is none.
func (s *Store) TOTPByUser(ctx context.Context, userID int64) (TOTP, error) {
	t := TOTP{UserID: userID}
	err := s.db.QueryRow(ctx, `SELECT secret, enabled, last_step, recovery FROM user_totp WHERE user_id = $1`, userID).
		Scan(&t.Secret, &t.Enabled, &t.LastStep, &t.Recovery)
	if err != nil {
		return t, fmt.Errorf("two-factor of user %d: %w", userID, err)
	}
	return t, nil
}

// StartTOTP stores a new, not yet enabled secret for userID, replacing an
// unconfirmed one. It reports false when two-factor is already on.
func (s *Store) StartTOTP(ctx context.Context, userID int64, sealed string) (bool, error) {
	n, err := s.db.Exec(ctx, `INSERT INTO user_totp (user_id, secret) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0, recovery = ''
		WHERE user_totp.enabled = FALSE`, userID, sealed)
	if err != nil {
		return false, fmt.Errorf("start two-factor: %w", err)
	}
	return n == 1, nil
}

// EnableTOTP turns userID's pending enrolment on, with the recovery code
// hashes and the step of the confirming code. False when it is not pending.
func (s *Store) EnableTOTP(ctx context.Context, userID int64, recovery string, step int64) (bool, error) {
	n, err := s.db.Exec(ctx, `UPDATE user_totp SET enabled = TRUE, recovery = $2, last_step = $3
		WHERE user_id = $1 AND enabled = FALSE`, userID, recovery, step)
	if err != nil {
		return false, fmt.Errorf("enable two-factor: %w", err)
	}
	return n == 1, nil
}

// UseTOTPStep records that a code of step was accepted; false when this or
// a later step was already used (a replayed code).
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	n, err := s.db.Exec(ctx, `UPDATE user_totp SET last_step = $2 WHERE user_id = $1 AND last_step < $2`, userID, step)
	if err != nil {
		return false, fmt.Errorf("use two-factor code: %w", err)
	}
	return n == 1, nil
}

// UseRecovery replaces the recovery hashes old with next, only if nobody
// changed them meanwhile: a recovery code is taken once, even by two
// sign-ins at the same time.
func (s *Store) UseRecovery(ctx context.Context, userID int64, old, next string) (bool, error) {
	n, err := s.db.Exec(ctx, `UPDATE user_totp SET recovery = $3 WHERE user_id = $1 AND recovery = $2`, userID, old, next)
	if err != nil {
		return false, fmt.Errorf("use recovery code: %w", err)
	}
	return n == 1, nil
}

// DeleteTOTP turns two-factor off for userID.
func (s *Store) DeleteTOTP(ctx context.Context, userID int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM user_totp WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete two-factor: %w", err)
	}
	return nil
}

// ResealTOTPSecrets passes every two-factor secret through reseal and
// stores those it changed, unless changed meanwhile; it returns how many.
func (s *Store) ResealTOTPSecrets(ctx context.Context, reseal func(string) (string, bool, error)) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT user_id, secret FROM user_totp ORDER BY user_id`)
	if err != nil {
		return 0, fmt.Errorf("reseal two-factor: %w", err)
	}
	type row struct {
		id     int64
		secret string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.secret); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reseal two-factor: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reseal two-factor: %w", err)
	}
	n := 0
	for _, r := range all {
		out, changed, err := reseal(r.secret)
		if err != nil || !changed {
			continue
		}
		done, err := s.db.Exec(ctx, `UPDATE user_totp SET secret = $1 WHERE user_id = $2 AND secret = $3`, out, r.id, r.secret)
		if err != nil {
			return n, fmt.Errorf("reseal two-factor of user %d: %w", r.id, err)
		}
		n += int(done)
	}
	return n, nil
}

// TwoFactorGate reads, in one statement, whether an admin requires
// two-factor for every user and whether userID has it on: what every
// cookie request of a signed-in user asks.
func (s *Store) TwoFactorGate(ctx context.Context, userID int64) (required, enrolled bool, err error) {
	var req sql.NullString
	err = s.db.QueryRow(ctx, `SELECT (SELECT value FROM settings WHERE key = $2),
		EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND enabled)`, userID, SettingRequire2FA).Scan(&req, &enrolled)
	if err != nil {
		return false, false, fmt.Errorf("two-factor gate of user %d: %w", userID, err)
	}
	return req.String == "true", enrolled, nil
}
