// Package nylas is the Nylas API v3 connector (plain net/http: Nylas has no
// Go SDK for v3). A mailbox is a grant id plus an API key; messages are
// listed since a timestamp with cursor pagination, fetched as raw MIME
// (fields=raw_mime), delivered in real time by the message.created webhook
// (signature checked) with polling as the fallback, and sent as raw MIME.
package nylas

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// DefaultAPIBase is Nylas's US region; EU grants use https://api.eu.nylas.com.
const DefaultAPIBase = "https://api.us.nylas.com"

// Credentials are sealed in the mailbox row.
type Credentials struct {
	GrantID string `json:"grant_id"`
	APIKey  string `json:"api_key"`
	APIBase string `json:"api_base,omitempty"`
}

// Config is what every Nylas mailbox shares.
type Config struct {
	Secrets    *secret.Box
	HTTPClient *http.Client
	// PollInterval is the fallback sync interval (2m): the webhook delivers
	// new mail at once, polling catches whatever a webhook missed.
	PollInterval time.Duration
}

// APIError is an error answer of the Nylas API.
type APIError struct {
	Status  int
	Type    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("nylas api: %d %s: %s", e.Status, e.Type, e.Message)
}

// ErrAuth is an API key or grant Nylas refuses: the mailbox must be reconnected.
var ErrAuth = errors.New("nylas authorization failed")

type client struct {
	base, grant, key string
	http             *http.Client
	attempts         int
	maxWait          time.Duration
}

func newClient(cr Credentials, hc *http.Client) *client {
	base := strings.TrimRight(cr.APIBase, "/")
	if base == "" {
		base = DefaultAPIBase
	}
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &client{base: base, grant: cr.GrantID, key: cr.APIKey, http: hc, attempts: 6, maxWait: 5 * time.Minute}
}

// do calls the API, retrying 429 and 5xx after Retry-After; out receives
// the envelope's data.
func (c *client) do(ctx context.Context, method, path string, query url.Values, contentType string, body []byte, out any) (string, error) {
	u := c.base + "/v3/grants/" + url.PathEscape(c.grant) + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
		if err != nil {
			return "", err
		}
		req.Header.Set("Authorization", "Bearer "+c.key)
		req.Header.Set("Accept", "application/json")
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return "", fmt.Errorf("nylas %s %s: %w", method, path, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return "", fmt.Errorf("nylas %s %s: %w", method, path, err)
		}
		if resp.StatusCode/100 == 2 {
			var env struct {
				Data       json.RawMessage `json:"data"`
				NextCursor string          `json:"next_cursor"`
			}
			if err := json.Unmarshal(data, &env); err != nil {
				return "", fmt.Errorf("nylas %s %s: %w: %w", method, path, errDecode, err)
			}
			if out != nil && len(env.Data) > 0 {
				if err := json.Unmarshal(env.Data, out); err != nil {
					return "", fmt.Errorf("nylas %s %s: %w: %w", method, path, errDecode, err)
				}
			}
			return env.NextCursor, nil
		}
		if (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) && attempt < c.attempts {
			wait := retryAfter(resp.Header.Get("Retry-After"), attempt)
			select {
			case <-ctx.Done():
				return "", ctx.Err()
			case <-time.After(min(wait, c.maxWait)):
			}
			continue
		}
		var e struct {
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		ae := &APIError{Status: resp.StatusCode, Type: e.Error.Type, Message: e.Error.Message}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			return "", fmt.Errorf("%w: %w (check the API key and the grant)", ErrAuth, ae)
		}
		return "", ae
	}
}

func retryAfter(h string, attempt int) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return time.Second << min(attempt-1, 6)
}

// message is the part of Nylas's Message object we read.
type message struct {
	ID       string `json:"id"`
	GrantID  string `json:"grant_id"`
	ThreadID string `json:"thread_id"`
	Date     int64  `json:"date"`
	RawMIME  string `json:"raw_mime"`
}

func (c *client) list(ctx context.Context, receivedAfter int64, pageToken string) ([]message, string, error) {
	q := url.Values{"limit": {"200"}, "select": {"id,date,thread_id"}}
	if receivedAfter > 0 {
		q.Set("received_after", strconv.FormatInt(receivedAfter, 10))
	}
	if pageToken != "" {
		q.Set("page_token", pageToken)
	}
	var out []message
	next, err := c.do(ctx, http.MethodGet, "/messages", q, "", nil, &out)
	return out, next, err
}

func (c *client) raw(ctx context.Context, id string) ([]byte, error) {
	var m message
	if _, err := c.do(ctx, http.MethodGet, "/messages/"+url.PathEscape(id), url.Values{"fields": {"raw_mime"}}, "", nil, &m); err != nil {
		return nil, err
	}
	if m.RawMIME == "" {
		return nil, fmt.Errorf("nylas message %s: no raw_mime in the answer", id)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(m.RawMIME, "="))
	if err != nil {
		// Some answers use the standard alphabet.
		if raw, err = base64.StdEncoding.DecodeString(m.RawMIME); err != nil {
			return nil, fmt.Errorf("nylas message %s: raw_mime: %w", id, err)
		}
	}
	return raw, nil
}

