package httpapi

// Business hours and SLA policies (issue 13): every agent reads them, admins
// write.

import (
	"context"
	"encoding/json"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/sla"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

func toBusinessHours(b ticket.BusinessHours) oapi.BusinessHours {
	out := oapi.BusinessHours{Id: b.ID, Name: b.Name, Timezone: b.Timezone, Holidays: b.Holidays, Week: []oapi.BusinessPeriod{},
		CreatedAt: b.CreatedAt, UpdatedAt: b.UpdatedAt}
	for _, p := range b.Week {
		out.Week = append(out.Week, oapi.BusinessPeriod{Day: p.Day, Start: p.Start, End: p.End})
	}
	return out
}

func fromPeriods(in *[]oapi.BusinessPeriod) *[]sla.Period {
	if in == nil {
		return nil
	}
	out := make([]sla.Period, 0, len(*in))
	for _, p := range *in {
		out = append(out, sla.Period{Day: p.Day, Start: p.Start, End: p.End})
	}
	return &out
}

func (s *Server) ListBusinessHours(ctx context.Context, _ oapi.ListBusinessHoursRequestObject) (oapi.ListBusinessHoursResponseObject, error) {
	list, err := s.tickets.ListBusinessHours(ctx)
	if err != nil {
		return nil, err
	}
	return oapi.ListBusinessHours200JSONResponse{Items: convertAll(list, toBusinessHours)}, nil
}

func (s *Server) CreateBusinessHours(ctx context.Context, req oapi.CreateBusinessHoursRequestObject) (oapi.CreateBusinessHoursResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	x, err := s.tickets.SaveBusinessHours(ctx, 0, ticket.BusinessHoursInput{Name: &b.Name, Timezone: &b.Timezone,
		Week: fromPeriods(&b.Week), Holidays: b.Holidays})
	if err != nil {
		return nil, err
	}
	return oapi.CreateBusinessHours201JSONResponse(toBusinessHours(x)), nil
}

func (s *Server) UpdateBusinessHours(ctx context.Context, req oapi.UpdateBusinessHoursRequestObject) (oapi.UpdateBusinessHoursResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	x, err := s.tickets.SaveBusinessHours(ctx, req.Id, ticket.BusinessHoursInput{Name: b.Name, Timezone: b.Timezone,
		Week: fromPeriods(b.Week), Holidays: b.Holidays})
	if err != nil {
		return nil, err
	}
	return oapi.UpdateBusinessHours200JSONResponse(toBusinessHours(x)), nil
}

func (s *Server) DeleteBusinessHours(ctx context.Context, req oapi.DeleteBusinessHoursRequestObject) (oapi.DeleteBusinessHoursResponseObject, error) {
	if err := s.tickets.DeleteBusinessHours(ctx, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteBusinessHours204Response{}, nil
}

func toSLAPolicy(p ticket.SLAPolicy) oapi.SLAPolicy {
	out := oapi.SLAPolicy{Id: p.ID, Name: p.Name, Position: p.Position, Match: oapi.RuleMatch(p.Match), Conditions: []oapi.RuleCondition{},
		FirstResponseMinutes: p.FirstResponseMin, NextResponseMinutes: p.NextResponseMin, ResolutionMinutes: p.ResolveMin,
		BusinessHoursId: nullable.NewNullNullable[int64](), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	for _, c := range p.Conditions {
		out.Conditions = append(out.Conditions, oapi.RuleCondition{Field: oapi.RuleConditionField(c.Field), Op: oapi.RuleConditionOp(c.Op), Value: c.Value})
	}
	if p.BusinessHoursID != 0 {
		out.BusinessHoursId = nullable.NewNullableWithValue(p.BusinessHoursID)
	}
	return out
}

// businessHoursField reads a nullable calendar id: nil leaves it, 0 is
// around the clock.
func businessHoursField(v nullable.Nullable[int64]) (*int64, error) {
	if !v.IsSpecified() {
		return nil, nil
	}
	var id int64
	if !v.IsNull() {
		if id = v.MustGet(); id <= 0 {
			return nil, domain.Invalid("business_hours_id", "must be an id or null")
		}
	}
	return &id, nil
}

func matchString(m *oapi.RuleMatch) *string {
	if m == nil {
		return nil
	}
	v := string(*m)
	return &v
}

func (s *Server) ListSLAPolicies(ctx context.Context, _ oapi.ListSLAPoliciesRequestObject) (oapi.ListSLAPoliciesResponseObject, error) {
	list, err := s.tickets.ListSLAPolicies(ctx)
	if err != nil {
		return nil, err
	}
	return oapi.ListSLAPolicies200JSONResponse{Items: convertAll(list, toSLAPolicy)}, nil
}

func (s *Server) CreateSLAPolicy(ctx context.Context, req oapi.CreateSLAPolicyRequestObject) (oapi.CreateSLAPolicyResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	bh, err := businessHoursField(b.BusinessHoursId)
	if err != nil {
		return nil, err
	}
	p, err := s.tickets.SaveSLAPolicy(ctx, 0, ticket.SLAPolicyInput{Name: &b.Name, Position: b.Position, Match: matchString(b.Match),
		Conditions: fromConditions(b.Conditions), FirstResponseMin: b.FirstResponseMinutes, NextResponseMin: b.NextResponseMinutes,
		ResolveMin: b.ResolutionMinutes, BusinessHoursID: bh})
	if err != nil {
		return nil, err
	}
	return oapi.CreateSLAPolicy201JSONResponse(toSLAPolicy(p)), nil
}

func (s *Server) UpdateSLAPolicy(ctx context.Context, req oapi.UpdateSLAPolicyRequestObject) (oapi.UpdateSLAPolicyResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	bh, err := businessHoursField(b.BusinessHoursId)
	if err != nil {
		return nil, err
	}
	p, err := s.tickets.SaveSLAPolicy(ctx, req.Id, ticket.SLAPolicyInput{Name: b.Name, Position: b.Position, Match: matchString(b.Match),
		Conditions: fromConditions(b.Conditions), FirstResponseMin: b.FirstResponseMinutes, NextResponseMin: b.NextResponseMinutes,
		ResolveMin: b.ResolutionMinutes, BusinessHoursID: bh})
	if err != nil {
		return nil, err
	}
	return oapi.UpdateSLAPolicy200JSONResponse(toSLAPolicy(p)), nil
}

func (s *Server) DeleteSLAPolicy(ctx context.Context, req oapi.DeleteSLAPolicyRequestObject) (oapi.DeleteSLAPolicyResponseObject, error) {
	if err := s.tickets.DeleteSLAPolicy(ctx, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteSLAPolicy204Response{}, nil
}

// toTicketSLA is a ticket's SLA clock as served (null: no policy).
func toTicketSLA(x *store.TicketSLA) nullable.Nullable[oapi.TicketSLA] {
	if x == nil {
		return nullable.NewNullNullable[oapi.TicketSLA]()
	}
	out := oapi.TicketSLA{Policy: x.PolicyName, FirstResponseDueAt: nullTime(x.FirstResponseDue), NextResponseDueAt: nullTime(x.NextResponseDue),
		ResolutionDueAt: nullTime(x.Done), Paused: !x.PausedAt.IsZero(), DueAt: nullTime(x.DueAt), Breached: []string{}}
	var breaches []sla.Breach
	if json.Unmarshal([]byte(x.Breaches), &breaches) == nil {
		st := sla.State{Breaches: breaches}
		out.Breached = st.BreachedTargets()
	}
	return nullable.NewNullableWithValue(out)
}
