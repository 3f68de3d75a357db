package httpapi

// Bulk changes to tickets (issue 12).

import (
	"context"

	"github.com/oapi-codegen/nullable"

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
	var err error
	if in.Status, in.Priority, in.AssigneeSet, in.AssigneeID, err = ticketFields(b.Status, b.Priority, b.AssigneeId); err != nil {
		return nil, err
	}
	if b.TeamId.IsSpecified() && !b.TeamId.IsNull() && b.TeamId.MustGet() == 0 {
		in.TeamSet = true // 0, like null, removes the team (a select's "no team")
	} else if in.TeamSet, in.TeamID, err = teamField(b.TeamId); err != nil {
		return nil, err
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

// ticketFields reads the status, priority and assignee of a ticket change
// (PATCH or bulk): assignee_id null unassigns (set, id 0), absent leaves it.
func ticketFields(status *oapi.Status, priority *oapi.Priority, assignee nullable.Nullable[int64]) (*domain.Status, *domain.Priority, bool, int64, error) {
	var st *domain.Status
	var pr *domain.Priority
	if status != nil {
		v := domain.Status(*status)
		st = &v
	}
	if priority != nil {
		v := domain.Priority(*priority)
		pr = &v
	}
	if !assignee.IsSpecified() || assignee.IsNull() {
		return st, pr, assignee.IsSpecified(), 0, nil
	}
	id := assignee.MustGet()
	if id <= 0 {
		return nil, nil, false, 0, domain.Invalid("assignee_id", "must be a user id or null")
	}
	return st, pr, true, id, nil
}
