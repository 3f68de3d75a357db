package store

import (
	"context"
	"fmt"
	"strings"
)

// ExplainTicketList returns the query plan of the ticket list's query for f,
// the planner told to avoid sorting and table scans (PostgreSQL), so that it
// sorts only when no index has the order.
func (s *Store) ExplainTicketList(ctx context.Context, f TicketFilter) (string, error) {
	query, args, _, err := s.listQuery(ctx, f)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = s.db.InTx(ctx, func(tx *Tx) error {
		prefix := "EXPLAIN QUERY PLAN "
		if tx.Dialect == Postgres {
			prefix = "EXPLAIN "
			for _, set := range []string{"SET LOCAL enable_sort = off", "SET LOCAL enable_seqscan = off"} {
				if _, err := tx.Exec(ctx, set); err != nil {
					return err
				}
			}
		}
		rows, err := tx.Query(ctx, prefix+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if tx.Dialect == Postgres {
				err = rows.Scan(&line)
			} else {
				var id, parent, unused int
				err = rows.Scan(&id, &parent, &unused, &line)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(&b, line)
		}
		return rows.Err()
	})
	return b.String(), err
}
