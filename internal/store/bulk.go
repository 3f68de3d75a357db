package store

import (
	"context"
	"fmt"
	"slices"
)

// LockTickets locks the tickets of ids that exist, in id order (so two bulk
// changes over the same tickets cannot deadlock), and returns their ids. On
// SQLite the transaction already holds the one writer.
func (s *Store) LockTickets(ctx context.Context, tx *Tx, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	args := make([]any, len(sorted))
	for i, id := range sorted {
		args[i] = id
	}
	query := `SELECT id FROM tickets WHERE id IN (` + placeholders(1, len(args)) + `) ORDER BY id`
	if tx.Dialect == Postgres {
		query += ` FOR UPDATE`
	}
	var found []int64
	err := scanAll(tx.Query(ctx, query, args...))(func(r Rows) error {
		var id int64
		err := r.Scan(&id)
		found = append(found, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("lock tickets: %w", err)
	}
	return found, nil
}

// TagsByTicket returns the tags of each ticket of ids, sorted (a ticket
// without tags has none in the map).
func (s *Store) TagsByTicket(ctx context.Context, q Querier, ids []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	err := queryIn(ctx, q, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (`, ids, func(r Rows) error {
		var id int64
		var tag string
		err := r.Scan(&id, &tag)
		out[id] = append(out[id], tag)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tags by ticket: %w", err)
	}
	for _, tags := range out {
		slices.Sort(tags)
	}
	return out, nil
}
