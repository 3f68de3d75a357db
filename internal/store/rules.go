package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Rule is an automation rule as stored; Conditions and Actions are JSON the
// rules package reads.
type Rule struct {
	ID         int64
	Name       string
	Position   int
	Enabled    bool
	When       string
	Match      string
	Conditions string
	Actions    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

const ruleSelect = `SELECT id, name, position, enabled, run_when, match_mode, conditions, actions, created_at, updated_at FROM rules`

func scanRule(r Row) (Rule, error) {
	var x Rule
	err := r.Scan(&x.ID, &x.Name, &x.Position, &x.Enabled, &x.When, &x.Match, &x.Conditions, &x.Actions, &x.CreatedAt, &x.UpdatedAt)
	x.CreatedAt, x.UpdatedAt = x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	return x, err
}

// ListRules returns the rules in order (position, then id); enabledOnly
// leaves out the disabled ones.
func (s *Store) ListRules(ctx context.Context, q Querier, enabledOnly bool) ([]Rule, error) {
	where := ""
	if enabledOnly {
		where = ` WHERE enabled`
	}
	out := []Rule{}
	err := scanAll(q.Query(ctx, ruleSelect+where+` ORDER BY position, id`))(func(r Rows) error {
		x, err := scanRule(r)
		out = append(out, x)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	return out, nil
}

// RulesStamp changes whenever a rule is created, changed or deleted (the
// count and the latest change), so that a cache of compiled rules knows when
// to read them again.
func (s *Store) RulesStamp(ctx context.Context, q Querier) (string, error) {
	var n int64
	var last sql.NullString
	if err := q.QueryRow(ctx, `SELECT count(*), CAST(max(updated_at) AS TEXT) FROM rules`).Scan(&n, &last); err != nil {
		return "", fmt.Errorf("rules stamp: %w", err)
	}
	return fmt.Sprintf("%d/%s", n, last.String), nil
}

// GetRule returns one rule.
func (s *Store) GetRule(ctx context.Context, q Querier, id int64) (Rule, error) {
	x, err := scanRule(q.QueryRow(ctx, ruleSelect+` WHERE id = $1`, id))
	if err != nil {
		return x, fmt.Errorf("rule %d: %w", id, err)
	}
	return x, nil
}

// CreateRule inserts a rule and returns its id; a rule without a position
// goes last.
func (s *Store) CreateRule(ctx context.Context, q Querier, x Rule) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO rules (name, position, enabled, run_when, match_mode, conditions, actions, created_at, updated_at)
		VALUES ($1, CASE WHEN $2 > 0 THEN $2 ELSE (SELECT coalesce(max(position), 0) + 1 FROM rules) END, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		x.Name, x.Position, x.Enabled, x.When, x.Match, x.Conditions, x.Actions, x.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create rule: %w", err)
	}
	return id, nil
}

// UpdateRule writes every field of a rule but its creation time.
func (s *Store) UpdateRule(ctx context.Context, q Querier, x Rule) error {
	n, err := q.Exec(ctx, `UPDATE rules SET name = $2, position = $3, enabled = $4, run_when = $5, match_mode = $6, conditions = $7,
		actions = $8, updated_at = $9 WHERE id = $1`,
		x.ID, x.Name, x.Position, x.Enabled, x.When, x.Match, x.Conditions, x.Actions, x.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("update rule %d: %w", x.ID, err)
	}
	if n == 0 {
		return fmt.Errorf("rule %d: %w", x.ID, ErrNotFound)
	}
	return nil
}

// DeleteRule removes a rule (and its record of runs).
func (s *Store) DeleteRule(ctx context.Context, q Querier, id int64) error {
	n, err := q.Exec(ctx, `DELETE FROM rules WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete rule %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("rule %d: %w", id, ErrNotFound)
	}
	return nil
}

// MarkRuleRun records that a rule did something once on a ticket; it
// reports false when that was already recorded (the caller then does not do
// it again).
func (s *Store) MarkRuleRun(ctx context.Context, q Querier, ruleID, ticketID int64, action string, at time.Time) (bool, error) {
	n, err := q.Exec(ctx, `INSERT INTO rule_runs (rule_id, ticket_id, action, ran_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (rule_id, ticket_id, action) DO NOTHING`, ruleID, ticketID, action, at.UTC())
	if err != nil {
		return false, fmt.Errorf("mark rule %d run on ticket %d: %w", ruleID, ticketID, err)
	}
	return n == 1, nil
}

// LastCustomerMessage returns the ticket's last inbound message's id and
// time, 0 and zero when it has none.
func (s *Store) LastCustomerMessage(ctx context.Context, q Querier, ticketID int64) (int64, time.Time, error) {
	var id int64
	var at time.Time
	err := q.QueryRow(ctx, `SELECT id, created_at FROM messages WHERE ticket_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1`,
		ticketID, KindInbound).Scan(&id, &at)
	if errors.Is(err, ErrNotFound) {
		return 0, time.Time{}, nil
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("last customer message of ticket %d: %w", ticketID, err)
	}
	return id, at.UTC(), nil
}

// TicketsUpdatedBefore returns the ids of tickets in the given statuses not
// updated since before, least recently updated first, after the ticket id
// after (the index on status and updated_at finds them; time rules ask only
// for these).
func (s *Store) TicketsUpdatedBefore(ctx context.Context, q Querier, statuses []string, before time.Time, limit int) ([]int64, error) {
	var out []int64
	for _, st := range statuses {
		err := scanAll(q.Query(ctx, `SELECT id FROM tickets WHERE status = $1 AND updated_at < $2 ORDER BY updated_at, id LIMIT $3`,
			st, before.UTC(), limit))(func(r Rows) error {
			var id int64
			err := r.Scan(&id)
			out = append(out, id)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("tickets %s updated before %s: %w", st, before, err)
		}
	}
	return out, nil
}

// RecentTicketIDs returns the ids of the last n tickets created, newest first.
func (s *Store) RecentTicketIDs(ctx context.Context, q Querier, n int) ([]int64, error) {
	var out []int64
	err := scanAll(q.Query(ctx, `SELECT id FROM tickets ORDER BY id DESC LIMIT $1`, n))(func(r Rows) error {
		var id int64
		err := r.Scan(&id)
		out = append(out, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recent tickets: %w", err)
	}
	return out, nil
}
