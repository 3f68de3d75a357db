package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Inbound statuses.
const (
	InboundPending   = "pending"
	InboundDone      = "done"
	InboundDuplicate = "duplicate"
	InboundIgnored   = "ignored"
	InboundFailed    = "failed"
	// InboundAutomatic: automatic mail that belongs to no ticket (a bounce
	// for mail we never sent, an out-of-office, spam...), kept with its
	// reason and not queued; an agent may turn it into a ticket.
	InboundAutomatic = "automatic"
)

// Inbound is a raw message as received, before (or after) ingestion.
type Inbound struct {
	ID           int64
	MailboxID    int64
	Source       string
	ProviderID   string
	EnvelopeFrom string
	EnvelopeTo   string
	RawKey       string
	SHA256       string
	Size         int64
	Status       string
	Error        string
	Attempts     int
	IngestTime   time.Duration // spent ingesting, over all attempts
	MessageID    int64
	ReceivedAt   time.Time
	ProcessedAt  time.Time
	// Set for kept automatic mail: why it is automatic, and what an agent
	// needs to judge it without opening the raw message.
	Reason       string
	RFCMessageID string
	From         Address
	Subject      string
	DedupeKey    string
}

const inboundCols = `id, mailbox_id, source, provider_id, envelope_from, envelope_to, raw_key, sha256, size, status, error, attempts, ingest_ms, message_id, received_at, processed_at,
	reason, rfc_message_id, from_email, from_name, subject, dedupe_key`

func scanInbound(r Row) (Inbound, error) {
	var in Inbound
	var msg sql.NullInt64
	var processed sql.NullTime
	var dedupe sql.NullString
	var ms int64
	err := r.Scan(&in.ID, &in.MailboxID, &in.Source, &in.ProviderID, &in.EnvelopeFrom, &in.EnvelopeTo, &in.RawKey, &in.SHA256, &in.Size,
		&in.Status, &in.Error, &in.Attempts, &ms, &msg, &in.ReceivedAt, &processed,
		&in.Reason, &in.RFCMessageID, &in.From.Email, &in.From.Name, &in.Subject, &dedupe)
	in.IngestTime = time.Duration(ms) * time.Millisecond
	in.MessageID, in.ProcessedAt, in.ReceivedAt = msg.Int64, timeOf(processed), in.ReceivedAt.UTC()
	in.DedupeKey = dedupe.String
	return in, err
}

// InsertInbound records a received raw message.
func (s *Store) InsertInbound(ctx context.Context, q Querier, in Inbound) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO inbound (mailbox_id, source, provider_id, envelope_from, envelope_to, raw_key, sha256, size, status, error, attempts, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		in.MailboxID, in.Source, in.ProviderID, in.EnvelopeFrom, in.EnvelopeTo, in.RawKey, in.SHA256, in.Size, in.Status, in.Error, in.Attempts,
		in.ReceivedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert inbound: %w", err)
	}
	return id, nil
}

// GetInbound returns one inbound row.
func (s *Store) GetInbound(ctx context.Context, q Querier, id int64) (Inbound, error) {
	in, err := scanInbound(q.QueryRow(ctx, `SELECT `+inboundCols+` FROM inbound WHERE id = $1`, id))
	if err != nil {
		return in, fmt.Errorf("inbound %d: %w", id, err)
	}
	return in, nil
}

// Automatic is kept automatic mail: its reason and headers.
type Automatic struct {
	Reason, RFCMessageID, Subject, DedupeKey, Note string
	From                                           Address
}

