package httpapi

import (
	"context"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Merge, split and new outbound tickets (issue 12).

const (
	newTicketPath = "/api/v1/tickets"
	// newTicketBodyLimit lets a new ticket carry MaxUploadBytes of
	// attachments, base64 in JSON (4/3 of their size), and its text.
	newTicketBodyLimit = MaxUploadBytes/3*4 + 1<<20
)

func (s *Server) MergeTicket(ctx context.Context, req oapi.MergeTicketRequestObject) (oapi.MergeTicketResponseObject, error) {
	if err := needBody(req.Body); err != nil {
		return nil, err
	}
	t, err := s.tickets.Merge(ctx, principalFrom(ctx).User, req.Id, req.Body.Into)
	if err != nil {
		return nil, err
	}
	return oapi.MergeTicket200JSONResponse(toTicket(t)), nil
}

func (s *Server) SplitMessage(ctx context.Context, req oapi.SplitMessageRequestObject) (oapi.SplitMessageResponseObject, error) {
	t, err := s.tickets.Split(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.SplitMessage201JSONResponse(toTicket(t)), nil
}

func (s *Server) CreateTicket(ctx context.Context, req oapi.CreateTicketRequestObject) (oapi.CreateTicketResponseObject, error) {
	if err := needBody(req.Body); err != nil {
		return nil, err
	}
	b := req.Body
	in := ticket.NewTicketInput{MailboxID: b.MailboxId, To: b.To, Subject: b.Subject, Body: b.Body}
	if b.Cc != nil {
		in.Cc = *b.Cc
	}
	if b.Attachments != nil {
		for _, a := range *b.Attachments {
			f := ticket.File{Name: a.Filename, Data: a.Data}
			if a.ContentType != nil {
				f.ContentType = *a.ContentType
			}
			in.Files = append(in.Files, f)
		}
	}
	t, err := s.tickets.CreateOutbound(ctx, principalFrom(ctx).User, in)
	if err != nil {
		return nil, err
	}
	return oapi.CreateTicket201JSONResponse(toTicket(t)), nil
}

// withLinks adds a ticket's links: where it was merged (null when not), where
// it was split from, and (on the ticket page only) what was split off it.
func withLinks(out oapi.Ticket, t store.Ticket, splits []int64) oapi.Ticket {
	out.MergedInto, out.SplitFrom = nullID(t.MergedInto), nullID(t.SplitFrom)
	if splits != nil {
		out.Splits = &splits
	}
	return out
}

func nullID(id int64) nullable.Nullable[int64] {
	if id == 0 {
		return nullable.NewNullNullable[int64]()
	}
	return nullable.NewNullableWithValue(id)
}
