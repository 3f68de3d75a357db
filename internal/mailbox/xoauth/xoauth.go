// Package xoauth is OAuth 2.0 for the IMAP connector and the SMTP relay
// (Google and Microsoft): the SASL XOAUTH2 initial response, an access
// token refreshed from a sealed refresh token before it expires, and the
// "Connect account" flow that stores that refresh token on an IMAP or SMTP
// mailbox.
//
// XOAUTH2 is described by Google (https://developers.google.com/gmail/imap/xoauth2-protocol)
// and Microsoft (https://learn.microsoft.com/en-us/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth).
package xoauth

import (
	"errors"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// Providers of a connected account.
const (
	Google    = "google"
	Microsoft = "microsoft"
)

// Scopes are what the flow asks each provider for: IMAP and SMTP access,
// and (Microsoft) a refresh token; Google hands one out for
// access_type=offline.
var Scopes = map[string][]string{
	Google: {"https://mail.google.com/"},
	Microsoft: {"https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/SMTP.Send",
		"offline_access"},
}

// SASL is the XOAUTH2 initial client response: the user and the bearer
// token, each field ended by ^A and the whole by one more.
func SASL(user, token string) []byte {
	return []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
}

// App is one provider's OAuth client of this server.
type App struct {
	ClientID     string
	ClientSecret string
	// Tenant is Microsoft's (common by default).
	Tenant string
	// AuthURL and TokenURL replace the provider's endpoints (tests).
	AuthURL, TokenURL string
}

// Apps are the OAuth clients of both providers and the flow's redirect URL
// (BASE_URL/api/v1/mailboxes/oauth/callback).
type Apps struct {
	Google      App
	Microsoft   App
	RedirectURL string
}

// ErrUnknownProvider is a provider other than google or microsoft.
var ErrUnknownProvider = errors.New("oauth provider must be google or microsoft")

// Configured says whether provider has a client id and secret.
func (a Apps) Configured(provider string) bool {
	app, ok := a.app(provider)
	return ok && app.ClientID != "" && app.ClientSecret != ""
}

func (a Apps) app(provider string) (App, bool) {
	switch provider {
	case Google:
		return a.Google, true
	case Microsoft:
		return a.Microsoft, true
	}
	return App{}, false
}

// Config is provider's oauth2 configuration.
func (a Apps) Config(provider string) (*oauth2.Config, error) {
	app, ok := a.app(provider)
	if !ok {
		return nil, ErrUnknownProvider
	}
	ep := oauth2.Endpoint{AuthURL: "https://accounts.google.com/o/oauth2/auth", TokenURL: "https://oauth2.googleapis.com/token"}
	if provider == Microsoft {
		tenant := app.Tenant
		if tenant == "" {
			tenant = "common"
		}
		p := "https://login.microsoftonline.com/" + url.PathEscape(tenant) + "/oauth2/v2.0"
		ep = oauth2.Endpoint{AuthURL: p + "/authorize", TokenURL: p + "/token"}
	}
	if app.AuthURL != "" {
		ep.AuthURL = app.AuthURL
	}
	if app.TokenURL != "" {
		ep.TokenURL = app.TokenURL
	}
	ep.AuthStyle = oauth2.AuthStyleInParams
	return &oauth2.Config{ClientID: app.ClientID, ClientSecret: app.ClientSecret, RedirectURL: a.RedirectURL,
		Scopes: Scopes[provider], Endpoint: ep}, nil
}

// Credentials are sealed on the mailbox (its credentials column).
type Credentials struct {
	Provider     string `json:"oauth_provider"` // google or microsoft
	RefreshToken string `json:"refresh_token"`
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s, _, _ = strings.Cut(s, "\r")
	return s
}
