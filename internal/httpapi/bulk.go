package httpapi

// Bulk changes to tickets (issue 12).

import (
	"context"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/ticket"
)

func (s *Server) BulkUpdateTickets(ctx context.Context, req oapi.BulkUpdateTicketsRequestObject) (oapi.BulkUpdateTicketsResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := ticket.BulkUpdate{IDs: b.Ids}
	if b.Status != nil {
		st := domain.Status(*b.Status)
		in.Status = &st
	}
	if b.Priority != nil {
		pr := domain.Priority(*b.Priority)
		in.Priority = &pr
	}
	if b.AssigneeId.IsSpecified() {
		in.AssigneeSet = true
		if !b.AssigneeId.IsNull() {
			if in.AssigneeID = b.AssigneeId.MustGet(); in.AssigneeID <= 0 {
				return nil, domain.Invalid("assignee_id", "must be a user id or null")
			}
		}
	}
	if b.TagsAdd != nil {
		in.TagsAdd = *b.TagsAdd
	}
	if b.TagsRemove != nil {
		in.TagsRemove = *b.TagsRemove
	}
	n, skipped, err := s.tickets.BulkUpdateTickets(ctx, principalFrom(ctx).User, in)
	if err != nil {
		return nil, err
	}
	out := oapi.BulkUpdateTickets200JSONResponse{Updated: n, Skipped: make([]struct {
		Id     int64  `json:"id"`
		Reason string `json:"reason"`
	}, len(skipped))}
	for i, sk := range skipped {
		out.Skipped[i].Id, out.Skipped[i].Reason = sk.ID, sk.Reason
	}
	return out, nil
}
