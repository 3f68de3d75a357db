package graph

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// Change notifications (https://learn.microsoft.com/en-us/graph/change-notifications-delivery-webhooks):
// with a public base URL the connector subscribes to new messages in the
// Inbox; Graph POSTs a notification to NotificationsPath, which only wakes a
// delta round (SyncArgs), so nothing in a notification is trusted and a
// repeated one costs one cheap delta call.
const (
	// NotificationsPath receives change notifications, LifecyclePath
	// lifecycle notifications (reauthorizationRequired, subscriptionRemoved,
	// missed); both are under TICKETER_BASE_URL and must be reachable from
	// Microsoft's servers.
	NotificationsPath = "/api/v1/mailboxes/microsoft/notifications"
	LifecyclePath     = "/api/v1/mailboxes/microsoft/lifecycle"
	// SubscriptionLifetime is asked for on create and renewal: just under
	// Outlook messages' maximum of 10,080 minutes (Graph refuses more).
	// https://learn.microsoft.com/en-us/graph/api/resources/subscription#subscription-lifetime
	SubscriptionLifetime = 10070 * time.Minute
	// SubscribedPollInterval is the safety-net delta round while notifications
	// arrive: Microsoft does not guarantee delivery, and a missed lifecycle
	// event would otherwise leave mail waiting until the next message.
	SubscribedPollInterval = 5 * time.Minute
	// subscribeRetry is how long a failed subscription waits before it is
	// tried again (meanwhile the connector polls every PollInterval).
	subscribeRetry = 5 * time.Minute
)

// renewDue reports whether a subscription expiring at exp must be renewed
// now: less than a quarter of its lifetime is left.
func renewDue(now, exp time.Time) bool { return exp.Sub(now) < SubscriptionLifetime/4 }

