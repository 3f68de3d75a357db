package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/sla"
	"github.com/ticketer/ticketer/internal/store"
)

// Business hours and SLA policies, as admins edit them (every agent reads).

// BusinessHours is a calendar as served.
type BusinessHours struct {
	store.BusinessHours
	Week     []sla.Period
	Holidays []string
}

// BusinessHoursInput creates or changes a calendar; nil leaves a field
// alone (a new one needs every field but holidays).
type BusinessHoursInput struct {
	Name, Timezone *string
	Week           *[]sla.Period
	Holidays       *[]string
}

// maxSLAMinutes bounds a target: a year.
const maxSLAMinutes = 366 * 24 * 60

func toBusinessHours(b store.BusinessHours) (BusinessHours, error) {
	out := BusinessHours{BusinessHours: b}
	if err := json.Unmarshal([]byte(b.Week), &out.Week); err != nil {
		return out, fmt.Errorf("business hours %d week: %w", b.ID, err)
	}
	if err := json.Unmarshal([]byte(b.Holidays), &out.Holidays); err != nil {
		return out, fmt.Errorf("business hours %d holidays: %w", b.ID, err)
	}
	if out.Week == nil {
		out.Week = []sla.Period{}
	}
	if out.Holidays == nil {
		out.Holidays = []string{}
	}
	return out, nil
}

// ListBusinessHours lists the calendars.
func (s *Service) ListBusinessHours(ctx context.Context) ([]BusinessHours, error) {
	list, err := s.store.ListBusinessHours(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]BusinessHours, 0, len(list))
	for _, b := range list {
		x, err := toBusinessHours(b)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// SaveBusinessHours creates (id 0) or changes a calendar; the whole of it
// is checked again.
func (s *Service) SaveBusinessHours(ctx context.Context, id int64, in BusinessHoursInput) (BusinessHours, error) {
	cur := BusinessHours{Week: []sla.Period{}, Holidays: []string{}}
	if id != 0 {
		b, err := s.store.GetBusinessHours(ctx, s.db, id)
		if err != nil {
			return cur, err
		}
		if cur, err = toBusinessHours(b); err != nil {
			return cur, err
		}
	} else if in.Name == nil || in.Timezone == nil || in.Week == nil {
		return cur, domain.Invalid(firstMissing(in.Name == nil, "name", in.Timezone == nil, "timezone", in.Week == nil, "week"), "is required")
	}
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || utf8.RuneCountInString(name) > maxNameLen {
			return cur, domain.Invalid("name", fmt.Sprintf("must be 1 to %d characters", maxNameLen))
		}
		cur.Name = name
	}
	if in.Timezone != nil {
		cur.Timezone = strings.TrimSpace(*in.Timezone)
	}
	if in.Week != nil {
		cur.Week = *in.Week
	}
	if in.Holidays != nil {
		cur.Holidays = *in.Holidays
	}
	if _, err := sla.Parse(cur.Timezone, cur.Week, cur.Holidays); err != nil {
		var fe *sla.FieldError
		if errors.As(err, &fe) {
			return cur, domain.Invalid(fe.Field, fe.Msg)
		}
		return cur, err
	}
	week, _ := json.Marshal(cur.Week)
	holidays, _ := json.Marshal(cur.Holidays)
	b := store.BusinessHours{ID: id, Name: cur.Name, Timezone: cur.Timezone, Week: string(week), Holidays: string(holidays), UpdatedAt: s.now()}
	id, err := s.store.SaveBusinessHours(ctx, s.db.W(), b)
	if errors.Is(err, store.ErrConflict) {
		return cur, domain.Conflict("business hours with this name exist")
	}
	if err != nil {
		return cur, err
	}
	saved, err := s.store.GetBusinessHours(ctx, s.db.W(), id)
	if err != nil {
		return cur, err
	}
	return toBusinessHours(saved)
}

// DeleteBusinessHours removes a calendar no policy uses (409 otherwise:
// its policies would silently count around the clock).
func (s *Service) DeleteBusinessHours(ctx context.Context, id int64) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		n, err := s.store.BusinessHoursInUse(ctx, tx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return domain.Conflict(fmt.Sprintf("%d SLA policies use these business hours", n))
		}
		return s.store.DeleteBusinessHours(ctx, tx, id)
	})
}

func firstMissing(pairs ...any) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i].(bool) {
			return pairs[i+1].(string)
		}
	}
	return ""
}

// SLAPolicy is a policy as served.
type SLAPolicy struct {
	store.SLAPolicy
	Conditions []rules.Condition
}

