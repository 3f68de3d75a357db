package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
)

// User is an agent or admin.
type User struct {
	ID           int64
	Email        string
	Name         string
	Role         domain.Role
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
}

const userCols = `id, email, name, role, password_hash, disabled, created_at`

func scanUser(r Row) (User, error) {
	var u User
	err := r.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// CreateUser inserts u; ErrConflict when the email is taken.
func (s *Store) CreateUser(ctx context.Context, u User) (int64, error) {
	var id int64
	err := s.db.W().QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, disabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		strings.ToLower(strings.TrimSpace(u.Email)), u.Name, u.Role, u.PasswordHash, u.Disabled, u.CreatedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create user %s: %w", u.Email, err)
	}
	return id, nil
}

// GetUser returns one user.
func (s *Store) GetUser(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return u, fmt.Errorf("user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns the user with that email.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))))
	if err != nil {
		return u, fmt.Errorf("user %s: %w", email, err)
	}
	return u, nil
}

// ListUsers returns every user by id.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateAPIToken stores the hash of a new token for a user.
// scopes limit it (none: full access).
func (s *Store) CreateAPIToken(ctx context.Context, userID int64, name, tokenHash string, at time.Time, scopes ...string) (int64, error) {
	var id int64
	err := s.db.W().QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, scopes) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		userID, name, tokenHash, at.UTC(), strings.Join(scopes, ",")).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create token: %w", err)
	}
	return id, nil
}

// UserByTokenHash returns the enabled user owning an unrevoked token.
func (s *Store) UserByTokenHash(ctx context.Context, tokenHash string) (User, error) {
	u, err := scanUser(s.db.QueryRow(ctx, `SELECT u.id, u.email, u.name, u.role, u.password_hash, u.disabled, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled`, tokenHash))
	if err != nil {
		return u, fmt.Errorf("token: %w", err)
	}
	return u, nil
}

func scanUserRef(id sql.NullInt64, email, name sql.NullString) *UserRef {
	if !id.Valid {
		return nil
	}
	return &UserRef{ID: id.Int64, Email: email.String, Name: name.String}
}

// UserRef is the short form of a user shown on tickets.
type UserRef struct {
	ID    int64
	Email string
	Name  string
}
