package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
)

// Session is a signed-in browser. Only hashes of its tokens are stored.
type Session struct {
	ID         int64
	UserID     int64
	TokenHash  string
	CSRFHash   string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	RemoteAddr string
	UserAgent  string
	// Method is how the session was opened: SessionPassword (also the
	// default), SessionSSO, SessionDev or SessionInvitation.
	Method string
}

// How a session was opened.
const (
	SessionPassword   = "password"
	SessionSSO        = "sso"
	SessionDev        = "dev"
	SessionInvitation = "invitation"
)

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, se Session) (int64, error) {
	var id int64
	if se.Method == "" {
		se.Method = SessionPassword
	}
	err := s.db.W().QueryRow(ctx, `INSERT INTO sessions (user_id, token_hash, csrf_hash, created_at, last_seen_at, expires_at, remote_addr, user_agent, method)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		se.UserID, se.TokenHash, se.CSRFHash, se.CreatedAt.UTC(), se.LastSeenAt.UTC(), se.ExpiresAt.UTC(), se.RemoteAddr, se.UserAgent, se.Method).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create session: %w", err)
	}
	return id, nil
}

// SessionByTokenHash returns a session and its user, whatever their state:
// the caller decides about expiry and disabled users.
func (s *Store) SessionByTokenHash(ctx context.Context, tokenHash string) (Session, User, error) {
	var se Session
	var u User
	err := s.db.QueryRow(ctx, `SELECT s.id, s.user_id, s.token_hash, s.csrf_hash, s.created_at, s.last_seen_at, s.expires_at,
		s.remote_addr, s.user_agent, s.method, u.id, u.email, u.name, u.role, u.password_hash, u.disabled, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, tokenHash).Scan(
		&se.ID, &se.UserID, &se.TokenHash, &se.CSRFHash, &se.CreatedAt, &se.LastSeenAt, &se.ExpiresAt, &se.RemoteAddr, &se.UserAgent, &se.Method,
		&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt)
	if err != nil {
		return se, u, fmt.Errorf("session: %w", err)
	}
	se.CreatedAt, se.LastSeenAt, se.ExpiresAt, u.CreatedAt = se.CreatedAt.UTC(), se.LastSeenAt.UTC(), se.ExpiresAt.UTC(), u.CreatedAt.UTC()
	return se, u, nil
}

// TouchSession records activity (idle expiry counts from the last one).
func (s *Store) TouchSession(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, id, at.UTC()); err != nil {
		return fmt.Errorf("touch session %d: %w", id, err)
	}
	return nil
}

// DeleteSession ends one session.
func (s *Store) DeleteSession(ctx context.Context, id int64) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete session %d: %w", id, err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user (disabled, password changed).
func (s *Store) DeleteUserSessions(ctx context.Context, q Querier, userID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}

// RevokeUserTokens revokes every API token of a user: a token revoked for
// a disabled user stays revoked when the user is enabled again.
func (s *Store) RevokeUserTokens(ctx context.Context, q Querier, userID int64, at time.Time) error {
	if _, err := q.Exec(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, at.UTC()); err != nil {
		return fmt.Errorf("revoke tokens of user %d: %w", userID, err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their absolute expiry or idle
// since before idleSince.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now, idleSince time.Time) (int64, error) {
	n, err := s.db.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, now.UTC(), idleSince.UTC())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}

// APIToken is a bearer token of a user (only its hash is stored).
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// APITokenByHash returns an unrevoked token and its user (disabled or not).
func (s *Store) APITokenByHash(ctx context.Context, tokenHash string) (APIToken, User, error) {
	var t APIToken
	var u User
	var last sql.NullTime
	err := s.db.QueryRow(ctx, `SELECT t.id, t.user_id, t.name, t.created_at, t.last_used_at,
		u.id, u.email, u.name, u.role, u.password_hash, u.disabled, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, tokenHash).Scan(
		&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &last, &u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt)
	if err != nil {
		return t, u, fmt.Errorf("token: %w", err)
	}
	t.CreatedAt, t.LastUsedAt, u.CreatedAt = t.CreatedAt.UTC(), timeOf(last), u.CreatedAt.UTC()
	return t, u, nil
}

// TouchAPIToken records a token's use.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, at.UTC()); err != nil {
		return fmt.Errorf("touch token %d: %w", id, err)
	}
	return nil
}

// ListAPITokens returns a user's tokens, newest first (revoked ones included).
func (s *Store) ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error) {
	rows, err := s.db.Query(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens
		WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []APIToken{}
	for rows.Next() {
		var t APIToken
		var last, revoked sql.NullTime
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &last, &revoked); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), timeOf(last), timeOf(revoked)
		out = append(out, t)
	}
	return out, rows.Err()
}

// GetAPIToken returns one token of a user; ErrNotFound for another user's.
func (s *Store) GetAPIToken(ctx context.Context, userID, id int64) (APIToken, error) {
	var t APIToken
	var last, revoked sql.NullTime
	err := s.db.W().QueryRow(ctx, `SELECT id, user_id, name, created_at, last_used_at, revoked_at FROM api_tokens
		WHERE id = $1 AND user_id = $2`, id, userID).Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &last, &revoked)
	if err != nil {
		return t, fmt.Errorf("token %d: %w", id, err)
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), timeOf(last), timeOf(revoked)
	return t, nil
}

// RevokeAPIToken revokes one of a user's tokens; ErrNotFound when the user
// has no such token. Revoking twice keeps the first time.
func (s *Store) RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) error {
	n, err := s.db.Exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3) WHERE id = $1 AND user_id = $2`, id, userID, at.UTC())
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("token %d: %w", id, ErrNotFound)
	}
	return nil
}

// UserChange lists the fields of a user to change; nil leaves one alone.
type UserChange struct {
	Name         *string
	Role         *domain.Role
	Disabled     *bool
	PasswordHash *string
}

// UpdateUser changes a user in q.
func (s *Store) UpdateUser(ctx context.Context, q Querier, id int64, c UserChange) error {
	n, err := q.Exec(ctx, `UPDATE users SET name = COALESCE($2, name), role = COALESCE($3, role),
		disabled = COALESCE($4, disabled), password_hash = COALESCE($5, password_hash) WHERE id = $1`,
		id, c.Name, c.Role, c.Disabled, c.PasswordHash)
	if err != nil {
		return fmt.Errorf("update user %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return nil
}

// GetUserTx returns one user as seen by q (inside a transaction).
func (s *Store) GetUserTx(ctx context.Context, q Querier, id int64) (User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// CountEnabledAdmins counts the admins who can still sign in. On PostgreSQL
// it locks their rows, so two admins cannot disable each other at once;
// SQLite transactions are serialised by the single writer.
func (s *Store) CountEnabledAdmins(ctx context.Context, tx *Tx) (int, error) {
	if tx.Dialect == Postgres {
		if _, err := tx.Exec(ctx, `SELECT id FROM users WHERE role = 'admin' AND NOT disabled FOR UPDATE`); err != nil {
			return 0, fmt.Errorf("lock admins: %w", err)
		}
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count admins: %w", err)
	}
	return n, nil
}
