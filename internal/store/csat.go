package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Satisfaction surveys: the mailed survey links (only the sha256 of each
// token is kept) and the rating a ticket carries.

// CSAT is a ticket's satisfaction rating.
type CSAT struct {
	Rating  string // good or bad
	Comment string
	At      time.Time
}

// Survey is a mailed survey link.
type Survey struct {
	ID        int64
	TicketID  int64
	Email     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CreateSurvey stores a survey link's token hash for a ticket's requester.
func (s *Store) CreateSurvey(ctx context.Context, tx *Tx, sv Survey, tokenHash string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO csat_surveys (ticket_id, email, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		sv.TicketID, sv.Email, tokenHash, sv.CreatedAt.UTC(), sv.ExpiresAt.UTC()); err != nil {
		return fmt.Errorf("create survey of ticket %d: %w", sv.TicketID, err)
	}
	return nil
}

// CountSurveysSince counts the surveys mailed to email since then (the
// rate limit).
func (s *Store) CountSurveysSince(ctx context.Context, q Querier, email string, since time.Time) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM csat_surveys WHERE email = $1 AND created_at >= $2`, email, since.UTC()).Scan(&n); err != nil {
		return 0, fmt.Errorf("count surveys to %s: %w", email, err)
	}
	return n, nil
}

// LiveSurvey reports whether a ticket has a survey that has not expired at now.
func (s *Store) LiveSurvey(ctx context.Context, q Querier, ticketID int64, now time.Time) (bool, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM csat_surveys WHERE ticket_id = $1 AND expires_at > $2`, ticketID, now.UTC()).Scan(&n); err != nil {
		return false, fmt.Errorf("surveys of ticket %d: %w", ticketID, err)
	}
	return n > 0, nil
}

// SurveyByTokenHash returns a survey, expired or not; ErrNotFound if none.
func (s *Store) SurveyByTokenHash(ctx context.Context, q Querier, tokenHash string) (Survey, error) {
	var sv Survey
	err := q.QueryRow(ctx, `SELECT id, ticket_id, email, created_at, expires_at FROM csat_surveys WHERE token_hash = $1`, tokenHash).Scan(
		&sv.ID, &sv.TicketID, &sv.Email, &sv.CreatedAt, &sv.ExpiresAt)
	if err != nil {
		return sv, fmt.Errorf("survey: %w", err)
	}
	sv.CreatedAt, sv.ExpiresAt = sv.CreatedAt.UTC(), sv.ExpiresAt.UTC()
	return sv, nil
}

// TicketCSAT returns a ticket's rating, nil without one.
func (s *Store) TicketCSAT(ctx context.Context, q Querier, ticketID int64) (*CSAT, error) {
	var rating sql.NullString
	var c CSAT
	var at sql.NullTime
	if err := q.QueryRow(ctx, `SELECT csat_rating, csat_comment, csat_at FROM tickets WHERE id = $1`, ticketID).Scan(&rating, &c.Comment, &at); err != nil {
		return nil, fmt.Errorf("rating of ticket %d: %w", ticketID, err)
	}
	if !rating.Valid {
		return nil, nil
	}
	c.Rating, c.At = rating.String, timeOf(at)
	return &c, nil
}

// SetTicketCSAT records a ticket's rating (the change path's writer).
func (s *Store) SetTicketCSAT(ctx context.Context, tx *Tx, ticketID int64, c CSAT) error {
	n, err := tx.Exec(ctx, `UPDATE tickets SET csat_rating = $2, csat_comment = $3, csat_at = $4 WHERE id = $1`,
		ticketID, c.Rating, c.Comment, c.At.UTC())
	if err != nil {
		return fmt.Errorf("rate ticket %d: %w", ticketID, err)
	}
	if n == 0 {
		return fmt.Errorf("ticket %d: %w", ticketID, ErrNotFound)
	}
	return nil
}

// AutomaticCustomerMail returns why the first or the latest customer mail
// of a ticket is automatic (an auto-reply, a bounce, a ticket made from
// automatic mail), "" when both are a person's or there is none.
func (s *Store) AutomaticCustomerMail(ctx context.Context, q Querier, ticketID int64) (string, error) {
	for _, order := range []string{"ASC", "DESC"} {
		var kind, reason string
		err := q.QueryRow(ctx, `SELECT kind, auto_reason FROM messages WHERE ticket_id = $1 AND kind IN ($2, $3)
			ORDER BY created_at `+order+`, id `+order+` LIMIT 1`, ticketID, KindInbound, KindAutoReply).Scan(&kind, &reason)
		if isNotFound(err) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("customer mail of ticket %d: %w", ticketID, err)
		}
		switch {
		case reason != "":
			return reason, nil
		case kind == KindAutoReply:
			return kind, nil
		}
	}
	return "", nil
}
