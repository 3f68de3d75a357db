// Package graph is the Microsoft Graph connector for Microsoft 365 and
// Outlook.com mailboxes: OAuth connect flow (authorization code with PKCE and
// offline_access, the refresh token sealed and re-sealed whenever Microsoft
// rotates it), backfill and sync of the Inbox (and optionally Sent Items)
// with one delta query per folder (the deltaLink saved only after the
// messages before it are committed, an expired one answered by a full
// re-sync that dedupes), change notifications that wake a delta round
// (subscribe.go, notify.go; polling every 30 s without a public URL), raw
// MIME from /messages/{id}/$value, shared mailboxes through
// /users/{address}, and replies sent as our own MIME through sendMail so
// our Message-ID and threading headers reach the customer.
//
// Verified against Microsoft's documentation and an in-process fake that
// follows it, not against a live tenant.
package graph

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
)

// Microsoft's endpoints (overridable for tests).
const (
	DefaultAPIBase   = "https://graph.microsoft.com/v1.0"
	DefaultLoginBase = "https://login.microsoftonline.com"
	// DefaultTenant accepts work, school and personal (Outlook.com) accounts.
	DefaultTenant = "common"
)

// Scopes are what Ticketer asks for: read (and later file) mail, send
// replies, and a refresh token (offline_access). Shared mailboxes need the
// .Shared variants on top (SharedScopes).
// https://learn.microsoft.com/en-us/graph/permissions-reference
var (
	Scopes       = []string{"offline_access", "User.Read", "Mail.ReadWrite", "Mail.Send"}
	SharedScopes = []string{"Mail.ReadWrite.Shared", "Mail.Send.Shared"}
)

// OAuthApp is the Microsoft Entra app registration Ticketer uses.
type OAuthApp struct {
	ClientID     string
	ClientSecret string
	// Tenant is common, organizations, consumers or a tenant id / domain.
	Tenant      string
	RedirectURL string // https://ticketer.example.com/api/v1/mailboxes/microsoft/oauth/callback
	LoginBase   string // https://login.microsoftonline.com unless set (tests)
}

// config is the v2.0 endpoint pair of the tenant:
// https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
func (a OAuthApp) config(scopes []string) *oauth2.Config {
	base, tenant := strings.TrimRight(a.LoginBase, "/"), a.Tenant
	if base == "" {
		base = DefaultLoginBase
	}
	if tenant == "" {
		tenant = DefaultTenant
	}
	p := base + "/" + url.PathEscape(tenant) + "/oauth2/v2.0"
	return &oauth2.Config{ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURL: a.RedirectURL, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: p + "/authorize", TokenURL: p + "/token", AuthStyle: oauth2.AuthStyleInParams}}
}

// Credentials are sealed in the mailbox row.
type Credentials struct {
	// Account is who granted access (their mail or UPN).
	Account string `json:"account"`
	// Mailbox is the shared mailbox read through /users/{address}; "" reads
	// the account's own mailbox (/me).
	Mailbox      string `json:"mailbox,omitempty"`
	RefreshToken string `json:"refresh_token"`
	Shared       bool   `json:"shared,omitempty"` // granted the .Shared scopes
	// SyncSent syncs Sent Items too: mail sent from Outlook itself lands on
	// its ticket as our reply (the ingestion takes mail from our own
	// address as outbound; our own replies sent through Ticketer dedupe by
	// Message-ID).
	SyncSent bool `json:"sync_sent,omitempty"`
}

func (cr Credentials) scopes() []string {
	if cr.Shared {
		return append(append([]string{}, Scopes...), SharedScopes...)
	}
	return Scopes
}

// ErrAuth is a grant Microsoft refused that a retry will not fix (revoked,
// expired, consent withdrawn): the mailbox must be reconnected.
var ErrAuth = errors.New("microsoft authorization failed")

// APIError is an error answer of Graph:
// https://learn.microsoft.com/en-us/graph/errors
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("microsoft graph: %d %s: %s", e.Status, e.Code, e.Message)
}

// refreshMargin is how long before expiry an access token is renewed, so a
// call never starts with one about to lapse mid-page.
const refreshMargin = 5 * time.Minute

// client calls Graph with a refreshing access token, retrying 429 and 5xx
// after Retry-After and a 401 once with a fresh token.
type client struct {
	base    string
	http    *http.Client
	app     *oauth2.Config
	now     func() time.Time
	rotated func(ctx context.Context, old, refreshToken string) error // Microsoft sent a new refresh token in place of old
	retry   oauthweb.Retry

	mu      sync.Mutex
	refresh string
	token   *oauth2.Token
}

