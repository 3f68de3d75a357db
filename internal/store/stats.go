package store

import (
	"context"
	"fmt"
)

// Backlog is work waiting in the database, for the operations metrics.
type Backlog struct {
	OutboundQueued  int64 // outbound messages waiting for (another) send attempt
	OutboundSending int64 // outbound messages handed to a transport, outcome not recorded yet
	OutboundWaiting int64 // outbound messages waiting for their mailbox's relay to be fixed
	InboundPending  int64 // received mail not ingested yet
	InboundFailed   int64 // received mail whose ingestion failed (retried with backoff)
}

// Backlog counts the waiting work. Each count reads a small index range.
func (s *Store) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	rows, err := s.db.Query(ctx, `SELECT delivery_status, count(*) FROM messages
		WHERE delivery_status IN ('queued', 'retrying', 'sending', 'waiting') GROUP BY delivery_status`)
	if err != nil {
		return b, fmt.Errorf("outbound backlog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return b, fmt.Errorf("outbound backlog: %w", err)
		}
		switch st {
		case DeliveryQueued, DeliveryRetrying:
			b.OutboundQueued += n
		case DeliverySending:
			b.OutboundSending = n
		case DeliveryWaiting:
			b.OutboundWaiting = n
		}
	}
	if err := rows.Err(); err != nil {
		return b, fmt.Errorf("outbound backlog: %w", err)
	}
	rows.Close()
	rows, err = s.db.Query(ctx, `SELECT status, count(*) FROM inbound WHERE status IN ('pending', 'failed') GROUP BY status`)
	if err != nil {
		return b, fmt.Errorf("inbound backlog: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return b, fmt.Errorf("inbound backlog: %w", err)
		}
		switch st {
		case InboundPending:
			b.InboundPending = n
		case InboundFailed:
			b.InboundFailed = n
		}
	}
	return b, rows.Err()
}
