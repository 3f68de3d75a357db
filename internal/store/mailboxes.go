package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Mailbox is a support address Ticketer receives mail for.
type Mailbox struct {
	ID         int64
	Name       string
	Address    string
	Provider   string
	SMTPRelay  string // sealed
	IMAP       string // sealed
	AckEnabled bool
	AckSubject string
	AckBody    string
	Status     string
	LastError  string
	LastSyncAt time.Time
	CreatedAt  time.Time
}

const mailboxCols = `id, name, address, provider, smtp_relay, imap, ack_enabled, ack_subject, ack_body, status, last_error, last_sync_at, created_at`

func scanMailbox(r Row) (Mailbox, error) {
	var m Mailbox
	var last sql.NullTime
	err := r.Scan(&m.ID, &m.Name, &m.Address, &m.Provider, &m.SMTPRelay, &m.IMAP, &m.AckEnabled, &m.AckSubject, &m.AckBody,
		&m.Status, &m.LastError, &last, &m.CreatedAt)
	m.LastSyncAt = timeOf(last)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

// CreateMailbox inserts m and returns its id; ErrConflict when the address exists.
func (s *Store) CreateMailbox(ctx context.Context, m Mailbox) (int64, error) {
	var id int64
	err := s.db.W().QueryRow(ctx, `INSERT INTO mailboxes (name, address, provider, smtp_relay, imap, ack_enabled, ack_subject, ack_body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		m.Name, strings.ToLower(strings.TrimSpace(m.Address)), m.Provider, m.SMTPRelay, m.IMAP, m.AckEnabled, m.AckSubject, m.AckBody, m.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create mailbox %s: %w", m.Address, err)
	}
	return id, nil
}

// ListMailboxes returns every mailbox by id.
func (s *Store) ListMailboxes(ctx context.Context) ([]Mailbox, error) {
	rows, err := s.db.Query(ctx, `SELECT `+mailboxCols+` FROM mailboxes ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list mailboxes: %w", err)
	}
	defer rows.Close()
	var out []Mailbox
	for rows.Next() {
		m, err := scanMailbox(rows)
		if err != nil {
			return nil, fmt.Errorf("list mailboxes: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetMailbox returns one mailbox.
func (s *Store) GetMailbox(ctx context.Context, q Querier, id int64) (Mailbox, error) {
	m, err := scanMailbox(q.QueryRow(ctx, `SELECT `+mailboxCols+` FROM mailboxes WHERE id = $1`, id))
	if err != nil {
		return m, fmt.Errorf("mailbox %d: %w", id, err)
	}
	return m, nil
}

// MailboxByAddress finds the mailbox with that exact (lower-cased) address.
func (s *Store) MailboxByAddress(ctx context.Context, addr string) (Mailbox, error) {
	m, err := scanMailbox(s.db.QueryRow(ctx, `SELECT `+mailboxCols+` FROM mailboxes WHERE address = $1`, strings.ToLower(strings.TrimSpace(addr))))
	if err != nil {
		return m, fmt.Errorf("mailbox %s: %w", addr, err)
	}
	return m, nil
}

// LockMailbox serialises ingestion per mailbox across replicas (PostgreSQL);
// SQLite transactions are already serialised by the single writer.
func (s *Store) LockMailbox(ctx context.Context, tx *Tx, id int64) error {
	if tx.Dialect != Postgres {
		return nil
	}
	var got int64
	if err := tx.QueryRow(ctx, `SELECT id FROM mailboxes WHERE id = $1 FOR UPDATE`, id).Scan(&got); err != nil {
		return fmt.Errorf("lock mailbox %d: %w", id, err)
	}
	return nil
}