func newClient(base string, httpClient *http.Client, app *oauth2.Config, refreshToken string, now func() time.Time) *client {
	if base == "" {
		base = DefaultAPIBase
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 60 * time.Second}
	}
	if now == nil {
		now = time.Now
	}
	return &client{base: strings.TrimRight(base, "/"), http: httpClient, app: app, refresh: refreshToken, now: now,
		retry: oauthweb.Retry{Attempts: 6, MaxWait: 5 * time.Minute, Now: now}}
}

// accessToken returns an access token valid for refreshMargin more,
// refreshing it when needed. Microsoft rotates refresh tokens: a new one is
// handed to rotated to be sealed before it is used.
func (c *client) accessToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != nil && c.token.AccessToken != "" && c.now().Add(refreshMargin).Before(c.token.Expiry) {
		return c.token.AccessToken, nil
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, c.http)
	// A fresh TokenSource with an expired token always asks the endpoint.
	tok, err := c.app.TokenSource(hctx, &oauth2.Token{RefreshToken: c.refresh, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && refused(re) {
			return "", fmt.Errorf("%w: refreshing the access token: %s %s (reconnect the mailbox)", ErrAuth, re.ErrorCode, firstLine(re.ErrorDescription))
		}
		return "", fmt.Errorf("refresh microsoft access token: %w", err)
	}
	if tok.RefreshToken != "" && tok.RefreshToken != c.refresh {
		if c.rotated != nil {
			if err := c.rotated(ctx, c.refresh, tok.RefreshToken); err != nil {
				return "", fmt.Errorf("store the rotated refresh token: %w", err)
			}
		}
		c.refresh = tok.RefreshToken
	}
	c.token = tok
	return tok.AccessToken, nil
}

// refused tells a grant that is gone from a passing failure: the identity
// platform answers invalid_grant (AADSTS70008 expired, 50173 revoked,
// 65001 consent missing) or a client error:
// https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes
func refused(re *oauth2.RetrieveError) bool {
	switch re.ErrorCode {
	case "invalid_grant", "invalid_client", "unauthorized_client", "interaction_required", "consent_required":
		return true
	}
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\r")
	s, _, _ = strings.Cut(s, "\n")
	return s
}

func (c *client) invalidate() {
	c.mu.Lock()
	c.token = nil
	c.mu.Unlock()
}

// link resolves a path against the API base; an absolute URL (a nextLink or
// deltaLink) must point at the API's own host, so the bearer token is never
// sent anywhere else.
func (c *client) link(pathOrURL string) (string, error) {
	if !strings.HasPrefix(pathOrURL, "http://") && !strings.HasPrefix(pathOrURL, "https://") {
		return c.base + pathOrURL, nil
	}
	u, err := url.Parse(pathOrURL)
	if err != nil {
		return "", fmt.Errorf("microsoft graph link: %w", err)
	}
	b, _ := url.Parse(c.base)
	if u.Scheme != b.Scheme || u.Host != b.Host {
		return "", fmt.Errorf("microsoft graph link to another host refused: %s", u.Host)
	}
	return pathOrURL, nil
}

// request is one Graph call.
type request struct {
	method, path string // path relative to the base, or an absolute link
	header       http.Header
	body         []byte
	contentType  string
}

// do sends r and returns the 2xx answer's body.
func (c *client) do(ctx context.Context, r request) ([]byte, error) {
	u, err := c.link(r.path)
	if err != nil {
		return nil, err
	}
	try := func() (oauthweb.Answer, error) {
		tok, err := c.accessToken(ctx)
		if err != nil {
			return oauthweb.Answer{}, err
		}
		req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(r.body))
		if err != nil {
			return oauthweb.Answer{}, err
		}
		for k, v := range r.header {
			req.Header[k] = v
		}
		// Immutable ids stay the same when a message moves between folders,
		// so its occurrence graph:<id> does too; the header must be on every
		// request: https://learn.microsoft.com/en-us/graph/outlook-immutable-id
		req.Header.Add("Prefer", `IdType="ImmutableId"`)
		req.Header.Set("Authorization", "Bearer "+tok)
		if r.contentType != "" {
			req.Header.Set("Content-Type", r.contentType)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return oauthweb.Answer{}, fmt.Errorf("microsoft graph %s: %w", r.method, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 150<<20))
		resp.Body.Close()
		if err != nil {
			return oauthweb.Answer{}, fmt.Errorf("microsoft graph %s: %w", r.method, err)
		}
		return oauthweb.Answer{Status: resp.StatusCode, Header: resp.Header, Body: data}, nil
	}
	// Throttling answers 429 (or 503) with Retry-After in seconds:
	// https://learn.microsoft.com/en-us/graph/throttling
	retryable := func(a oauthweb.Answer) bool { return a.Status == http.StatusTooManyRequests || a.Status >= 500 }
	a, err := c.retry.Do(ctx, try, c.invalidate, retryable)
	switch {
	case err != nil:
		return nil, err
	case a.Status/100 == 2:
		return a.Body, nil
	case a.Status == http.StatusUnauthorized:
		return nil, fmt.Errorf("%w: %w", ErrAuth, apiError(a.Status, a.Body))
	}
	return nil, apiError(a.Status, a.Body)
}

