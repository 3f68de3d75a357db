package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// Provider is the mailboxes.provider value of Graph mailboxes.
const Provider = "microsoft"

// Defaults of Config.
const (
	DefaultPollInterval = 30 * time.Second
	DefaultFetchers     = 4
)

// Config is what every Microsoft mailbox shares.
type Config struct {
	App        OAuthApp
	Secrets    *secret.Box
	APIBase    string       // Graph's unless set (tests)
	HTTPClient *http.Client // nil: a client with a timeout
	// PollInterval is how often the deltaLink is asked for news without
	// change notifications (30s): one cheap call when nothing changed, far
	// inside Outlook's 10,000 requests per 10 minutes per mailbox.
	PollInterval time.Duration
	// NotifyBase is the public base URL (https; TICKETER_BASE_URL) Graph
	// posts change notifications to (NotificationsPath, LifecyclePath);
	// "" polls every PollInterval instead.
	NotifyBase string
	// Fetchers is how many messages' MIME are fetched at once (4; Outlook
	// allows 4 concurrent requests per mailbox).
	Fetchers int
	Now      func() time.Time // token expiry clock; time.Now when nil
}

// Conn is the connector of one Microsoft mailbox.
type Conn struct {
	cfg   Config
	host  *mailbox.Host
	api   *client
	creds Credentials
	since time.Time
}

var _ mailbox.Connector = (*Conn)(nil)

// state is the resume point of each folder: the link to GET next. Within a
// round it is a nextLink, between rounds the deltaLink; either is saved
// only once every message of the pages before it was delivered. The Inbox's
// is at the top level (the form saved before Sent Items existed).
type state struct {
	folderState
	Sent *folderState `json:"sent,omitempty"` // Sent Items (Credentials.SyncSent)
}

type folderState struct {
	Link  string `json:"link,omitempty"`
	Delta bool   `json:"delta,omitempty"` // Link is a deltaLink: the backfill is over
	Done  int64  `json:"done,omitempty"`  // messages delivered in the running round
}

// folder is a synced mail folder: its well-known name in Graph and the
// source its messages are delivered with.
type folder struct {
	name, source string
	at           func(*state) *folderState
}

var (
	inbox     = folder{"inbox", "graph", func(s *state) *folderState { return &s.folderState }}
	sentItems = folder{"sentitems", "graph-sent", func(s *state) *folderState {
		if s.Sent == nil {
			s.Sent = &folderState{}
		}
		return s.Sent
	}}
)

// folders are what this mailbox syncs.
func (c *Conn) folders() []folder {
	if c.creds.SyncSent {
		return []folder{inbox, sentItems}
	}
	return []folder{inbox}
}

// ErrNotConfigured says the Microsoft app registration is missing.
var ErrNotConfigured = errors.New("microsoft: TICKETER_MICROSOFT_CLIENT_ID and TICKETER_MICROSOFT_CLIENT_SECRET are not set")

// Factory builds Graph connectors for the supervisor from each mailbox's
// sealed credentials.
func Factory(cfg Config) mailbox.Factory {
	return func(_ context.Context, c store.Connector, h *mailbox.Host) (mailbox.Connector, error) {
		if cfg.App.ClientID == "" || cfg.App.ClientSecret == "" {
			return nil, ErrNotConfigured
		}
		cr, err := openCredentials(cfg, c)
		if err != nil {
			return nil, err
		}
		return New(cfg, h, cr, c.BackfillSince), nil
	}
}

func openCredentials(cfg Config, c store.Connector) (Credentials, error) {
	return oauthweb.OpenCredentials(cfg.Secrets, c, "Microsoft", ErrAuth, func(cr Credentials) string { return cr.RefreshToken })
}

func (c *Conn) openCredentials(mb store.Connector) (Credentials, error) {
	return openCredentials(c.cfg, mb)
}

// New returns the connector of one mailbox.
func New(cfg Config, h *mailbox.Host, cr Credentials, backfillSince time.Time) *Conn {
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Fetchers <= 0 {
		cfg.Fetchers = DefaultFetchers
	}
	c := &Conn{cfg: cfg, host: h, creds: cr, since: backfillSince}
	c.api = newClient(cfg.APIBase, cfg.HTTPClient, cfg.App.config(cr.scopes()), cr.RefreshToken, cfg.Now)
	c.api.rotated = c.saveRefreshToken
	return c
}

// saveRefreshToken seals a rotated refresh token on the mailbox, so a
// restart uses the newest grant (the client keeps it in memory). Only the
// token is written, into the credentials stored now and only while they
// still hold old: c.creds may be older than a reconnection (another
// account, Sent Items off), which must not be undone.
func (c *Conn) saveRefreshToken(ctx context.Context, old, tok string) error {
	_, err := oauthweb.SaveRotatedToken(ctx, c.host.Store(), c.cfg.Secrets, c.host.Log, c.host.MailboxID, old, tok)
	return err
}

// Close has nothing to release.
func (c *Conn) Close() error { return nil }

// Test reads the Inbox folder of the mailbox: the grant works and, for a
// shared mailbox, reaches it.
func (c *Conn) Test(ctx context.Context) error {
	var f struct {
		ID string `json:"id"`
	}
	err := c.api.getJSON(ctx, userPath(c.creds.Mailbox)+"/mailFolders/inbox?$select=id", nil, &f)
	return c.loud(ctx, err)
}

// loud makes an authorization failure impossible to miss: it is logged at
// error level and shown on the mailbox (status error). The supervisor keeps
// retrying with backoff, so reconnecting the mailbox is all it takes.
func (c *Conn) loud(ctx context.Context, err error) error {
	if err != nil && errors.Is(err, ErrAuth) {
		c.host.Log.Error("MICROSOFT AUTHORIZATION FAILED: mail is not being fetched; reconnect the mailbox", "mailbox", c.host.MailboxID,
			"account", c.creds.Account, "err", err)
		c.host.Refused(ctx, err.Error())
	}
	return err
}