// KeepAutomatic records that an inbound row is automatic mail that belongs
// to no ticket (deferred: nobody waits for its answer).
func (s *Store) KeepAutomatic(ctx context.Context, q Querier, id int64, a Automatic, at time.Time) error {
	err := deferExec(ctx, q, `UPDATE inbound SET status = $2, error = $3, processed_at = $4, attempts = attempts + 1, reason = $5,
		rfc_message_id = $6, from_email = $7, from_name = $8, subject = $9, dedupe_key = $10, message_id = NULL WHERE id = $1`,
		id, InboundAutomatic, a.Note, at.UTC(), a.Reason, a.RFCMessageID, strings.ToLower(a.From.Email), a.From.Name, a.Subject, nullString(a.DedupeKey))
	if err != nil {
		return fmt.Errorf("keep automatic inbound %d: %w", id, err)
	}
	return nil
}

// InsertAutomatic records automatic mail that came without an inbound row
// (an import) as one, kept (deferred: nobody waits for its id).
func (s *Store) InsertAutomatic(ctx context.Context, q Querier, in Inbound, a Automatic) error {
	err := deferExec(ctx, q, `INSERT INTO inbound (mailbox_id, source, provider_id, raw_key, sha256, size, status, error, attempts, received_at,
		processed_at, reason, rfc_message_id, from_email, from_name, subject, dedupe_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9, $10, $11, $12, $13, $14, $15)`,
		in.MailboxID, in.Source, in.ProviderID, in.RawKey, in.SHA256, in.Size, InboundAutomatic, a.Note, in.ReceivedAt.UTC(),
		a.Reason, a.RFCMessageID, strings.ToLower(a.From.Email), a.From.Name, a.Subject, nullString(a.DedupeKey))
	if err != nil {
		return fmt.Errorf("insert automatic inbound: %w", err)
	}
	return nil
}

// FinishInbound records the outcome of an ingestion.
func (s *Store) FinishInbound(ctx context.Context, q Querier, id int64, status string, messageID int64, note string, at time.Time) error {
	err := deferExec(ctx, q, `UPDATE inbound SET status = $2, message_id = $3, error = $4, processed_at = $5, attempts = attempts + 1,
		dedupe_key = NULL WHERE id = $1`,
		id, status, nullInt(messageID), note, at.UTC())
	if err != nil {
		return fmt.Errorf("finish inbound %d: %w", id, err)
	}
	return nil
}

// FailInbound records a failed ingestion attempt and the time it took
// (added to IngestTime); the job retries it unless the caller gives up.
func (s *Store) FailInbound(ctx context.Context, id int64, errText string, took time.Duration, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE inbound SET status = $2, error = $3, attempts = attempts + 1, ingest_ms = ingest_ms + $4, processed_at = $5 WHERE id = $1`,
		id, InboundFailed, errText, took.Milliseconds(), at.UTC())
	if err != nil {
		return fmt.Errorf("fail inbound %d: %w", id, err)
	}
	return nil
}

// PendingInbound counts a mailbox's messages waiting for ingestion, up to
// limit (the answer is only compared with limit, so no more is read).
func (s *Store) PendingInbound(ctx context.Context, q Querier, mailboxID int64, limit int) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM inbound WHERE mailbox_id = $1 AND status = $2 LIMIT $3) AS waiting`,
		mailboxID, InboundPending, limit).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("pending inbound: %w", err)
	}
	return n, nil
}

// ListInbound returns inbound rows with a status, newest first (failures view).
func (s *Store) ListInbound(ctx context.Context, status string, limit int) ([]Inbound, error) {
	rows, err := s.db.Query(ctx, `SELECT `+inboundCols+` FROM inbound WHERE status = $1 ORDER BY id DESC LIMIT $2`, status, limit)
	if err != nil {
		return nil, fmt.Errorf("list inbound: %w", err)
	}
	defer rows.Close()
	out := []Inbound{}
	for rows.Next() {
		in, err := scanInbound(rows)
		if err != nil {
			return nil, fmt.Errorf("list inbound: %w", err)
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// CountInbound counts inbound rows by status (metrics, tests).
func (s *Store) CountInbound(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT status, count(*) FROM inbound GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count inbound: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count inbound: %w", err)
		}
		out[st] = n
	}
	return out, rows.Err()
}