// hashClientState is what is stored of a clientState: Graph echoes the
// value in every notification, so whoever reads the database must not be
// able to forge one.
func hashClientState(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// subscription is Graph's resource (the fields we send and read).
type subscription struct {
	ID                       string    `json:"id,omitempty"`
	ChangeType               string    `json:"changeType,omitempty"`
	NotificationURL          string    `json:"notificationUrl,omitempty"`
	LifecycleNotificationURL string    `json:"lifecycleNotificationUrl,omitempty"`
	Resource                 string    `json:"resource,omitempty"`
	ExpirationDateTime       time.Time `json:"expirationDateTime"`
	ClientState              string    `json:"clientState,omitempty"`
}

// subscriptionsEnabled: a public base URL is configured.
func (c *Conn) subscriptionsEnabled() bool { return c.cfg.NotifyBase != "" }

func (c *Conn) notificationURL() string {
	return strings.TrimRight(c.cfg.NotifyBase, "/") + NotificationsPath
}

func (c *Conn) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// resource is a folder's messages of the mailbox, in the form the
// subscription documentation uses.
func resource(mailbox, folder string) string {
	if mailbox == "" {
		return "/me/mailFolders('" + folder + "')/messages"
	}
	return "/users/" + url.PathEscape(mailbox) + "/mailFolders('" + folder + "')/messages"
}

// subscribe creates a subscription to a folder (Graph validates both URLs
// before it answers) and stores it with its clientState hashed.
func (c *Conn) subscribe(ctx context.Context, folder string) (store.GraphSubscription, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	state := base64.RawURLEncoding.EncodeToString(b)
	base := strings.TrimRight(c.cfg.NotifyBase, "/")
	body, _ := json.Marshal(subscription{ChangeType: "created", NotificationURL: base + NotificationsPath,
		LifecycleNotificationURL: base + LifecyclePath, Resource: resource(c.creds.Mailbox, folder),
		ExpirationDateTime: c.now().Add(SubscriptionLifetime).UTC().Truncate(time.Second), ClientState: state})
	data, err := c.api.do(ctx, request{method: http.MethodPost, path: "/subscriptions", body: body, contentType: "application/json"})
	if err != nil {
		return store.GraphSubscription{}, fmt.Errorf("microsoft subscription: %w", err)
	}
	var s subscription
	if err := json.Unmarshal(data, &s); err != nil || s.ID == "" {
		return store.GraphSubscription{}, fmt.Errorf("microsoft subscription: an answer without an id (%v)", err)
	}
	g := store.GraphSubscription{MailboxID: c.host.MailboxID, Folder: folder, SubscriptionID: s.ID,
		ClientStateHash: hashClientState(state), NotificationURL: base + NotificationsPath, ExpiresAt: s.ExpirationDateTime}
	if err := c.host.Store().SaveGraphSubscription(ctx, g); err != nil {
		// Not stored: its notifications would be refused, so drop it.
		_ = c.unsubscribe(context.WithoutCancel(ctx), s.ID)
		return store.GraphSubscription{}, err
	}
	c.host.Log.Info("microsoft change notifications subscribed", "mailbox", c.host.MailboxID, "folder", folder, "subscription", s.ID, "expires", g.ExpiresAt)
	return g, nil
}

// renew moves the subscription's expiry (PATCH, which also reauthorizes
// it after reauthorizationRequired). Graph answers 404 for one it removed:
// the caller subscribes again.
func (c *Conn) renew(ctx context.Context, g store.GraphSubscription) (store.GraphSubscription, error) {
	body, _ := json.Marshal(map[string]string{"expirationDateTime": c.now().Add(SubscriptionLifetime).UTC().Truncate(time.Second).Format(time.RFC3339)})
	data, err := c.api.do(ctx, request{method: http.MethodPatch, path: "/subscriptions/" + url.PathEscape(g.SubscriptionID), body: body, contentType: "application/json"})
	if err != nil {
		return g, fmt.Errorf("renew microsoft subscription: %w", err)
	}
	var s subscription
	if err := json.Unmarshal(data, &s); err != nil || s.ExpirationDateTime.IsZero() {
		return g, fmt.Errorf("renew microsoft subscription: no expirationDateTime in the answer (%v)", err)
	}
	g.ExpiresAt = s.ExpirationDateTime.UTC()
	return g, c.host.Store().RenewedGraphSubscription(ctx, g.SubscriptionID, g.ExpiresAt)
}

// unsubscribe deletes a subscription at Graph (gone already is fine) and
// forgets it.
func (c *Conn) unsubscribe(ctx context.Context, id string) error {
	_, err := c.api.do(ctx, request{method: http.MethodDelete, path: "/subscriptions/" + url.PathEscape(id)})
	if err != nil && !notFound(err) {
		return fmt.Errorf("delete microsoft subscription: %w", err)
	}
	return c.host.Store().DeleteGraphSubscription(ctx, id)
}

func notFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusNotFound
}

// allFolders are the folders a subscription may exist for.
var allFolders = []folder{inbox, sentItems}

// maintain keeps each synced folder subscribed and drops the subscription
// of a folder no longer synced. It returns how long until the next renewal
// is due.
func (c *Conn) maintain(ctx context.Context) (time.Duration, error) {
	next := SubscriptionLifetime
	for _, f := range allFolders {
		if !slices.ContainsFunc(c.folders(), func(g folder) bool { return g.name == f.name }) {
			if g, err := c.host.Store().GraphSubscriptionOf(ctx, c.host.MailboxID, f.name); err == nil {
				if err := c.unsubscribe(ctx, g.SubscriptionID); err != nil {
					return 0, err
				}
			}
			continue
		}
		due, err := c.maintainFolder(ctx, f.name)
		if err != nil {
			return 0, err
		}
		next = min(next, due)
	}
	return next, nil
}

