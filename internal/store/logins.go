package store

import (
	"context"
	"fmt"
	"time"
)

// LoginWindow is how many sign-ins failed for a key since Start.
type LoginWindow struct {
	Start time.Time
	Fails int
}

// LoginFailures returns key's current window; none (zero) when it has no
// failures or its window ended before now - size.
func (s *Store) LoginFailures(ctx context.Context, key string, size time.Duration, now time.Time) (LoginWindow, error) {
	var w LoginWindow
	err := s.db.QueryRow(ctx, `SELECT window_start, fails FROM login_failures WHERE key = $1 AND window_start > $2`,
		key, now.Add(-size).UTC()).Scan(&w.Start, &w.Fails)
	if isNotFound(err) {
		return LoginWindow{}, nil
	}
	if err != nil {
		return w, fmt.Errorf("login failures: %w", err)
	}
	w.Start = w.Start.UTC()
	return w, nil
}

// NoteLoginFailure counts one failure for key, in a window of size that
// starts at the first failure: a window that has ended starts again at now.
// Ended windows of other keys are forgotten, so a flood of names cannot
// grow the table.
func (s *Store) NoteLoginFailure(ctx context.Context, key string, size time.Duration, now time.Time) error {
	ended := now.Add(-size).UTC()
	if _, err := s.db.Exec(ctx, `INSERT INTO login_failures (key, window_start, fails) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			fails = CASE WHEN login_failures.window_start <= $3 THEN 1 ELSE login_failures.fails + 1 END,
			window_start = CASE WHEN login_failures.window_start <= $3 THEN excluded.window_start ELSE login_failures.window_start END`,
		key, now.UTC(), ended); err != nil {
		return fmt.Errorf("note login failure: %w", err)
	}
	if _, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE window_start <= $1`, ended); err != nil {
		return fmt.Errorf("forget old login failures: %w", err)
	}
	return nil
}

// ClearLoginFailures forgets key's failures (after a good sign-in).
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM login_failures WHERE key = $1`, key); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}
