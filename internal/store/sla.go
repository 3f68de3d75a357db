package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// BusinessHours is a stored calendar (migration 0100); Week and Holidays
// are JSON the sla package reads.
type BusinessHours struct {
	ID                   int64
	Name, Timezone       string
	Week, Holidays       string
	CreatedAt, UpdatedAt time.Time
}

const businessHoursSelect = `SELECT id, name, timezone, week, holidays, created_at, updated_at FROM business_hours`

func scanBusinessHours(r Row) (BusinessHours, error) {
	var b BusinessHours
	err := r.Scan(&b.ID, &b.Name, &b.Timezone, &b.Week, &b.Holidays, &b.CreatedAt, &b.UpdatedAt)
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	return b, err
}

// ListBusinessHours returns every calendar, by name.
func (s *Store) ListBusinessHours(ctx context.Context, q Querier) ([]BusinessHours, error) {
	out := []BusinessHours{}
	err := scanAll(q.Query(ctx, businessHoursSelect+` ORDER BY lower(name), id`))(func(r Rows) error {
		b, err := scanBusinessHours(r)
		out = append(out, b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list business hours: %w", err)
	}
	return out, nil
}

// GetBusinessHours returns one calendar.
func (s *Store) GetBusinessHours(ctx context.Context, q Querier, id int64) (BusinessHours, error) {
	b, err := scanBusinessHours(q.QueryRow(ctx, businessHoursSelect+` WHERE id = $1`, id))
	if err != nil {
		return b, fmt.Errorf("business hours %d: %w", id, err)
	}
	return b, nil
}

// SaveBusinessHours inserts (ID 0) or updates a calendar; ErrConflict when
// the name is taken.
func (s *Store) SaveBusinessHours(ctx context.Context, q Querier, b BusinessHours) (int64, error) {
	if b.ID == 0 {
		err := q.QueryRow(ctx, `INSERT INTO business_hours (name, timezone, week, holidays, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, b.Name, b.Timezone, b.Week, b.Holidays, b.UpdatedAt.UTC()).Scan(&b.ID)
		if err != nil {
			return 0, fmt.Errorf("create business hours: %w", err)
		}
		return b.ID, nil
	}
	n, err := q.Exec(ctx, `UPDATE business_hours SET name = $2, timezone = $3, week = $4, holidays = $5, updated_at = $6 WHERE id = $1`,
		b.ID, b.Name, b.Timezone, b.Week, b.Holidays, b.UpdatedAt.UTC())
	if err != nil {
		return 0, fmt.Errorf("update business hours %d: %w", b.ID, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("business hours %d: %w", b.ID, ErrNotFound)
	}
	return b.ID, nil
}

// BusinessHoursInUse counts the policies that use a calendar.
func (s *Store) BusinessHoursInUse(ctx context.Context, q Querier, id int64) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM sla_policies WHERE business_hours_id = $1`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("business hours %d in use: %w", id, err)
	}
	return n, nil
}

// DeleteBusinessHours removes a calendar (callers check it is unused).
func (s *Store) DeleteBusinessHours(ctx context.Context, q Querier, id int64) error {
	n, err := q.Exec(ctx, `DELETE FROM business_hours WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete business hours %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("business hours %d: %w", id, ErrNotFound)
	}
	return nil
}

// SLAPolicy is a stored policy; Conditions is rule conditions as JSON.
type SLAPolicy struct {
	ID                                            int64
	Name                                          string
	Position                                      int
	Match, Conditions                             string
	FirstResponseMin, NextResponseMin, ResolveMin int
	BusinessHoursID                               int64 // 0: around the clock
	CreatedAt, UpdatedAt                          time.Time
}

const slaPolicySelect = `SELECT id, name, position, match_mode, conditions, first_response_minutes, next_response_minutes,
	resolution_minutes, business_hours_id, created_at, updated_at FROM sla_policies`

func scanSLAPolicy(r Row) (SLAPolicy, error) {
	var p SLAPolicy
	var bh sql.NullInt64
	err := r.Scan(&p.ID, &p.Name, &p.Position, &p.Match, &p.Conditions, &p.FirstResponseMin, &p.NextResponseMin, &p.ResolveMin,
		&bh, &p.CreatedAt, &p.UpdatedAt)
	p.BusinessHoursID = bh.Int64
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// ListSLAPolicies returns the policies in the order they apply.
func (s *Store) ListSLAPolicies(ctx context.Context, q Querier) ([]SLAPolicy, error) {
	out := []SLAPolicy{}
	err := scanAll(q.Query(ctx, slaPolicySelect+` ORDER BY position, id`))(func(r Rows) error {
		p, err := scanSLAPolicy(r)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sla policies: %w", err)
	}
	return out, nil
}

// GetSLAPolicy returns one policy.
func (s *Store) GetSLAPolicy(ctx context.Context, q Querier, id int64) (SLAPolicy, error) {
	p, err := scanSLAPolicy(q.QueryRow(ctx, slaPolicySelect+` WHERE id = $1`, id))
	if err != nil {
		return p, fmt.Errorf("sla policy %d: %w", id, err)
	}
	return p, nil
}

// SaveSLAPolicy inserts (ID 0; position 0 goes last) or updates a policy.
func (s *Store) SaveSLAPolicy(ctx context.Context, q Querier, p SLAPolicy) (int64, error) {
	args := []any{p.Name, p.Position, p.Match, p.Conditions, p.FirstResponseMin, p.NextResponseMin, p.ResolveMin,
		nullInt(p.BusinessHoursID), p.UpdatedAt.UTC()}
	if p.ID == 0 {
		err := q.QueryRow(ctx, `INSERT INTO sla_policies (name, position, match_mode, conditions, first_response_minutes,
			next_response_minutes, resolution_minutes, business_hours_id, created_at, updated_at)
			VALUES ($1, CASE WHEN $2 > 0 THEN $2 ELSE (SELECT coalesce(max(position), 0) + 1 FROM sla_policies) END,
			$3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`, args...).Scan(&p.ID)
		if err != nil {
			return 0, fmt.Errorf("create sla policy: %w", err)
		}
		return p.ID, nil
	}
	n, err := q.Exec(ctx, `UPDATE sla_policies SET name = $1, position = $2, match_mode = $3, conditions = $4,
		first_response_minutes = $5, next_response_minutes = $6, resolution_minutes = $7, business_hours_id = $8,
		updated_at = $9 WHERE id = $10`, append(args, p.ID)...)
	if err != nil {
		return 0, fmt.Errorf("update sla policy %d: %w", p.ID, err)
	}
	if n == 0 {
		return 0, fmt.Errorf("sla policy %d: %w", p.ID, ErrNotFound)
	}
	return p.ID, nil
}

// DeleteSLAPolicy removes a policy; tickets keep the clock they got.
func (s *Store) DeleteSLAPolicy(ctx context.Context, q Querier, id int64) error {
	n, err := q.Exec(ctx, `DELETE FROM sla_policies WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete sla policy %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("sla policy %d: %w", id, ErrNotFound)
	}
	return nil
}

// TicketSLA is a ticket's stored SLA clock (sla.State); Breaches is JSON.
type TicketSLA struct {
	PolicyID                                int64
	PolicyName                              string
	FirstResponseDue, NextResponseDue, Done time.Time // zero: not running
	PausedAt                                time.Time
	Breaches                                string
	DueAt, CheckAt                          time.Time // the ticket's sla_due_at and sla_check_at
}

// GetTicketSLA returns a ticket's clock; ok is false when it has none.
func (s *Store) GetTicketSLA(ctx context.Context, q Querier, ticketID int64) (TicketSLA, bool, error) {
	found, err := s.TicketSLAsByID(ctx, q, []int64{ticketID})
	if err != nil {
		return TicketSLA{}, false, fmt.Errorf("ticket %d sla: %w", ticketID, err)
	}
	x, ok := found[ticketID]
	return x, ok, nil
}

// TicketSLAsByID returns the clock of each ticket of ids that has one, in
// one statement per chunk of ids (the breach pass reads a chunk at once).
func (s *Store) TicketSLAsByID(ctx context.Context, q Querier, ids []int64) (map[int64]TicketSLA, error) {
	found := map[int64]TicketSLA{}
	err := queryIn(ctx, q, `SELECT ticket_id, policy_id, policy_name, first_response_due_at, next_response_due_at, resolution_due_at,
		paused_at, breaches FROM ticket_sla WHERE ticket_id IN (`, ids, func(r Rows) error {
		var id int64
		var x TicketSLA
		var first, next, done, paused sql.NullTime
		err := r.Scan(&id, &x.PolicyID, &x.PolicyName, &first, &next, &done, &paused, &x.Breaches)
		x.FirstResponseDue, x.NextResponseDue, x.Done, x.PausedAt = timeOf(first), timeOf(next), timeOf(done), timeOf(paused)
		found[id] = x
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sla clocks: %w", err)
	}
	return found, nil
}

// SetTicketSLA writes a ticket's clock and its due and check times. Both
// statements are deferred into the transaction's next round trip (a breach
// pass writes a chunk of clocks in one).
func (s *Store) SetTicketSLA(ctx context.Context, tx *Tx, ticketID int64, x TicketSLA) error {
	args := []any{ticketID, x.PolicyID, x.PolicyName, nullTime(x.FirstResponseDue), nullTime(x.NextResponseDue), nullTime(x.Done),
		nullTime(x.PausedAt), x.Breaches}
	err := deferExec(ctx, tx, `INSERT INTO ticket_sla (ticket_id, policy_id, policy_name, first_response_due_at, next_response_due_at,
		resolution_due_at, paused_at, breaches) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id, policy_name = excluded.policy_name,
		first_response_due_at = excluded.first_response_due_at, next_response_due_at = excluded.next_response_due_at,
		resolution_due_at = excluded.resolution_due_at, paused_at = excluded.paused_at, breaches = excluded.breaches`, args...)
	if err != nil {
		return fmt.Errorf("set ticket %d sla: %w", ticketID, err)
	}
	return s.setDue(ctx, tx, ticketID, x.DueAt, x.CheckAt)
}

// DeleteTicketSLA drops a ticket's clock (no policy matches it any more).
func (s *Store) DeleteTicketSLA(ctx context.Context, tx *Tx, ticketID int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM ticket_sla WHERE ticket_id = $1`, ticketID); err != nil {
		return fmt.Errorf("delete ticket %d sla: %w", ticketID, err)
	}
	return s.setDue(ctx, tx, ticketID, time.Time{}, time.Time{})
}

func (s *Store) setDue(ctx context.Context, tx *Tx, ticketID int64, due, check time.Time) error {
	if err := deferExec(ctx, tx, `UPDATE tickets SET sla_due_at = $2, sla_check_at = $3 WHERE id = $1`, ticketID, nullTime(due), nullTime(check)); err != nil {
		return fmt.Errorf("set ticket %d due: %w", ticketID, err)
	}
	return nil
}

// LockTicketsToCheck locks and returns up to limit tickets whose next SLA
// target is due by now, the earliest first (the partial index
// tickets_sla_check: the pass reads these rows only, however many tickets
// are open). On PostgreSQL a ticket another transaction holds is skipped,
// not waited for: two passes at once (two replicas) take disjoint tickets,
// and one that a change holds is the next pass's. A ticket locked here was
// still due when locked (PostgreSQL checks the row again once it has the
// lock), so a pass that ran meanwhile and moved its check time on leaves
// it out. On SQLite the transaction already holds the one writer.
func (s *Store) LockTicketsToCheck(ctx context.Context, tx *Tx, now time.Time, limit int) ([]int64, error) {
	query := `SELECT id FROM tickets WHERE sla_check_at IS NOT NULL AND sla_check_at <= $1 ORDER BY sla_check_at, id LIMIT $2`
	if tx.Dialect == Postgres {
		query += ` FOR UPDATE SKIP LOCKED`
	}
	var ids []int64
	err := scanAll(tx.Query(ctx, query, now.UTC(), limit))(func(r Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tickets to check: %w", err)
	}
	return ids, nil
}
