package gmail

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// Config is what every Gmail mailbox shares.
type Config struct {
	App        OAuthApp
	Secrets    *secret.Box
	APIBase    string       // Google's unless set (tests)
	HTTPClient *http.Client // nil: a client with a timeout
	// PollInterval is how often history.list is asked for news (2s), so new
	// mail shows within seconds. Gmail push needs a Cloud Pub/Sub topic;
	// polling the history needs no extra setup and is cheap: one call of 2
	// quota units when nothing changed, 1 unit a second a mailbox, against
	// Google's 250 a second per user and 20,000 per project.
	PollInterval time.Duration
}

// Conn is the connector of one Gmail mailbox.
type Conn struct {
	cfg   Config
	host  *mailbox.Host
	api   *client
	email string
	since time.Time
}

var _ mailbox.Connector = (*Conn)(nil)

// state is the resume point: the historyId to continue from, or an
// unfinished backfill (its page and the historyId taken when it started).
type state struct {
	HistoryID string         `json:"history_id,omitempty"`
	Backfill  *backfillState `json:"backfill,omitempty"`
}

type backfillState struct {
	HistoryID string `json:"history_id"`
	Done      int64  `json:"done"` // messages delivered, oldest first
}

// ErrNotConfigured says the Google OAuth client is missing.
var ErrNotConfigured = errors.New("gmail: TICKETER_GOOGLE_CLIENT_ID and TICKETER_GOOGLE_CLIENT_SECRET are not set")

// Factory builds Gmail connectors for the supervisor from each mailbox's
// sealed credentials; journal mail is routed by its original recipient.
func Factory(cfg Config) mailbox.Factory {
	return func(_ context.Context, c store.Connector, h *mailbox.Host) (mailbox.Connector, error) {
		if cfg.App.ClientID == "" || cfg.App.ClientSecret == "" {
			return nil, ErrNotConfigured
		}
		plain, err := cfg.Secrets.Open(c.Credentials)
		if err != nil {
			return nil, fmt.Errorf("gmail credentials of mailbox %d: %w", c.MailboxID, err)
		}
		var cr Credentials
		if err := json.Unmarshal([]byte(plain), &cr); err != nil || cr.RefreshToken == "" {
			return nil, fmt.Errorf("%w: mailbox %d has no Gmail refresh token (connect it through the OAuth flow)", ErrAuth, c.MailboxID)
		}
		h.SetRoute(mailbox.RecipientRouter(h.Store(), c.MailboxID))
		return New(cfg, h, cr, c.BackfillSince), nil
	}
}

// New returns the connector of one mailbox.
func New(cfg Config, h *mailbox.Host, cr Credentials, backfillSince time.Time) *Conn {
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 2 * time.Second
	}
	return &Conn{cfg: cfg, host: h, api: newClient(cfg.APIBase, cfg.HTTPClient, cfg.App, cr.RefreshToken), email: cr.Email, since: backfillSince}
}

// Close has nothing to release.
func (c *Conn) Close() error { return nil }

// Test reads the profile: the token works and the API is reachable.
func (c *Conn) Test(ctx context.Context) error {
	_, err := c.api.profile(ctx)
	return c.loud(ctx, err)
}

// loud makes an authorization failure impossible to miss: it is logged at
// error level and shown on the mailbox.
func (c *Conn) loud(ctx context.Context, err error) error {
	if err != nil && errors.Is(err, ErrAuth) {
		c.host.Log.Error("GMAIL AUTHORIZATION FAILED: mail is not being fetched; reconnect the mailbox", "mailbox", c.host.MailboxID,
			"account", c.email, "err", err)
		c.host.Fail(ctx, err.Error())
	}
	return err
}

// Backfill lists every message (since the given day) and fetches each raw,
// oldest first; it resumes after the messages already delivered.
func (c *Conn) Backfill(ctx context.Context, since time.Time) error {
	return c.loud(ctx, c.backfill(ctx, since))
}

func (c *Conn) backfill(ctx context.Context, since time.Time) error {
	var st state
	if err := c.host.LoadState(ctx, &st); err != nil {
		return err
	}
	if st.Backfill == nil {
		// The history starts here: what arrives during the backfill is
		// picked up by the first incremental sync (and deduped).
		p, err := c.api.profile(ctx)
		if err != nil {
			return err
		}
		st.Backfill = &backfillState{HistoryID: p.HistoryID}
		if err := c.host.SaveState(ctx, st); err != nil {
			return err
		}
	}
	q := ""
	if !since.IsZero() {
		q = "after:" + since.Format("2006/01/02")
	}
	// messages.list answers newest first; ingesting oldest first lets a
	// reply find the message it answers. So list every id first (500 per
	// call, a few MB for a large mailbox), then fetch from the oldest.
	var ids []string
	pageToken := ""
	for {
		page, err := c.api.listMessages(ctx, q, pageToken)
		if err != nil {
			return err
		}
		for _, ref := range page.Messages {
			ids = append(ids, ref.ID)
		}
		if page.NextPageToken == "" {
			break
		}
		pageToken = page.NextPageToken
	}
	slices.Reverse(ids)
	total := int64(len(ids))
	// Resume after the ones already delivered: new mail only adds ids at the
	// newest end, so the oldest-first positions of the others hold (and a
	// shift would only re-deliver, which dedupes).
	start := min(st.Backfill.Done, total)
	c.host.Progress(ctx, start, total)
	for i := start; i < total; i++ {
		if err := c.fetch(ctx, ids[i]); err != nil {
			return err
		}
		st.Backfill.Done = i + 1
		if st.Backfill.Done%100 == 0 {
			c.host.Progress(ctx, st.Backfill.Done, total)
			if err := c.host.SaveState(ctx, st); err != nil {
				return err
			}
		}
	}
	c.host.Progress(ctx, total, total)
	st.HistoryID, st.Backfill = st.Backfill.HistoryID, nil
	return c.host.SaveState(ctx, st)
}

