package httpapi

// Tickets: the queue, one ticket, agents' changes, the audit trail.

import (
	"time"

	"context"
	"strings"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

func (s *Server) ListTickets(ctx context.Context, req oapi.ListTicketsRequestObject) (oapi.ListTicketsResponseObject, error) {
	p, viewer := req.Params, principalFrom(ctx).User
	f := store.TicketFilter{Query: trimmed(p.Q), Tag: strings.ToLower(trimmed(p.Tag)), Requester: trimmed(p.Requester), Spam: p.Spam != nil && *p.Spam}
	var err error
	if f.Statuses, err = statusesParam(trimmed(p.Status)); err != nil {
		return nil, err
	}
	if p.Mailbox != nil {
		if *p.Mailbox <= 0 {
			return nil, domain.BadRequest("mailbox", "must be a mailbox id")
		}
		f.MailboxID = *p.Mailbox
	}
	if p.Team != nil {
		if *p.Team <= 0 {
			return nil, domain.BadRequest("team", "must be a team id")
		}
		f.TeamID = *p.Team
	}
	if f.AssigneeID, f.Unassigned, err = assigneeFilter(trimmed(p.Assignee), viewer.ID); err != nil {
		return nil, err
	}
	limit, err := pageLimit(p.Limit)
	if err != nil {
		return nil, err
	}
	if f.Sort, err = ticketSortParam(p.Sort); err != nil {
		return nil, err
	}
	if f.After, err = ticketCursorParam(p.Cursor, f.Sort); err != nil {
		return nil, err
	}
	f.Limit = limit + 1 // one more tells whether there is a next page
	f.SubjectChars = listSubjectChars
	list, err := s.tickets.Tickets(ctx, viewer, f)
	if err != nil {
		return nil, err
	}
	list, next := nextPage(list, limit, func(t store.Ticket) string { return encodeTicketCursor(f.Sort, f.Sort.CursorOf(t)) })
	return oapi.ListTickets200JSONResponse{Items: convertAll(list, toTicket), NextCursor: next}, nil
}

func (s *Server) GetTicket(ctx context.Context, req oapi.GetTicketRequestObject) (oapi.GetTicketResponseObject, error) {
	t, err := s.tickets.Ticket(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	splits, err := s.tickets.SplitsOf(ctx, principalFrom(ctx).User, t.ID)
	if err != nil {
		return nil, err
	}
	return oapi.GetTicket200JSONResponse(withLinks(toTicket(t), t, splits)), nil
}

func (s *Server) UpdateTicket(ctx context.Context, req oapi.UpdateTicketRequestObject) (oapi.UpdateTicketResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := ticket.TicketUpdate{Tags: b.Tags}
	var err error
	if in.Status, in.Priority, in.AssigneeSet, in.AssigneeID, err = ticketFields(b.Status, b.Priority, b.AssigneeId); err != nil {
		return nil, err
	}
	if in.TeamSet, in.TeamID, err = teamField(b.TeamId); err != nil {
		return nil, err
	}
	if b.SnoozeUntil.IsSpecified() {
		var until time.Time // null unsnoozes
		if !b.SnoozeUntil.IsNull() {
			until = b.SnoozeUntil.MustGet()
		}
		in.Snooze = &until
	}
	t, err := s.tickets.UpdateTicket(ctx, principalFrom(ctx).User, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateTicket200JSONResponse(toTicket(t)), nil
}

func (s *Server) ListEvents(ctx context.Context, req oapi.ListEventsRequestObject) (oapi.ListEventsResponseObject, error) {
	list, err := s.tickets.Events(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.ListEvents200JSONResponse{Items: convertAll(list, toEvent)}, nil
}
