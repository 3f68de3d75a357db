// Package gmail is the Gmail API connector for journal mailboxes: OAuth
// connect flow (offline access, refresh token sealed), backfill with
// messages.list, incremental sync with history.list from the stored
// historyId (a 404 on an expired historyId falls back to a full backfill that
// dedupes), raw messages with format=RAW, routing by the original recipient,
// and sending with messages.send in the right thread.
package gmail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Google's endpoints (overridable for tests).
const (
	DefaultAPIBase  = "https://gmail.googleapis.com/gmail/v1/users/me"
	DefaultAuthURL  = "https://accounts.google.com/o/oauth2/auth"
	DefaultTokenURL = "https://oauth2.googleapis.com/token"
	// ScopeModify reads mail and sends; gmail.readonly + gmail.send would
	// also do, but journal mailboxes need both and this is one consent line.
	ScopeReadonly = "https://www.googleapis.com/auth/gmail.readonly"
	ScopeSend     = "https://www.googleapis.com/auth/gmail.send"
)

// Scopes are what Ticketer asks for: read the mailbox and send replies.
var Scopes = []string{ScopeReadonly, ScopeSend}

// OAuthApp is the Google Cloud OAuth client Ticketer uses.
type OAuthApp struct {
	ClientID     string
	ClientSecret string
	RedirectURL  string // https://ticketer.example.com/api/v1/mailboxes/gmail/oauth/callback
	AuthURL      string // Google's unless set (tests)
	TokenURL     string
}

func (a OAuthApp) config() *oauth2.Config {
	auth, tok := a.AuthURL, a.TokenURL
	if auth == "" {
		auth = DefaultAuthURL
	}
	if tok == "" {
		tok = DefaultTokenURL
	}
	return &oauth2.Config{ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURL: a.RedirectURL, Scopes: Scopes,
		Endpoint: oauth2.Endpoint{AuthURL: auth, TokenURL: tok, AuthStyle: oauth2.AuthStyleInParams}}
}

// Credentials are sealed in the mailbox row.
type Credentials struct {
	Email        string `json:"email"`
	RefreshToken string `json:"refresh_token"`
}

// ErrAuth is a token the provider refused that a retry will not fix (the
// refresh token was revoked or expired): the mailbox must be reconnected.
var ErrAuth = errors.New("gmail authorization failed")

// APIError is an error answer of the Gmail API.
type APIError struct {
	Status  int
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("gmail api: %d %s", e.Status, e.Message) }

// client calls the Gmail REST API with a refreshing access token, retrying
// 429 and 5xx answers after Retry-After and a 401 once with a fresh token.
type client struct {
	base    string
	http    *http.Client
	app     *oauth2.Config
	refresh string
	// maxWait caps one Retry-After wait; attempts caps retries.
	maxWait  time.Duration
	attempts int

	mu    sync.Mutex
	token *oauth2.Token
}

func newClient(base string, httpClient *http.Client, app OAuthApp, refreshToken string) *client {
	if base == "" {
		base = DefaultAPIBase
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 60 * time.Second}
	}
	return &client{base: base, http: httpClient, app: app.config(), refresh: refreshToken, maxWait: 5 * time.Minute, attempts: 6}
}

// accessToken returns a valid access token, refreshing it when needed.
func (c *client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != nil && c.token.Valid() {
		return c.token.AccessToken, nil
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http)
	tok, err := c.app.TokenSource(ctx, &oauth2.Token{RefreshToken: c.refresh}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && (re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client") {
			return "", fmt.Errorf("%w: refreshing the access token: %s %s (reconnect the mailbox)", ErrAuth, re.ErrorCode, re.ErrorDescription)
		}
		return "", fmt.Errorf("refresh gmail access token: %w", err)
	}
	c.token = tok
	return tok.AccessToken, nil
}

func (c *client) invalidate() {
	c.mu.Lock()
	c.token = nil
	c.mu.Unlock()
}

