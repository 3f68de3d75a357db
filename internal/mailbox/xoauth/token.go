package xoauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// ErrRefused is a refresh the provider refused (invalid_grant: revoked,
// expired, the password changed; or the client itself refused): a retry
// will not fix it, the account must be connected again.
var ErrRefused = errors.New("token refresh refused")

// RefreshMargin is how long before its expiry an access token is renewed:
// a login or a send never starts with a token about to lapse.
const RefreshMargin = 5 * time.Minute

// Source hands out a mailbox's access token, refreshing it from the
// refresh token when it is missing or within RefreshMargin of its expiry.
// Safe for concurrent use.
type Source struct {
	config *oauth2.Config
	http   *http.Client
	now    func() time.Time
	// rotated is told the provider sent a new refresh token in place of
	// old (Microsoft rotates them), to seal it before it is relied on.
	rotated func(ctx context.Context, old, refreshToken string) error

	mu      sync.Mutex
	refresh string
	token   *oauth2.Token
}

// NewSource returns a source; now nil is time.Now, httpClient nil a client
// with a timeout.
func NewSource(config *oauth2.Config, refreshToken string, httpClient *http.Client, now func() time.Time,
	rotated func(ctx context.Context, old, refreshToken string) error) *Source {
	if now == nil {
		now = time.Now
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	return &Source{config: config, http: httpClient, now: now, rotated: rotated, refresh: refreshToken}
}

// Token returns an access token valid for RefreshMargin more.
func (s *Source) Token(ctx context.Context) (string, error) {
	tok, _, err := s.get(ctx)
	return tok, err
}

// get is Token, saying whether it asked the provider.
func (s *Source) get(ctx context.Context) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token != nil && s.token.AccessToken != "" && s.now().Add(RefreshMargin).Before(s.token.Expiry) {
		return s.token.AccessToken, false, nil
	}
	tok, err := s.refreshLocked(ctx)
	return tok, true, err
}

