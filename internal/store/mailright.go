package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// SentBy is one message a sender put on a ticket, by its Date: what reply
// loop detection counts.
type SentBy struct {
	TicketID int64
	From     string
	At       time.Time
}

// MessagesSentBetween lists the inbound and automatic messages of tickets
// dated from since to until (inclusive), oldest first.
func (s *Store) MessagesSentBetween(ctx context.Context, q Querier, ticketIDs []int64, since, until time.Time) ([]SentBy, error) {
	out := []SentBy{}
	if len(ticketIDs) == 0 {
		return out, nil
	}
	for lo := 0; lo < len(ticketIDs); lo += inChunk {
		ids := ticketIDs[lo:min(len(ticketIDs), lo+inChunk)]
		args := []any{since.UTC(), until.UTC()}
		for _, id := range ids {
			args = append(args, id)
		}
		err := scanAll(q.Query(ctx, `SELECT ticket_id, from_email, sent_at FROM messages WHERE kind IN ('inbound', 'auto_reply')
			AND sent_at >= $1 AND sent_at <= $2 AND ticket_id IN (`+placeholders(3, len(ids))+`) ORDER BY sent_at, id`, args...))(func(r Rows) error {
			var m SentBy
			err := r.Scan(&m.TicketID, &m.From, &m.At)
			m.At = m.At.UTC()
			out = append(out, m)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("messages sent between: %w", err)
		}
	}
	return out, nil
}

// TicketSubject returns a ticket's subject.
func (s *Store) TicketSubject(ctx context.Context, q Querier, id int64) (string, error) {
	var subject string
	if err := q.QueryRow(ctx, `SELECT subject FROM tickets WHERE id = $1`, id).Scan(&subject); err != nil {
		return "", fmt.Errorf("ticket %d subject: %w", id, err)
	}
	return subject, nil
}

// BlockedSender is an address or a whole domain whose mail is kept as spam.
type BlockedSender struct {
	ID        int64
	Value     string // "someone@example.com", or "example.com"
	TicketID  int64  // the ticket marked as spam that blocked it, or 0
	CreatedBy int64
	CreatedAt time.Time
}

// ListBlockedSenders returns every blocked sender, by value.
func (s *Store) ListBlockedSenders(ctx context.Context, q Querier) ([]BlockedSender, error) {
	out := []BlockedSender{}
	err := scanAll(q.Query(ctx, `SELECT id, value, coalesce(ticket_id, 0), coalesce(created_by, 0), created_at FROM blocked_senders ORDER BY value`))(func(r Rows) error {
		var b BlockedSender
		err := r.Scan(&b.ID, &b.Value, &b.TicketID, &b.CreatedBy, &b.CreatedAt)
		b.CreatedAt = b.CreatedAt.UTC()
		out = append(out, b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list blocked senders: %w", err)
	}
	return out, nil
}

// BlockSender adds a blocked address or domain; one already blocked is
// left as it is. It returns the row.
func (s *Store) BlockSender(ctx context.Context, q Querier, b BlockedSender) (BlockedSender, error) {
	value := strings.ToLower(strings.TrimSpace(b.Value))
	if _, err := q.Exec(ctx, `INSERT INTO blocked_senders (value, ticket_id, created_by, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (value) DO NOTHING`, value, nullInt(b.TicketID), nullInt(b.CreatedBy), b.CreatedAt.UTC()); err != nil {
		return b, fmt.Errorf("block sender: %w", err)
	}
	err := q.QueryRow(ctx, `SELECT id, value, coalesce(ticket_id, 0), coalesce(created_by, 0), created_at FROM blocked_senders WHERE value = $1`, value).
		Scan(&b.ID, &b.Value, &b.TicketID, &b.CreatedBy, &b.CreatedAt)
	if err != nil {
		return b, fmt.Errorf("block sender: %w", err)
	}
	b.CreatedAt = b.CreatedAt.UTC()
	return b, nil
}

// UnblockSender removes a blocked sender by id; ErrNotFound when there is none.
func (s *Store) UnblockSender(ctx context.Context, q Querier, id int64) error {
	n, err := q.Exec(ctx, `DELETE FROM blocked_senders WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("unblock sender: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("blocked sender %d: %w", id, ErrNotFound)
	}
	return nil
}

// UnblockTicketSenders removes what marking a ticket as spam blocked.
func (s *Store) UnblockTicketSenders(ctx context.Context, q Querier, ticketID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM blocked_senders WHERE ticket_id = $1`, ticketID); err != nil {
		return fmt.Errorf("unblock ticket senders: %w", err)
	}
	return nil
}

// BlockedValue is the blocked entry that matches an address (the address
// itself, else its domain), or "".
func BlockedValue(email string, blocked map[string]bool) string {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return ""
	}
	if blocked[email] {
		return email
	}
	if _, domain, ok := strings.Cut(email, "@"); ok && blocked[domain] {
		return domain
	}
	return ""
}

// BlockedSet reads the blocked senders as a set: a small table, read whole.
func (s *Store) BlockedSet(ctx context.Context, q Querier) (map[string]bool, error) {
	set := map[string]bool{}
	err := scanAll(q.Query(ctx, `SELECT value FROM blocked_senders`))(func(r Rows) error {
		var v string
		err := r.Scan(&v)
		set[v] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("blocked senders: %w", err)
	}
	return set, nil
}

// SetTicketSpam marks a ticket as spam (at), or restores it (zero at).
func (s *Store) SetTicketSpam(ctx context.Context, q Querier, id int64, at time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE tickets SET spam_at = $2 WHERE id = $1`, id, nullTime(at)); err != nil {
		return fmt.Errorf("ticket %d spam: %w", id, err)
	}
	return nil
}

// TicketSpamAt says when a ticket was marked as spam (zero: it is not).
func (s *Store) TicketSpamAt(ctx context.Context, q Querier, id int64) (time.Time, error) {
	var at sql.NullTime
	if err := q.QueryRow(ctx, `SELECT spam_at FROM tickets WHERE id = $1`, id).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("ticket %d: %w", id, err)
	}
	return timeOf(at), nil
}
