package xoauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
	"github.com/ticketer/ticketer/internal/secret"
)

// OAuthFlow serves "Connect account" for an IMAP or SMTP-relay mailbox:
//
//	GET /api/v1/mailboxes/oauth/start?mailbox_id=ID&provider=google|microsoft
//	GET /api/v1/mailboxes/oauth/callback?state=...&code=...
//
// It is the authorization code flow with PKCE (S256) and offline access;
// the state is signed and bound to the admin's session, the PKCE verifier
// derived from it with a server key. The refresh token is sealed on the
// mailbox (its provider and URLs stay as they are); the mailbox's IMAP and
// relay URLs use it with auth=oauth. The caller lets only admins in.
type OAuthFlow struct {
	Apps    Apps
	Secrets *secret.Box
	// HTTPClient talks to the token endpoints (nil: one with a timeout).
	HTTPClient *http.Client
	oauthweb.Flow
}

// flowName is the query parameter of the outcome on the way back to the UI
// (?oauth=connected|error).
const flowName = "oauth"

type state struct {
	oauthweb.State
	Provider string `json:"p"`
}

func (f *OAuthFlow) verifier(session string, payload []byte) string {
	return oauthweb.MAC(f.StateKey, "pkce", session, payload)
}

// Start redirects the browser to the provider's consent page.
func (f *OAuthFlow) Start(w http.ResponseWriter, r *http.Request) {
	provider := r.URL.Query().Get("provider")
	if _, err := f.Apps.Config(provider); err != nil {
		oauthweb.Error(w, http.StatusUnprocessableEntity, "invalid", "provider: must be google or microsoft")
		return
	}
	if !f.Apps.Configured(provider) {
		err := fmt.Errorf("this server has no %s OAuth client: set TICKETER_%s_CLIENT_ID and TICKETER_%s_CLIENT_SECRET, then restart it",
			provider, upper(provider), upper(provider))
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			f.Finish(w, r, flowName, 0, err)
			return
		}
		oauthweb.Error(w, http.StatusServiceUnavailable, "not_configured", err.Error())
		return
	}
	start, base, ok := f.Begin(w, r)
	if !ok {
		return
	}
	mb, err := f.Store.GetMailbox(r.Context(), f.Store.DB().W(), start.Mailbox)
	if err != nil {
		oauthweb.Error(w, http.StatusInternalServerError, "internal", "could not read the mailbox")
		return
	}
	if mb.Provider != "imap" && mb.Provider != "smtp" {
		// Their credentials column holds the provider API's grant.
		oauthweb.Error(w, http.StatusUnprocessableEntity, "invalid",
			"mailbox_id: only an IMAP or SMTP mailbox connects an account for IMAP and SMTP; this one is "+mb.Provider)
		return
	}
	config, _ := f.Apps.Config(provider)
	st, payload := oauthweb.Encode(f.StateKey, start.Session, state{State: base, Provider: provider})
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.verifier(start.Session, payload))}
	if provider == Google {
		// A refresh token, and again on a second connection.
		opts = append(opts, oauth2.AccessTypeOffline, oauth2.ApprovalForce)
	} else {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "select_account"))
	}
	http.Redirect(w, r, config.AuthCodeURL(st, opts...), http.StatusFound)
}

// Callback exchanges the code for tokens and seals the refresh token on
// the mailbox.
func (f *OAuthFlow) Callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		f.Finish(w, r, flowName, 0, fmt.Errorf("the provider refused: %s %s", e, firstLine(q.Get("error_description"))))
		return
	}
	var st state
	session, payload, ok := f.Resume(w, r, &st)
	if !ok {
		return
	}
	if q.Get("code") == "" {
		oauthweb.Error(w, http.StatusBadRequest, "bad_request", "the callback has no code")
		return
	}
	config, err := f.Apps.Config(st.Provider)
	if err != nil {
		oauthweb.Error(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	ctx := context.WithValue(r.Context(), oauth2.HTTPClient, oauthweb.HTTPClient(f.HTTPClient))
	tok, err := config.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(f.verifier(session, payload)))
	if err != nil {
		f.Finish(w, r, flowName, st.Mailbox, fmt.Errorf("exchange the code: %w", err))
		return
	}
	if tok.RefreshToken == "" {
		f.Finish(w, r, flowName, st.Mailbox, errors.New("the provider sent no refresh token (Microsoft: the app must allow offline_access)"))
		return
	}
	b, _ := json.Marshal(Credentials{Provider: st.Provider, RefreshToken: tok.RefreshToken})
	sealed, err := f.Secrets.Seal(string(b))
	if err == nil {
		err = f.Store.SetCredentials(r.Context(), st.Mailbox, sealed)
	}
	if err == nil {
		// A refusal was about the grant just replaced.
		err = f.Store.ClearAuthRefused(r.Context(), st.Mailbox)
	}
	if err != nil {
		f.Finish(w, r, flowName, st.Mailbox, err)
		return
	}
	f.Logger().Info("mailbox account connected for IMAP and SMTP", "mailbox", st.Mailbox, "provider", st.Provider)
	if f.Connected != nil {
		f.Connected(st.Mailbox)
	}
	f.Finish(w, r, flowName, st.Mailbox, nil)
}
