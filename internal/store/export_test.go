package store

import (
	"context"
	"fmt"
)

// SetTicketTags replaces a ticket's tags, for tests that set them up
// outside the change path (which writes them with ChangeTicketTags).
func (s *Store) SetTicketTags(ctx context.Context, q Querier, id int64, tags []string) error {
	if _, err := q.Exec(ctx, `DELETE FROM ticket_tags WHERE ticket_id = $1`, id); err != nil {
		return fmt.Errorf("set tags of ticket %d: %w", id, err)
	}
	for _, t := range tags {
		if _, err := q.Exec(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)`, id, t); err != nil {
			return fmt.Errorf("set tags of ticket %d: %w", id, err)
		}
	}
	return nil
}

// SetSearchDense changes the match count from which SQLite search walks
// tickets by activity, so tests run both plans on small data.
func SetSearchDense(s *Store, n int) { s.searchDense = n }
