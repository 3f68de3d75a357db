package gmail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
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

// Start redirects the browser to Google's consent screen.
func (f *OAuthFlow) Start(w http.ResponseWriter, r *http.Request) {
	if f.App.ClientID == "" || f.App.ClientSecret == "" {
		// The UI links here: a browser goes back to it with the reason;
		// an API client gets the error.
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			f.finish(w, r, 0, errors.New("this server has no Google OAuth client: set TICKETER_GOOGLE_CLIENT_ID and TICKETER_GOOGLE_CLIENT_SECRET, then restart it"))
			return
		}
		oauthweb.Error(w, http.StatusServiceUnavailable, "not_configured", ErrNotConfigured.Error())
		return
	}
	start, ok := oauthweb.ParseStart(w, r, f.Session, oauthweb.MailboxExists(f.Store))
	if !ok {
		return
	}
	session, id, since := start.Session, start.Mailbox, start.Since
	state, _ := oauthweb.Encode(f.StateKey, session, oauthState{Mailbox: id, Since: since, Expires: f.now().Add(15 * time.Minute).Unix(),
		Nonce: oauthweb.Nonce()})
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
		oauthweb.Error(w, http.StatusUnauthorized, "unauthorized", "log in first")
		return
	}
	var st oauthState
	_, err = oauthweb.Decode(f.StateKey, session, q.Get("state"), f.now(), &st)
	if err != nil {
		oauthweb.Error(w, http.StatusBadRequest, "bad_state", err.Error())
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

func (f *OAuthFlow) finish(w http.ResponseWriter, r *http.Request, mailboxID int64, err error) {
	if err != nil {
		f.log().Error("gmail connect failed", "mailbox", mailboxID, "err", err)
	}
	oauthweb.Finish(w, r, f.Done, "gmail", mailboxID, err)
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
