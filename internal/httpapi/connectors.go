package httpapi

// Mailbox connectors: Nylas is connected through the API; the Gmail OAuth
// flow and the Nylas webhook are handlers built elsewhere (Options), so the
// strict server never routes to their operations.

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
)

func (s *Server) ConnectNylas(ctx context.Context, req oapi.ConnectNylasRequestObject) (oapi.ConnectNylasResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	switch {
	case strings.TrimSpace(b.GrantId) == "":
		return nil, domain.Invalid("grant_id", "must not be empty")
	case strings.TrimSpace(b.ApiKey) == "":
		return nil, domain.Invalid("api_key", "must not be empty")
	}
	var since time.Time
	if d := deref(b.Since); d != "" {
		var err error
		if since, err = time.Parse(time.DateOnly, d); err != nil {
			return nil, domain.Invalid("since", "must be a date, YYYY-MM-DD")
		}
	}
	if s.conns == nil {
		return nil, errors.New("no mailbox connectors in this server")
	}
	if _, err := s.tickets.Mailbox(ctx, principalFrom(ctx).User, req.Id); err != nil {
		return nil, err
	}
	if err := s.conns.ConnectNylas(ctx, req.Id, b.GrantId, b.ApiKey, deref(b.ApiBase), since); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		// The grant or key was refused, or Nylas could not be reached: the
		// admin has to see why.
		return nil, domain.Invalid("api_key", "Nylas refused or could not be reached: "+err.Error())
	}
	return oapi.ConnectNylas204Response{}, nil
}

func (s *Server) GmailOAuthStart(ctx context.Context, _ oapi.GmailOAuthStartRequestObject) (oapi.GmailOAuthStartResponseObject, error) {
	return nil, errors.New("the Gmail connect flow is served by the handler given in Options.GmailOAuthStart")
}

func (s *Server) GmailOAuthCallback(ctx context.Context, _ oapi.GmailOAuthCallbackRequestObject) (oapi.GmailOAuthCallbackResponseObject, error) {
	return nil, errors.New("the Gmail connect flow is served by the handler given in Options.GmailOAuthCallback")
}

func (s *Server) NylasWebhookChallenge(ctx context.Context, _ oapi.NylasWebhookChallengeRequestObject) (oapi.NylasWebhookChallengeResponseObject, error) {
	return nil, errors.New("the Nylas webhook is served by the handler given in Options.NylasWebhook")
}

func (s *Server) NylasWebhook(ctx context.Context, _ oapi.NylasWebhookRequestObject) (oapi.NylasWebhookResponseObject, error) {
	return nil, errors.New("the Nylas webhook is served by the handler given in Options.NylasWebhook")
}

func (s *Server) MicrosoftNotifications(ctx context.Context, _ oapi.MicrosoftNotificationsRequestObject) (oapi.MicrosoftNotificationsResponseObject, error) {
	return nil, errors.New("the Microsoft notifications are served by the handler given in Options.MicrosoftNotifications")
}

func (s *Server) MicrosoftLifecycleNotifications(ctx context.Context, _ oapi.MicrosoftLifecycleNotificationsRequestObject) (oapi.MicrosoftLifecycleNotificationsResponseObject, error) {
	return nil, errors.New("the Microsoft notifications are served by the handler given in Options.MicrosoftNotifications")
}