// maintainFolder creates a folder's subscription when there is none (or
// it expired, or the public URL changed), renews one with less than a
// quarter of its lifetime left and replaces one Graph no longer has.
func (c *Conn) maintainFolder(ctx context.Context, folder string) (time.Duration, error) {
	g, err := c.host.Store().GraphSubscriptionOf(ctx, c.host.MailboxID, folder)
	now := c.now()
	switch {
	case errors.Is(err, store.ErrNotFound):
		g, err = c.subscribe(ctx, folder)
	case err != nil:
	case g.NotificationURL != c.notificationURL() || !now.Before(g.ExpiresAt):
		if now.Before(g.ExpiresAt) {
			if err := c.unsubscribe(ctx, g.SubscriptionID); err != nil {
				c.host.Log.Warn("microsoft subscription to the former URL not deleted", "subscription", g.SubscriptionID, "err", err)
			}
		}
		g, err = c.resubscribe(ctx, g)
	case renewDue(now, g.ExpiresAt):
		g, err = c.renewOrRecreate(ctx, g)
	}
	if err != nil {
		return 0, err
	}
	return g.ExpiresAt.Add(-SubscriptionLifetime / 4).Sub(now), nil
}

// renewOrRecreate renews g, subscribing anew if Graph removed it.
func (c *Conn) renewOrRecreate(ctx context.Context, g store.GraphSubscription) (store.GraphSubscription, error) {
	r, err := c.renew(ctx, g)
	if notFound(err) {
		c.host.Log.Warn("microsoft subscription gone; subscribing again", "mailbox", c.host.MailboxID, "subscription", g.SubscriptionID)
		return c.resubscribe(ctx, g)
	}
	return r, err
}

// resubscribe forgets the subscription old (Graph no longer has it) and
// creates another for its folder.
func (c *Conn) resubscribe(ctx context.Context, old store.GraphSubscription) (store.GraphSubscription, error) {
	if err := c.host.Store().DeleteGraphSubscription(ctx, old.SubscriptionID); err != nil {
		return store.GraphSubscription{}, err
	}
	return c.subscribe(ctx, old.Folder)
}

// watchSubscribed syncs whenever the subscription is due for upkeep, and
// every SubscribedPollInterval as a safety net; notifications trigger
// rounds in between through SyncArgs jobs. A subscription that cannot be
// made (Graph could not reach the URL) leaves the connector polling every
// PollInterval and is tried again after subscribeRetry.
func (c *Conn) watchSubscribed(ctx context.Context, after func(time.Duration) <-chan time.Time) error {
	defer c.unsubscribeIfDisconnected(ctx)
	var retryAt time.Time
	for {
		if err := c.Sync(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		wait := c.cfg.PollInterval
		if now := c.now(); !now.Before(retryAt) {
			due, err := c.maintain(ctx)
			switch {
			case err != nil && ctx.Err() != nil:
				return nil
			case err != nil:
				c.host.Log.Warn("microsoft change notifications unavailable; polling every "+c.cfg.PollInterval.String(), "mailbox", c.host.MailboxID, "err", err)
				retryAt = now.Add(subscribeRetry)
			default:
				wait = max(min(SubscribedPollInterval, due), time.Second)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-after(wait):
		}
	}
}

// unsubscribeIfDisconnected deletes the subscription when the connector
// stops because the mailbox was disabled, removed or switched to another
// provider; a restart (new token, lease moved, shutdown) keeps it for
// whichever replica runs the connector next.
func (c *Conn) unsubscribeIfDisconnected(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	mb, err := c.host.Store().GetConnector(ctx, c.host.MailboxID)
	if err == nil && mb.Enabled && mb.Provider == Provider {
		if cr, err := c.openCredentials(mb); err == nil && cr.Account == c.creds.Account && cr.Mailbox == c.creds.Mailbox {
			return
		}
	}
	for _, f := range allFolders {
		g, err := c.host.Store().GraphSubscriptionOf(ctx, c.host.MailboxID, f.name)
		if err != nil {
			continue
		}
		if err := c.unsubscribe(ctx, g.SubscriptionID); err != nil {
			c.host.Log.Warn("microsoft subscription of a disconnected mailbox not deleted; it expires by itself", "subscription", g.SubscriptionID, "err", err)
		}
	}
}