// do sends one API call and decodes the JSON answer into out.
func (c *client) do(ctx context.Context, method, path string, query url.Values, body any, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	reauthed := false
	for attempt := 1; ; attempt++ {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("gmail %s %s: %w", method, path, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("gmail %s %s: %w", method, path, err)
		}
		switch {
		case resp.StatusCode/100 == 2:
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("gmail %s %s: decode: %w", method, path, err)
			}
			return nil
		case resp.StatusCode == http.StatusUnauthorized && !reauthed:
			// The access token expired or was revoked early: refresh once.
			reauthed = true
			c.invalidate()
			continue
		case (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500) && attempt < c.attempts:
			wait := retryAfter(resp.Header.Get("Retry-After"), attempt)
			if wait > c.maxWait {
				wait = c.maxWait
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
			continue
		}
		e := &APIError{Status: resp.StatusCode, Message: apiMessage(data)}
		if resp.StatusCode == http.StatusUnauthorized {
			return fmt.Errorf("%w: %w", ErrAuth, e)
		}
		return e
	}
}

// retryAfter reads Retry-After (seconds or an HTTP date); without it the
// wait doubles from one second.
func retryAfter(h string, attempt int) time.Duration {
	if h != "" {
		if s, err := strconv.Atoi(h); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(h); err == nil {
			return max(time.Until(t), 0)
		}
	}
	return time.Second << min(attempt-1, 6)
}

func apiMessage(data []byte) string {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Status  string `json:"status"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
		return e.Error.Message
	}
	if len(data) > 200 {
		data = data[:200]
	}
	return string(data)
}

// The API's shapes (https://developers.google.com/gmail/api/reference/rest).

type profile struct {
	EmailAddress string `json:"emailAddress"`
	HistoryID    string `json:"historyId"`
}

type messageRef struct {
	ID       string `json:"id"`
	ThreadID string `json:"threadId"`
}

type messageList struct {
	Messages           []messageRef `json:"messages"`
	NextPageToken      string       `json:"nextPageToken"`
	ResultSizeEstimate int64        `json:"resultSizeEstimate"`
}

type rawMessage struct {
	ID        string   `json:"id"`
	ThreadID  string   `json:"threadId"`
	LabelIDs  []string `json:"labelIds"`
	HistoryID string   `json:"historyId"`
	Raw       string   `json:"raw"`
}

type historyList struct {
	History []struct {
		ID            string `json:"id"`
		MessagesAdded []struct {
			Message messageRef `json:"message"`
		} `json:"messagesAdded"`
	} `json:"history"`
	NextPageToken string `json:"nextPageToken"`
	HistoryID     string `json:"historyId"`
}

func (c *client) profile(ctx context.Context) (profile, error) {
	var p profile
	err := c.do(ctx, http.MethodGet, "/profile", nil, nil, &p)
	return p, err
}

func (c *client) listMessages(ctx context.Context, q, pageToken string) (messageList, error) {
	v := url.Values{"maxResults": {"500"}}
	if q != "" {
		v.Set("q", q)
	}
	if pageToken != "" {
		v.Set("pageToken", pageToken)
	}
	var l messageList
	err := c.do(ctx, http.MethodGet, "/messages", v, nil, &l)
	return l, err
}

func (c *client) getRaw(ctx context.Context, id string) (rawMessage, error) {
	var m rawMessage
	err := c.do(ctx, http.MethodGet, "/messages/"+url.PathEscape(id), url.Values{"format": {"raw"}}, nil, &m)
	return m, err
}

func (c *client) history(ctx context.Context, start, pageToken string) (historyList, error) {
	v := url.Values{"startHistoryId": {start}, "historyTypes": {"messageAdded"}, "maxResults": {"500"}}
	if pageToken != "" {
		v.Set("pageToken", pageToken)
	}
	var h historyList
	err := c.do(ctx, http.MethodGet, "/history", v, nil, &h)
	return h, err
}

func (c *client) send(ctx context.Context, raw, threadID string) (messageRef, error) {
	body := map[string]string{"raw": raw}
	if threadID != "" {
		body["threadId"] = threadID
	}
	var m messageRef
	err := c.do(ctx, http.MethodPost, "/messages/send", nil, body, &m)
	return m, err
}
