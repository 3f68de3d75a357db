package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
)

// SavedView is a named ticket filter; Filters is its JSON, which the ticket
// service reads (the store keeps it as it is told).
type SavedView struct {
	ID        int64
	OwnerID   int64
	Name      string
	Shared    bool
	Filters   string
	CreatedAt time.Time
}

const viewSelect = `SELECT id, owner_id, name, shared, filters, created_at FROM saved_views`

func scanView(r Row) (SavedView, error) {
	var v SavedView
	err := r.Scan(&v.ID, &v.OwnerID, &v.Name, &v.Shared, &v.Filters, &v.CreatedAt)
	v.CreatedAt = v.CreatedAt.UTC()
	return v, err
}

// ListViews returns the views a user sees: their own and the shared ones,
// by name.
func (s *Store) ListViews(ctx context.Context, q Querier, userID int64) ([]SavedView, error) {
	out := []SavedView{}
	err := scanAll(q.Query(ctx, viewSelect+` WHERE owner_id = $1 OR shared ORDER BY lower(name), id`, userID))(func(r Rows) error {
		v, err := scanView(r)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list views: %w", err)
	}
	return out, nil
}

// GetView returns one saved view.
func (s *Store) GetView(ctx context.Context, q Querier, id int64) (SavedView, error) {
	v, err := scanView(q.QueryRow(ctx, viewSelect+` WHERE id = $1`, id))
	if err != nil {
		return v, fmt.Errorf("view %d: %w", id, err)
	}
	return v, nil
}

// CreateView inserts a saved view and returns its id.
func (s *Store) CreateView(ctx context.Context, q Querier, v SavedView) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO saved_views (owner_id, name, shared, filters, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		v.OwnerID, v.Name, v.Shared, v.Filters, v.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create view: %w", err)
	}
	return id, nil
}

// UpdateView writes a view's name, sharing and filters.
func (s *Store) UpdateView(ctx context.Context, q Querier, v SavedView) error {
	n, err := q.Exec(ctx, `UPDATE saved_views SET name = $2, shared = $3, filters = $4 WHERE id = $1`, v.ID, v.Name, v.Shared, v.Filters)
	if err != nil {
		return fmt.Errorf("update view %d: %w", v.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("view %d: %w", v.ID, ErrNotFound)
	}
	return nil
}

// DeleteView removes a saved view.
func (s *Store) DeleteView(ctx context.Context, q Querier, id int64) error {
	n, err := q.Exec(ctx, `DELETE FROM saved_views WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete view %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("view %d: %w", id, ErrNotFound)
	}
	return nil
}

// TicketCount is how many tickets share a status, an assignee (0: none),
// a mailbox and a team (0: none); with Tag, how many of those carry it.
type TicketCount struct {
	Tag        string
	Status     domain.Status
	AssigneeID int64
	MailboxID  int64
	TeamID     int64
	N          int
}

// TicketCounts reads the ticket counts the triggers of ticket_counts keep
// (migrations 0030, 0150): every built-in view's count is summed from these
// rows, whose number grows with statuses x assignees x mailboxes x teams,
// never with the tickets.
func (s *Store) TicketCounts(ctx context.Context) ([]TicketCount, error) {
	out := []TicketCount{}
	err := scanAll(s.db.Query(ctx, `SELECT status, assignee_id, mailbox_id, team_id, n FROM ticket_counts WHERE n > 0`))(func(r Rows) error {
		var c TicketCount
		err := r.Scan(&c.Status, &c.AssigneeID, &c.MailboxID, &c.TeamID, &c.N)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ticket counts: %w", err)
	}
	return out, nil
}

// TicketTagCounts reads the kept counts of the tickets carrying each of
// tags (migration 0150), for the saved views that filter by a tag.
func (s *Store) TicketTagCounts(ctx context.Context, tags []string) ([]TicketCount, error) {
	out := []TicketCount{}
	if len(tags) == 0 {
		return out, nil
	}
	var args []any
	ph := make([]string, len(tags))
	for i, t := range tags {
		args = append(args, t)
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	err := scanAll(s.db.Query(ctx, `SELECT tag, status, assignee_id, mailbox_id, team_id, n FROM ticket_tag_counts
		WHERE tag IN (`+strings.Join(ph, ", ")+`) AND n > 0`, args...))(func(r Rows) error {
		var c TicketCount
		err := r.Scan(&c.Tag, &c.Status, &c.AssigneeID, &c.MailboxID, &c.TeamID, &c.N)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ticket tag counts: %w", err)
	}
	return out, nil
}

// RecountTickets are the statements that recount ticket_counts from the
// tickets (in one transaction): for writers that bypass the triggers, and for
// a restore, where the tickets' triggers fill the counts as they load.
var RecountTickets = []string{
	`DELETE FROM ticket_counts`,
	`INSERT INTO ticket_counts (status, assignee_id, mailbox_id, team_id, n)
		SELECT status, COALESCE(assignee_id, 0), mailbox_id, COALESCE(team_id, 0), count(*) FROM tickets WHERE spam_at IS NULL
		GROUP BY status, COALESCE(assignee_id, 0), mailbox_id, COALESCE(team_id, 0)`,
	`DELETE FROM ticket_tag_counts`,
	`INSERT INTO ticket_tag_counts (tag, status, assignee_id, mailbox_id, team_id, n)
		SELECT g.tag, t.status, COALESCE(t.assignee_id, 0), t.mailbox_id, COALESCE(t.team_id, 0), count(*)
		FROM ticket_tags g JOIN tickets t ON t.id = g.ticket_id WHERE t.spam_at IS NULL
		GROUP BY g.tag, t.status, COALESCE(t.assignee_id, 0), t.mailbox_id, COALESCE(t.team_id, 0)`,
}

// RebuildTicketCounts recounts ticket_counts from the tickets, for writers
// that bypass the triggers (a bulk load with triggers off).
func (s *Store) RebuildTicketCounts(ctx context.Context) error {
	return s.db.InTx(ctx, func(tx *Tx) error {
		for _, q := range RecountTickets {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("rebuild ticket counts: %w", err)
			}
		}
		return nil
	})
}

// CountTickets counts the tickets a filter selects (its cursor and limit
// ignored), stopping at limit: the answer is min(n, limit), so a view over
// the archive costs at most limit index entries.
func (s *Store) CountTickets(ctx context.Context, f TicketFilter, limit int) (int, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where, none, err := s.ticketWhere(ctx, f, arg)
	if err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	if none {
		return 0, nil
	}
	query := `SELECT count(*) FROM (SELECT 1 FROM tickets t`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " LIMIT " + arg(limit) + ") c"
	var n int
	if err := s.db.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}
