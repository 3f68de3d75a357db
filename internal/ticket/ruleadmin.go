package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/store"
)

// RuleInput creates or changes a rule; nil leaves a field alone (a new
// rule is enabled, matches all, and goes last).
type RuleInput struct {
	Name       *string
	Enabled    *bool
	When       *string
	Match      *string
	Position   *int
	Conditions *[]rules.Condition
	Actions    *[]rules.Action
}

// RuleTestSize is how many of the latest tickets "test this rule" looks at.
const RuleTestSize = 100

func fromStored(r store.Rule) (rules.Rule, error) {
	x := rules.Rule{ID: r.ID, Name: r.Name, Enabled: r.Enabled, When: rules.When(r.When), Match: r.Match, Position: r.Position}
	if err := json.Unmarshal([]byte(r.Conditions), &x.Conditions); err != nil {
		return x, fmt.Errorf("rule %d conditions: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.Actions), &x.Actions); err != nil {
		return x, fmt.Errorf("rule %d actions: %w", r.ID, err)
	}
	return x, nil
}

// StoredRule is a rule with its times, as listed.
type StoredRule struct {
	rules.Rule
	Stored store.Rule
}

// Rules lists the rules in the order they run.
func (s *Service) Rules(ctx context.Context) ([]StoredRule, error) {
	list, err := s.store.ListRules(ctx, s.db, false)
	if err != nil {
		return nil, err
	}
	out := make([]StoredRule, 0, len(list))
	for _, r := range list {
		x, err := fromStored(r)
		if err != nil {
			return nil, err
		}
		out = append(out, StoredRule{Rule: x, Stored: r})
	}
	return out, nil
}

// GetRule returns one rule.
func (s *Service) GetRule(ctx context.Context, id int64) (StoredRule, error) {
	r, err := s.store.GetRule(ctx, s.db, id)
	if err != nil {
		return StoredRule{}, err
	}
	x, err := fromStored(r)
	return StoredRule{Rule: x, Stored: r}, err
}

func (in RuleInput) apply(r *rules.Rule) {
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	if in.When != nil {
		r.When = rules.When(*in.When)
	}
	if in.Match != nil {
		r.Match = *in.Match
	}
	if in.Position != nil {
		r.Position = *in.Position
	}
	if in.Conditions != nil {
		r.Conditions = *in.Conditions
	}
	if in.Actions != nil {
		r.Actions = *in.Actions
	}
}

// checkRule compiles a rule and checks what its actions name: an enabled
// agent, a shared macro, a webhook (enabled or not: an admin may pause it).
func (s *Service) checkRule(ctx context.Context, q store.Querier, r rules.Rule) (*rules.Compiled, error) {
	if r.Position < 0 {
		return nil, domain.Invalid("position", "must be 0 or more")
	}
	c, err := rules.Compile(r)
	if err != nil {
		return nil, err
	}
	for i, a := range c.Actions {
		field := fmt.Sprintf("actions[%d].value", i)
		switch a.Type {
		case rules.ActionAssignAgent, rules.ActionNotify:
			u, err := s.store.GetUserTx(ctx, q, a.ID())
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
				return nil, domain.Invalid(field, fmt.Sprintf("%d is not an enabled user", a.ID()))
			}
			if err != nil {
				return nil, err
			}
		case rules.ActionReplyMacro:
			m, err := s.store.GetMacro(ctx, q, a.ID())
			if errors.Is(err, store.ErrNotFound) || (err == nil && !m.Shared) {
				return nil, domain.Invalid(field, fmt.Sprintf("%d is not a shared macro", a.ID()))
			}
			if err != nil {
				return nil, err
			}
		case rules.ActionWebhook:
			_, err := s.store.GetWebhook(ctx, q, a.ID())
			if errors.Is(err, store.ErrNotFound) {
				return nil, domain.Invalid(field, fmt.Sprintf("%d is not a webhook", a.ID()))
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func toStored(c *rules.Compiled) (store.Rule, error) {
	conds, err := json.Marshal(c.Conditions)
	if err != nil {
		return store.Rule{}, err
	}
	acts, err := json.Marshal(c.Actions)
	if err != nil {
		return store.Rule{}, err
	}
	if c.Conditions == nil {
		conds = []byte("[]")
	}
	return store.Rule{ID: c.ID, Name: c.Name, Position: c.Position, Enabled: c.Enabled, When: string(c.When), Match: c.Match,
		Conditions: string(conds), Actions: string(acts)}, nil
}

// CreateRule checks and saves a rule.
func (s *Service) CreateRule(ctx context.Context, in RuleInput) (StoredRule, error) {
	r := rules.Rule{Enabled: true, Match: rules.MatchAll}
	in.apply(&r)
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		c, err := s.checkRule(ctx, tx, r)
		if err != nil {
			return err
		}
		st, err := toStored(c)
		if err != nil {
			return err
		}
		st.CreatedAt = s.now()
		id, err = s.store.CreateRule(ctx, tx, st)
		return err
	})
	if err != nil {
		return StoredRule{}, err
	}
	return s.GetRule(ctx, id)
}

// UpdateRule changes a rule; the whole rule is checked again.
func (s *Service) UpdateRule(ctx context.Context, id int64, in RuleInput) (StoredRule, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		old, err := s.store.GetRule(ctx, tx, id)
		if err != nil {
			return err
		}
		r, err := fromStored(old)
		if err != nil {
			return err
		}
		in.apply(&r)
		c, err := s.checkRule(ctx, tx, r)
		if err != nil {
			return err
		}
		st, err := toStored(c)
		if err != nil {
			return err
		}
		st.UpdatedAt = s.now()
		return s.store.UpdateRule(ctx, tx, st)
	})
	if err != nil {
		return StoredRule{}, err
	}
	return s.GetRule(ctx, id)
}

// DeleteRule removes a rule.
func (s *Service) DeleteRule(ctx context.Context, id int64) error {
	return s.store.DeleteRule(ctx, s.db.W(), id)
}

// TestRule tells which of the latest RuleTestSize tickets a rule (saved or
// not) would match now, each seen with its last customer message. It
// changes nothing.
func (s *Service) TestRule(ctx context.Context, in RuleInput) (matched []store.Ticket, checked int, err error) {
	r := rules.Rule{Enabled: true, Match: rules.MatchAll}
	in.apply(&r)
	c, err := s.checkRule(ctx, s.db, r)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.store.RecentTicketIDs(ctx, s.db, RuleTestSize)
	if err != nil {
		return nil, 0, err
	}
	matched = []store.Ticket{}
	for _, id := range ids {
		msg, _, err := s.store.LastCustomerMessage(ctx, s.db, id)
		if err != nil {
			return nil, 0, err
		}
		ev, err := s.ruleSubject(ctx, s.db, id, msg, nil, false, []*rules.Compiled{c})
		if err != nil {
			return nil, 0, err
		}
		if c.Matches(&ev.snap) {
			matched = append(matched, ev.ticket)
		}
	}
	return matched, len(ids), nil
}
