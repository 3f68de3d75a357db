package httpapi

// Macros, canned replies (issue 12).

import (
	"context"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/ticket"
)

func fromMacroActions(a *oapi.MacroActions) *ticket.MacroActions {
	if a == nil {
		return nil
	}
	out := ticket.MacroActions{}
	if a.Status != nil {
		st := domain.Status(*a.Status)
		out.Status = &st
	}
	if a.Priority != nil {
		pr := domain.Priority(*a.Priority)
		out.Priority = &pr
	}
	if a.TagsAdd != nil {
		out.TagsAdd = *a.TagsAdd
	}
	if a.AssigneeId != nil {
		out.AssigneeID = *a.AssigneeId
	}
	return &out
}

func toMacro(m ticket.Macro) oapi.Macro {
	a := oapi.MacroActions{AssigneeId: nonZero(m.Actions.AssigneeID)}
	if m.Actions.Status != nil {
		st := oapi.Status(*m.Actions.Status)
		a.Status = &st
	}
	if m.Actions.Priority != nil {
		pr := oapi.Priority(*m.Actions.Priority)
		a.Priority = &pr
	}
	if len(m.Actions.TagsAdd) > 0 {
		a.TagsAdd = &m.Actions.TagsAdd
	}
	return oapi.Macro{Id: m.ID, Name: m.Name, Body: m.Body, Actions: a, Shared: m.Shared, OwnerId: m.OwnerID,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

func (s *Server) ListMacros(ctx context.Context, _ oapi.ListMacrosRequestObject) (oapi.ListMacrosResponseObject, error) {
	list, err := s.tickets.Macros(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListMacros200JSONResponse{Items: convertAll(list, toMacro)}, nil
}

func (s *Server) CreateMacro(ctx context.Context, req oapi.CreateMacroRequestObject) (oapi.CreateMacroResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	m, err := s.tickets.CreateMacro(ctx, principalFrom(ctx).User, ticket.MacroInput{Name: &b.Name, Body: &b.Body,
		Actions: fromMacroActions(b.Actions), Shared: b.Shared})
	if err != nil {
		return nil, err
	}
	return oapi.CreateMacro201JSONResponse(toMacro(m)), nil
}

func (s *Server) UpdateMacro(ctx context.Context, req oapi.UpdateMacroRequestObject) (oapi.UpdateMacroResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	m, err := s.tickets.UpdateMacro(ctx, principalFrom(ctx).User, req.Id, ticket.MacroInput{Name: b.Name, Body: b.Body,
		Actions: fromMacroActions(b.Actions), Shared: b.Shared})
	if err != nil {
		return nil, err
	}
	return oapi.UpdateMacro200JSONResponse(toMacro(m)), nil
}

func (s *Server) DeleteMacro(ctx context.Context, req oapi.DeleteMacroRequestObject) (oapi.DeleteMacroResponseObject, error) {
	if err := s.tickets.DeleteMacro(ctx, principalFrom(ctx).User, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteMacro204Response{}, nil
}
