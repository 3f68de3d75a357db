package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// MergeTicket moves everything a ticket holds to another in tx: its messages
// (their attachments and occurrences follow them), its thread keys (so later
// mail in its thread lands on the target), its participants; then marks the
// source merged, with no messages left. It returns how many of the moved
// messages the source counted.
// Status, tags, events and counts on the target go through the change path.
func (s *Store) MergeTicket(ctx context.Context, tx *Tx, from, into int64) (int, error) {
	// What moves in the count is what the source counted (not its notes or
	// acknowledgements).
	var moved int64
	if err := tx.QueryRow(ctx, `SELECT message_count FROM tickets WHERE id = $1`, from).Scan(&moved); err != nil {
		return 0, fmt.Errorf("merge ticket %d: %w", from, err)
	}
	err := deferSearch(ctx, tx, []int64{from, into}, func() error {
		// Inbound messages now say they came by the merge, and from which ticket.
		_, err := tx.Exec(ctx, `UPDATE messages SET ticket_id = $2,
			threaded_by = CASE WHEN threaded_by = '' THEN '' ELSE 'merged' END,
			threaded_key = CASE WHEN threaded_by = '' THEN threaded_key ELSE $3 END
			WHERE ticket_id = $1`, from, into, fmt.Sprintf("#%d", from))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("merge ticket %d: move messages: %w", from, err)
	}
	steps := []struct{ what, query string }{
		{"thread keys", `UPDATE thread_keys SET ticket_id = $2 WHERE ticket_id = $1`},
		{"participants", `INSERT INTO ticket_participants (ticket_id, contact_id)
			SELECT CAST($2 AS BIGINT), contact_id FROM ticket_participants WHERE ticket_id = $1
			UNION SELECT CAST($2 AS BIGINT), requester_id FROM tickets WHERE id = $1
			ON CONFLICT DO NOTHING`},
		{"mark", `UPDATE tickets SET merged_into = $2, message_count = 0 WHERE id = $1`},
	}
	for _, st := range steps {
		if _, err := tx.Exec(ctx, st.query, from, into); err != nil {
			return 0, fmt.Errorf("merge ticket %d: %s: %w", from, st.what, err)
		}
	}
	return int(moved), nil
}

// MergedInto returns the ticket a ticket was merged into (following a chain
// of merges to its end), or the ticket itself when it was not merged.
func (s *Store) MergedInto(ctx context.Context, q Querier, id int64) (int64, error) {
	for range 16 { // a chain longer than this is a loop someone made by hand
		var next sql.NullInt64
		if err := q.QueryRow(ctx, `SELECT merged_into FROM tickets WHERE id = $1`, id).Scan(&next); err != nil {
			return 0, fmt.Errorf("merged into of ticket %d: %w", id, err)
		}
		if !next.Valid {
			return id, nil
		}
		id = next.Int64
	}
	return id, nil
}

// ThreadMessage is what a split needs to know of a message: where it sits in
// its thread.
type ThreadMessage struct {
	ID         int64
	Kind       string
	AutoReason string
	MessageID  string
	InReplyTo  string
	References []string
}

// ThreadMessages returns a ticket's messages (notes too), oldest first, with
// their threading headers only.
func (s *Store) ThreadMessages(ctx context.Context, q Querier, ticketID int64) ([]ThreadMessage, error) {
	var out []ThreadMessage
	err := scanAll(q.Query(ctx, `SELECT id, kind, auto_reason, message_id, in_reply_to, refs FROM messages WHERE ticket_id = $1 ORDER BY id`, ticketID))(func(r Rows) error {
		var m ThreadMessage
		var refs string
		err := r.Scan(&m.ID, &m.Kind, &m.AutoReason, &m.MessageID, &m.InReplyTo, &refs)
		m.References = strings.Fields(refs)
		out = append(out, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("thread of ticket %d: %w", ticketID, err)
	}
	return out, nil
}

// MoveMessages moves messages (and the thread keys of their Message-IDs) from
// one ticket to another. The counts are the change path's (MessagesMoved).
func (s *Store) MoveMessages(ctx context.Context, tx *Tx, from, to int64, ids []int64, messageIDs []string) error {
	err := deferSearch(ctx, tx, []int64{from, to}, func() error {
		return inChunks(len(ids), inChunk, func(lo, hi int) error {
			args := []any{to, from, fmt.Sprintf("#%d", from)}
			for _, id := range ids[lo:hi] {
				args = append(args, id)
			}
			// Inbound messages now say they came by the split, and from which ticket.
			_, err := tx.Exec(ctx, `UPDATE messages SET ticket_id = $1,
				threaded_by = CASE WHEN threaded_by = '' THEN '' ELSE 'split' END,
				threaded_key = CASE WHEN threaded_by = '' THEN threaded_key ELSE $3 END
				WHERE ticket_id = $2 AND id IN (`+placeholders(4, hi-lo)+`)`, args...)
			return err
		})
	})
	if err != nil {
		return fmt.Errorf("move messages to ticket %d: %w", to, err)
	}
	err = inChunks(len(messageIDs), inChunk, func(lo, hi int) error {
		args := []any{to, from}
		for _, k := range messageIDs[lo:hi] {
			args = append(args, k)
		}
		_, err := tx.Exec(ctx, `UPDATE thread_keys SET ticket_id = $1 WHERE ticket_id = $2 AND key IN (`+placeholders(3, hi-lo)+`)`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("move thread keys to ticket %d: %w", to, err)
	}
	return nil
}

// SetSplitFrom records the ticket a new ticket was split off.
func (s *Store) SetSplitFrom(ctx context.Context, q Querier, id, from int64) error {
	if _, err := q.Exec(ctx, `UPDATE tickets SET split_from = $2 WHERE id = $1`, id, from); err != nil {
		return fmt.Errorf("split ticket %d: %w", id, err)
	}
	return nil
}

// SplitsOf returns the tickets split off a ticket, oldest first.
func (s *Store) SplitsOf(ctx context.Context, q Querier, id int64) ([]int64, error) {
	var out []int64
	err := scanAll(q.Query(ctx, `SELECT id FROM tickets WHERE split_from = $1 ORDER BY id`, id))(func(r Rows) error {
		var v int64
		err := r.Scan(&v)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("splits of ticket %d: %w", id, err)
	}
	return out, nil
}

// deferSearch runs move (which moves messages between tickets) with the
// per-message search trigger off for those tickets, then rebuilds each
// ticket's search document once (migration 0036): one rebuild per ticket
// instead of two per moved message.
func deferSearch(ctx context.Context, tx *Tx, tickets []int64, move func() error) error {
	args := make([]any, len(tickets))
	for i, id := range tickets {
		args[i] = id
	}
	in := placeholders(1, len(tickets))
	if _, err := tx.Exec(ctx, `INSERT INTO search_deferred (ticket_id) VALUES `+valuesList(len(tickets), 1), args...); err != nil {
		return fmt.Errorf("defer search: %w", err)
	}
	if err := move(); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM search_deferred WHERE ticket_id IN (`+in+`)`, args...); err != nil {
		return fmt.Errorf("defer search: %w", err)
	}
	rebuild := []string{`UPDATE tickets SET search = ticketer_ticket_document(id, subject, requester_id) WHERE id IN (` + in + `)`}
	if tx.Dialect != Postgres {
		rebuild = []string{`DELETE FROM ticket_fts WHERE rowid IN (` + in + `)`,
			`INSERT INTO ticket_fts (rowid, body) SELECT ticket_id, body FROM ticket_search_documents WHERE ticket_id IN (` + in + `)`}
	}
	for _, q := range rebuild {
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return fmt.Errorf("rebuild search documents: %w", err)
		}
	}
	return nil
}
