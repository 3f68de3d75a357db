package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
)

// LockTicket serialises changes to one ticket across replicas (PostgreSQL);
// SQLite transactions are already serialised by the single writer. It also
// reports ErrNotFound for an unknown ticket on both engines.
func (s *Store) LockTicket(ctx context.Context, tx *Tx, id int64) error {
	query := `SELECT id FROM tickets WHERE id = $1`
	if tx.Dialect == Postgres {
		query += ` FOR UPDATE`
	}
	var got int64
	if err := tx.QueryRow(ctx, query, id).Scan(&got); err != nil {
		return fmt.Errorf("lock ticket %d: %w", id, err)
	}
	return nil
}

// TicketFields are the agent-editable fields of a ticket, written together.
type TicketFields struct {
	Status     domain.Status
	Priority   domain.Priority
	AssigneeID int64 // 0: unassigned
	TeamID     int64 // 0: no team
	SolvedAt   time.Time
	// SnoozeUntil is when a snoozed (pending) ticket returns to open; zero
	// when it is not snoozed.
	SnoozeUntil time.Time
}

// UpdateTicketFields writes status, priority, assignee, team, solved and
// snooze times.
func (s *Store) UpdateTicketFields(ctx context.Context, q Querier, id int64, f TicketFields, at time.Time) error {
	_, err := q.Exec(ctx, `UPDATE tickets SET status = $2, priority = $3, assignee_id = $4, solved_at = $5,
		updated_at = CASE WHEN updated_at > $6 THEN updated_at ELSE $6 END, snooze_until = $7, team_id = $8 WHERE id = $1`,
		id, f.Status, f.Priority, nullInt(f.AssigneeID), nullTime(f.SolvedAt), at.UTC(), nullTime(f.SnoozeUntil), nullInt(f.TeamID))
	if err != nil {
		return fmt.Errorf("update ticket %d: %w", id, err)
	}
	return nil
}

// ChangeTicketTags adds and removes some of a ticket's tags, one statement
// for each (deferred on PostgreSQL): a tag added must not be on the ticket,
// and the rows' triggers keep the counts of only the tags that change.
func (s *Store) ChangeTicketTags(ctx context.Context, q Querier, id int64, add, remove []string) error {
	// params numbers the tags from $2 ($1 is the ticket) in the pattern.
	params := func(tags []string, pattern string) (string, []any) {
		args, list := []any{id}, make([]string, len(tags))
		for i, t := range tags {
			args, list[i] = append(args, t), fmt.Sprintf(pattern, i+2)
		}
		return strings.Join(list, ", "), args
	}
	if len(remove) > 0 {
		in, args := params(remove, "$%d")
		if err := deferExec(ctx, q, `DELETE FROM ticket_tags WHERE ticket_id = $1 AND tag IN (`+in+`)`, args...); err != nil {
			return fmt.Errorf("remove tags of ticket %d: %w", id, err)
		}
	}
	if len(add) > 0 {
		rows, args := params(add, "($1, $%d)")
		if err := deferExec(ctx, q, `INSERT INTO ticket_tags (ticket_id, tag) VALUES `+rows, args...); err != nil {
			return fmt.Errorf("add tags of ticket %d: %w", id, err)
		}
	}
	return nil
}

// SetFirstResponse sets a ticket's first response time from its delivered
// agent replies: the earliest one sent, or none (a reply that bounced after
// it was sent no longer counts; a forward to a third party answers nobody).
func (s *Store) SetFirstResponse(ctx context.Context, q Querier, id int64) error {
	_, err := q.Exec(ctx, `UPDATE tickets SET first_response_at = (SELECT min(m.delivered_at) FROM messages m
		WHERE m.ticket_id = $1 AND m.kind = $2 AND m.author_id IS NOT NULL AND m.delivery_status = $3 AND m.party = '') WHERE id = $1`,
		id, KindOutbound, DeliverySent)
	if err != nil {
		return fmt.Errorf("set first response of ticket %d: %w", id, err)
	}
	return nil
}

// RequeueFailed puts a failed outbound message back in the queue; it reports
// false when the message is not (any more) failed.
func (s *Store) RequeueFailed(ctx context.Context, q Querier, id int64) (bool, error) {
	n, err := q.Exec(ctx, `UPDATE messages SET delivery_status = $2, delivery_error = '', delivery_next_at = NULL WHERE id = $1 AND kind = $3 AND delivery_status = $4`,
		id, DeliveryQueued, KindOutbound, DeliveryFailed)
	if err != nil {
		return false, fmt.Errorf("requeue message %d: %w", id, err)
	}
	return n > 0, nil
}

// ThreadTail returns the newest email (not a note) of a ticket that carries
// a Message-ID, the one a reply answers; found is false when there is none.
func (s *Store) ThreadTail(ctx context.Context, q Querier, ticketID int64) (Message, bool, error) {
	m, err := scanMessage(q.QueryRow(ctx, `SELECT `+messageCols+` FROM messages
		WHERE ticket_id = $1 AND kind IN ($2, $3) AND message_id <> '' AND party = '' ORDER BY created_at DESC, id DESC LIMIT 1`,
		ticketID, KindInbound, KindOutbound))
	if isNotFound(err) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("thread tail of ticket %d: %w", ticketID, err)
	}
	return m, true, nil
}

