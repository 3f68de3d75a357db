package httpapi

import (
	"context"
	"errors"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
)

// "Connect account" for IMAP and SMTP mailboxes is served by the handlers
// given in Options (mounted in routes.go); these satisfy the generated
// interface.

func (s *Server) MailOAuthStart(context.Context, oapi.MailOAuthStartRequestObject) (oapi.MailOAuthStartResponseObject, error) {
	return nil, errors.New("the mail OAuth flow is served by the handler given in Options.MailOAuthStart")
}

func (s *Server) MailOAuthCallback(context.Context, oapi.MailOAuthCallbackRequestObject) (oapi.MailOAuthCallbackResponseObject, error) {
	return nil, errors.New("the mail OAuth flow is served by the handler given in Options.MailOAuthCallback")
}
