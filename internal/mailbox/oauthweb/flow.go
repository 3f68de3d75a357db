package oauthweb

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// Flow is what the connect flows of every OAuth connector are configured
// with; each connector's OAuthFlow embeds it and adds its provider's app.
type Flow struct {
	Store   *store.Store
	Log     *slog.Logger
	Session func(r *http.Request) (string, error) // the current session id; error when none
	// StateKey signs the state (derive it from the encryption key).
	StateKey []byte
	// Done is where the browser goes afterwards ("/" by default); it gets
	// ?PROVIDER=connected&mailbox=ID or ?PROVIDER=error&reason=...
	Done string
	// Connected is told the mailbox was connected (supervisor.Refresh).
	Connected func(mailboxID int64)
	Now       func() time.Time
}

// State is what every flow's state carries; a connector embeds it to add
// its own fields.
type State struct {
	Mailbox int64  `json:"m"`
	Since   string `json:"s,omitempty"`
	Expires int64  `json:"e"`
	Nonce   string `json:"n"`
}

// stateLifetime is how long an admin has to consent.
const stateLifetime = 15 * time.Minute

// Clock is the flow's time.
func (f *Flow) Clock() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// Logger is the flow's log.
func (f *Flow) Logger() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.Default()
}

// Begin checks a start request (ParseStart against the store) and returns
// the state for it, to carry the connector's own fields before Encode; when
// it answers false it has already written the error.
func (f *Flow) Begin(w http.ResponseWriter, r *http.Request) (Start, State, bool) {
	start, ok := ParseStart(w, r, f.Session, MailboxExists(f.Store))
	return start, State{Mailbox: start.Mailbox, Since: start.Since, Expires: f.Clock().Add(stateLifetime).Unix(), Nonce: Nonce()}, ok
}

// Resume checks a callback's session and state and decodes the state into
// v; it returns the session and the signed payload. When it answers false
// it has already written the error.
func (f *Flow) Resume(w http.ResponseWriter, r *http.Request, v any) (session string, payload []byte, ok bool) {
	session, err := f.Session(r)
	if err != nil || session == "" {
		Error(w, http.StatusUnauthorized, "unauthorized", "log in first")
		return "", nil, false
	}
	payload, err = Decode(f.StateKey, session, r.URL.Query().Get("state"), f.Clock(), v)
	if err != nil {
		Error(w, http.StatusBadRequest, "bad_state", err.Error())
		return "", nil, false
	}
	return session, payload, true
}

// Save seals creds on the state's mailbox as its provider's connector,
// tells Connected and sends the browser back; an error is sent back too.
func (f *Flow) Save(w http.ResponseWriter, r *http.Request, provider string, secrets *secret.Box, st State, creds any, logArgs ...any) {
	b, _ := json.Marshal(creds)
	sealed, err := secrets.Seal(string(b))
	if err != nil {
		f.Finish(w, r, provider, st.Mailbox, err)
		return
	}
	var since time.Time
	if st.Since != "" {
		since, _ = time.Parse(time.DateOnly, st.Since)
	}
	if err := f.Store.SetConnectorSettings(r.Context(), st.Mailbox, provider, sealed, since); err != nil {
		f.Finish(w, r, provider, st.Mailbox, err)
		return
	}
	f.Logger().Info(provider+" mailbox connected", append([]any{"mailbox", st.Mailbox}, logArgs...)...)
	if f.Connected != nil {
		f.Connected(st.Mailbox)
	}
	f.Finish(w, r, provider, st.Mailbox, nil)
}

// Finish logs a failure and sends the browser back to Done with the outcome.
func (f *Flow) Finish(w http.ResponseWriter, r *http.Request, provider string, mailboxID int64, err error) {
	if err != nil {
		f.Logger().Error(provider+" connect failed", "mailbox", mailboxID, "err", err)
	}
	Finish(w, r, f.Done, provider, mailboxID, err)
}

// HTTPClient is the client a flow talks to the provider with: the
// connector's own, or one with a timeout.
func HTTPClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// OpenCredentials opens a connector's sealed credentials into T; a missing
// refresh token (refresh reads it) is errAuth: the mailbox must be
// connected through the flow again.
func OpenCredentials[T any](secrets *secret.Box, c store.Connector, name string, errAuth error, refresh func(T) string) (T, error) {
	var cr T
	plain, err := secrets.Open(c.Credentials)
	if err != nil {
		return cr, fmt.Errorf("%s credentials of mailbox %d: %w", c.Provider, c.MailboxID, err)
	}
	if err := json.Unmarshal([]byte(plain), &cr); err != nil || refresh(cr) == "" {
		return cr, fmt.Errorf("%w: mailbox %d has no %s refresh token (connect it through the OAuth flow)", errAuth, c.MailboxID, name)
	}
	return cr, nil
}

// Retry is how an API client retries: at most Attempts tries, waiting at
// most MaxWait each time.
type Retry struct {
	Attempts int
	MaxWait  time.Duration
	Now      func() time.Time
}

// Answer is one HTTP answer, read whole.
type Answer struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do runs try until it gets a 2xx answer or one not to retry, which it
// returns for the caller to make an error of: after a 401 it calls
// invalidate (a fresh access token) and tries once more; an answer
// retryable calls retryable is tried again after its Retry-After (or a
// doubling wait). An error of try itself ends at once.
func (p Retry) Do(ctx context.Context, try func() (Answer, error), invalidate func(), retryable func(Answer) bool) (Answer, error) {
	reauthed := false
	for attempt := 1; ; attempt++ {
		a, err := try()
		switch {
		case err != nil:
			return a, err
		case a.Status/100 == 2:
			return a, nil
		case a.Status == http.StatusUnauthorized && !reauthed:
			// The access token expired or was revoked early: refresh once.
			reauthed = true
			invalidate()
			continue
		case retryable(a) && attempt < p.Attempts:
			now := time.Now
			if p.Now != nil {
				now = p.Now
			}
			select {
			case <-ctx.Done():
				return a, ctx.Err()
			case <-time.After(min(RetryAfter(a.Header.Get("Retry-After"), attempt, now()), p.MaxWait)):
			}
			continue
		}
		return a, nil
	}
}

// RetryAfter reads Retry-After (seconds or an HTTP date); without it the
// wait doubles from one second.
func RetryAfter(h string, attempt int, now time.Time) time.Duration {
	if h != "" {
		if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil && s >= 0 {
			return time.Duration(s) * time.Second
		}
		if t, err := http.ParseTime(h); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	return time.Second << min(attempt-1, 6)
}
