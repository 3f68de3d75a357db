package xoauth_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth/xoauthtest"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// roundTrip runs before ahead of each request to the token endpoint.
type roundTrip struct{ before func() }

func (rt roundTrip) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.before()
	return http.DefaultTransport.RoundTrip(r)
}

// A refresh token rotated while the account was connected again (another
// provider here) is dropped: the reconnection's credentials stay, and the
// next token comes from its grant. Without a reconnection it is stored.
func TestRotatedRefreshTokenKeepsReconnection(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reconnect *xoauth.Credentials // during the refresh; nil: none
		want      xoauth.Credentials
	}{
		{"no reconnection", nil, xoauth.Credentials{Provider: xoauth.Microsoft, RefreshToken: "rt-rotated-1"}},
		{"reconnected", &xoauth.Credentials{Provider: xoauth.Google, RefreshToken: "rt-new"},
			xoauth.Credentials{Provider: xoauth.Google, RefreshToken: "rt-new"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, dsn string) {
				e := setup(t, dsn, "imap")
				e.ts.Lock(func(s *xoauthtest.Server) { s.Refresh["rt-1"] = true; s.Refresh["rt-new"] = true; s.Rotate = true })
				if err := e.st.SetCredentials(e.ctx, e.mb, e.seal(xoauth.Microsoft, "rt-1")); err != nil {
					t.Fatal(err)
				}
				reconnect := tc.reconnect
				e.tokens.HTTPClient = &http.Client{Transport: roundTrip{before: func() {
					if reconnect != nil {
						if err := e.st.SetCredentials(e.ctx, e.mb, e.seal(reconnect.Provider, reconnect.RefreshToken)); err != nil {
							t.Error(err)
						}
						reconnect = nil
					}
				}}}
				if _, err := e.tokens.Token(e.ctx, e.mb); err != nil {
					t.Fatal(err)
				}
				c, err := e.st.GetConnector(e.ctx, e.mb)
				if err != nil {
					t.Fatal(err)
				}
				plain, err := e.tokens.Secrets.Open(c.Credentials)
				if err != nil {
					t.Fatal(err)
				}
				var got xoauth.Credentials
				if err := json.Unmarshal([]byte(plain), &got); err != nil || got != tc.want {
					t.Fatalf("stored %+v (%v), want %+v", got, err, tc.want)
				}
				if dropped := strings.Contains(e.logs.String(), "rotated refresh token dropped"); dropped != (tc.reconnect != nil) {
					t.Fatalf("dropped logged %v:\n%s", dropped, e.logs.String())
				}
				// The next token is of the stored grant.
				if _, err := e.tokens.Token(e.ctx, e.mb); err != nil {
					t.Fatal(err)
				}
				var last string
				e.ts.Lock(func(s *xoauthtest.Server) { last = s.Forms[len(s.Forms)-1]["refresh_token"] })
				if tc.reconnect != nil && last != tc.reconnect.RefreshToken {
					t.Fatalf("the next refresh used %q, want the reconnection's %q", last, tc.reconnect.RefreshToken)
				}
			})
		})
	}
}
