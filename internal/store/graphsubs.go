package store

import (
	"context"
	"fmt"
	"time"
)

// GraphSubscription is a Microsoft Graph change-notification subscription
// of one mailbox folder (graph_subscriptions).
type GraphSubscription struct {
	MailboxID       int64
	Folder          string // inbox, sentitems
	SubscriptionID  string
	ClientStateHash string // hex SHA-256 of the clientState sent to Graph
	NotificationURL string
	ExpiresAt       time.Time
}

const graphSubCols = `mailbox_id, folder, subscription_id, client_state_hash, notification_url, expires_at`

func scanGraphSub(r Row) (GraphSubscription, error) {
	var g GraphSubscription
	err := r.Scan(&g.MailboxID, &g.Folder, &g.SubscriptionID, &g.ClientStateHash, &g.NotificationURL, &g.ExpiresAt)
	g.ExpiresAt = g.ExpiresAt.UTC()
	return g, err
}

// SaveGraphSubscription records (or replaces) the subscription of a
// mailbox folder.
func (s *Store) SaveGraphSubscription(ctx context.Context, g GraphSubscription) error {
	_, err := s.db.Exec(ctx, `INSERT INTO graph_subscriptions (`+graphSubCols+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (mailbox_id, folder) DO UPDATE SET subscription_id = excluded.subscription_id,
		client_state_hash = excluded.client_state_hash, notification_url = excluded.notification_url, expires_at = excluded.expires_at`,
		g.MailboxID, g.Folder, g.SubscriptionID, g.ClientStateHash, g.NotificationURL, g.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("save graph subscription of mailbox %d: %w", g.MailboxID, err)
	}
	return nil
}

// RenewedGraphSubscription moves a subscription's expiry (after a renewal).
func (s *Store) RenewedGraphSubscription(ctx context.Context, subscriptionID string, expires time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE graph_subscriptions SET expires_at = $1 WHERE subscription_id = $2`, expires.UTC(), subscriptionID); err != nil {
		return fmt.Errorf("renew graph subscription %s: %w", subscriptionID, err)
	}
	return nil
}

// GraphSubscriptionOf reads the subscription of a mailbox folder
// (ErrNotFound: none), from the writer so one just saved is seen.
func (s *Store) GraphSubscriptionOf(ctx context.Context, mailboxID int64, folder string) (GraphSubscription, error) {
	g, err := scanGraphSub(s.db.W().QueryRow(ctx, `SELECT `+graphSubCols+` FROM graph_subscriptions WHERE mailbox_id = $1 AND folder = $2`, mailboxID, folder))
	if err != nil {
		return g, fmt.Errorf("graph subscription of mailbox %d: %w", mailboxID, err)
	}
	return g, nil
}

// GraphSubscriptionByID finds a subscription by Graph's id (ErrNotFound:
// none), for an incoming notification.
func (s *Store) GraphSubscriptionByID(ctx context.Context, subscriptionID string) (GraphSubscription, error) {
	g, err := scanGraphSub(s.db.W().QueryRow(ctx, `SELECT `+graphSubCols+` FROM graph_subscriptions WHERE subscription_id = $1`, subscriptionID))
	if err != nil {
		return g, fmt.Errorf("graph subscription %s: %w", subscriptionID, err)
	}
	return g, nil
}

// DeleteGraphSubscription forgets a subscription (deleted at Graph, or gone
// there).
func (s *Store) DeleteGraphSubscription(ctx context.Context, subscriptionID string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM graph_subscriptions WHERE subscription_id = $1`, subscriptionID); err != nil {
		return fmt.Errorf("delete graph subscription %s: %w", subscriptionID, err)
	}
	return nil
}
