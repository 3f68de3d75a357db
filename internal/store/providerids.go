package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// ReceivedProviderIDs returns which of ids (provider ids such as
// "gmail:<id>") were already received from source, into any mailbox: a
// journal mailbox's mail is routed to other mailboxes' inbound rows.
func (s *Store) ReceivedProviderIDs(ctx context.Context, source string, ids []string) (map[string]bool, error) {
	seen := make(map[string]bool)
	for chunk := range slices.Chunk(ids, 500) {
		args := []any{source}
		marks := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			marks[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := s.db.W().Query(ctx, `SELECT DISTINCT provider_id FROM inbound WHERE source = $1 AND provider_id IN (`+strings.Join(marks, ", ")+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("received provider ids: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("received provider ids: %w", err)
			}
			seen[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("received provider ids: %w", err)
		}
	}
	return seen, nil
}
