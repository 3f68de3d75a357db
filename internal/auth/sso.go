package auth

// Single sign-on: the session side. The identity provider's answer is
// checked in internal/sso; here its verified email becomes a session.

import (
	"context"
	"errors"
	"strings"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Errors of SSO-only installations and SSO sign-ins.
var (
	ErrSSOOnly     = errors.New("password sign-in is off here: sign in with SSO")
	ErrSSODisabled = errors.New("this user is disabled")
)

// PasswordSignIn reports whether anyone may sign in with a password:
// false when SSO is the only way, except for the break-glass admin.
func (s *Service) PasswordSignIn() bool { return !s.cfg.SSOOnly }

// passwordAllowed reports whether email may sign in with a password.
func (s *Service) passwordAllowed(email string) bool {
	return !s.cfg.SSOOnly || (s.cfg.BreakGlass != "" && email == s.cfg.BreakGlass)
}

// breakGlassOnly refuses a password sign-in of anyone but an admin when SSO
// is the only way (the break-glass email may have been given to an agent).
func (s *Service) breakGlassOnly(u store.User) error {
	if s.cfg.SSOOnly && u.Role != domain.RoleAdmin {
		return ErrSSOOnly
	}
	return nil
}

// SignInSSO opens a session for the user whose email an identity provider
// vouched for (verified, of an allowed domain: the caller checked both).
// A user with that email signs in as themselves; else an agent is created
// just in time, without a password. There is no second factor here: the
// identity provider asks for it.
func (s *Service) SignInSSO(ctx context.Context, email, name string, c Client) (NewSession, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		if name = strings.TrimSpace(name); name == "" || len(name) > 200 {
			name, _, _ = strings.Cut(email, "@")
		}
		u, err = s.CreateUser(ctx, NewUser{Email: email, Name: name, Role: domain.RoleAgent})
		if errors.Is(err, store.ErrConflict) { // created by a parallel sign-in
			u, err = s.store.UserByEmail(ctx, email)
		} else if err == nil {
			s.log.Info("user created by single sign-on", "email", email, "role", string(u.Role))
		}
	}
	if err != nil {
		return NewSession{}, err
	}
	if u.Disabled {
		s.log.Warn("failed sign-in", "email", email, "method", store.SessionSSO, "remote", c.RemoteAddr, "reason", "disabled")
		return NewSession{}, ErrSSODisabled
	}
	ns, err := s.openSession(ctx, u, c, s.now(), store.SessionSSO)
	if err == nil {
		s.log.Info("signed in", "email", email, "method", store.SessionSSO, "remote", c.RemoteAddr)
	}
	return ns, err
}
