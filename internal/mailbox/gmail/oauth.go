package gmail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
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
	App    OAuthApp
	Config Config // Secrets, APIBase, HTTPClient
	oauthweb.Flow
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
	start, st, ok := f.Begin(w, r)
	if !ok {
		return
	}
	state, _ := oauthweb.Encode(f.StateKey, start.Session, st)
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
	var st oauthweb.State
	if _, _, ok := f.Resume(w, r, &st); !ok {
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
	f.Save(w, r, "gmail", f.Config.Secrets, st, Credentials{Email: p.EmailAddress, RefreshToken: tok.RefreshToken}, "account", p.EmailAddress)
}

func (f *OAuthFlow) finish(w http.ResponseWriter, r *http.Request, mailboxID int64, err error) {
	f.Finish(w, r, "gmail", mailboxID, err)
}

func (f *OAuthFlow) httpClient() *http.Client { return oauthweb.HTTPClient(f.Config.HTTPClient) }