// send posts raw MIME as multipart/form-data, field "mime", to
// /messages/send?type=mime. Without type=mime Nylas reads a multipart body
// as a "message" JSON field plus attachments and refuses it. (Nylas CLI
// internal/adapters/nylas/messages_send_raw_test.go checks type=mime and a
// single "mime" part; v3 send reference, "Send a message with raw MIME".)
func (c *client) send(ctx context.Context, raw []byte) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormField("mime")
	if err != nil {
		return err
	}
	if _, err := part.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodPost, "/messages/send", url.Values{"type": {"mime"}}, w.FormDataContentType(), body.Bytes(), nil)
	return err
}

// Conn is the connector of one Nylas mailbox.
type Conn struct {
	cfg   Config
	host  *mailbox.Host
	api   *client
	since time.Time
}

var _ mailbox.Connector = (*Conn)(nil)

// state: the newest message date seen and the ids seen at that second (the
// next listing overlaps by a second so nothing at a boundary is lost), or
// an unfinished backfill.
type state struct {
	After    int64    `json:"after,omitempty"`
	SeenAt   []string `json:"seen_at_after,omitempty"`
	Backfill *struct {
		Done int64 `json:"done"`
	} `json:"backfill,omitempty"`
	Backfilled bool `json:"backfilled,omitempty"`
}

// Factory builds Nylas connectors from each mailbox's sealed credentials.
func Factory(cfg Config) mailbox.Factory {
	return func(_ context.Context, c store.Connector, h *mailbox.Host) (mailbox.Connector, error) {
		cr, err := OpenCredentials(cfg.Secrets, c.Credentials)
		if err != nil {
			return nil, fmt.Errorf("nylas credentials of mailbox %d: %w", c.MailboxID, err)
		}
		return New(cfg, h, cr, c.BackfillSince), nil
	}
}

// OpenCredentials opens a mailbox's sealed Nylas credentials.
func OpenCredentials(box *secret.Box, sealed string) (Credentials, error) {
	var cr Credentials
	plain, err := box.Open(sealed)
	if err != nil {
		return cr, err
	}
	if err := json.Unmarshal([]byte(plain), &cr); err != nil || cr.GrantID == "" || cr.APIKey == "" {
		return cr, errors.New("no grant id and API key stored")
	}
	return cr, nil
}

// New returns the connector of one mailbox.
func New(cfg Config, h *mailbox.Host, cr Credentials, since time.Time) *Conn {
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 2 * time.Minute
	}
	return &Conn{cfg: cfg, host: h, api: newClient(cr, cfg.HTTPClient), since: since}
}

// Connect checks the grant and API key, then stores them sealed on the
// mailbox (provider nylas) so the supervisor starts syncing it.
func Connect(ctx context.Context, st *store.Store, cfg Config, mailboxID int64, cr Credentials, since time.Time) error {
	if cr.GrantID == "" || cr.APIKey == "" {
		return errors.New("nylas: grant id and API key are required")
	}
	if _, _, err := newClient(cr, cfg.HTTPClient).list(ctx, 0, ""); err != nil {
		return fmt.Errorf("nylas: the grant and API key do not work: %s", connectFailure(err))
	}
	b, _ := json.Marshal(cr)
	sealed, err := cfg.Secrets.Seal(string(b))
	if err != nil {
		return err
	}
	return st.SetConnectorSettings(ctx, mailboxID, "nylas", sealed, since)
}

// connectFailure says why a connection check failed without a word of the
// answer: the API base is the admin's to choose, and an answer quoted back
// would let it read any URL the server can reach.
func connectFailure(err error) string {
	var ae *APIError
	switch {
	case errors.As(err, &ae) && (ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden):
		return fmt.Sprintf("the API answered HTTP %d (check the API key and the grant)", ae.Status)
	case errors.As(err, &ae):
		return fmt.Sprintf("the API answered HTTP %d", ae.Status)
	case errors.Is(err, errDecode):
		return "the answer is not the Nylas API's"
	}
	return err.Error() // ours: a refused address, a timeout, a failed connection
}

// errDecode marks an answer that is not the API's JSON.
var errDecode = errors.New("decode")

// Close has nothing to release.
func (c *Conn) Close() error { return nil }

func (c *Conn) loud(ctx context.Context, err error) error {
	if err != nil && errors.Is(err, ErrAuth) {
		c.host.Log.Error("NYLAS AUTHORIZATION FAILED: mail is not being fetched; check the grant and API key", "mailbox", c.host.MailboxID, "err", err)
		c.host.Refused(ctx, err.Error())
	}
	return err
}

