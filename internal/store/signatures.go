package store

import (
	"context"
	"fmt"
)

// UserSignature returns an agent's own reply signature ("" when none).
func (s *Store) UserSignature(ctx context.Context, q Querier, userID int64) (string, error) {
	var sig string
	if err := q.QueryRow(ctx, `SELECT signature FROM users WHERE id = $1`, userID).Scan(&sig); err != nil {
		return "", fmt.Errorf("signature of user %d: %w", userID, err)
	}
	return sig, nil
}

// SetUserSignature replaces an agent's reply signature.
func (s *Store) SetUserSignature(ctx context.Context, userID int64, sig string) error {
	n, err := s.db.Exec(ctx, `UPDATE users SET signature = $2 WHERE id = $1`, userID, sig)
	if err != nil {
		return fmt.Errorf("set signature of user %d: %w", userID, err)
	}
	if n == 0 {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	return nil
}

// MailboxSignature returns a mailbox's reply signature ("" when none).
func (s *Store) MailboxSignature(ctx context.Context, q Querier, mailboxID int64) (string, error) {
	var sig string
	if err := q.QueryRow(ctx, `SELECT signature FROM mailboxes WHERE id = $1`, mailboxID).Scan(&sig); err != nil {
		return "", fmt.Errorf("signature of mailbox %d: %w", mailboxID, err)
	}
	return sig, nil
}

// SetMailboxSignature replaces a mailbox's reply signature.
func (s *Store) SetMailboxSignature(ctx context.Context, mailboxID int64, sig string) error {
	n, err := s.db.Exec(ctx, `UPDATE mailboxes SET signature = $2 WHERE id = $1`, mailboxID, sig)
	if err != nil {
		return fmt.Errorf("set signature of mailbox %d: %w", mailboxID, err)
	}
	if n == 0 {
		return fmt.Errorf("mailbox %d: %w", mailboxID, ErrNotFound)
	}
	return nil
}