// SLAPolicyInput creates or changes a policy; nil leaves a field alone (a
// new one needs a name; the rest defaults to matching every ticket,
// promising nothing, around the clock, last).
type SLAPolicyInput struct {
	Name                                          *string
	Position                                      *int
	Match                                         *string
	Conditions                                    *[]rules.Condition
	FirstResponseMin, NextResponseMin, ResolveMin *int
	BusinessHoursID                               *int64 // 0: around the clock
}

func toSLAPolicy(p store.SLAPolicy) (SLAPolicy, error) {
	out := SLAPolicy{SLAPolicy: p}
	if err := json.Unmarshal([]byte(p.Conditions), &out.Conditions); err != nil {
		return out, fmt.Errorf("sla policy %d conditions: %w", p.ID, err)
	}
	if out.Conditions == nil {
		out.Conditions = []rules.Condition{}
	}
	return out, nil
}

// ListSLAPolicies lists the policies in the order they apply.
func (s *Service) ListSLAPolicies(ctx context.Context) ([]SLAPolicy, error) {
	list, err := s.store.ListSLAPolicies(ctx, s.db)
	if err != nil {
		return nil, err
	}
	out := make([]SLAPolicy, 0, len(list))
	for _, p := range list {
		x, err := toSLAPolicy(p)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// SaveSLAPolicy creates (id 0) or changes a policy, checked whole. Tickets
// keep the clock they have until they change.
func (s *Service) SaveSLAPolicy(ctx context.Context, id int64, in SLAPolicyInput) (SLAPolicy, error) {
	cur := SLAPolicy{SLAPolicy: store.SLAPolicy{Match: rules.MatchAll}, Conditions: []rules.Condition{}}
	if id != 0 {
		p, err := s.store.GetSLAPolicy(ctx, s.db, id)
		if err != nil {
			return cur, err
		}
		if cur, err = toSLAPolicy(p); err != nil {
			return cur, err
		}
	} else if in.Name == nil {
		return cur, domain.Invalid("name", "is required")
	}
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || utf8.RuneCountInString(name) > maxNameLen {
			return cur, domain.Invalid("name", fmt.Sprintf("must be 1 to %d characters", maxNameLen))
		}
		cur.Name = name
	}
	if in.Position != nil {
		if *in.Position < 0 {
			return cur, domain.Invalid("position", "must be 0 or more")
		}
		cur.Position = *in.Position
	}
	if in.Match != nil {
		cur.Match = *in.Match
	}
	if in.Conditions != nil {
		cur.Conditions = *in.Conditions
	}
	for _, f := range []struct {
		name string
		in   *int
		to   *int
	}{{"first_response_minutes", in.FirstResponseMin, &cur.FirstResponseMin}, {"next_response_minutes", in.NextResponseMin, &cur.NextResponseMin},
		{"resolution_minutes", in.ResolveMin, &cur.ResolveMin}} {
		if f.in == nil {
			continue
		}
		if *f.in < 0 || *f.in > maxSLAMinutes {
			return cur, domain.Invalid(f.name, fmt.Sprintf("must be 0 (no target) to %d", maxSLAMinutes))
		}
		*f.to = *f.in
	}
	if in.BusinessHoursID != nil {
		if *in.BusinessHoursID < 0 {
			return cur, domain.Invalid("business_hours_id", "must be an id or null")
		}
		cur.BusinessHoursID = *in.BusinessHoursID
	}
	c, err := rules.CompileConditions(cur.Match, cur.Conditions)
	if err != nil {
		return cur, err
	}
	if cur.BusinessHoursID != 0 {
		if _, err := s.store.GetBusinessHours(ctx, s.db, cur.BusinessHoursID); errors.Is(err, store.ErrNotFound) {
			return cur, domain.Invalid("business_hours_id", fmt.Sprintf("%d is not business hours", cur.BusinessHoursID))
		} else if err != nil {
			return cur, err
		}
	}
	conds, _ := json.Marshal(c.Conditions)
	if c.Conditions == nil {
		conds = []byte("[]")
	}
	st := cur.SLAPolicy
	st.ID, st.Match, st.Conditions, st.UpdatedAt = id, c.Match, string(conds), s.now()
	id, err = s.store.SaveSLAPolicy(ctx, s.db.W(), st)
	if errors.Is(err, store.ErrConflict) {
		return cur, domain.Conflict("an SLA policy with this name exists")
	}
	if err != nil {
		return cur, err
	}
	saved, err := s.store.GetSLAPolicy(ctx, s.db.W(), id)
	if err != nil {
		return cur, err
	}
	return toSLAPolicy(saved)
}

// DeleteSLAPolicy removes a policy; its tickets keep their due times.
func (s *Service) DeleteSLAPolicy(ctx context.Context, id int64) error {
	return s.store.DeleteSLAPolicy(ctx, s.db.W(), id)
}
