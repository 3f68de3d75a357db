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
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
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

// APIError is an error answer of the Gmail API; Reason is the first
// errors[].reason (e.g. userRateLimitExceeded, insufficientPermissions).
type APIError struct {
	Status  int
	Reason  string
	Message string
}

func (e *APIError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("gmail api: %d %s: %s", e.Status, e.Reason, e.Message)
	}
	return fmt.Sprintf("gmail api: %d %s", e.Status, e.Message)
}

// Gmail signals its usage limits with 403 and these reasons, as well as
// with 429 (https://developers.google.com/gmail/api/guides/handle-errors,
// "Resolve a 403 error: Usage limit exceeded" and "Resolve a 429 error";
// https://developers.google.com/gmail/api/reference/quota). Only the other
// 403s (insufficientPermissions, domainPolicy, ...) are refusals.
var rateLimitReasons = map[string]bool{"userRateLimitExceeded": true, "rateLimitExceeded": true, "dailyLimitExceeded": true}

// Temporary reports whether retrying later can succeed: a usage limit or a
// server error. Other 4xx answers refuse the request itself.
func (e *APIError) Temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 || e.Status == http.StatusRequestTimeout ||
		(e.Status == http.StatusForbidden && rateLimitReasons[e.Reason])
}

// retryNow reports whether the client should wait and retry at once: not
// for dailyLimitExceeded, which lasts until the quota day ends (the send
// job's backoff or the next poll tries again).
func (e *APIError) retryNow() bool {
	return e.Temporary() && e.Reason != "dailyLimitExceeded"
}

// client calls the Gmail REST API with a refreshing access token, retrying
// 429 and 5xx answers after Retry-After and a 401 once with a fresh token.
type client struct {
	base    string
	http    *http.Client
	app     *oauth2.Config
	refresh string
	retry   oauthweb.Retry

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
	return &client{base: base, http: httpClient, app: app.config(), refresh: refreshToken, retry: oauthweb.Retry{Attempts: 6, MaxWait: 5 * time.Minute}}
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
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			// Expired or revoked; an OAuth app left in Testing has its
			// refresh tokens expire after 7 days
			// (https://developers.google.com/identity/protocols/oauth2#expiration).
			return "", fmt.Errorf("%w: Google refused the refresh token (invalid_grant: %s): reconnect this mailbox; "+
				"if the OAuth app is in Testing, publish it, since its refresh tokens expire after 7 days", ErrAuth, re.ErrorDescription)
		}
		if errors.As(err, &re) && (re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client") {
			return "", fmt.Errorf("%w: refreshing the access token: %s %s (check TICKETER_GOOGLE_CLIENT_ID and _SECRET, then reconnect this mailbox)",
				ErrAuth, re.ErrorCode, re.ErrorDescription)
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

// do sends one API call with a JSON body (or none) and decodes the JSON
// answer into out.
func (c *client) do(ctx context.Context, method, path string, query url.Values, body any, out any) error {
	var payload []byte
	contentType := ""
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return err
		}
		contentType = "application/json"
	}
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return c.call(ctx, method, u, contentType, payload, out)
}

// call sends one request to u, refreshing the token once after a 401 and
// retrying usage limits and server errors after Retry-After (or a doubling
// wait).
func (c *client) call(ctx context.Context, method, u, contentType string, payload []byte, out any) error {
	path := u
	if p, err := url.Parse(u); err == nil {
		path = p.Path
	}
	try := func() (oauthweb.Answer, error) {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return oauthweb.Answer{}, err
		}
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(payload))
		if err != nil {
			return oauthweb.Answer{}, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return oauthweb.Answer{}, fmt.Errorf("gmail %s %s: %w", method, path, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return oauthweb.Answer{}, fmt.Errorf("gmail %s %s: %w", method, path, err)
		}
		return oauthweb.Answer{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
	}
	retryable := func(a oauthweb.Answer) bool { return apiError(a.Status, a.Body).retryNow() }
	a, err := c.retry.Do(ctx, try, c.invalidate, retryable)
	switch {
	case err != nil:
		return err
	case a.Status/100 == 2:
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(a.Body, out); err != nil {
			return fmt.Errorf("gmail %s %s: decode: %w", method, path, err)
		}
		return nil
	case a.Status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", ErrAuth, apiError(a.Status, a.Body))
	}
	return apiError(a.Status, a.Body)
}

