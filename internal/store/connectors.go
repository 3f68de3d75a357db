package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Connector statuses of a mailbox (mailboxes.status).
const (
	SyncOK      = "ok"
	SyncSyncing = "syncing"
	SyncError   = "error"
)

// Connector is what the connector supervisor needs of a mailbox: its
// provider, sealed settings and sync state.
type Connector struct {
	MailboxID     int64
	Address       string
	Provider      string
	Enabled       bool
	IMAP          string // sealed URL
	Credentials   string // sealed JSON
	SyncState     string // JSON owned by the connector
	BackfillSince time.Time
	BackfilledAt  time.Time
}

// SyncStatus is a mailbox's connector status as shown over the API.
type SyncStatus struct {
	MailboxID  int64     `json:"mailbox_id"`
	Provider   string    `json:"provider"`
	Enabled    bool      `json:"enabled"`
	Status     string    `json:"status"` // ok, syncing, error
	Done       int64     `json:"done"`
	Total      int64     `json:"total"`
	LastError  string    `json:"last_error,omitempty"`
	ErrorSince time.Time `json:"error_since,omitzero"`
	LastSyncAt time.Time `json:"last_sync_at,omitzero"`
	Backfilled bool      `json:"backfilled"`
}

const connectorCols = `id, address, provider, enabled, imap, credentials, sync_state, backfill_since, backfilled_at`

func scanConnector(r Row) (Connector, error) {
	var c Connector
	var since, done sql.NullTime
	err := r.Scan(&c.MailboxID, &c.Address, &c.Provider, &c.Enabled, &c.IMAP, &c.Credentials, &c.SyncState, &since, &done)
	c.BackfillSince, c.BackfilledAt = timeOf(since), timeOf(done)
	return c, err
}

// ConnectorMailboxes lists the enabled mailboxes whose provider pulls mail
// (anything but the SMTP listener).
func (s *Store) ConnectorMailboxes(ctx context.Context) ([]Connector, error) {
	rows, err := s.db.Query(ctx, `SELECT `+connectorCols+` FROM mailboxes WHERE enabled AND provider <> 'smtp' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list connector mailboxes: %w", err)
	}
	defer rows.Close()
	var out []Connector
	for rows.Next() {
		c, err := scanConnector(rows)
		if err != nil {
			return nil, fmt.Errorf("list connector mailboxes: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// GetConnector reads one mailbox's connector settings and state, from the
// writer so a state just saved is seen.
func (s *Store) GetConnector(ctx context.Context, id int64) (Connector, error) {
	c, err := scanConnector(s.db.W().QueryRow(ctx, `SELECT `+connectorCols+` FROM mailboxes WHERE id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("mailbox %d: %w", id, err)
	}
	return c, nil
}

// SaveSyncState stores the connector's state (the resume point) and the last sync time.
func (s *Store) SaveSyncState(ctx context.Context, id int64, state string, now time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET sync_state = $1, last_sync_at = $2 WHERE id = $3`, state, now.UTC(), id); err != nil {
		return fmt.Errorf("save sync state of mailbox %d: %w", id, err)
	}
	return nil
}

// SetBackfilled records that the backfill finished (zero time: start over).
func (s *Store) SetBackfilled(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET backfilled_at = $1 WHERE id = $2`, nullTime(at), id); err != nil {
		return fmt.Errorf("set backfilled of mailbox %d: %w", id, err)
	}
	return nil
}

// SetConnectorSettings changes a mailbox's provider, sealed settings and
// backfill window (e.g. after an OAuth connect); the sync starts over.
func (s *Store) SetConnectorSettings(ctx context.Context, id int64, provider, sealedCredentials string, backfillSince time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE mailboxes SET provider = $1, credentials = $2, backfill_since = $3, backfilled_at = NULL,
		sync_state = '{}', enabled = TRUE WHERE id = $4`, provider, sealedCredentials, nullTime(backfillSince), id)
	if err != nil {
		return fmt.Errorf("set connector of mailbox %d: %w", id, err)
	}
	return nil
}

// SetCredentials replaces a mailbox's sealed credentials (an account
// connected); a rotated token goes through UpdateCredentials instead.
func (s *Store) SetCredentials(ctx context.Context, id int64, sealed string) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET credentials = $1 WHERE id = $2`, sealed, id); err != nil {
		return fmt.Errorf("set credentials of mailbox %d: %w", id, err)
	}
	return nil
}

