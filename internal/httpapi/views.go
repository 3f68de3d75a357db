package httpapi

// Saved views and the sidebar's counts (issue 12).

import (
	"context"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/ticket"
)

func fromViewFilters(f oapi.ViewFilters) *ticket.ViewFilters {
	out := ticket.ViewFilters{Status: deref(f.Status), Assignee: deref(f.Assignee), Tag: deref(f.Tag),
		Requester: deref(f.Requester), Q: deref(f.Q)}
	if f.Mailbox != nil {
		out.Mailbox = *f.Mailbox
	}
	if f.Team != nil {
		out.Team = *f.Team
	}
	return &out
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nonZero(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func toSavedView(v ticket.View) oapi.SavedView {
	f := v.Filters
	return oapi.SavedView{Id: v.ID, Name: v.Name, Shared: v.Shared, OwnerId: v.OwnerID, CreatedAt: v.CreatedAt,
		Filters: oapi.ViewFilters{Status: nonEmpty(f.Status), Assignee: nonEmpty(f.Assignee), Mailbox: nonZero(f.Mailbox),
			Tag: nonEmpty(f.Tag), Requester: nonEmpty(f.Requester), Q: nonEmpty(f.Q), Team: nonZero(f.Team)}}
}

func (s *Server) ListViews(ctx context.Context, _ oapi.ListViewsRequestObject) (oapi.ListViewsResponseObject, error) {
	list, err := s.tickets.Views(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListViews200JSONResponse{Items: convertAll(list, toSavedView)}, nil
}

func (s *Server) CreateView(ctx context.Context, req oapi.CreateViewRequestObject) (oapi.CreateViewResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	v, err := s.tickets.CreateView(ctx, principalFrom(ctx).User, ticket.ViewInput{Name: &b.Name, Shared: b.Shared, Filters: fromViewFilters(b.Filters)})
	if err != nil {
		return nil, err
	}
	return oapi.CreateView201JSONResponse(toSavedView(v)), nil
}

func (s *Server) UpdateView(ctx context.Context, req oapi.UpdateViewRequestObject) (oapi.UpdateViewResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := ticket.ViewInput{Name: b.Name, Shared: b.Shared}
	if b.Filters != nil {
		in.Filters = fromViewFilters(*b.Filters)
	}
	v, err := s.tickets.UpdateView(ctx, principalFrom(ctx).User, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateView200JSONResponse(toSavedView(v)), nil
}

func (s *Server) DeleteView(ctx context.Context, req oapi.DeleteViewRequestObject) (oapi.DeleteViewResponseObject, error) {
	if err := s.tickets.DeleteView(ctx, principalFrom(ctx).User, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteView204Response{}, nil
}

func (s *Server) GetViewCounts(ctx context.Context, _ oapi.GetViewCountsRequestObject) (oapi.GetViewCountsResponseObject, error) {
	counts, err := s.tickets.ViewCounts(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.GetViewCounts200JSONResponse{Counts: counts, Cap: ticket.CountCap}, nil
}
