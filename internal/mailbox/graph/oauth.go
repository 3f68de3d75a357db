package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
)

// OAuthFlow serves the two steps of connecting a Microsoft mailbox:
//
//	GET /api/v1/mailboxes/microsoft/oauth/start?mailbox_id=ID[&since=YYYY-MM-DD][&shared=true][&sent=true]
//	GET /api/v1/mailboxes/microsoft/oauth/callback?state=...&code=...
//
// It is the authorization code flow with PKCE (S256) and offline_access:
// https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow
// The state is signed and bound to the caller's session, so a callback
// cannot be replayed from another browser; the PKCE verifier is derived from
// the state with a server key, so it never travels through the browser. The
// caller must make sure only admins reach Start (it does not check roles).
type OAuthFlow struct {
	Config Config // App, Secrets, APIBase, HTTPClient
	// Flow's StateKey also derives the PKCE verifier.
	oauthweb.Flow
}

type oauthState struct {
	oauthweb.State
	Shared bool `json:"sh,omitempty"`
	Sent   bool `json:"se,omitempty"`
}

// verifier is the PKCE code verifier of one state: 43 characters of
// base64url, the least RFC 7636 allows, from 256 secret bits.
func (f *OAuthFlow) verifier(session string, payload []byte) string {
	return oauthweb.MAC(f.StateKey, "pkce", session, payload)
}

// Start redirects the browser to Microsoft's sign-in and consent page.
func (f *OAuthFlow) Start(w http.ResponseWriter, r *http.Request) {
	app := f.Config.App
	if app.ClientID == "" || app.ClientSecret == "" {
		// The UI links here: a browser goes back to it with the reason;
		// an API client gets the error.
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			f.finish(w, r, 0, errors.New("this server has no Microsoft app registration: set TICKETER_MICROSOFT_CLIENT_ID and TICKETER_MICROSOFT_CLIENT_SECRET, then restart it"))
			return
		}
		oauthweb.Error(w, http.StatusServiceUnavailable, "not_configured", ErrNotConfigured.Error())
		return
	}
	start, base, ok := f.Begin(w, r)
	if !ok {
		return
	}
	session := start.Session
	shared := false
	if s := r.URL.Query().Get("shared"); s != "" {
		var err error
		if shared, err = strconv.ParseBool(s); err != nil {
			oauthweb.Error(w, http.StatusBadRequest, "bad_request", "shared must be true or false")
			return
		}
	}
	sent := false
	if s := r.URL.Query().Get("sent"); s != "" {
		var err error
		if sent, err = strconv.ParseBool(s); err != nil {
			oauthweb.Error(w, http.StatusBadRequest, "bad_request", "sent must be true or false")
			return
		}
	}
	state, payload := oauthweb.Encode(f.StateKey, session, oauthState{State: base, Shared: shared, Sent: sent})
	// prompt=select_account: an admin signed in to several Microsoft
	// accounts picks the one that owns (or may read) this mailbox.
	u := app.config(Credentials{Shared: shared}.scopes()).AuthCodeURL(state,
		oauth2.S256ChallengeOption(f.verifier(session, payload)),
		oauth2.SetAuthURLParam("response_mode", "query"),
		oauth2.SetAuthURLParam("prompt", "select_account"))
	http.Redirect(w, r, u, http.StatusFound)
}

// Callback checks the state, exchanges the code (with the PKCE verifier)
// for tokens, finds whose mailbox it is, seals the refresh token on the
// mailbox and starts its sync.
func (f *OAuthFlow) Callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		// Errors come back as error and error_description on the redirect.
		f.finish(w, r, 0, fmt.Errorf("microsoft refused: %s %s", e, firstLine(q.Get("error_description"))))
		return
	}
	var st oauthState
	session, payload, ok := f.Resume(w, r, &st)
	if !ok {
		return
	}
	if q.Get("code") == "" {
		oauthweb.Error(w, http.StatusBadRequest, "bad_request", "the callback has no code")
		return
	}
	scopes := Credentials{Shared: st.Shared}.scopes()
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, f.httpClient())
	tok, err := f.Config.App.config(scopes).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.verifier(session, payload)))
	if err != nil {
		f.finish(w, r, st.Mailbox, fmt.Errorf("exchange the code: %w", err))
		return
	}
	if tok.RefreshToken == "" {
		f.finish(w, r, st.Mailbox, errors.New("microsoft sent no refresh token: the app registration must allow offline_access"))
		return
	}
	mb, err := f.Store.GetMailbox(r.Context(), f.Store.DB().W(), st.Mailbox)
	if err != nil {
		f.finish(w, r, st.Mailbox, fmt.Errorf("read the mailbox: %w", err))
		return
	}
	api := newClient(f.Config.APIBase, f.httpClient(), f.Config.App.config(scopes), tok.RefreshToken, f.Config.Now)
	api.token = tok
	me, err := api.me(r.Context())
	if err != nil {
		f.finish(w, r, st.Mailbox, fmt.Errorf("read the signed-in account: %w", err))
		return
	}
	cr := Credentials{Account: me.address(), RefreshToken: tok.RefreshToken, Shared: st.Shared, SyncSent: st.Sent}
	if st.Shared {
		// The delegated user reads the shared mailbox at its address; check
		// now that Exchange lets them, rather than fail in the background.
		cr.Mailbox = mb.Address
		var inbox struct {
			ID string `json:"id"`
		}
		if err := api.getJSON(r.Context(), userPath(cr.Mailbox)+"/mailFolders/inbox?$select=id", nil, &inbox); err != nil {
			f.finish(w, r, st.Mailbox, fmt.Errorf("%s cannot read the shared mailbox %s (grant them Full Access in Exchange): %w", cr.Account, cr.Mailbox, err))
			return
		}
	}
	f.Save(w, r, Provider, f.Config.Secrets, st.State, cr, "account", cr.Account, "shared", cr.Mailbox)
}

func (f *OAuthFlow) finish(w http.ResponseWriter, r *http.Request, mailboxID int64, err error) {
	f.Finish(w, r, Provider, mailboxID, err)
}

func (f *OAuthFlow) httpClient() *http.Client { return oauthweb.HTTPClient(f.Config.HTTPClient) }