func apiError(status int, data []byte) *APIError {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &e) == nil && (e.Error.Code != "" || e.Error.Message != "") {
		return &APIError{Status: status, Code: e.Error.Code, Message: e.Error.Message}
	}
	if len(data) > 200 {
		data = data[:200]
	}
	return &APIError{Status: status, Message: string(data)}
}

func (c *client) getJSON(ctx context.Context, path string, header http.Header, out any) error {
	data, err := c.do(ctx, request{method: http.MethodGet, path: path, header: header})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("microsoft graph: decode: %w", err)
	}
	return nil
}

// The API's shapes (https://learn.microsoft.com/en-us/graph/api/resources/user,
// .../message, .../api/message-delta).

type user struct {
	Mail              string `json:"mail"`
	UserPrincipalName string `json:"userPrincipalName"`
}

func (u user) address() string {
	if u.Mail != "" {
		return u.Mail
	}
	return u.UserPrincipalName
}

// deltaPage is one page of a delta round: messages (or @removed stubs), then
// either @odata.nextLink (more pages) or @odata.deltaLink (round over).
type deltaPage struct {
	Value []struct {
		ID               string          `json:"id"`
		ReceivedDateTime time.Time       `json:"receivedDateTime"`
		Removed          json.RawMessage `json:"@removed"`
	} `json:"value"`
	NextLink  string `json:"@odata.nextLink"`
	DeltaLink string `json:"@odata.deltaLink"`
}

// userPath is the mailbox's root: /me, or /users/{address} for a shared
// mailbox read with the delegated grant.
func userPath(mailbox string) string {
	if mailbox == "" {
		return "/me"
	}
	return "/users/" + url.PathEscape(mailbox)
}

func (c *client) me(ctx context.Context) (user, error) {
	var u user
	err := c.getJSON(ctx, "/me?$select=mail,userPrincipalName", nil, &u)
	return u, err
}

// pageSize is the delta page size asked for (the default is 10).
const pageSize = 100

// delta fetches one page of a folder's delta round (inbox, sentitems);
// link is "" for a new round.
// The first request carries every query option; Graph encodes them into the
// links it hands back, which are then used as they are.
func (c *client) delta(ctx context.Context, mailbox, folder, link string, since time.Time) (deltaPage, error) {
	if link == "" {
		q := "?$select=id,receivedDateTime"
		if !since.IsZero() {
			q += "&$filter=" + url.QueryEscape("receivedDateTime ge "+since.UTC().Format(time.RFC3339))
		}
		link = userPath(mailbox) + "/mailFolders/" + folder + "/messages/delta" + q
	}
	var p deltaPage
	err := c.getJSON(ctx, link, http.Header{"Prefer": {"odata.maxpagesize=" + strconv.Itoa(pageSize)}}, &p)
	return p, err
}

// mime fetches a message's MIME content:
// https://learn.microsoft.com/en-us/graph/outlook-get-mime-message
func (c *client) mime(ctx context.Context, mailbox, id string) ([]byte, error) {
	return c.do(ctx, request{method: http.MethodGet, path: userPath(mailbox) + "/messages/" + url.PathEscape(id) + "/$value"})
}

// sendMIME submits raw as it is: base64 in a text/plain body.
// https://learn.microsoft.com/en-us/graph/api/user-sendmail (example 4)
func (c *client) sendMIME(ctx context.Context, mailbox string, raw []byte) error {
	body := []byte(base64.StdEncoding.EncodeToString(raw))
	_, err := c.do(ctx, request{method: http.MethodPost, path: userPath(mailbox) + "/sendMail", body: body, contentType: "text/plain"})
	return err
}
