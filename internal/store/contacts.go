package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// UpsertContact returns the id of the contact with that email, creating it, and
// filling in a name we did not know yet.
func (s *Store) UpsertContact(ctx context.Context, q Querier, email, name string, at time.Time) (int64, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO contacts (email, name, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END
		RETURNING id`, email, name, at.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("upsert contact %s: %w", email, err)
	}
	return id, nil
}

// AddParticipant records that a contact took part in a ticket.
func (s *Store) AddParticipant(ctx context.Context, q Querier, ticketID, contactID int64) error {
	_, err := q.Exec(ctx, `INSERT INTO ticket_participants (ticket_id, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, ticketID, contactID)
	if err != nil {
		return fmt.Errorf("add participant: %w", err)
	}
	return nil
}

// AddParticipants records that people took part in a ticket, creating the
// contacts we do not know yet: two statements whatever their number.
func (s *Store) AddParticipants(ctx context.Context, q Querier, ticketID int64, people []Address, at time.Time) error {
	var values, emails []string
	var args []any
	seen := map[string]bool{}
	for _, p := range people {
		email := strings.ToLower(strings.TrimSpace(p.Email))
		if email == "" || seen[email] {
			continue // one row per email: an upsert may not touch a row twice
		}
		seen[email] = true
		args = append(args, email, p.Name, at.UTC())
		values = append(values, fmt.Sprintf("($%d, $%d, $%d)", len(args)-2, len(args)-1, len(args)))
		emails = append(emails, email)
	}
	if len(values) == 0 {
		return nil
	}
	if err := deferExec(ctx, q, `INSERT INTO contacts (email, name, created_at) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END`, args...); err != nil {
		return fmt.Errorf("upsert contacts: %w", err)
	}
	args = []any{ticketID}
	for _, e := range emails {
		args = append(args, e)
	}
	if err := deferExec(ctx, q, `INSERT INTO ticket_participants (ticket_id, contact_id)
		SELECT $1, id FROM contacts WHERE email IN (`+placeholders(2, len(emails))+`) ON CONFLICT DO NOTHING`, args...); err != nil {
		return fmt.Errorf("add participants: %w", err)
	}
	return nil
}

// IsParticipant reports whether email took part in the ticket.
func (s *Store) IsParticipant(ctx context.Context, q Querier, ticketID int64, email string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM ticket_participants p JOIN contacts c ON c.id = p.contact_id
		WHERE p.ticket_id = $1 AND c.email = $2`, ticketID, strings.ToLower(strings.TrimSpace(email))).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("participant check: %w", err)
	}
	return n > 0, nil
}
