package store

import (
	"context"
	"fmt"
	"time"
)

// OIDCLogin is a single sign-on under way: what the callback needs to
// check the identity provider's answer. Only the sha256 of the state is
// kept (the state itself travels in the browser).
type OIDCLogin struct {
	StateHash string
	Nonce     string
	Verifier  string // PKCE code verifier
	Next      string // the local path to go on to
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CreateOIDCLogin stores a sign-in under way, and forgets the expired ones
// (abandoned sign-ins cannot grow the table).
func (s *Store) CreateOIDCLogin(ctx context.Context, l OIDCLogin) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM oidc_logins WHERE expires_at <= $1`, l.CreatedAt.UTC()); err != nil {
		return fmt.Errorf("forget expired sso sign-ins: %w", err)
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO oidc_logins (state_hash, nonce, verifier, next_path, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		l.StateHash, l.Nonce, l.Verifier, l.Next, l.CreatedAt.UTC(), l.ExpiresAt.UTC()); err != nil {
		return fmt.Errorf("create sso sign-in: %w", err)
	}
	return nil
}

// TakeOIDCLogin removes and returns the sign-in of a state, in one
// statement: of two callbacks with the same state only one gets it.
// ErrNotFound when there is none, or it expired by now.
func (s *Store) TakeOIDCLogin(ctx context.Context, stateHash string, now time.Time) (OIDCLogin, error) {
	var l OIDCLogin
	err := s.db.W().QueryRow(ctx, `DELETE FROM oidc_logins WHERE state_hash = $1
		RETURNING state_hash, nonce, verifier, next_path, created_at, expires_at`, stateHash).Scan(&l.StateHash, &l.Nonce, &l.Verifier, &l.Next, &l.CreatedAt, &l.ExpiresAt)
	if err != nil {
		return l, fmt.Errorf("sso sign-in: %w", err)
	}
	l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
	if !now.Before(l.ExpiresAt) {
		return l, fmt.Errorf("sso sign-in expired at %s: %w", l.ExpiresAt.Format(time.RFC3339), ErrNotFound)
	}
	return l, nil
}
