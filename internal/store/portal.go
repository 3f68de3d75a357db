package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// The customer portal's storage: sign-in links, customers' sessions, and
// the reads that decide what a customer sees. Only hashes of tokens are
// stored. Customers are email addresses, never users.

// PortalSession is a customer's signed-in browser.
type PortalSession struct {
	ID        int64
	Email     string
	ExpiresAt time.Time
}

// CreatePortalLink stores a sign-in link's token hash for email.
func (s *Store) CreatePortalLink(ctx context.Context, email, tokenHash string, now, expires time.Time) error {
	_, err := s.db.W().Exec(ctx, `INSERT INTO portal_links (email, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		strings.ToLower(email), tokenHash, now.UTC(), expires.UTC())
	if err != nil {
		return fmt.Errorf("create portal link: %w", err)
	}
	// Links past their expiry are useless: forget them as new ones come.
	if _, err := s.db.W().Exec(ctx, `DELETE FROM portal_links WHERE expires_at < $1`, now.Add(-24*time.Hour).UTC()); err != nil {
		return fmt.Errorf("forget old portal links: %w", err)
	}
	return nil
}

// UsePortalLink marks a link used and returns its email, in one statement:
// of two requests with the same token only one gets it. ErrNotFound when
// the token is unknown, used or expired (they look the same).
func (s *Store) UsePortalLink(ctx context.Context, tokenHash string, now time.Time) (string, error) {
	var email string
	err := s.db.W().QueryRow(ctx, `UPDATE portal_links SET used_at = $2
		WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING email`, tokenHash, now.UTC()).Scan(&email)
	if isNotFound(err) {
		return "", fmt.Errorf("portal link: %w", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("use portal link: %w", err)
	}
	return email, nil
}

// CreatePortalSession stores a customer's session.
func (s *Store) CreatePortalSession(ctx context.Context, email, tokenHash string, now, expires time.Time) error {
	_, err := s.db.W().Exec(ctx, `INSERT INTO portal_sessions (email, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		strings.ToLower(email), tokenHash, now.UTC(), expires.UTC())
	if err != nil {
		return fmt.Errorf("create portal session: %w", err)
	}
	if _, err := s.db.W().Exec(ctx, `DELETE FROM portal_sessions WHERE expires_at < $1`, now.UTC()); err != nil {
		return fmt.Errorf("forget old portal sessions: %w", err)
	}
	return nil
}

// PortalSessionByTokenHash returns a session that has not expired at now;
// ErrNotFound otherwise.
func (s *Store) PortalSessionByTokenHash(ctx context.Context, tokenHash string, now time.Time) (PortalSession, error) {
	var se PortalSession
	err := s.db.QueryRow(ctx, `SELECT id, email, expires_at FROM portal_sessions WHERE token_hash = $1 AND expires_at > $2`,
		tokenHash, now.UTC()).Scan(&se.ID, &se.Email, &se.ExpiresAt)
	if err != nil {
		return se, fmt.Errorf("portal session: %w", err)
	}
	se.ExpiresAt = se.ExpiresAt.UTC()
	return se, nil
}

// DeletePortalSession ends a customer's session.
func (s *Store) DeletePortalSession(ctx context.Context, id int64) error {
	if _, err := s.db.W().Exec(ctx, `DELETE FROM portal_sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete portal session %d: %w", id, err)
	}
	return nil
}

// customerTickets selects the tickets email may see: those it asked for or
// took part in (To or Cc), never merged away or marked as spam.
const customerTickets = ` WHERE t.merged_into IS NULL AND t.spam_at IS NULL AND (c.email = $1 OR t.id IN (
	SELECT p.ticket_id FROM ticket_participants p JOIN contacts pc ON pc.id = p.contact_id WHERE pc.email = $1))`

// CustomerTickets lists the tickets a customer may see, newest activity
// first, at most limit.
func (s *Store) CustomerTickets(ctx context.Context, email string, limit int) ([]Ticket, error) {
	out := []Ticket{}
	err := scanAll(s.db.Query(ctx, ticketSelect+customerTickets+` ORDER BY t.updated_at DESC, t.id DESC LIMIT $2`,
		strings.ToLower(email), limit))(func(r Rows) error {
		t, err := scanTicket(r, false)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("customer tickets: %w", err)
	}
	return out, nil
}

// CustomerTicket returns one ticket if the customer may see it; ErrNotFound
// otherwise (whether it exists or not).
func (s *Store) CustomerTicket(ctx context.Context, email string, id int64) (Ticket, error) {
	t, err := scanTicket(s.db.QueryRow(ctx, ticketSelect+customerTickets+` AND t.id = $2`, strings.ToLower(email), id), false)
	if err != nil {
		return t, fmt.Errorf("customer ticket %d: %w", id, err)
	}
	return t, nil
}

// IsCustomer reports whether email asked for or took part in any ticket.
func (s *Store) IsCustomer(ctx context.Context, email string) (bool, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM tickets t JOIN contacts c ON c.id = t.requester_id`+
		customerTickets+` LIMIT 1) x`, strings.ToLower(email)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("is customer: %w", err)
	}
	return n > 0, nil
}

// PublicMessages lists a ticket's messages a customer may read, oldest
// first: mail in and out, never notes, never a forward to a third party
// nor its answer (the agents' business).
func (s *Store) PublicMessages(ctx context.Context, ticketID int64) ([]Message, error) {
	out := []Message{}
	err := scanAll(s.db.Query(ctx, `SELECT `+messageCols+` FROM messages WHERE ticket_id = $1 AND kind IN ($2, $3, $4) AND party = ''
		ORDER BY created_at, id`, ticketID, KindInbound, KindOutbound, KindAutoReply))(func(r Rows) error {
		m, err := scanMessage(r)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("public messages: %w", err)
	}
	return out, s.loadAttachments(ctx, s.db, out)
}

// CustomerAttachment returns an attachment of a message a customer may
// read (mail, not a note, on one of their tickets); ErrNotFound otherwise.
func (s *Store) CustomerAttachment(ctx context.Context, email string, id int64) (Attachment, error) {
	var ticketID sql.NullInt64
	err := s.db.QueryRow(ctx, `SELECT m.ticket_id FROM attachments a JOIN messages m ON m.id = a.message_id
		WHERE a.id = $1 AND m.kind IN ($2, $3, $4)`, id, KindInbound, KindOutbound, KindAutoReply).Scan(&ticketID)
	if err != nil {
		return Attachment{}, fmt.Errorf("attachment %d: %w", id, err)
	}
	if _, err := s.CustomerTicket(ctx, email, ticketID.Int64); err != nil {
		return Attachment{}, err
	}
	return s.GetAttachment(ctx, id)
}
