package gmail

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/store"
)

// OAuthFlow serves the two steps of connecting a Gmail mailbox:
//
//	GET /api/v1/mailboxes/gmail/oauth/start?mailbox_id=ID[&since=YYYY-MM-DD]
//	GET /api/v1/mailboxes/gmail/oauth/callback?state=...&code=...
//
// The state is signed and bound to the caller's session, so a callback
// cannot be replayed from another browser. The caller must make sure only
// admins reach Start (it does not check roles itself).
type OAuthFlow struct {
	App     OAuthApp
	Store   *store.Store
	Config  Config // Secrets, APIBase, HTTPClient
	Log     *slog.Logger
	Session func(r *http.Request) (string, error) // the current session id; error when none
	// StateKey signs the state (derive it from the encryption key).
	StateKey []byte
	// Done is where the browser goes afterwards ("/" by default); it gets
	// ?gmail=connected&mailbox=ID or ?gmail=error&reason=...
	Done string
	// Connected is told the mailbox was connected (supervisor.Refresh).
	Connected func(mailboxID int64)
	Now       func() time.Time
}

type oauthState struct {
	Mailbox int64  `json:"m"`
	Since   string `json:"s,omitempty"`
	Expires int64  `json:"e"`
	Nonce   string `json:"n"`
}

func (f *OAuthFlow) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *OAuthFlow) sign(session string, payload []byte) string {
	m := hmac.New(sha256.New, f.StateKey)
	m.Write([]byte(session))
	m.Write([]byte{0})
	m.Write(payload)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Start redirects the browser to Google's consent screen.
func (f *OAuthFlow) Start(w http.ResponseWriter, r *http.Request) {
	if f.App.ClientID == "" || f.App.ClientSecret == "" {
		// The UI links here: a browser goes back to it with the reason;
		// an API client gets the error.
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			f.finish(w, r, 0, errors.New("this server has no Google OAuth client: set TICKETER_GOOGLE_CLIENT_ID and TICKETER_GOOGLE_CLIENT_SECRET, then restart it"))
			return
		}
		httpError(w, http.StatusServiceUnavailable, "not_configured", ErrNotConfigured.Error())
		return
	}
	session, err := f.Session(r)
	if err != nil || session == "" {
		httpError(w, http.StatusUnauthorized, "unauthorized", "log in first")
		return
	}
	id, err := strconv.ParseInt(r.URL.Query().Get("mailbox_id"), 10, 64)
	if err != nil || id <= 0 {
		httpError(w, http.StatusBadRequest, "bad_request", "mailbox_id is required: create the mailbox first, then connect it")
		return
	}
	if _, err := f.Store.GetMailbox(r.Context(), f.Store.DB().W(), id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			httpError(w, http.StatusNotFound, "not_found", "no such mailbox")
			return
		}
		httpError(w, http.StatusInternalServerError, "internal", "could not read the mailbox")
		return
	}
	since := r.URL.Query().Get("since")
	if since != "" {
		if _, err := time.Parse("2006-01-02", since); err != nil {
			httpError(w, http.StatusBadRequest, "bad_request", "since must be a day, YYYY-MM-DD")
			return
		}
	}
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	payload, _ := json.Marshal(oauthState{Mailbox: id, Since: since, Expires: f.now().Add(15 * time.Minute).Unix(),
		Nonce: base64.RawURLEncoding.EncodeToString(nonce)})
	state := base64.RawURLEncoding.EncodeToString(payload) + "." + f.sign(session, payload)
	u := f.App.config().AuthCodeURL(state, oauth2.AccessTypeOffline, oauth2.ApprovalForce,
		oauth2.SetAuthURLParam("include_granted_scopes", "true"))
	http.Redirect(w, r, u, http.StatusFound)
}

// Callback checks the state, exchanges the code for tokens, seals the
// refresh token on the mailbox and starts its sync.
func (f *OAuthFlow) Callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		f.finish(w, r, 0, fmt.Errorf("google refused: %s", e))
		return
	}
	session, err := f.Session(r)
	if err != nil || session == "" {
		httpError(w, http.StatusUnauthorized, "unauthorized", "log in first")
		return
	}
	st, err := f.verify(session, q.Get("state"))
	if err != nil {
		httpError(w, http.StatusBadRequest, "bad_state", err.Error())
		return
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, f.httpClient())
	tok, err := f.App.config().Exchange(ctx, q.Get("code"))
	if err != nil {
		f.finish(w, r, st.Mailbox, fmt.Errorf("exchange the code: %w", err))
		return
	}
	if tok.RefreshToken == "" {
		f.finish(w, r, st.Mailbox, errors.New("google sent no refresh token: remove Ticketer's access at myaccount.google.com/permissions and connect again"))
		return
	}
	api := newClient(f.Config.APIBase, f.httpClient(), f.App, tok.RefreshToken)
	api.token = tok
	p, err := api.profile(r.Context())
	if err != nil {
		f.finish(w, r, st.Mailbox, fmt.Errorf("read the Gmail profile: %w", err))
		return
	}
	creds, _ := json.Marshal(Credentials{Email: p.EmailAddress, RefreshToken: tok.RefreshToken})
	sealed, err := f.Config.Secrets.Seal(string(creds))
	if err != nil {
		f.finish(w, r, st.Mailbox, err)
		return
	}
	var since time.Time
	if st.Since != "" {
		since, _ = time.Parse("2006-01-02", st.Since)
	}
	if err := f.Store.SetConnectorSettings(r.Context(), st.Mailbox, "gmail", sealed, since); err != nil {
		f.finish(w, r, st.Mailbox, err)
		return
	}
	f.log().Info("gmail mailbox connected", "mailbox", st.Mailbox, "account", p.EmailAddress)
	if f.Connected != nil {
		f.Connected(st.Mailbox)
	}
	f.finish(w, r, st.Mailbox, nil)
}

func (f *OAuthFlow) verify(session, state string) (oauthState, error) {
	var st oauthState
	enc, sig, ok := strings.Cut(state, ".")
	if !ok {
		return st, errors.New("malformed state")
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return st, errors.New("malformed state")
	}
	if !hmac.Equal([]byte(sig), []byte(f.sign(session, payload))) {
		return st, errors.New("the state does not belong to this session: start the connection again")
	}
	if err := json.Unmarshal(payload, &st); err != nil {
		return st, errors.New("malformed state")
	}
	if f.now().Unix() > st.Expires {
		return st, errors.New("the connection attempt expired: start again")
	}
	return st, nil
}

func (f *OAuthFlow) finish(w http.ResponseWriter, r *http.Request, mailboxID int64, err error) {
	done := f.Done
	if done == "" {
		done = "/"
	}
	v := url.Values{}
	if err != nil {
		f.log().Error("gmail connect failed", "mailbox", mailboxID, "err", err)
		v.Set("gmail", "error")
		v.Set("reason", err.Error())
	} else {
		v.Set("gmail", "connected")
	}
	if mailboxID != 0 {
		v.Set("mailbox", strconv.FormatInt(mailboxID, 10))
	}
	sep := "?"
	if strings.Contains(done, "?") {
		sep = "&"
	}
	http.Redirect(w, r, done+sep+v.Encode(), http.StatusFound)
}

func (f *OAuthFlow) httpClient() *http.Client {
	if f.Config.HTTPClient != nil {
		return f.Config.HTTPClient
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (f *OAuthFlow) log() *slog.Logger {
	if f.Log != nil {
		return f.Log
	}
	return slog.Default()
}

// httpError writes the API's error shape.
func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
