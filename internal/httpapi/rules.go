package httpapi

import (
	"context"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Automation rules: the handlers convert; ticket.Service checks and runs them.

func toRule(r ticket.StoredRule) oapi.Rule {
	out := oapi.Rule{Id: r.ID, Name: r.Name, Enabled: r.Enabled, When: oapi.RuleWhen(r.When), Match: oapi.RuleMatch(r.Match),
		Position: r.Position, CreatedAt: r.Stored.CreatedAt, UpdatedAt: r.Stored.UpdatedAt,
		Conditions: []oapi.RuleCondition{}, Actions: []oapi.RuleAction{}}
	for _, c := range r.Conditions {
		out.Conditions = append(out.Conditions, oapi.RuleCondition{Field: oapi.RuleConditionField(c.Field), Op: oapi.RuleConditionOp(c.Op), Value: c.Value})
	}
	for _, a := range r.Actions {
		out.Actions = append(out.Actions, oapi.RuleAction{Type: oapi.RuleActionType(a.Type), Value: a.Value})
	}
	return out
}

func fromConditions(in *[]oapi.RuleCondition) *[]rules.Condition {
	if in == nil {
		return nil
	}
	out := make([]rules.Condition, 0, len(*in))
	for _, c := range *in {
		out = append(out, rules.Condition{Field: rules.Field(c.Field), Op: rules.Op(c.Op), Value: c.Value})
	}
	return &out
}

func fromActions(in *[]oapi.RuleAction) *[]rules.Action {
	if in == nil {
		return nil
	}
	out := make([]rules.Action, 0, len(*in))
	for _, a := range *in {
		out = append(out, rules.Action{Type: rules.ActionType(a.Type), Value: a.Value})
	}
	return &out
}

func ruleInput(b oapi.RuleInput) ticket.RuleInput {
	when := string(b.When)
	in := ticket.RuleInput{Name: &b.Name, Enabled: b.Enabled, When: &when, Position: b.Position,
		Conditions: fromConditions(b.Conditions), Actions: fromActions(&b.Actions)}
	in.Match = matchString(b.Match)
	return in
}

func (s *Server) ListRules(ctx context.Context, _ oapi.ListRulesRequestObject) (oapi.ListRulesResponseObject, error) {
	list, err := s.tickets.Rules(ctx)
	if err != nil {
		return nil, err
	}
	return oapi.ListRules200JSONResponse{Items: convertAll(list, toRule)}, nil
}

func (s *Server) CreateRule(ctx context.Context, req oapi.CreateRuleRequestObject) (oapi.CreateRuleResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	r, err := s.tickets.CreateRule(ctx, ruleInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.CreateRule201JSONResponse(toRule(r)), nil
}

func (s *Server) UpdateRule(ctx context.Context, req oapi.UpdateRuleRequestObject) (oapi.UpdateRuleResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := ticket.RuleInput{Name: b.Name, Enabled: b.Enabled, Position: b.Position, Conditions: fromConditions(b.Conditions), Actions: fromActions(b.Actions)}
	if b.When != nil {
		w := string(*b.When)
		in.When = &w
	}
	in.Match = matchString(b.Match)
	r, err := s.tickets.UpdateRule(ctx, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateRule200JSONResponse(toRule(r)), nil
}

func (s *Server) DeleteRule(ctx context.Context, req oapi.DeleteRuleRequestObject) (oapi.DeleteRuleResponseObject, error) {
	if err := s.tickets.DeleteRule(ctx, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteRule204Response{}, nil
}

func (s *Server) TestRule(ctx context.Context, req oapi.TestRuleRequestObject) (oapi.TestRuleResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	matched, checked, err := s.tickets.TestRule(ctx, ruleInput(*req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.TestRule200JSONResponse{Items: convertAll(matched, toTicket), Checked: checked}, nil
}