// fetch gets one message as raw bytes and delivers it; a message deleted
// since it was listed is skipped.
func (c *Conn) fetch(ctx context.Context, id string) error {
	m, err := c.api.getRaw(ctx, id)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	raw, err := decodeRaw(m.Raw)
	if err != nil {
		return fmt.Errorf("gmail message %s: %w", id, err)
	}
	return c.host.Deliver(ctx, mailbox.Message{ProviderID: "gmail:" + m.ID, Source: "gmail", Raw: raw})
}

// decodeRaw reads the API's base64url (padded or not).
func decodeRaw(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

// Sync fetches what the history lists since the saved historyId. An
// expired historyId (404) starts a full backfill, which dedupes.
func (c *Conn) Sync(ctx context.Context) error {
	return c.loud(ctx, c.sync(ctx))
}

func (c *Conn) sync(ctx context.Context) error {
	var st state
	if err := c.host.LoadState(ctx, &st); err != nil {
		return err
	}
	if st.HistoryID == "" || st.Backfill != nil {
		return c.backfill(ctx, c.since)
	}
	var ids []string
	seen := map[string]bool{}
	next, pageToken := "", ""
	for {
		h, err := c.api.history(ctx, st.HistoryID, pageToken)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			c.host.Log.Warn("gmail historyId too old; backfilling again (duplicates are merged)", "history_id", st.HistoryID)
			if err := c.host.SaveState(ctx, state{}); err != nil {
				return err
			}
			return c.backfill(ctx, c.since)
		}
		if err != nil {
			return err
		}
		for _, rec := range h.History {
			for _, a := range rec.MessagesAdded {
				if !seen[a.Message.ID] {
					seen[a.Message.ID] = true
					ids = append(ids, a.Message.ID)
				}
			}
		}
		next = h.HistoryID
		if h.NextPageToken == "" {
			break
		}
		pageToken = h.NextPageToken
	}
	if len(ids) > 0 {
		c.host.Progress(ctx, 0, int64(len(ids)))
	}
	for i, id := range ids {
		if err := c.fetch(ctx, id); err != nil {
			return err
		}
		if (i+1)%50 == 0 {
			c.host.Progress(ctx, int64(i+1), int64(len(ids)))
		}
	}
	if next != "" && next != st.HistoryID {
		st.HistoryID = next
		if err := c.host.SaveState(ctx, st); err != nil {
			return err
		}
	}
	c.host.Idle(ctx)
	return nil
}

// Watch syncs on the poll interval until ctx ends or a sync fails.
func (c *Conn) Watch(ctx context.Context) error {
	return mailbox.PollSync(ctx, c.cfg.PollInterval, c.Sync)
}

// Send submits raw through messages.send, in the Gmail thread of the
// message it replies to (found by its Message-ID) so Gmail users see one
// conversation. Recipients come from the message's headers.
func (c *Conn) Send(ctx context.Context, _ string, _ []string, raw []byte) error {
	thread := ""
	if id := inReplyTo(raw); id != "" {
		l, err := c.api.listMessages(ctx, "rfc822msgid:"+id, "")
		if err != nil {
			return c.loud(ctx, err)
		}
		if len(l.Messages) > 0 {
			thread = l.Messages[0].ThreadID
		}
	}
	_, err := c.api.send(ctx, base64.RawURLEncoding.EncodeToString(raw), thread)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests && ae.Status != http.StatusUnauthorized {
		// Gmail refused this message (invalid, too large, ...): retrying will not help.
		return &smtpout.PermanentError{Code: ae.Status, Err: err}
	}
	return c.loud(ctx, err)
}

func inReplyTo(raw []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	v := strings.TrimSpace(msg.Header.Get("In-Reply-To"))
	if v == "" {
		refs := strings.Fields(msg.Header.Get("References"))
		if len(refs) == 0 {
			return ""
		}
		v = refs[len(refs)-1]
	}
	return strings.Trim(v, "<>")
}
