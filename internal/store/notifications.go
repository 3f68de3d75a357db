package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Notification is one thing an agent is told.
type Notification struct {
	ID        int64
	UserID    int64
	TicketID  int64
	Kind      string
	Actor     string
	Summary   string
	InApp     bool
	Email     bool
	CreatedAt time.Time
	ReadAt    time.Time
	Subject   string // the ticket's subject, when listed
}

// AddNotification stores a notification; the insert is deferred into the
// transaction's next round trip (nobody needs its id at once).
func (s *Store) AddNotification(ctx context.Context, q Querier, n Notification) error {
	err := deferExec(ctx, q, `INSERT INTO notifications (user_id, ticket_id, kind, actor, summary, in_app, email, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		n.UserID, n.TicketID, n.Kind, n.Actor, n.Summary, n.InApp, n.Email, n.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("add notification: %w", err)
	}
	return nil
}

const notificationSelect = `SELECT n.id, n.user_id, n.ticket_id, n.kind, n.actor, n.summary, n.in_app, n.email, n.created_at, n.read_at, t.subject
	FROM notifications n JOIN tickets t ON t.id = n.ticket_id`

func scanNotifications(rows Rows, err error) ([]Notification, error) {
	out := []Notification{}
	err = scanAll(rows, err)(func(r Rows) error {
		var n Notification
		var read sql.NullTime
		err := r.Scan(&n.ID, &n.UserID, &n.TicketID, &n.Kind, &n.Actor, &n.Summary, &n.InApp, &n.Email, &n.CreatedAt, &read, &n.Subject)
		n.CreatedAt, n.ReadAt = n.CreatedAt.UTC(), timeOf(read)
		out = append(out, n)
		return err
	})
	return out, err
}

// ListNotifications returns a user's in-app notifications, newest first, and
// how many are unread.
func (s *Store) ListNotifications(ctx context.Context, userID int64, limit int) ([]Notification, int, error) {
	list, err := scanNotifications(s.db.Query(ctx, notificationSelect+` WHERE n.user_id = $1 AND n.in_app ORDER BY n.id DESC LIMIT $2`, userID, limit))
	if err != nil {
		return nil, 0, fmt.Errorf("list notifications: %w", err)
	}
	var unread int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND in_app AND read_at IS NULL`, userID).Scan(&unread); err != nil {
		return nil, 0, fmt.Errorf("count notifications: %w", err)
	}
	return list, unread, nil
}

// MarkNotificationsRead marks a user's notifications read: those named, or
// all of them when ids is empty. It returns how many changed.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID int64, ids []int64, at time.Time) (int, error) {
	query := `UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`
	args := []any{userID, at.UTC()}
	if len(ids) > 0 {
		query += ` AND id IN (` + placeholders(3, len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	n, err := s.db.Exec(ctx, query, args...)
	if err != nil {
		return 0, fmt.Errorf("mark notifications read: %w", err)
	}
	return int(n), nil
}

// PendingMail returns a user's notifications waiting to be mailed, oldest
// first, locking them on PostgreSQL so two workers cannot mail them both.
func (s *Store) PendingMail(ctx context.Context, tx *Tx, userID int64) ([]Notification, error) {
	query := notificationSelect + ` WHERE n.user_id = $1 AND n.email AND n.emailed_at IS NULL ORDER BY n.id`
	if tx.Dialect == Postgres {
		query += ` FOR UPDATE OF n`
	}
	list, err := scanNotifications(tx.Query(ctx, query, userID))
	if err != nil {
		return nil, fmt.Errorf("pending notification mail: %w", err)
	}
	return list, nil
}

// MarkEmailed records that notifications went out by mail.
func (s *Store) MarkEmailed(ctx context.Context, tx *Tx, ids []int64, at time.Time) error {
	return inChunks(len(ids), inChunk, func(lo, hi int) error {
		args := []any{at.UTC()}
		for _, id := range ids[lo:hi] {
			args = append(args, id)
		}
		if _, err := tx.Exec(ctx, `UPDATE notifications SET emailed_at = $1 WHERE id IN (`+placeholders(2, hi-lo)+`)`, args...); err != nil {
			return fmt.Errorf("mark notifications emailed: %w", err)
		}
		return nil
	})
}

// NotifyChoice is whether a user wants one kind of notification in the app
// and by mail.
type NotifyChoice struct {
	App   bool `json:"app"`
	Email bool `json:"email"`
}

// NotificationPrefs returns a user's choices by kind; a kind not named is
// on, in the app and by mail (the caller fills the defaults).
func (s *Store) NotificationPrefs(ctx context.Context, q Querier, userID int64) (map[string]NotifyChoice, error) {
	var raw string
	if err := q.QueryRow(ctx, `SELECT notification_prefs FROM users WHERE id = $1`, userID).Scan(&raw); err != nil {
		return nil, fmt.Errorf("notification settings of user %d: %w", userID, err)
	}
	prefs := map[string]NotifyChoice{}
	if err := json.Unmarshal([]byte(raw), &prefs); err != nil {
		return nil, fmt.Errorf("notification settings of user %d: %w", userID, err)
	}
	return prefs, nil
}

// SetNotificationPrefs replaces a user's choices.
func (s *Store) SetNotificationPrefs(ctx context.Context, userID int64, prefs map[string]NotifyChoice) error {
	raw, err := json.Marshal(prefs)
	if err != nil {
		return err
	}
	if _, err := s.db.Exec(ctx, `UPDATE users SET notification_prefs = $2 WHERE id = $1`, userID, string(raw)); err != nil {
		return fmt.Errorf("set notification settings of user %d: %w", userID, err)
	}
	return nil
}

// Mentionable is an enabled user, as a note may name them.
type Mentionable struct {
	ID          int64
	Email, Name string
}

// EnabledUsers returns the users who can be mentioned or notified.
func (s *Store) EnabledUsers(ctx context.Context, q Querier) ([]Mentionable, error) {
	var out []Mentionable
	err := scanAll(q.Query(ctx, `SELECT id, email, name FROM users WHERE NOT disabled ORDER BY id`))(func(r Rows) error {
		var u Mentionable
		err := r.Scan(&u.ID, &u.Email, &u.Name)
		out = append(out, u)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("enabled users: %w", err)
	}
	return out, nil
}