// apiError reads Google's error shape:
// {"error": {"code", "message", "errors": [{"reason", ...}], "status"}}.
func apiError(status int, data []byte) *APIError {
	var e struct {
		Error struct {
			Message string `json:"message"`
			Errors  []struct {
				Reason string `json:"reason"`
			} `json:"errors"`
		} `json:"error"`
	}
	ae := &APIError{Status: status}
	if json.Unmarshal(data, &e) == nil && e.Error.Message != "" {
		ae.Message = e.Error.Message
		if len(e.Error.Errors) > 0 {
			ae.Reason = e.Error.Errors[0].Reason
		}
		return ae
	}
	if len(data) > 200 {
		data = data[:200]
	}
	ae.Message = string(data)
	return ae
}

// The API's shapes (https://developers.google.com/gmail/api/reference/rest).

type profile struct {
	EmailAddress string `json:"emailAddress"`
	HistoryID    string `json:"historyId"`
}

type messageRef struct {
	ID       string   `json:"id"`
	ThreadID string   `json:"threadId"`
	LabelIDs []string `json:"labelIds"`
}

type messageList struct {
	Messages           []messageRef `json:"messages"`
	NextPageToken      string       `json:"nextPageToken"`
	ResultSizeEstimate int64        `json:"resultSizeEstimate"`
}

// message is a Message resource in format raw, minimal or metadata.
type message struct {
	ID           string   `json:"id"`
	ThreadID     string   `json:"threadId"`
	LabelIDs     []string `json:"labelIds"`
	HistoryID    string   `json:"historyId"`
	InternalDate string   `json:"internalDate"` // epoch milliseconds, as a string
	Raw          string   `json:"raw"`
	Payload      struct {
		Headers []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"headers"`
	} `json:"payload"`
}

// internalMillis is when Gmail received the message (0 when unknown).
func (m message) internalMillis() int64 {
	n, _ := strconv.ParseInt(m.InternalDate, 10, 64)
	return n
}

func (m message) header(name string) string {
	for _, h := range m.Payload.Headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
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

// listMessages lists ids matching q. Spam and trash are left out
// (includeSpamTrash defaults to false). The order is not documented.
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

// get reads a message in a format: raw (the bytes, base64url), minimal
// (ids, labels, internalDate) or metadata (with the named headers).
func (c *client) get(ctx context.Context, id, format string, headers ...string) (message, error) {
	v := url.Values{"format": {format}}
	for _, h := range headers {
		v.Add("metadataHeaders", h)
	}
	var m message
	err := c.do(ctx, http.MethodGet, "/messages/"+url.PathEscape(id), v, nil, &m)
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

// MaxSendSize is what messages.send accepts through the upload URI
// ("Maximum file size: 35MB", users.messages/send reference).
const MaxSendSize = 35 << 20

// send submits raw through the media upload URI
// (POST /upload/gmail/v1/users/me/messages/send?uploadType=multipart): a
// multipart/related body of the JSON metadata (threadId) and the message
// as message/rfc822. A JSON body with base64url "raw" is limited by the
// request size (about 5 MB, https://developers.google.com/gmail/api/guides/uploads),
// and a reply may be 25 MiB. This is what google-api-go-client gmail/v1
// does when Send is given Media (gensupport multipart upload).
func (c *client) send(ctx context.Context, raw []byte, threadID string) (messageRef, error) {
	var m messageRef
	if len(raw) > MaxSendSize {
		return m, &APIError{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("the message is %d bytes; Gmail sends at most %d", len(raw), MaxSendSize)}
	}
	meta := map[string]string{}
	if threadID != "" {
		meta["threadId"] = threadID
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {"application/json; charset=UTF-8"}})
	if err != nil {
		return m, err
	}
	if err := json.NewEncoder(part).Encode(meta); err != nil {
		return m, err
	}
	if part, err = w.CreatePart(textproto.MIMEHeader{"Content-Type": {"message/rfc822"}}); err != nil {
		return m, err
	}
	if _, err := part.Write(raw); err != nil {
		return m, err
	}
	if err := w.Close(); err != nil {
		return m, err
	}
	u := uploadBase(c.base) + "/messages/send?uploadType=multipart"
	err = c.call(ctx, http.MethodPost, u, "multipart/related; boundary="+w.Boundary(), body.Bytes(), &m)
	return m, err
}

// uploadBase is the media upload root of an API base: the same path with
// /upload in front of /gmail/v1/.
func uploadBase(base string) string {
	return strings.Replace(base, "/gmail/v1/", "/upload/gmail/v1/", 1)
}
