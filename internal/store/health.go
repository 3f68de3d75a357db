package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
)

// Reasons a mailbox alert is raised (mailbox_alerts.reason).
const (
	AlertError = "error" // the connector has been failing for a while
	AlertAuth  = "auth"  // the provider refused the mailbox's credentials
	AlertQuiet = "quiet" // no mail for far longer than the mailbox's history allows
)

// MailboxAlert is one outage of a mailbox: open while ResolvedAt is zero.
type MailboxAlert struct {
	ID         int64
	MailboxID  int64
	Reason     string
	Detail     string
	Since      time.Time // when the problem began
	RaisedAt   time.Time // when it was raised (and mailed)
	ResolvedAt time.Time
}

// MailboxHealth is what the health check and /metrics read of a mailbox.
type MailboxHealth struct {
	MailboxID   int64
	Name        string
	Address     string
	Provider    string // smtp: the listener, no connector
	Enabled     bool
	Status      string // ok, syncing, error
	LastError   string
	ErrorSince  time.Time
	LastSyncAt  time.Time
	AuthRefused bool
	Alert       *MailboxAlert // the open one
}

// Connector reports whether a connector pulls this mailbox's mail.
func (h MailboxHealth) Connector() bool { return h.Provider != "smtp" && h.Enabled }

const alertCols = `a.id, a.mailbox_id, a.reason, a.detail, a.since, a.raised_at`

// MailboxesHealth reads every mailbox's connector state and open alert.
func (s *Store) MailboxesHealth(ctx context.Context) ([]MailboxHealth, error) {
	rows, err := s.db.Query(ctx, `SELECT m.id, m.name, m.address, m.provider, m.enabled, m.status, m.last_error, m.error_since,
		m.last_sync_at, m.auth_refused, `+alertCols+`
		FROM mailboxes m LEFT JOIN mailbox_alerts a ON a.mailbox_id = m.id AND a.resolved_at IS NULL ORDER BY m.id`)
	if err != nil {
		return nil, fmt.Errorf("mailbox health: %w", err)
	}
	defer rows.Close()
	var out []MailboxHealth
	for rows.Next() {
		var h MailboxHealth
		var since, last sql.NullTime
		var aID, aMailbox sql.NullInt64
		var aReason, aDetail sql.NullString
		var aSince, aRaised sql.NullTime
		if err := rows.Scan(&h.MailboxID, &h.Name, &h.Address, &h.Provider, &h.Enabled, &h.Status, &h.LastError, &since, &last,
			&h.AuthRefused, &aID, &aMailbox, &aReason, &aDetail, &aSince, &aRaised); err != nil {
			return nil, fmt.Errorf("mailbox health: %w", err)
		}
		h.ErrorSince, h.LastSyncAt = timeOf(since), timeOf(last)
		if aID.Valid {
			h.Alert = &MailboxAlert{ID: aID.Int64, MailboxID: aMailbox.Int64, Reason: aReason.String, Detail: aDetail.String,
				Since: timeOf(aSince), RaisedAt: timeOf(aRaised)}
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// OpenAlerts returns the open alert of each mailbox that has one.
func (s *Store) OpenAlerts(ctx context.Context) (map[int64]MailboxAlert, error) {
	rows, err := s.db.Query(ctx, `SELECT `+alertCols+` FROM mailbox_alerts a WHERE a.resolved_at IS NULL`)
	if err != nil {
		return nil, fmt.Errorf("open mailbox alerts: %w", err)
	}
	defer rows.Close()
	out := map[int64]MailboxAlert{}
	for rows.Next() {
		var a MailboxAlert
		if err := rows.Scan(&a.ID, &a.MailboxID, &a.Reason, &a.Detail, &a.Since, &a.RaisedAt); err != nil {
			return nil, fmt.Errorf("open mailbox alerts: %w", err)
		}
		a.Since, a.RaisedAt = a.Since.UTC(), a.RaisedAt.UTC()
		out[a.MailboxID] = a
	}
	return out, rows.Err()
}

// RaiseAlert opens an alert for its mailbox and returns its id; 0 when one
// is open already (another replica raised it first).
func (s *Store) RaiseAlert(ctx context.Context, tx *Tx, a MailboxAlert) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO mailbox_alerts (mailbox_id, reason, detail, since, raised_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (mailbox_id) WHERE resolved_at IS NULL DO NOTHING RETURNING id`,
		a.MailboxID, a.Reason, a.Detail, a.Since.UTC(), a.RaisedAt.UTC()).Scan(&id)
	if err != nil {
		if errors.Is(translate(err), ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("raise alert of mailbox %d: %w", a.MailboxID, err)
	}
	return id, nil
}

// ResolveAlert closes the mailbox's open alert at now; false when none was
// open (another replica closed it first).
func (s *Store) ResolveAlert(ctx context.Context, tx *Tx, mailboxID int64, now time.Time) (bool, error) {
	n, err := tx.Exec(ctx, `UPDATE mailbox_alerts SET resolved_at = $1 WHERE mailbox_id = $2 AND resolved_at IS NULL`, now.UTC(), mailboxID)
	if err != nil {
		return false, fmt.Errorf("resolve alert of mailbox %d: %w", mailboxID, err)
	}
	return n == 1, nil
}

// GetAlert reads one alert (open or not).
func (s *Store) GetAlert(ctx context.Context, id int64) (MailboxAlert, error) {
	var a MailboxAlert
	var resolved sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT `+alertCols+`, a.resolved_at FROM mailbox_alerts a WHERE a.id = $1`, id).
		Scan(&a.ID, &a.MailboxID, &a.Reason, &a.Detail, &a.Since, &a.RaisedAt, &resolved)
	if err != nil {
		return a, fmt.Errorf("mailbox alert %d: %w", id, err)
	}
	a.Since, a.RaisedAt, a.ResolvedAt = a.Since.UTC(), a.RaisedAt.UTC(), timeOf(resolved)
	return a, nil
}

// SetAuthRefused marks the mailbox failing because the provider refused its
// credentials; SetSyncOK clears it.
// One statement: no reader sees the error without the refusal.
func (s *Store) SetAuthRefused(ctx context.Context, id int64, reason string, now time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET status = $1, last_error = $2, auth_refused = TRUE,
		error_since = CASE WHEN status = $1 AND error_since IS NOT NULL THEN error_since ELSE $3 END WHERE id = $4`,
		SyncError, reason, now.UTC(), id); err != nil {
		return fmt.Errorf("set auth refused of mailbox %d: %w", id, err)
	}
	return nil
}

// ClearAuthRefused records that the mailbox's credentials work again (an
// OAuth refresh succeeded after one was refused): the refusal and the error
// it put on the mailbox go; a connector still failing sets its own again.
func (s *Store) ClearAuthRefused(ctx context.Context, id int64) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET auth_refused = FALSE, status = $1, last_error = '', error_since = NULL
		WHERE id = $2 AND auth_refused`, SyncOK, id); err != nil {
		return fmt.Errorf("clear auth refused of mailbox %d: %w", id, err)
	}
	return nil
}

// LastArrival is when the newest mail reached the mailbox (zero: none).
// Imports are left out: they say nothing about the mailbox's mail flow.
func (s *Store) LastArrival(ctx context.Context, mailboxID int64) (time.Time, error) {
	// ORDER BY, not max(): SQLite's max() hands back text, not a time.
	var last time.Time
	err := s.db.QueryRow(ctx, `SELECT received_at FROM inbound WHERE mailbox_id = $1 AND source <> 'import'
		ORDER BY received_at DESC LIMIT 1`, mailboxID).Scan(&last)
	if errors.Is(translate(err), ErrNotFound) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("last arrival of mailbox %d: %w", mailboxID, err)
	}
	return last.UTC(), nil
}

