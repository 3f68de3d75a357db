package httpapi

import (
	"context"
	"net/http"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
)

// logoutEverywhereResponse answers as logout does: 204, cookies cleared.
type logoutEverywhereResponse struct{ logoutResponse }

func (r logoutEverywhereResponse) VisitLogoutEverywhereResponse(w http.ResponseWriter) error {
	return r.VisitLogoutResponse(w)
}

// LogoutEverywhere ends every session and revokes every token of the caller.
func (s *Server) LogoutEverywhere(ctx context.Context, _ oapi.LogoutEverywhereRequestObject) (oapi.LogoutEverywhereResponseObject, error) {
	if err := s.auth.SignOutEverywhere(ctx, principalFrom(ctx).User.ID); err != nil {
		return nil, err
	}
	return logoutEverywhereResponse{logoutResponse{cookies: s.auth.ClearCookies()}}, nil
}
