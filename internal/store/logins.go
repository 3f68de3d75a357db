package store

import (
	"context"
	"fmt"
	"time"
)

// LoginWindow is how many sign-in attempts were counted for a key since
// Start.
type LoginWindow struct {
	Start time.Time
	Fails int
}

// CountLoginAttempt counts one attempt for key and returns its window with
// this attempt included, in one statement: parallel attempts each see a
// different count, so a limit checked on the result cannot be raced. The
// window (of size) starts at the first attempt; one that has ended starts
// again at now. Ended windows of other keys are forgotten, so a flood of
// names cannot grow the table.
func (s *Store) CountLoginAttempt(ctx context.Context, key string, size time.Duration, now time.Time) (LoginWindow, error) {
	ended := now.Add(-size).UTC()
	var w LoginWindow
	err := s.db.W().QueryRow(ctx, `INSERT INTO login_failures (key, window_start, fails) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			fails = CASE WHEN login_failures.window_start <= $3 THEN 1 ELSE login_failures.fails + 1 END,
			window_start = CASE WHEN login_failures.window_start <= $3 THEN excluded.window_start ELSE login_failures.window_start END
		RETURNING window_start, fails`,
		key, now.UTC(), ended).Scan(&w.Start, &w.Fails)
	if err != nil {
		return w, fmt.Errorf("count sign-in attempt: %w", err)
	}
	w.Start = w.Start.UTC()
	if _, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE window_start <= $1`, ended); err != nil {
		return w, fmt.Errorf("forget old sign-in attempts: %w", err)
	}
	return w, nil
}

// ForgiveLoginAttempt takes back one attempt of key (a sign-in that
// succeeded after being counted).
func (s *Store) ForgiveLoginAttempt(ctx context.Context, key string) error {
	if _, err := s.db.Exec(ctx, `UPDATE login_failures SET fails = fails - 1 WHERE key = $1 AND fails > 0`, key); err != nil {
		return fmt.Errorf("forgive sign-in attempt: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets key's attempts (after a good sign-in).
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
