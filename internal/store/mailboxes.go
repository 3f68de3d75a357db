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
	// RelayError is why the mailbox's relay cannot work (TLS, certificate,
	// authentication, sender refused); its replies wait until it is fixed.
	RelayError      string
	RelayErrorSince time.Time
	RelayWarning    string // the relay works but is unsafe (insecure=1)
	// ReopenDays: a reply to a ticket closed (solved) longer ago than this
	// opens a new ticket that links to it instead of reopening it.
	ReopenDays int
	// Signature is appended to replies from the mailbox, after the agent's.
	Signature string
	// SenderAgentName: replies come from "Agent Name via Name".
	SenderAgentName bool
	// SystemMail: mail not tied to a ticket is sent from this mailbox.
	SystemMail bool
	// TeamID is the team the mailbox's new tickets go to (0: none).
	TeamID int64
	// Alert is the open alert about the mailbox (read with OpenAlerts, not
	// by the mailbox queries).
	Alert *MailboxAlert
	// Portal: customers signed in to the portal may open tickets here.
	Portal bool
	// CSAT: the requester of a ticket solved gets a satisfaction survey.
	CSAT bool
}

const mailboxCols = `id, name, address, provider, smtp_relay, imap, ack_enabled, ack_subject, ack_body, status, last_error, last_sync_at, created_at,
	relay_error, relay_error_since, relay_warning, sender_agent_name, system_mail, reopen_days, signature, team_id, portal, csat`

func scanMailbox(r Row) (Mailbox, error) {
	var m Mailbox
	var last, relaySince sql.NullTime
	var team sql.NullInt64
	err := r.Scan(&m.ID, &m.Name, &m.Address, &m.Provider, &m.SMTPRelay, &m.IMAP, &m.AckEnabled, &m.AckSubject, &m.AckBody,
		&m.Status, &m.LastError, &last, &m.CreatedAt, &m.RelayError, &relaySince, &m.RelayWarning, &m.SenderAgentName, &m.SystemMail, &m.ReopenDays, &m.Signature, &team, &m.Portal, &m.CSAT)
	m.TeamID = team.Int64
	m.LastSyncAt, m.RelayErrorSince = timeOf(last), timeOf(relaySince)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, err
}

// CreateMailbox inserts m and returns its id; ErrConflict when the address exists.
func (s *Store) CreateMailbox(ctx context.Context, m Mailbox) (int64, error) {
	var id int64
	err := s.db.W().QueryRow(ctx, `INSERT INTO mailboxes (name, address, provider, smtp_relay, imap, ack_enabled, ack_subject, ack_body, created_at, relay_warning)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		m.Name, strings.ToLower(strings.TrimSpace(m.Address)), m.Provider, m.SMTPRelay, m.IMAP, m.AckEnabled, m.AckSubject, m.AckBody, m.CreatedAt.UTC(),
		m.RelayWarning).Scan(&id)
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

// SetRelayError records why the mailbox's relay cannot work; the time of the
// first failure in a row is kept.
func (s *Store) SetRelayError(ctx context.Context, q Querier, id int64, reason string, now time.Time) error {
	_, err := q.Exec(ctx, `UPDATE mailboxes SET relay_error = $2,
		relay_error_since = CASE WHEN relay_error <> '' AND relay_error_since IS NOT NULL THEN relay_error_since ELSE $3 END WHERE id = $1`,
		id, reason, now.UTC())
	if err != nil {
		return fmt.Errorf("set relay error of mailbox %d: %w", id, err)
	}
	return nil
}

// ClearRelayError records that the mailbox's relay works again.
func (s *Store) ClearRelayError(ctx context.Context, q Querier, id int64) error {
	if _, err := q.Exec(ctx, `UPDATE mailboxes SET relay_error = '', relay_error_since = NULL WHERE id = $1`, id); err != nil {
		return fmt.Errorf("clear relay error of mailbox %d: %w", id, err)
	}
	return nil
}

// WaitingMessages returns the mailbox's messages waiting for it, oldest
// first. It only reads: the caller moves each one on through the ticket
// change path, in tx, with the mailbox locked (LockMailbox) so that two
// callers cannot both resume the same message.
func (s *Store) WaitingMessages(ctx context.Context, tx *Tx, mailboxID int64) ([]MessageRef, error) {
	rows, err := tx.Query(ctx, `SELECT id, ticket_id FROM messages
		WHERE delivery_status = $1 AND ticket_id IN (SELECT id FROM tickets WHERE mailbox_id = $2) ORDER BY id`,
		DeliveryWaiting, mailboxID)
	if err != nil {
		return nil, fmt.Errorf("waiting messages of mailbox %d: %w", mailboxID, err)
	}
	defer rows.Close()
	var out []MessageRef
	for rows.Next() {
		var r MessageRef
		if err := rows.Scan(&r.ID, &r.TicketID); err != nil {
			return nil, fmt.Errorf("waiting messages of mailbox %d: %w", mailboxID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