// Test lists one page of messages.
func (c *Conn) Test(ctx context.Context) error {
	_, _, err := c.api.list(ctx, 0, "")
	return c.loud(ctx, err)
}

// listSince returns the messages received after ts, oldest first.
func (c *Conn) listSince(ctx context.Context, ts int64) ([]message, error) {
	var all []message
	page := ""
	for {
		ms, next, err := c.api.list(ctx, ts, page)
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
		if next == "" {
			break
		}
		page = next
	}
	// Nylas lists newest first: ingest oldest first so replies thread.
	slices.SortStableFunc(all, func(a, b message) int { return cmp.Compare(a.Date, b.Date) })
	return all, nil
}

// Backfill lists every message since the day (zero: all) and fetches each
// as raw MIME, oldest first, resuming after those already delivered.
func (c *Conn) Backfill(ctx context.Context, since time.Time) error {
	return c.loud(ctx, c.backfill(ctx, since))
}

func (c *Conn) backfill(ctx context.Context, since time.Time) error {
	var st state
	if err := c.host.LoadState(ctx, &st); err != nil {
		return err
	}
	if st.Backfill == nil {
		st.Backfill = &struct {
			Done int64 `json:"done"`
		}{}
	}
	var ts int64
	if !since.IsZero() {
		ts = since.Unix()
	}
	ms, err := c.listSince(ctx, ts)
	if err != nil {
		return err
	}
	total := int64(len(ms))
	c.host.Progress(ctx, min(st.Backfill.Done, total), total)
	for i := min(st.Backfill.Done, total); i < total; i++ {
		if err := c.deliver(ctx, ms[i].ID); err != nil {
			return err
		}
		st.Backfill.Done = i + 1
		st.advance(ms[i])
		if st.Backfill.Done%100 == 0 {
			c.host.Progress(ctx, st.Backfill.Done, total)
			if err := c.host.SaveState(ctx, st); err != nil {
				return err
			}
		}
	}
	c.host.Progress(ctx, total, total)
	st.Backfill, st.Backfilled = nil, true
	return c.host.SaveState(ctx, st)
}

func (st *state) advance(m message) {
	switch {
	case m.Date > st.After:
		st.After, st.SeenAt = m.Date, []string{m.ID}
	case m.Date == st.After && !slices.Contains(st.SeenAt, m.ID):
		st.SeenAt = append(st.SeenAt, m.ID)
	}
}

func (c *Conn) deliver(ctx context.Context, id string) error {
	raw, err := c.api.raw(ctx, id)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil // deleted since it was listed
	}
	if err != nil {
		return err
	}
	return c.host.Deliver(ctx, mailbox.Message{ProviderID: "nylas:" + id, Source: "nylas", Raw: raw})
}

// Sync fetches the messages received since the newest one seen.
func (c *Conn) Sync(ctx context.Context) error {
	return c.loud(ctx, c.sync(ctx))
}

func (c *Conn) sync(ctx context.Context) error {
	var st state
	if err := c.host.LoadState(ctx, &st); err != nil {
		return err
	}
	if !st.Backfilled {
		return c.backfill(ctx, c.since)
	}
	ms, err := c.listSince(ctx, max(st.After-1, 0))
	if err != nil {
		return err
	}
	var todo []message
	for _, m := range ms {
		if m.Date < st.After || (m.Date == st.After && slices.Contains(st.SeenAt, m.ID)) {
			continue
		}
		todo = append(todo, m)
	}
	if len(todo) > 0 {
		c.host.Progress(ctx, 0, int64(len(todo)))
	}
	for i, m := range todo {
		if err := c.deliver(ctx, m.ID); err != nil {
			return err
		}
		st.advance(m)
		if (i+1)%100 == 0 {
			c.host.Progress(ctx, int64(i+1), int64(len(todo)))
			if err := c.host.SaveState(ctx, st); err != nil {
				return err
			}
		}
	}
	if len(todo) > 0 {
		if err := c.host.SaveState(ctx, st); err != nil {
			return err
		}
	}
	c.host.Idle(ctx)
	return nil
}

// Watch polls on the interval; the webhook delivers new mail in between.
func (c *Conn) Watch(ctx context.Context) error {
	return mailbox.PollSync(ctx, c.cfg.PollInterval, c.Sync)
}

// Send submits raw MIME through Nylas; the provider threads it by its
// In-Reply-To and References headers. A refused API key or grant (401/403)
// marks the mailbox in error and the message waits for the reconnection;
// another 4xx is this message's fault and permanent.
func (c *Conn) Send(ctx context.Context, _ string, _ []string, raw []byte) error {
	err := c.api.send(ctx, raw)
	if errors.Is(err, ErrAuth) {
		return &smtpout.ReconnectError{Err: c.loud(ctx, err)}
	}
	var ae *APIError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests {
		return &smtpout.PermanentError{Code: ae.Status, Err: err}
	}
	return err
}
