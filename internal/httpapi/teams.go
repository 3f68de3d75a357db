package httpapi

// Teams and automatic assignment (issue 13): every agent reads them, admins
// write.

import (
	"context"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

func toTeam(t store.Team) oapi.Team {
	return oapi.Team{Id: t.ID, Name: t.Name, MemberIds: t.MemberIDs, AwayIds: t.AwayIDs, Assignment: oapi.TeamAssignment(t.Assignment),
		MaxOpenPerAgent: t.MaxOpenPerAgent, CreatedAt: t.CreatedAt}
}

func assignmentString(a *oapi.TeamAssignment) *string {
	if a == nil {
		return nil
	}
	s := string(*a)
	return &s
}

func (s *Server) ListTeams(ctx context.Context, _ oapi.ListTeamsRequestObject) (oapi.ListTeamsResponseObject, error) {
	list, err := s.tickets.Teams(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListTeams200JSONResponse{Items: convertAll(list, toTeam)}, nil
}

func (s *Server) CreateTeam(ctx context.Context, req oapi.CreateTeamRequestObject) (oapi.CreateTeamResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	t, err := s.tickets.CreateTeam(ctx, principalFrom(ctx).User, ticket.TeamInput{Name: &b.Name, MemberIDs: b.MemberIds,
		Assignment: assignmentString(b.Assignment), MaxOpenPerAgent: b.MaxOpenPerAgent})
	if err != nil {
		return nil, err
	}
	return oapi.CreateTeam201JSONResponse(toTeam(t)), nil
}

func (s *Server) UpdateTeam(ctx context.Context, req oapi.UpdateTeamRequestObject) (oapi.UpdateTeamResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	t, err := s.tickets.UpdateTeam(ctx, principalFrom(ctx).User, req.Id, ticket.TeamInput{Name: b.Name, MemberIDs: b.MemberIds,
		Assignment: assignmentString(b.Assignment), MaxOpenPerAgent: b.MaxOpenPerAgent})
	if err != nil {
		return nil, err
	}
	return oapi.UpdateTeam200JSONResponse(toTeam(t)), nil
}

func (s *Server) DeleteTeam(ctx context.Context, req oapi.DeleteTeamRequestObject) (oapi.DeleteTeamResponseObject, error) {
	if err := s.tickets.DeleteTeam(ctx, principalFrom(ctx).User, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteTeam204Response{}, nil
}

// teamField reads a nullable team id: set says it changes, 0 removes it.
func teamField(v nullable.Nullable[int64]) (set bool, id int64, err error) {
	if !v.IsSpecified() || v.IsNull() {
		return v.IsSpecified(), 0, nil
	}
	if id = v.MustGet(); id <= 0 {
		return false, 0, domain.Invalid("team_id", "must be a team id or null")
	}
	return true, id, nil
}

func toTeamRef(t *store.TeamRef) nullable.Nullable[oapi.TeamRef] {
	if t == nil {
		return nullable.NewNullNullable[oapi.TeamRef]()
	}
	return nullable.NewNullableWithValue(oapi.TeamRef{Id: t.ID, Name: t.Name})
}
