package gmail

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"mime"
	"net/http"
	stdmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
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
// unfinished backfill (the historyId taken when it started; what it already
// delivered is known from the received provider ids).
type state struct {
	HistoryID string         `json:"history_id,omitempty"`
	Backfill  *backfillState `json:"backfill,omitempty"`
}

type backfillState struct {
	HistoryID string `json:"history_id"`
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
		cr, err := oauthweb.OpenCredentials(cfg.Secrets, c, "Gmail", ErrAuth, func(cr Credentials) string { return cr.RefreshToken })
		if err != nil {
			return nil, err
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
		c.host.Refused(ctx, err.Error())
	}
	return err
}

// Backfill lists every message (since the given time), then delivers
// those not received yet, oldest first.
func (c *Conn) Backfill(ctx context.Context, since time.Time) error {
	return c.loud(ctx, c.backfill(ctx, since))
}

// sinceQuery is the messages.list search for mail received after t. A
// date (after:YYYY/MM/DD) is read as midnight Pacific time; epoch seconds
// are exact ("Searching for messages", https://developers.google.com/gmail/api/guides/filtering).
func sinceQuery(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return "after:" + strconv.FormatInt(t.Unix(), 10)
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
	var ids []string
	pageToken := ""
	for {
		page, err := c.api.listMessages(ctx, sinceQuery(since), pageToken)
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
	// Resume by what was received, not by a position: mail deleted between
	// two runs would shift positions and skip messages.
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = providerID(id)
	}
	seen, err := c.host.Received(ctx, "gmail", keys)
	if err != nil {
		return err
	}
	total, done := int64(len(ids)), int64(len(seen))
	c.host.Progress(ctx, done, total)
	// messages.list documents no order: read when each message arrived
	// (format=minimal, 5 quota units) and deliver oldest first, so that a
	// reply finds the message it answers.
	type dated struct {
		id string
		at int64
	}
	var todo []dated
	for _, id := range ids {
		if seen[providerID(id)] {
			continue
		}
		m, err := c.api.get(ctx, id, "minimal")
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			continue
		}
		if err != nil {
			return err
		}
		todo = append(todo, dated{id: id, at: m.internalMillis()})
	}
	slices.SortStableFunc(todo, func(a, b dated) int { return cmp.Compare(a.at, b.at) })
	for _, d := range todo {
		if err := c.fetch(ctx, d.id); err != nil {
			return err
		}
		if done++; done%100 == 0 {
			c.host.Progress(ctx, done, total)
		}
	}
	c.host.Progress(ctx, total, total)
	st.HistoryID, st.Backfill = st.Backfill.HistoryID, nil
	return c.host.SaveState(ctx, st)
}

func providerID(gmailID string) string { return "gmail:" + gmailID }

// unwanted reports whether labels put a message in spam or trash, which
// the backfill never lists and the queue must not get.
func unwanted(labels []string) bool {
	return slices.Contains(labels, "SPAM") || slices.Contains(labels, "TRASH")
}

// fetch gets one message as raw bytes and delivers it; a message deleted
// since it was listed, or now in spam or trash, is skipped.
func (c *Conn) fetch(ctx context.Context, id string) error {
	m, err := c.api.get(ctx, id, "raw")
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if unwanted(m.LabelIDs) {
		return nil
	}
	raw, err := decodeRaw(m.Raw)
	if err != nil {
		return fmt.Errorf("gmail message %s: %w", id, err)
	}
	return c.host.Deliver(ctx, mailbox.Message{ProviderID: providerID(m.ID), Source: "gmail", Raw: raw})
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
				// history.list reports mail added to spam and trash too.
				if unwanted(a.Message.LabelIDs) {
					continue
				}
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
			return c.sendError(ctx, err)
		}
		if len(l.Messages) > 0 {
			thread = l.Messages[0].ThreadID
			orig, err := c.api.get(ctx, l.Messages[0].ID, "metadata", "Subject")
			if err != nil {
				return c.sendError(ctx, err)
			}
			raw = threadSubject(raw, orig.header("Subject"))
		}
	}
	_, err := c.api.send(ctx, raw, thread)
	return c.sendError(ctx, err)
}

// sendError classifies a send failure: a refused credential waits for the
// mailbox to be reconnected (shown on it), a usage limit or server error is
// retried, any other 4xx refuses this message for good.
func (c *Conn) sendError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrAuth) {
		return &smtpout.ReconnectError{Err: c.loud(ctx, err)}
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && !ae.Temporary() {
		return &smtpout.PermanentError{Code: ae.Status, Err: err}
	}
	return err
}

// threadSubject gives a reply the subject Gmail threads on. A sent message
// joins the requested threadId only if "the Subject headers match"
// (https://developers.google.com/gmail/api/guides/threads, "Adding drafts
// and messages to threads"), and "Re: X [#42]" does not match "X". So the
// Gmail-sent copy says "Re: <their subject>"; the ticket stays findable
// by the plus-address Reply-To, X-Ticketer-Ticket and the References. The
// stored copy keeps the subject it was composed with.
func threadSubject(raw []byte, theirs string) []byte {
	if dec, err := new(mime.WordDecoder).DecodeHeader(theirs); err == nil {
		theirs = dec
	}
	base := mail.NormalizeSubject(theirs)
	if base == "" {
		return raw
	}
	want := "Re: " + base
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw
	}
	var out bytes.Buffer
	lines := strings.Split(string(raw[:end]), "\r\n")
	for i := 0; i < len(lines); i++ {
		name, value, _ := strings.Cut(lines[i], ":")
		if !strings.EqualFold(strings.TrimSpace(name), "Subject") {
			out.WriteString(lines[i] + "\r\n")
			continue
		}
		for i+1 < len(lines) && (strings.HasPrefix(lines[i+1], " ") || strings.HasPrefix(lines[i+1], "\t")) {
			i++
			value += lines[i]
		}
		if ours, err := new(mime.WordDecoder).DecodeHeader(strings.TrimSpace(value)); err == nil && ours == want {
			return raw
		}
		out.WriteString("Subject: " + mime.QEncoding.Encode("utf-8", want) + "\r\n")
	}
	out.Write(raw[end+2:])
	return out.Bytes()
}

func inReplyTo(raw []byte) string {
	msg, err := stdmail.ReadMessage(bytes.NewReader(raw))
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
