package auth

import (
	"context"

	"github.com/ticketer/ticketer/internal/store"
)

// Reads of users and tokens. Each takes the viewer, the signed-in user
// asking, so that who may see whom is decided here, in one place, rather
// than in each HTTP handler (as internal/ticket/read.go does for tickets).

// Users lists every user; any signed-in user sees them (to assign tickets).
func (s *Service) Users(ctx context.Context, viewer store.User) ([]store.User, error) {
	return s.store.ListUsers(ctx)
}

// Tokens lists the viewer's own API tokens, newest first: nobody sees
// another user's.
func (s *Service) Tokens(ctx context.Context, viewer store.User) ([]store.APIToken, error) {
	return s.store.ListAPITokens(ctx, viewer.ID)
}