// UpdateCredentials rewrites a mailbox's sealed credentials from what is
// stored now: update gets them and answers the new value, or false to leave
// them. The read and the write are one transaction, the row locked on
// PostgreSQL (SQLite serialises write transactions), so a reconnection
// cannot land in between and be overwritten. It reports whether it wrote.
func (s *Store) UpdateCredentials(ctx context.Context, id int64, update func(sealed string) (string, bool, error)) (bool, error) {
	wrote := false
	err := s.db.InTx(ctx, func(tx *Tx) error {
		query := `SELECT credentials FROM mailboxes WHERE id = $1`
		if tx.Dialect == Postgres {
			query += ` FOR UPDATE`
		}
		var cur string
		if err := tx.QueryRow(ctx, query, id).Scan(&cur); err != nil {
			return err
		}
		next, ok, err := update(cur)
		if err != nil || !ok {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE mailboxes SET credentials = $1 WHERE id = $2`, next, id); err != nil {
			return err
		}
		wrote = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("update credentials of mailbox %d: %w", id, err)
	}
	return wrote, nil
}

// SetMailboxEnabled turns a mailbox's connector on or off.
func (s *Store) SetMailboxEnabled(ctx context.Context, id int64, enabled bool) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET enabled = $1 WHERE id = $2`, enabled, id); err != nil {
		return fmt.Errorf("enable mailbox %d: %w", id, err)
	}
	return nil
}

// SetSyncProgress marks the mailbox syncing with done of total.
func (s *Store) SetSyncProgress(ctx context.Context, id int64, done, total int64) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET status = $1, sync_done = $2, sync_total = $3 WHERE id = $4`,
		SyncSyncing, done, total, id); err != nil {
		return fmt.Errorf("set progress of mailbox %d: %w", id, err)
	}
	return nil
}

// SetSyncOK marks the mailbox healthy and clears the error (and a refused
// credential: the connector works again).
func (s *Store) SetSyncOK(ctx context.Context, id int64, now time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET status = $1, last_error = '', error_since = NULL, auth_refused = FALSE, last_sync_at = $2
		WHERE id = $3`,
		SyncOK, now.UTC(), id); err != nil {
		return fmt.Errorf("set status of mailbox %d: %w", id, err)
	}
	return nil
}

// SetSyncError marks the mailbox failing with reason; error_since keeps the
// time of the first failure in a row.
func (s *Store) SetSyncError(ctx context.Context, id int64, reason string, now time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE mailboxes SET status = $1, last_error = $2,
		error_since = CASE WHEN status = $1 AND error_since IS NOT NULL THEN error_since ELSE $3 END WHERE id = $4`,
		SyncError, reason, now.UTC(), id); err != nil {
		return fmt.Errorf("set error of mailbox %d: %w", id, err)
	}
	return nil
}

// MailboxSyncStatus reads a mailbox's connector status.
func (s *Store) MailboxSyncStatus(ctx context.Context, id int64) (SyncStatus, error) {
	var st SyncStatus
	var since, last, backfilled sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT id, provider, enabled, status, sync_done, sync_total, last_error, error_since, last_sync_at, backfilled_at
		FROM mailboxes WHERE id = $1`, id).Scan(&st.MailboxID, &st.Provider, &st.Enabled, &st.Status, &st.Done, &st.Total, &st.LastError,
		&since, &last, &backfilled)
	if err != nil {
		return st, fmt.Errorf("mailbox %d status: %w", id, err)
	}
	st.ErrorSince, st.LastSyncAt, st.Backfilled = timeOf(since), timeOf(last), backfilled.Valid
	return st, nil
}

// AcquireLease takes or renews the named lease for holder until now+ttl. It
// succeeds when the lease is free, expired or already held by holder.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	now = now.UTC()
	var got bool
	err := s.db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, '', $2) ON CONFLICT (name) DO NOTHING`, name, now); err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `UPDATE leases SET holder = $1, expires_at = $2 WHERE name = $3 AND (holder = $1 OR expires_at <= $4)`,
			holder, now.Add(ttl), name, now)
		got = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return got, nil
}

// ReleaseLease gives the lease up if holder has it, so another replica takes
// over at once instead of after the expiry.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.Exec(ctx, `UPDATE leases SET holder = '', expires_at = $1 WHERE name = $2 AND holder = $3`,
		time.Unix(0, 0).UTC(), name, holder); err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// ResealMailboxSecrets passes every mailbox's sealed values (relay, IMAP,
// credentials) through reseal and stores those it changed; it returns how
// many mailboxes changed. Values that fail to reseal are left as they are
// (the mailbox shows the error when it is used).
func (s *Store) ResealMailboxSecrets(ctx context.Context, reseal func(string) (string, bool, error)) (int, error) {
	rows, err := s.db.Query(ctx, `SELECT id, smtp_relay, imap, credentials FROM mailboxes ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("reseal: %w", err)
	}
	type row struct {
		id   int64
		vals [3]string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.vals[0], &r.vals[1], &r.vals[2]); err != nil {
			rows.Close()
			return 0, fmt.Errorf("reseal: %w", err)
		}
		all = append(all, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("reseal: %w", err)
	}
	n := 0
	for _, r := range all {
		orig := r.vals
		changed := false
		for i, v := range r.vals {
			out, ch, err := reseal(v)
			if err == nil && ch {
				r.vals[i], changed = out, true
			}
		}
		if !changed {
			continue
		}
		// Only if unchanged meanwhile: a concurrent edit wins.
		done, err := s.db.Exec(ctx, `UPDATE mailboxes SET smtp_relay = $1, imap = $2, credentials = $3
			WHERE id = $4 AND smtp_relay = $5 AND imap = $6 AND credentials = $7`,
			r.vals[0], r.vals[1], r.vals[2], r.id, orig[0], orig[1], orig[2])
		if err != nil {
			return n, fmt.Errorf("reseal mailbox %d: %w", r.id, err)
		}
		n += int(done)
	}
	return n, nil
}