// Backfill runs the first delta round over the Inbox (and Sent Items when
// synced) since the given time, resuming from the last committed page.
func (c *Conn) Backfill(ctx context.Context, since time.Time) error {
	return c.loud(ctx, c.rounds(ctx, since))
}

// Sync runs one delta round of each folder from its saved link.
func (c *Conn) Sync(ctx context.Context) error {
	if err := c.loud(ctx, c.rounds(ctx, c.since)); err != nil {
		return err
	}
	c.host.Idle(ctx)
	return nil
}

func (c *Conn) rounds(ctx context.Context, since time.Time) error {
	for _, f := range c.folders() {
		if err := c.round(ctx, f, since); err != nil {
			return err
		}
	}
	return nil
}

// Watch syncs until ctx ends or a sync fails: every PollInterval without a
// public URL; with one, subscribed to change notifications (which wake
// rounds through SyncArgs jobs) and every SubscribedPollInterval.
func (c *Conn) Watch(ctx context.Context) error {
	if !c.subscriptionsEnabled() {
		return mailbox.PollSync(ctx, c.cfg.PollInterval, c.Sync)
	}
	return c.watchSubscribed(ctx, time.After)
}

// resyncNeeded is Graph's answer to a delta or skip token it no longer
// holds: 410 Gone (code syncStateNotFound or resyncRequired).
// https://learn.microsoft.com/en-us/graph/delta-query-overview
func resyncNeeded(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusGone
}

// round follows a folder's saved link (or starts a new round) through its
// pages, delivering each page's new messages and only then saving the next
// link. The state is read afresh, so another folder's link saved meanwhile
// is kept.
func (c *Conn) round(ctx context.Context, f folder, since time.Time) error {
	var all state
	if err := c.host.LoadState(ctx, &all); err != nil {
		return err
	}
	st := f.at(&all)
	save := func() error { return c.host.SaveState(ctx, all) }
	resynced := false
	for {
		page, err := c.api.delta(ctx, c.creds.Mailbox, f.name, st.Link, since)
		if resyncNeeded(err) && !resynced && st.Link != "" {
			// The token expired: start over; messages already delivered
			// only add nothing (the occurrence graph:<id> dedupes).
			c.host.Log.Warn("microsoft delta token expired; syncing the folder again (duplicates are merged)", "mailbox", c.host.MailboxID, "folder", f.name)
			resynced = true
			*st = folderState{}
			if err := save(); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		var ids []string
		var when []time.Time
		for _, m := range page.Value {
			if len(m.Removed) == 0 && m.ID != "" {
				ids = append(ids, m.ID)
				when = append(when, m.ReceivedDateTime)
			}
		}
		if err := c.deliver(ctx, f.source, oldestFirst(ids, when)); err != nil {
			return err
		}
		st.Done += int64(len(ids))
		switch {
		case page.NextLink != "":
			st.Link = page.NextLink
		case page.DeltaLink != "":
			*st = folderState{Link: page.DeltaLink, Delta: true}
		default:
			return errors.New("microsoft graph: a delta page with neither @odata.nextLink nor @odata.deltaLink")
		}
		if err := save(); err != nil {
			return err
		}
		if st.Delta {
			return nil
		}
		c.host.Progress(ctx, st.Done, 0)
	}
}

// oldestFirst orders a page by reception, so a reply finds the message it
// answers when both arrive in one page.
func oldestFirst(ids []string, when []time.Time) []string {
	idx := make([]int, len(ids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return when[a].Compare(when[b]) })
	out := make([]string, len(ids))
	for i, j := range idx {
		out[i] = ids[j]
	}
	return out
}

// deliver fetches the MIME of ids a few at a time and delivers them in
// order; a message deleted since the page was listed (404) is skipped.
func (c *Conn) deliver(ctx context.Context, source string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var wg sync.WaitGroup
	defer wg.Wait() // after cancel (deferred below): the fetchers stop first
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		raw []byte
		err error
	}
	results := make([]chan result, len(ids))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	next := make(chan int)
	for range min(c.cfg.Fetchers, len(ids)) {
		wg.Go(func() {
			for i := range next {
				raw, err := c.api.mime(ctx, c.creds.Mailbox, ids[i])
				results[i] <- result{raw, err}
			}
		})
	}
	go func() {
		defer close(next)
		for i := range ids {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	for i, id := range ids {
		var r result
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		var ae *APIError
		if errors.As(r.err, &ae) && ae.Status == http.StatusNotFound {
			continue
		}
		if r.err != nil {
			return fmt.Errorf("microsoft message %s: %w", id, r.err)
		}
		if err := c.host.Deliver(ctx, mailbox.Message{ProviderID: "graph:" + id, Source: source, Raw: r.raw}); err != nil {
			return err
		}
	}
	return nil
}

// Send submits raw unchanged through sendMail (MIME), so the Message-ID,
// In-Reply-To and References we wrote reach the customer and thread there.
// Recipients come from the message's headers; Graph saves a copy in Sent
// Items.
func (c *Conn) Send(ctx context.Context, _ string, _ []string, raw []byte) error {
	err := c.api.sendMIME(ctx, c.creds.Mailbox, raw)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests && ae.Status != http.StatusUnauthorized {
		// Graph refused this message (invalid MIME, too large, no right to
		// send as the mailbox): retrying will not help.
		return &smtpout.PermanentError{Code: ae.Status, Err: err}
	}
	return c.loud(ctx, err)
}