// LastInbound returns the newest customer message of a ticket (a third
// party's answer to a forward is none).
func (s *Store) LastInbound(ctx context.Context, q Querier, ticketID int64) (Message, bool, error) {
	m, err := scanMessage(q.QueryRow(ctx, `SELECT `+messageCols+` FROM messages
		WHERE ticket_id = $1 AND kind = $2 AND party = '' ORDER BY created_at DESC, id DESC LIMIT 1`, ticketID, KindInbound))
	if isNotFound(err) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("last inbound of ticket %d: %w", ticketID, err)
	}
	return m, true, nil
}

// MailboxChange lists the fields of a mailbox to change; nil leaves one alone.
type MailboxChange struct {
	Name       *string
	SMTPRelay  *string // sealed
	AckEnabled *bool
	AckSubject *string
	AckBody    *string
	// RelayWarning goes with SMTPRelay: what the new relay's mailbox warns about.
	RelayWarning    *string
	SenderAgentName *bool
	// SystemMail true makes this mailbox the one that sends mail not tied to
	// a ticket, and no other.
	SystemMail *bool
	ReopenDays *int
	// Portal: customers may open tickets in this mailbox from the portal.
	Portal *bool
	// CSAT: the requester of a ticket solved gets a satisfaction survey.
	CSAT *bool
}

// UpdateMailbox changes a mailbox.
func (s *Store) UpdateMailbox(ctx context.Context, id int64, c MailboxChange) error {
	n, err := s.db.Exec(ctx, `UPDATE mailboxes SET name = COALESCE($2, name), smtp_relay = COALESCE($3, smtp_relay),
		ack_enabled = COALESCE($4, ack_enabled), ack_subject = COALESCE($5, ack_subject), ack_body = COALESCE($6, ack_body),
		relay_warning = COALESCE($7, relay_warning), sender_agent_name = COALESCE($8, sender_agent_name),
		reopen_days = COALESCE($9, reopen_days), portal = COALESCE($10, portal), csat = COALESCE($11, csat) WHERE id = $1`,
		id, c.Name, c.SMTPRelay, c.AckEnabled, c.AckSubject, c.AckBody, c.RelayWarning, c.SenderAgentName, c.ReopenDays, c.Portal, c.CSAT)
	if err != nil {
		return fmt.Errorf("update mailbox %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("mailbox %d: %w", id, ErrNotFound)
	}
	switch {
	case c.SystemMail == nil:
	case *c.SystemMail: // one statement: never two marked, never a moment with none
		_, err = s.db.Exec(ctx, `UPDATE mailboxes SET system_mail = (id = $1) WHERE system_mail OR id = $1`, id)
	default:
		_, err = s.db.Exec(ctx, `UPDATE mailboxes SET system_mail = FALSE WHERE id = $1`, id)
	}
	if err != nil {
		return fmt.Errorf("update mailbox %d: %w", id, err)
	}
	return nil
}

// MailboxAddresses returns every mailbox address (ours, never a recipient of a Cc).
func (s *Store) MailboxAddresses(ctx context.Context, q Querier) (map[string]bool, error) {
	rows, err := q.Query(ctx, `SELECT address FROM mailboxes`)
	if err != nil {
		return nil, fmt.Errorf("mailbox addresses: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("mailbox addresses: %w", err)
		}
		out[strings.ToLower(a)] = true
	}
	return out, rows.Err()
}

// GetTicketFields reads the agent-editable fields of one ticket: the state a
// ticket change starts from.
func (s *Store) GetTicketFields(ctx context.Context, q Querier, id int64) (TicketFields, error) {
	found, err := s.TicketFieldsByID(ctx, q, []int64{id})
	if err != nil {
		return TicketFields{}, err
	}
	f, ok := found[id]
	if !ok {
		return TicketFields{}, fmt.Errorf("ticket %d: %w", id, ErrNotFound)
	}
	return f, nil
}

// TicketFieldsByID reads the fields of each ticket that exists, in one
// statement per chunk of ids (a batch import asks for many at once).
func (s *Store) TicketFieldsByID(ctx context.Context, q Querier, ids []int64) (map[int64]TicketFields, error) {
	found := map[int64]TicketFields{}
	err := queryIn(ctx, q, `SELECT id, status, priority, assignee_id, solved_at, snooze_until, team_id FROM tickets WHERE id IN (`, ids, func(r Rows) error {
		var id int64
		var f TicketFields
		var assignee, team sql.NullInt64
		var solved, snooze sql.NullTime
		err := r.Scan(&id, &f.Status, &f.Priority, &assignee, &solved, &snooze, &team)
		f.AssigneeID, f.SolvedAt, f.SnoozeUntil, f.TeamID = assignee.Int64, timeOf(solved), timeOf(snooze), team.Int64
		found[id] = f
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ticket fields: %w", err)
	}
	return found, nil
}

// TicketTags returns a ticket's tags, sorted.
func (s *Store) TicketTags(ctx context.Context, q Querier, id int64) ([]string, error) {
	list := []Ticket{{ID: id}}
	if err := s.loadTags(ctx, q, list); err != nil {
		return nil, err
	}
	return list[0].Tags, nil
}
