package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Invitation is a single-use link with which a user sets their password.
// Only the sha256 of its token is stored.
type Invitation struct {
	ID        int64
	UserID    int64
	TokenHash string
	CreatedBy int64 // 0: made on the command line
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while unused
}

// CreateInvitation stores a new invitation in q and withdraws the user's
// earlier unused ones: only the newest link works.
func (s *Store) CreateInvitation(ctx context.Context, q Querier, inv Invitation) (int64, error) {
	if _, err := q.Exec(ctx, `DELETE FROM invitations WHERE user_id = $1 AND used_at IS NULL`, inv.UserID); err != nil {
		return 0, fmt.Errorf("withdraw invitations of user %d: %w", inv.UserID, err)
	}
	var createdBy sql.NullInt64
	if inv.CreatedBy != 0 {
		createdBy = sql.NullInt64{Int64: inv.CreatedBy, Valid: true}
	}
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO invitations (user_id, token_hash, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		inv.UserID, inv.TokenHash, createdBy, inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create invitation for user %d: %w", inv.UserID, err)
	}
	return id, nil
}

// InvitationByTokenHash returns an invitation, used or expired or not: the
// caller decides. ErrNotFound for a token that was never issued.
func (s *Store) InvitationByTokenHash(ctx context.Context, q Querier, tokenHash string) (Invitation, error) {
	var inv Invitation
	var createdBy sql.NullInt64
	var used sql.NullTime
	err := q.QueryRow(ctx, `SELECT id, user_id, token_hash, created_by, created_at, expires_at, used_at
		FROM invitations WHERE token_hash = $1`, tokenHash).Scan(
		&inv.ID, &inv.UserID, &inv.TokenHash, &createdBy, &inv.CreatedAt, &inv.ExpiresAt, &used)
	if err != nil {
		return inv, fmt.Errorf("invitation: %w", err)
	}
	inv.CreatedBy, inv.UsedAt = createdBy.Int64, timeOf(used)
	inv.CreatedAt, inv.ExpiresAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()
	return inv, nil
}

// UseInvitation marks an unused, unexpired invitation used at now. It reports
// false when it was used or expired meanwhile: of two concurrent uses, one
// wins.
func (s *Store) UseInvitation(ctx context.Context, q Querier, id int64, now time.Time) (bool, error) {
	n, err := q.Exec(ctx, `UPDATE invitations SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND expires_at > $2`, id, now.UTC())
	if err != nil {
		return false, fmt.Errorf("use invitation %d: %w", id, err)
	}
	return n == 1, nil
}

// DeleteOtherSessions ends a user's sessions but keep (a password changed
// from that session keeps it signed in).
func (s *Store) DeleteOtherSessions(ctx context.Context, q Querier, userID, keep int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, keep); err != nil {
		return fmt.Errorf("delete other sessions of user %d: %w", userID, err)
	}
	return nil
}
