package httpapi

import (
	"context"
	"errors"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
)

// The Microsoft 365 connect flow is served by the handlers given in
// Options (mounted in routes.go); these satisfy the generated interface.

func (s *Server) MicrosoftOAuthStart(context.Context, oapi.MicrosoftOAuthStartRequestObject) (oapi.MicrosoftOAuthStartResponseObject, error) {
	return nil, errors.New("the Microsoft connect flow is served by the handler given in Options.MicrosoftOAuthStart")
}

func (s *Server) MicrosoftOAuthCallback(context.Context, oapi.MicrosoftOAuthCallbackRequestObject) (oapi.MicrosoftOAuthCallbackResponseObject, error) {
	return nil, errors.New("the Microsoft connect flow is served by the handler given in Options.MicrosoftOAuthCallback")
}

// Single sign-on is served by the handlers given in Options.OIDCStart and
// Options.OIDCCallback (internal/sso); these satisfy the generated interface.

func (s *Server) OidcStart(context.Context, oapi.OidcStartRequestObject) (oapi.OidcStartResponseObject, error) {
	return nil, errors.New("single sign-on is served by the handler given in Options.OIDCStart")
}

func (s *Server) OidcCallback(context.Context, oapi.OidcCallbackRequestObject) (oapi.OidcCallbackResponseObject, error) {
	return nil, errors.New("single sign-on is served by the handler given in Options.OIDCCallback")
}