// ArrivalHistory counts the mail that reached the mailbox since a time
// (imports left out) and finds the longest silence between two messages.
func (s *Store) ArrivalHistory(ctx context.Context, mailboxID int64, since time.Time) (count int, longestGap time.Duration, err error) {
	rows, err := s.db.Query(ctx, `SELECT received_at FROM inbound WHERE mailbox_id = $1 AND received_at >= $2 AND source <> 'import'
		ORDER BY received_at`, mailboxID, since.UTC())
	if err != nil {
		return 0, 0, fmt.Errorf("arrivals of mailbox %d: %w", mailboxID, err)
	}
	defer rows.Close()
	var prev time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return 0, 0, fmt.Errorf("arrivals of mailbox %d: %w", mailboxID, err)
		}
		if count > 0 {
			longestGap = max(longestGap, t.Sub(prev))
		}
		prev = t
		count++
	}
	return count, longestGap, rows.Err()
}

// EnabledAdmins lists the admins who can sign in (alert recipients).
func (s *Store) EnabledAdmins(ctx context.Context) ([]User, error) {
	all, err := s.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range all {
		if u.Role == domain.RoleAdmin && !u.Disabled {
			out = append(out, u)
		}
	}
	return out, nil
}

// SettingRequire2FA ("true"): every user must enrol in two-factor.
const SettingRequire2FA = "require_2fa"

// Setting reads an installation setting; ok false when it was never set.
func (s *Store) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.db.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&value)
	if errors.Is(translate(err), ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("setting %s: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores an installation setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if _, err := s.db.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
		key, value); err != nil {
		return fmt.Errorf("set setting %s: %w", key, err)
	}
	return nil
}
