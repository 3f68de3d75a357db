package notify

import (
	"context"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// Inbox is an agent's own notifications and choices. Every call is for the
// viewer alone, so handlers ask it instead of the store.
type Inbox struct{ Store *store.Store }

// List returns the viewer's newest notifications (at most limit) and how
// many are unread.
func (i Inbox) List(ctx context.Context, viewer store.User, limit int) ([]store.Notification, int, error) {
	return i.Store.ListNotifications(ctx, viewer.ID, limit)
}

// MarkRead marks the viewer's notifications read: ids, or all when ids is nil.
func (i Inbox) MarkRead(ctx context.Context, viewer store.User, ids []int64, at time.Time) (int, error) {
	return i.Store.MarkNotificationsRead(ctx, viewer.ID, ids, at)
}

// Prefs returns the viewer's stored choices per kind (defaults not filled in).
func (i Inbox) Prefs(ctx context.Context, viewer store.User) (map[string]store.NotifyChoice, error) {
	return i.Store.NotificationPrefs(ctx, i.Store.DB(), viewer.ID)
}

// SetPrefs stores the viewer's choices per kind.
func (i Inbox) SetPrefs(ctx context.Context, viewer store.User, prefs map[string]store.NotifyChoice) error {
	return i.Store.SetNotificationPrefs(ctx, viewer.ID, prefs)
}
