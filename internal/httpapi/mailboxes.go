package httpapi

// Mailboxes: every agent reads them and their sync state, admins write.

import (
	"context"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/ticket"
)

func (s *Server) ListMailboxes(ctx context.Context, _ oapi.ListMailboxesRequestObject) (oapi.ListMailboxesResponseObject, error) {
	list, err := s.tickets.Mailboxes(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListMailboxes200JSONResponse{Items: convertAll(list, toMailbox)}, nil
}

func (s *Server) CreateMailbox(ctx context.Context, req oapi.CreateMailboxRequestObject) (oapi.CreateMailboxResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := ticket.MailboxInput{Name: b.Name, Address: b.Address, SMTPRelay: deref(b.SmtpRelay),
		AckEnabled: b.AckEnabled, AckSubject: deref(b.AckSubject), AckBody: deref(b.AckBody)}
	if b.TeamId != nil {
		if *b.TeamId <= 0 {
			return nil, domain.Invalid("team_id", "must be a team id")
		}
		in.TeamID = *b.TeamId
	}
	if u := strings.TrimSpace(deref(b.Imap)); u != "" {
		if _, err := imap.ParseURL(u); err != nil {
			return nil, domain.Invalid("imap", err.Error())
		}
		in.IMAP = u
	}
	if d := deref(b.ImapSince); d != "" {
		t, err := time.Parse(time.DateOnly, d)
		if err != nil || in.IMAP == "" {
			return nil, domain.Invalid("imap_since", "must be a date, YYYY-MM-DD, and goes with imap")
		}
		in.IMAPSince = t
	}
	m, err := s.tickets.CreateMailbox(ctx, in)
	if err != nil {
		return nil, err
	}
	s.refreshConnectors()
	return oapi.CreateMailbox201JSONResponse(toMailbox(m)), nil
}

func (s *Server) UpdateMailbox(ctx context.Context, req oapi.UpdateMailboxRequestObject) (oapi.UpdateMailboxResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := ticket.MailboxUpdate{Name: b.Name, SMTPRelay: b.SmtpRelay, AckSubject: b.AckSubject,
		AckBody: b.AckBody, AckEnabled: b.AckEnabled, SenderAgentName: b.SenderAgentName, SystemMail: b.SystemMail, ReopenDays: b.ReopenDays, Signature: b.Signature, Portal: b.Portal, CSAT: b.Csat}
	if set, team, err := teamField(b.TeamId); err != nil {
		return nil, err
	} else if set {
		in.TeamID = &team
	}
	m, err := s.tickets.UpdateMailbox(ctx, req.Id, in)
	if err != nil {
		return nil, err
	}
	s.refreshConnectors()
	return oapi.UpdateMailbox200JSONResponse(toMailbox(m)), nil
}

func (s *Server) TestMailbox(ctx context.Context, req oapi.TestMailboxRequestObject) (oapi.TestMailboxResponseObject, error) {
	res, err := s.tickets.TestMailbox(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.TestMailbox200JSONResponse{Ok: res.OK, Transport: oapi.MailboxTestResultTransport(res.Transport), Message: res.Message}, nil
}

func (s *Server) refreshConnectors() {
	if s.conns != nil {
		s.conns.Refresh()
	}
}

func (s *Server) GetMailboxSync(ctx context.Context, req oapi.GetMailboxSyncRequestObject) (oapi.GetMailboxSyncResponseObject, error) {
	st, err := s.tickets.MailboxSync(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	out := oapi.GetMailboxSync200JSONResponse{MailboxId: st.MailboxID, Provider: st.Provider, Enabled: st.Enabled, Status: st.Status,
		Done: st.Done, Total: st.Total, Backfilled: st.Backfilled}
	if st.LastError != "" {
		out.LastError = &st.LastError
	}
	if !st.ErrorSince.IsZero() {
		out.ErrorSince = &st.ErrorSince
	}
	if !st.LastSyncAt.IsZero() {
		out.LastSyncAt = &st.LastSyncAt
	}
	return out, nil
}