func (s *Source) refreshLocked(ctx context.Context) (string, error) {
	hctx := context.WithValue(ctx, oauth2.HTTPClient, s.http)
	// An expired token makes the TokenSource ask the endpoint.
	tok, err := s.config.TokenSource(hctx, &oauth2.Token{RefreshToken: s.refresh, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && refused(re.ErrorCode) {
			return "", fmt.Errorf("%w: %s %s (connect the account again)", ErrRefused, re.ErrorCode, firstLine(re.ErrorDescription))
		}
		return "", fmt.Errorf("refresh the access token: %w", err)
	}
	if tok.Expiry.IsZero() {
		// No expires_in: assume the providers' usual hour.
		tok.Expiry = s.now().Add(time.Hour)
	} else {
		// oauth2 computes the expiry from the wall clock: restate it on ours.
		tok.Expiry = s.now().Add(time.Until(tok.Expiry).Round(time.Second))
	}
	if tok.RefreshToken != "" && tok.RefreshToken != s.refresh {
		if s.rotated != nil {
			if err := s.rotated(ctx, s.refresh, tok.RefreshToken); err != nil {
				return "", fmt.Errorf("store the rotated refresh token: %w", err)
			}
		}
		s.refresh = tok.RefreshToken
	}
	s.token = tok
	return tok.AccessToken, nil
}

// Invalidate drops the access token (the server refused it early).
func (s *Source) Invalidate() {
	s.mu.Lock()
	s.token = nil
	s.mu.Unlock()
}

// refused tells a grant that is gone from a passing failure (RFC 6749
// 5.2; Microsoft adds interaction_required and consent_required).
func refused(code string) bool {
	switch code {
	case "invalid_grant", "invalid_client", "unauthorized_client", "interaction_required", "consent_required":
		return true
	}
	return false
}

// Tokens hands out the access tokens of the mailboxes connected through
// the flow, one Source per mailbox kept while its sealed credentials stay
// the same. A refused refresh marks the mailbox refused (status error, the
// health alert "token refresh refused"); the next good one clears it.
type Tokens struct {
	Store      *store.Store
	Secrets    *secret.Box
	Apps       Apps
	HTTPClient *http.Client
	Log        *slog.Logger
	Now        func() time.Time

	mu      sync.Mutex
	sources map[int64]*cached
}

type cached struct {
	sealed string // the credentials the source was made from
	source *Source
}

func (t *Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *Tokens) log() *slog.Logger {
	if t.Log != nil {
		return t.Log
	}
	return slog.Default()
}

// ErrNotConnected is a mailbox asked to use OAuth (auth=oauth) that no
// account was connected to.
var ErrNotConnected = errors.New("no OAuth account is connected to this mailbox: use Connect account (Google or Microsoft)")

// Token returns a valid access token of the account connected to the
// mailbox.
func (t *Tokens) Token(ctx context.Context, mailboxID int64) (string, error) {
	c, err := t.Store.GetConnector(ctx, mailboxID)
	if err != nil {
		return "", err
	}
	e, err := t.source(c)
	if err != nil {
		return "", err
	}
	tok, refreshed, err := e.source.get(ctx)
	switch {
	case errors.Is(err, ErrRefused):
		t.log().Error("OAUTH TOKEN REFRESH REFUSED: the mailbox's IMAP and SMTP stop until its account is connected again",
			"mailbox", mailboxID, "err", err)
		if serr := t.Store.SetAuthRefused(ctx, mailboxID, err.Error(), t.now()); serr != nil {
			t.log().Warn("mailbox status", "mailbox", mailboxID, "err", serr)
		}
	case err == nil && refreshed:
		// The grant works (again): a refusal recorded before, by this
		// process or another, is over. A no-op when there was none.
		if serr := t.Store.ClearAuthRefused(ctx, mailboxID); serr != nil {
			t.log().Warn("mailbox status", "mailbox", mailboxID, "err", serr)
		}
	}
	return tok, err
}

// Invalidate drops the mailbox's access token: the server refused it
// before its expiry (revoked early), so the next login refreshes, and a
// grant that is gone shows as a refused refresh.
func (t *Tokens) Invalidate(mailboxID int64) {
	t.mu.Lock()
	e := t.sources[mailboxID]
	t.mu.Unlock()
	if e != nil {
		e.source.Invalidate()
	}
}

// source returns the cached source of the mailbox, or a new one when its
// credentials changed (connected again).
func (t *Tokens) source(c store.Connector) (*cached, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, ok := t.sources[c.MailboxID]; ok && e.sealed == c.Credentials {
		return e, nil
	}
	if c.Credentials == "" {
		return nil, ErrNotConnected
	}
	plain, err := t.Secrets.Open(c.Credentials)
	if err != nil {
		return nil, fmt.Errorf("oauth credentials of mailbox %d: %w", c.MailboxID, err)
	}
	var cr Credentials
	if err := json.Unmarshal([]byte(plain), &cr); err != nil || cr.RefreshToken == "" || cr.Provider == "" {
		return nil, ErrNotConnected
	}
	config, err := t.Apps.Config(cr.Provider)
	if err != nil {
		return nil, err
	}
	if !t.Apps.Configured(cr.Provider) {
		return nil, fmt.Errorf("the mailbox's account is %s, but this server has no %s OAuth client (TICKETER_%s_CLIENT_ID and _SECRET)",
			cr.Provider, cr.Provider, upper(cr.Provider))
	}
	// The source outlives this call: the rotation it reports is sealed with
	// a context of its own caller.
	e := &cached{sealed: c.Credentials}
	id := c.MailboxID
	e.source = NewSource(config, cr.RefreshToken, t.HTTPClient, t.Now, func(ctx context.Context, old, refresh string) error {
		// Into the credentials stored now, only while they hold old: a
		// reconnection meanwhile (another account or provider) wins.
		sealed, err := oauthweb.SaveRotatedToken(ctx, t.Store, t.Secrets, t.log(), id, old, refresh)
		if err != nil || sealed == "" {
			return err
		}
		t.mu.Lock()
		e.sealed = sealed // still this source: it holds the new token
		t.mu.Unlock()
		return nil
	})
	if t.sources == nil {
		t.sources = map[int64]*cached{}
	}
	t.sources[c.MailboxID] = e
	return e, nil
}

func upper(p string) string {
	if p == Microsoft {
		return "MICROSOFT"
	}
	return "GOOGLE"
}
