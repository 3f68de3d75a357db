package httpapi

// Sign-in, the current user, their API tokens.

import (
	"context"
	"net/http"
	"strings"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
)

// sessionResponse sets the session cookies along with the Session body.
type sessionResponse struct {
	cookies []*http.Cookie
	body    oapi.Session
}

func (r sessionResponse) write(w http.ResponseWriter) error {
	for _, c := range r.cookies {
		http.SetCookie(w, c)
	}
	writeJSON(w, http.StatusOK, r.body)
	return nil
}

func (r sessionResponse) VisitLoginResponse(w http.ResponseWriter) error    { return r.write(w) }
func (r sessionResponse) VisitDevLoginResponse(w http.ResponseWriter) error { return r.write(w) }

// session answers a sign-in; the user carries two_factor and
// two_factor_required as GET /me does, so the UI knows at once whether the
// user must enrol first.
func (s *Server) session(ctx context.Context, ns auth.NewSession) (sessionResponse, error) {
	u := toUser(ns.User)
	on, err := s.auth.TOTPEnabled(ctx, ns.User)
	if err != nil {
		return sessionResponse{}, err
	}
	required, err := s.auth.RequireTwoFactor(ctx)
	u.TwoFactor, u.TwoFactorRequired = &on, &required
	return sessionResponse{cookies: s.auth.SessionCookies(ns), body: oapi.Session{User: u, CsrfToken: ns.CSRF, ExpiresAt: ns.ExpiresAt}}, err
}

func (s *Server) Login(ctx context.Context, req oapi.LoginRequestObject) (oapi.LoginResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if strings.TrimSpace(req.Body.Email) == "" {
		return nil, domain.Invalid("email", "is required")
	}
	if req.Body.Password == "" {
		return nil, domain.Invalid("password", "is required")
	}
	code := ""
	if req.Body.Totp != nil {
		code = *req.Body.Totp
	}
	ns, err := s.auth.LoginTOTP(ctx, req.Body.Email, req.Body.Password, code, clientFrom(ctx))
	if err != nil {
		return nil, err
	}
	return s.session(ctx, ns)
}

func (s *Server) DevLogin(ctx context.Context, req oapi.DevLoginRequestObject) (oapi.DevLoginResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if strings.TrimSpace(req.Body.Email) == "" {
		return nil, domain.Invalid("email", "is required")
	}
	ns, err := s.auth.DevLogin(ctx, req.Body.Email, clientFrom(ctx))
	if err != nil {
		return nil, err
	}
	return s.session(ctx, ns)
}

type logoutResponse struct{ cookies []*http.Cookie }

func (r logoutResponse) VisitLogoutResponse(w http.ResponseWriter) error {
	for _, c := range r.cookies {
		http.SetCookie(w, c)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) Logout(ctx context.Context, _ oapi.LogoutRequestObject) (oapi.LogoutResponseObject, error) {
	if err := s.auth.Logout(ctx, principalFrom(ctx)); err != nil {
		return nil, err
	}
	return logoutResponse{cookies: s.auth.ClearCookies()}, nil
}

func (s *Server) GetMe(ctx context.Context, _ oapi.GetMeRequestObject) (oapi.GetMeResponseObject, error) {
	u, err := s.me(ctx)
	return oapi.GetMe200JSONResponse(u), err
}

// UpdateMe changes the caller's own settings: their signature, whether they
// are available for automatic assignment.
func (s *Server) UpdateMe(ctx context.Context, req oapi.UpdateMeRequestObject) (oapi.UpdateMeResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if sig := req.Body.Signature; sig != nil {
		if err := s.tickets.SetMySignature(ctx, principalFrom(ctx).User, *sig); err != nil {
			return nil, err
		}
	}
	if on := req.Body.Available; on != nil {
		if err := s.tickets.SetMyAvailability(ctx, principalFrom(ctx).User, *on); err != nil {
			return nil, err
		}
	}
	u, err := s.me(ctx)
	return oapi.UpdateMe200JSONResponse(u), err
}

// me is the caller with their signature (other users' lists leave it out).
func (s *Server) me(ctx context.Context) (oapi.User, error) {
	u := principalFrom(ctx).User
	out := toUser(u)
	sig, err := s.tickets.MySignature(ctx, u)
	if err != nil {
		return out, err
	}
	out.Signature = &sig
	available, err := s.tickets.MyAvailability(ctx, u)
	if err != nil {
		return out, err
	}
	out.Available = &available
	on, err := s.auth.TOTPEnabled(ctx, u)
	if err != nil {
		return out, err
	}
	out.TwoFactor = &on
	required, err := s.auth.RequireTwoFactor(ctx)
	out.TwoFactorRequired = &required
	return out, err
}

func (s *Server) ListTokens(ctx context.Context, _ oapi.ListTokensRequestObject) (oapi.ListTokensResponseObject, error) {
	list, err := s.auth.Tokens(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListTokens200JSONResponse{Items: convertAll(list, toToken)}, nil
}

func (s *Server) CreateToken(ctx context.Context, req oapi.CreateTokenRequestObject) (oapi.CreateTokenResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	var scopes []string
	if req.Body.Scopes != nil {
		for _, sc := range *req.Body.Scopes {
			scopes = append(scopes, string(sc))
		}
	}
	p := principalFrom(ctx)
	if !p.Grants(scopes) {
		return nil, domain.Invalid("scopes", "a token may only make tokens within its own scopes ("+strings.Join(p.Scopes, ", ")+")")
	}
	secret, t, err := s.auth.CreateToken(ctx, p.User.ID, req.Body.Name, scopes...)
	if err != nil {
		return nil, err
	}
	return oapi.CreateToken201JSONResponse{Id: t.ID, Name: t.Name, CreatedAt: t.CreatedAt, LastUsedAt: nullTime(t.LastUsedAt),
		RevokedAt: nullTime(t.RevokedAt), Token: secret, Scopes: toScopes(t.Scopes)}, nil
}

func (s *Server) RevokeToken(ctx context.Context, req oapi.RevokeTokenRequestObject) (oapi.RevokeTokenResponseObject, error) {
	if err := s.auth.RevokeToken(ctx, principalFrom(ctx).User.ID, req.Id); err != nil {
		return nil, err
	}
	return oapi.RevokeToken204Response{}, nil
}
