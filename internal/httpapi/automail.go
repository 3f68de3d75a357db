package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
)

// Mail that did not become a ticket by itself: automatic mail kept aside,
// failed mail, spam and blocked senders (issue 10).

func (s *Server) ListInbound(ctx context.Context, req oapi.ListInboundRequestObject) (oapi.ListInboundResponseObject, error) {
	status := store.InboundFailed
	if req.Params.Status != nil {
		status = string(*req.Params.Status)
	}
	list, err := s.tickets.Inbound(ctx, principalFrom(ctx).User, status, maxPageSize)
	if err != nil {
		return nil, err
	}
	return oapi.ListInbound200JSONResponse{Items: convertAll(list, toInbound)}, nil
}

func (s *Server) TicketFromInbound(ctx context.Context, req oapi.TicketFromInboundRequestObject) (oapi.TicketFromInboundResponseObject, error) {
	u := principalFrom(ctx).User
	id, err := s.tickets.TicketFromInbound(ctx, u, req.Id)
	if err != nil {
		return nil, err
	}
	t, err := s.tickets.Ticket(ctx, u, id)
	if err != nil {
		return nil, err
	}
	return oapi.TicketFromInbound201JSONResponse(toTicket(t)), nil
}

// rawDownload is a received message as an .eml download: never rendered
// by the browser.
type rawDownload struct {
	id  int64
	raw []byte
}

func (d rawDownload) VisitGetInboundRawResponse(w http.ResponseWriter) error {
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="inbound-%d.eml"`, d.id))
	h.Set("Content-Length", strconv.Itoa(len(d.raw)))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err := bytes.NewReader(d.raw).WriteTo(w)
	return err
}

func (s *Server) GetInboundRaw(ctx context.Context, req oapi.GetInboundRawRequestObject) (oapi.GetInboundRawResponseObject, error) {
	_, raw, err := s.tickets.InboundRaw(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return rawDownload{id: req.Id, raw: raw}, nil
}

func (s *Server) RetryInbound(ctx context.Context, req oapi.RetryInboundRequestObject) (oapi.RetryInboundResponseObject, error) {
	in, err := s.tickets.RetryInbound(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.RetryInbound200JSONResponse(toInbound(in)), nil
}

func (s *Server) MarkSpam(ctx context.Context, req oapi.MarkSpamRequestObject) (oapi.MarkSpamResponseObject, error) {
	t, err := s.tickets.MarkSpam(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.MarkSpam200JSONResponse(toTicket(t)), nil
}

func (s *Server) RestoreSpam(ctx context.Context, req oapi.RestoreSpamRequestObject) (oapi.RestoreSpamResponseObject, error) {
	t, err := s.tickets.RestoreSpam(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.RestoreSpam200JSONResponse(toTicket(t)), nil
}

func (s *Server) ListBlockedSenders(ctx context.Context, _ oapi.ListBlockedSendersRequestObject) (oapi.ListBlockedSendersResponseObject, error) {
	list, err := s.tickets.BlockedSenders(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListBlockedSenders200JSONResponse{Items: convertAll(list, toBlockedSender)}, nil
}

func (s *Server) BlockSender(ctx context.Context, req oapi.BlockSenderRequestObject) (oapi.BlockSenderResponseObject, error) {
	if req.Body == nil {
		return nil, domain.BadRequest("body", "a JSON body with value is required")
	}
	b, err := s.tickets.BlockSender(ctx, principalFrom(ctx).User, req.Body.Value)
	if err != nil {
		return nil, err
	}
	return oapi.BlockSender201JSONResponse(toBlockedSender(b)), nil
}

func (s *Server) UnblockSender(ctx context.Context, req oapi.UnblockSenderRequestObject) (oapi.UnblockSenderResponseObject, error) {
	if err := s.tickets.UnblockSender(ctx, principalFrom(ctx).User, req.Id); err != nil {
		return nil, err
	}
	return oapi.UnblockSender204Response{}, nil
}

func (s *Server) UnblockSenderByValue(ctx context.Context, req oapi.UnblockSenderByValueRequestObject) (oapi.UnblockSenderByValueResponseObject, error) {
	u := principalFrom(ctx).User
	list, err := s.tickets.BlockedSenders(ctx, u)
	if err != nil {
		return nil, err
	}
	value := strings.ToLower(strings.TrimSpace(req.Params.Value))
	for _, b := range list {
		if b.Value == value {
			if err := s.tickets.UnblockSender(ctx, u, b.ID); err != nil {
				return nil, err
			}
			return oapi.UnblockSenderByValue204Response{}, nil
		}
	}
	return nil, domain.NotFound(fmt.Sprintf("%q is not blocked", req.Params.Value))
}

func toBlockedSender(b store.BlockedSender) oapi.BlockedSender {
	out := oapi.BlockedSender{Id: b.ID, Value: b.Value, CreatedAt: b.CreatedAt, TicketId: nullable.NewNullNullable[int64]()}
	if b.TicketID != 0 {
		out.TicketId = nullable.NewNullableWithValue(b.TicketID)
	}
	return out
}
