package store

import (
	"context"
	"fmt"
	"strings"
)

// AddThirdParties records the addresses a ticket was forwarded to.
func (s *Store) AddThirdParties(ctx context.Context, q Querier, ticketID int64, emails []string) error {
	for _, e := range emails {
		if _, err := q.Exec(ctx, `INSERT INTO ticket_third_parties (ticket_id, email) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			ticketID, strings.ToLower(strings.TrimSpace(e))); err != nil {
			return fmt.Errorf("add third party: %w", err)
		}
	}
	return nil
}

// IsThirdParty: the ticket was forwarded to email, and email is not its
// requester's (a requester is never a third party of their own ticket).
func (s *Store) IsThirdParty(ctx context.Context, q Querier, ticketID int64, email string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM ticket_third_parties tp
		JOIN tickets t ON t.id = tp.ticket_id JOIN contacts c ON c.id = t.requester_id
		WHERE tp.ticket_id = $1 AND tp.email = $2 AND c.email <> $2`, ticketID, strings.ToLower(strings.TrimSpace(email))).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("is third party: %w", err)
	}
	return n > 0, nil
}
