package imap_test

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/imap/imaptest"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth/xoauthtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// oauthHarness is a mailbox with auth=oauth against an IMAP server that
// takes XOAUTH2 with the newest access token of an in-process token
// endpoint, except the revoked ones.
func oauthHarness(t *testing.T, dsn, refresh string, revoked ...string) (*harness, server, *xoauthtest.Server, func() []string) {
	ts := xoauthtest.Start(t)
	var mu sync.Mutex
	var seen []string
	addr := imaptest.StartXOAuth2Server(t, func(initial []byte) bool {
		mu.Lock()
		seen = append(seen, string(initial))
		mu.Unlock()
		// The server checks what Gmail checks: the format, the user, the token.
		user, rest, ok := strings.Cut(string(initial), "\x01auth=Bearer ")
		token, ok2 := strings.CutSuffix(rest, "\x01\x01")
		return ok && ok2 && user == "user="+imaptest.User && ts.Valid(token) && !slices.Contains(revoked, token)
	})
	h := newHarness(t, dsn, "imap://"+imaptest.User+"@"+addr+"/INBOX?tls=none&auth=oauth", nil)
	app := xoauth.App{ClientID: "client", ClientSecret: "secret", TokenURL: ts.URL}
	h.tokens = &xoauth.Tokens{Store: h.st, Secrets: h.box, Apps: xoauth.Apps{Google: app, Microsoft: app}, Log: h.log}
	b, _ := json.Marshal(xoauth.Credentials{Provider: xoauth.Google, RefreshToken: refresh})
	sealed, err := h.box.Seal(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.SetCredentials(h.ctx, h.mb, sealed); err != nil {
		t.Fatal(err)
	}
	srv := server{addr: addr, user: imaptest.User, pass: imaptest.Password}
	return h, srv, ts, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string{}, seen...) }
}

// auth=oauth: the connector logs in with XOAUTH2 and an access token
// refreshed from the mailbox's sealed refresh token, and syncs.
func TestOAuthLoginWithRefreshedToken(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		h, srv, ts, seen := oauthHarness(t, dsn, "rt-good")
		ts.Lock(func(s *xoauthtest.Server) { s.Refresh["rt-good"] = true })
		srv.appendMsgs(t, "INBOX", testMsg("over oauth"))
		h.start()
		h.waitTicket("over oauth")
		got := seen()
		if len(got) == 0 || got[0] != "user=agent\x01auth=Bearer at-1\x01\x01" {
			t.Fatalf("XOAUTH2 initial responses: %q", got)
		}
	})
}

// A refresh the provider refuses puts the mailbox in error, marked refused
// (the health alert "token refresh refused" is raised at once).
func TestOAuthRefusedRefreshShowsOnMailbox(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		h, _, _, seen := oauthHarness(t, dsn, "rt-revoked")
		h.start()
		st := waitStatus(t, h, func(s store.SyncStatus) bool { return s.Status == store.SyncError })
		if !strings.Contains(st.LastError, "token refresh refused") || !strings.Contains(st.LastError, "invalid_grant") {
			t.Fatalf("status: %+v", st)
		}
		list, err := h.st.MailboxesHealth(h.ctx)
		if err != nil || len(list) != 1 || !list[0].AuthRefused {
			t.Fatalf("health: %+v %v", list, err)
		}
		if n := len(seen()); n != 0 {
			t.Fatalf("the server was sent %d logins without a token", n)
		}
	})
}

// An access token the server refuses before its expiry (revoked early) is
// dropped: the next login refreshes and gets in.
func TestOAuthTokenRefusedByServerIsRefreshed(t *testing.T) {
	h, srv, ts, seen := oauthHarness(t, storetest.SQLiteURL(t), "rt-good", "at-1")
	ts.Lock(func(s *xoauthtest.Server) { s.Refresh["rt-good"] = true })
	srv.appendMsgs(t, "INBOX", testMsg("after a revoked token"))
	h.start()
	h.waitTicket("after a revoked token")
	got := seen()
	if len(got) < 2 || got[0] != "user=agent\x01auth=Bearer at-1\x01\x01" || got[len(got)-1] != "user=agent\x01auth=Bearer at-2\x01\x01" {
		t.Fatalf("XOAUTH2 initial responses: %q", got)
	}
}
