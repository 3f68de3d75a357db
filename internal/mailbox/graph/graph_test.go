package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/graph"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

var day = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func customerMail(msgID, to, subject string) []byte {
	return []byte("From: Erin <erin@customer.test>\r\nTo: " + to + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgID + ">\r\n" +
		"Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello from Erin.\r\n")
}

type setup struct {
	env *mailboxtest.Env
	ms  *fakeMicrosoft
	mb  int64
	// now is the connector's clock (token expiry).
	now atomic.Pointer[time.Time]
	// notifyBase is Config.NotifyBase ("" polls).
	notifyBase string
}

func newSetup(t *testing.T, dsn string) *setup {
	env := mailboxtest.New(t, dsn)
	s := &setup{env: env, ms: newFakeMicrosoft(t)}
	s.mb = env.Mailbox(fakeAccount, "smtp")
	return s
}

func (s *setup) cfg() graph.Config {
	return graph.Config{App: graph.OAuthApp{ClientID: fakeClientID, ClientSecret: fakeClientSecret, Tenant: fakeTenant,
		RedirectURL: "http://ticketer.test/api/v1/mailboxes/microsoft/oauth/callback", LoginBase: s.ms.loginBase()},
		Secrets: s.env.Box, APIBase: s.ms.apiBase(), PollInterval: time.Hour, NotifyBase: s.notifyBase,
		Now: func() time.Time {
			if p := s.now.Load(); p != nil {
				return *p
			}
			return time.Now()
		}}
}

// connect seals credentials on the mailbox and builds its connector through
// the supervisor's factory, with the given receiver (nil: the ticket service).
func (s *setup) connect(t testing.TB, cr graph.Credentials, recv mailbox.Receiver) mailbox.Connector {
	t.Helper()
	if cr.RefreshToken == "" {
		s.ms.with(func() { cr.RefreshToken = s.ms.refresh }) // a sync job may be refreshing
	}
	b, err := json.Marshal(cr)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.env.Box.Seal(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.env.Store.SetConnectorSettings(s.env.Ctx, s.mb, graph.Provider, sealed, time.Time{}); err != nil {
		t.Fatal(err)
	}
	return s.build(t, recv)
}

// build makes the connector from what is stored on the mailbox.
func (s *setup) build(t testing.TB, recv mailbox.Receiver) mailbox.Connector {
	t.Helper()
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	if recv == nil {
		recv = s.env.Svc
	}
	conn, err := graph.Factory(s.cfg())(s.env.Ctx, c, mailbox.NewHost(s.env.Store, recv, s.mb, fakeAccount, s.env.Log))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func (s *setup) own(t testing.TB) mailbox.Connector {
	return s.connect(t, graph.Credentials{Account: fakeAccount}, nil)
}

func (s *setup) inbound() int {
	return s.env.Count(`SELECT count(*) FROM inbound WHERE provider_id LIKE 'graph:%' AND source = 'graph'`)
}

func (s *setup) state(t testing.TB) map[string]any {
	t.Helper()
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if c.SyncState != "" {
		if err := json.Unmarshal([]byte(c.SyncState), &out); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (s *setup) addN(box string, from, n int) {
	for i := from; i < from+n; i++ {
		s.ms.add(box, fmt.Sprintf("AAMk-%d", i), day.Add(time.Duration(i)*time.Minute),
			customerMail(fmt.Sprintf("m%d@customer.test", i), box, fmt.Sprintf("Question %d", i)))
	}
}

func TestBackfillThenDeltaSync(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		ctx := s.env.Ctx
		s.addN(fakeAccount, 0, 25) // three pages of 10 (Prefer asks 100; the fake caps nothing, see below)
		conn := s.own(t)
		if err := conn.Backfill(ctx, time.Time{}); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if got := s.inbound(); got != 25 {
			t.Fatalf("inbound after backfill: %d", got)
		}
		if got := s.env.Messages(s.mb); got != 25 {
			t.Fatalf("messages: %d", got)
		}
		if p := s.ms.lastPrefer; p != "odata.maxpagesize=100" || s.ms.mutableIDs != 0 {
			t.Fatalf("Prefer header: %q, %d requests without immutable ids", p, s.ms.mutableIDs)
		}
		st := s.state(t)
		if st["delta"] != true || !strings.Contains(st["link"].(string), "$deltatoken=") && !strings.Contains(st["link"].(string), "%24deltatoken=") {
			t.Fatalf("state after backfill: %v", st)
		}

		// New mail and a deletion: the deltaLink round brings the new ones only.
		s.addN(fakeAccount, 25, 3)
		s.ms.remove(fakeAccount, "AAMk-0")
		if err := conn.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if got := s.inbound(); got != 28 {
			t.Fatalf("inbound after sync: %d", got)
		}
		if n := s.env.Count(`SELECT count(*) FROM inbound WHERE provider_id = 'graph:AAMk-27'`); n != 1 {
			t.Fatalf("occurrence key graph:<id>: %d", n)
		}
		// Nothing new: one call, nothing delivered.
		before := s.ms.requests["/v1.0/me/mailFolders/inbox/messages/delta"]
		if err := conn.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if after := s.ms.requests["/v1.0/me/mailFolders/inbox/messages/delta"]; after != before+1 || s.inbound() != 28 {
			t.Fatalf("idle sync: %d delta calls, %d inbound", after-before, s.inbound())
		}
		status, err := s.env.Store.MailboxSyncStatus(ctx, s.mb)
		if err != nil {
			t.Fatal(err)
		}
		if status.Status != store.SyncOK {
			t.Fatalf("status %+v", status)
		}
	})
}

func TestBackfillSinceFilters(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	s.addN(fakeAccount, 0, 4) // received day+0..3 minutes
	if err := s.own(t).Backfill(s.env.Ctx, day.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := s.inbound(); got != 2 {
		t.Fatalf("since day+2m: %d messages, want 2", got)
	}
}

// failingReceiver commits until it has failed once at message n.
type failingReceiver struct {
	next  mailbox.Receiver
	n     int
	calls int
}

func (f *failingReceiver) Receive(ctx context.Context, r ticket.Received) (int64, error) {
	f.calls++
	if f.calls == f.n {
		return 0, errors.New("disk full")
	}
	return f.next.Receive(ctx, r)
}

// The link is saved only after every message before it was committed: a
// failure in the middle of a page resumes at that page, and nothing is lost
// or doubled.
func TestLinkSavedOnlyAfterCommit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		ctx := s.env.Ctx
		s.addN(fakeAccount, 0, 3)
		if err := s.own(t).Backfill(ctx, time.Time{}); err != nil {
			t.Fatal(err)
		}
		deltaLink := s.state(t)["link"]
		s.addN(fakeAccount, 3, 3)
		conn := s.build(t, &failingReceiver{next: s.env.Svc, n: 2})
		if err := conn.Sync(ctx); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("sync with a failing receiver: %v", err)
		}
		if got := s.state(t)["link"]; got != deltaLink {
			t.Fatalf("the deltaLink moved past uncommitted messages: %v, was %v", got, deltaLink)
		}
		if got := s.inbound(); got != 4 {
			t.Fatalf("inbound after the failure: %d", got)
		}
		if err := s.build(t, nil).Sync(ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		// The message committed before the failure comes again (its page is
		// fetched again) and is merged: six messages, each one occurrence.
		occ := s.env.Count(`SELECT count(*) FROM message_occurrences`)
		if msgs := s.env.Messages(s.mb); msgs != 6 || occ != 6 {
			t.Fatalf("after resuming: %d messages, %d occurrences", msgs, occ)
		}
	})
}

func TestExpiredDeltaTokenResyncs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		ctx := s.env.Ctx
		s.addN(fakeAccount, 0, 12)
		conn := s.own(t)
		if err := conn.Backfill(ctx, time.Time{}); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		s.ms.expireSyncState()
		s.addN(fakeAccount, 12, 1)
		if err := conn.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if got := s.env.Messages(s.mb); got != 13 {
			t.Fatalf("messages after the re-sync: %d, want 13 (deduped)", got)
		}
		if got := s.env.Count(`SELECT count(*) FROM message_occurrences`); got != 13 {
			t.Fatalf("occurrences after the re-sync: %d, want 13", got)
		}
		if s.state(t)["delta"] != true {
			t.Fatalf("state %v", s.state(t))
		}
	})
}

func TestThrottledCallsWaitAndRetry(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	s.addN(fakeAccount, 0, 2)
	conn := s.own(t)
	s.ms.with(func() { s.ms.throttle = 2 })
	if err := conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if s.ms.throttled != 2 || s.inbound() != 2 {
		t.Fatalf("throttled %d, inbound %d", s.ms.throttled, s.inbound())
	}
}

func TestExpiredAccessTokenRefreshesOnce(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	s.addN(fakeAccount, 0, 1)
	conn := s.own(t)
	if err := conn.Test(s.env.Ctx); err != nil {
		t.Fatal(err)
	}
	s.ms.with(func() { s.ms.expireOnce = true })
	if err := conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if s.ms.refreshN != 2 || s.inbound() != 1 {
		t.Fatalf("refreshes %d (want 2: the first token, then after the 401), inbound %d", s.ms.refreshN, s.inbound())
	}
}

// A token is renewed before it expires (no 401 needed), and the refresh
// token Microsoft rotates is sealed on the mailbox at once.
func TestTokenRenewedBeforeExpiryAndRotationKept(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	conn := s.own(t)
	start := time.Now()
	s.now.Store(&start)
	if err := conn.Test(s.env.Ctx); err != nil {
		t.Fatal(err)
	}
	late := start.Add(3599*time.Second - 4*time.Minute) // inside the 5-minute margin
	s.now.Store(&late)
	if err := conn.Test(s.env.Ctx); err != nil {
		t.Fatal(err)
	}
	if s.ms.refreshN != 2 || s.ms.requests["/v1.0/me/mailFolders/inbox"] != 2 {
		t.Fatalf("refreshes %d, calls %d", s.ms.refreshN, s.ms.requests["/v1.0/me/mailFolders/inbox"])
	}
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := s.env.Box.Open(c.Credentials)
	if err != nil || !strings.Contains(plain, `"refresh_token":"`+s.ms.refresh+`"`) {
		t.Fatalf("the rotated refresh token %s is not the sealed one: %s %v", s.ms.refresh, plain, err)
	}
	// A new connector from the stored credentials works (the fake refuses
	// replaced refresh tokens).
	fresh, err := graph.Factory(s.cfg())(s.env.Ctx, c, s.env.Host(s.mb, fakeAccount))
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Test(s.env.Ctx); err != nil {
		t.Fatalf("connector from the re-sealed credentials: %v", err)
	}
}

func TestRefusedRefreshMarksMailboxInError(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	conn := s.own(t)
	s.ms.with(func() { s.ms.revoked = true })
	err := conn.Sync(s.env.Ctx)
	if !errors.Is(err, graph.ErrAuth) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("sync with a revoked grant: %v", err)
	}
	st, err := s.env.Store.MailboxSyncStatus(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != store.SyncError || !strings.Contains(st.LastError, "reconnect the mailbox") {
		t.Fatalf("mailbox status %+v", st)
	}
}

func TestNotConfigured(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	cfg := s.cfg()
	cfg.App.ClientSecret = ""
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := graph.Factory(cfg)(s.env.Ctx, c, s.env.Host(s.mb, fakeAccount)); !errors.Is(err, graph.ErrNotConfigured) {
		t.Fatalf("factory without a client secret: %v", err)
	}
}

func TestForeignLinkRefused(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	s.addN(fakeAccount, 0, 150)
	s.ms.with(func() { s.ms.foreignNext = true })
	err := s.own(t).Backfill(s.env.Ctx, time.Time{})
	if err == nil || !strings.Contains(err.Error(), "another host refused") {
		t.Fatalf("a nextLink to another host: %v", err)
	}
}

func TestSharedMailboxThroughUsersPath(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	s.addN(fakeAccount, 0, 2) // the agent's own mail must not come in
	s.addN(fakeShared, 100, 3)
	s.ms.with(func() { s.ms.access[fakeShared], s.ms.refreshShared = true, true })
	conn := s.connect(t, graph.Credentials{Account: fakeAccount, Mailbox: fakeShared, Shared: true}, nil)
	if err := conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := s.inbound(); got != 3 || s.ms.requests["/v1.0/users/"+fakeShared+"/mailFolders/inbox/messages/delta"] != 1 {
		t.Fatalf("shared mailbox: %d inbound, requests %v", got, s.ms.requests)
	}
	if err := conn.Send(s.env.Ctx, fakeShared, []string{"erin@customer.test"}, customerMail("r1@ticketer.test", "erin@customer.test", "Re: Question")); err != nil {
		t.Fatal(err)
	}
	if len(s.ms.sent) != 1 || s.ms.sent[0].box != fakeShared {
		t.Fatalf("sent %+v", s.ms.sent)
	}
	// Without Full Access Exchange answers 403: a clear error, nothing delivered.
	s.ms.with(func() { s.ms.access[fakeShared] = false })
	if err := conn.Test(s.env.Ctx); err == nil || !strings.Contains(err.Error(), "ErrorAccessDenied") {
		t.Fatalf("no access: %v", err)
	}
}

func TestSendKeepsOurMIME(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	conn := s.own(t)
	raw := []byte("From: Support <agent@contoso.test>\r\nTo: erin@customer.test\r\nSubject: Re: Invoice\r\n" +
		"Message-ID: <t42.r7@ticketer.test>\r\nIn-Reply-To: <m1@customer.test>\r\nReferences: <m1@customer.test>\r\n" +
		"X-Ticketer-Ticket: 42\r\n\r\nWe fixed it.\r\n")
	if err := conn.Send(s.env.Ctx, fakeAccount, []string{"erin@customer.test"}, raw); err != nil {
		t.Fatal(err)
	}
	if len(s.ms.sent) != 1 || string(s.ms.sent[0].raw) != string(raw) || s.ms.sent[0].contentType != "text/plain" {
		t.Fatalf("sent %+v", s.ms.sent)
	}
	// A message Graph refuses is a permanent failure (no retries).
	err := conn.Send(s.env.Ctx, fakeAccount, nil, []byte("no headers at all"))
	var perm *smtpout.PermanentError
	if !errors.As(err, &perm) || perm.Code != http.StatusBadRequest {
		t.Fatalf("refused MIME: %v", err)
	}
}

// BenchmarkBackfill measures backfill throughput from the fake Graph
// (delta pages of 100, $value per message, Receive into SQLite).
func BenchmarkBackfill(b *testing.B) {
	const n = 1000
	for b.Loop() {
		b.StopTimer()
		env := mailboxtest.NewWith(b, storetest.SQLiteURL(b), mailboxtest.Options{Manual: true})
		s := &setup{env: env, ms: newFakeMicrosoft(b)}
		s.mb = env.Mailbox(fakeAccount, "smtp")
		s.addN(fakeAccount, 0, n)
		conn := s.own(b)
		b.StartTimer()
		start := time.Now()
		if err := conn.Backfill(env.Ctx, time.Time{}); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "msgs/s")
	}
}

// flowSetup serves the connect flow on a test server, with browsers that
// carry a session cookie and follow nothing by themselves.
type flowSetup struct {
	*setup
	flow      *graph.OAuthFlow
	srv       *httptest.Server
	connected int64
}

func newFlow(t *testing.T, dsn string) *flowSetup {
	fs := &flowSetup{setup: newSetup(t, dsn)}
	fs.flow = &graph.OAuthFlow{Config: fs.cfg(), Flow: oauthweb.Flow{Store: fs.env.Store, StateKey: []byte("state-key"), Done: "/admin/mailboxes",
		Session: func(r *http.Request) (string, error) {
			c, err := r.Cookie("session")
			if err != nil {
				return "", err
			}
			return c.Value, nil
		},
		Connected: func(id int64) { fs.connected = id }}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/mailboxes/microsoft/oauth/start", fs.flow.Start)
	mux.HandleFunc("GET /api/v1/mailboxes/microsoft/oauth/callback", fs.flow.Callback)
	fs.srv = httptest.NewServer(mux)
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *flowSetup) browser(session string) *http.Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	u, err := url.Parse(fs.srv.URL)
	if err != nil {
		panic(err) // the test server's own URL
	}
	jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: session}})
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// consent starts the flow and lets the fake identity platform answer: it
// returns the callback URL (on the test server) Microsoft sends back.
func (fs *flowSetup) consent(t *testing.T, c *http.Client, query string) (*url.URL, url.Values) {
	t.Helper()
	resp, err := c.Get(fs.srv.URL + "/api/v1/mailboxes/microsoft/oauth/start?" + query)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("start: %d", resp.StatusCode)
	}
	auth, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err = c.Get(auth.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize refused: %d", resp.StatusCode)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	cb, err := url.Parse(fs.srv.URL + back.Path)
	if err != nil {
		t.Fatal(err)
	}
	cb.RawQuery = back.RawQuery
	q := auth.Query()
	q.Set("tenant_path", auth.Path) // where it went, for the checks
	return cb, q
}

func TestOAuthConnectFlowWithPKCE(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		fs := newFlow(t, dsn)
		alice := fs.browser("alice-session")
		cb, q := fs.consent(t, alice, fmt.Sprintf("mailbox_id=%d&since=2026-01-01", fs.mb))
		if q.Get("tenant_path") != "/"+fakeTenant+"/oauth2/v2.0/authorize" ||
			q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 ||
			q.Get("scope") != "offline_access User.Read Mail.ReadWrite Mail.Send" || q.Get("redirect_uri") != fs.flow.Config.App.RedirectURL {
			t.Fatalf("authorize request: %v", q)
		}
		// The state is bound to the session: another session's callback is refused.
		resp, err := fs.browser("mallory-session").Get(cb.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("foreign session: %d", resp.StatusCode)
		}
		resp, err = alice.Get(cb.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "microsoft=connected") {
			t.Fatalf("callback: %d %s", resp.StatusCode, loc)
		}
		if fs.connected != fs.mb {
			t.Fatalf("connected %d", fs.connected)
		}
		c, err := fs.env.Store.GetConnector(fs.env.Ctx, fs.mb)
		if err != nil {
			t.Fatal(err)
		}
		if c.Provider != graph.Provider || strings.Contains(c.Credentials, fs.ms.refresh) || !c.BackfillSince.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("connector %+v", c)
		}
		plain, err := fs.env.Box.Open(c.Credentials)
		if err != nil || !strings.Contains(plain, fs.ms.refresh) || !strings.Contains(plain, `"account":"`+fakeAccount+`"`) || strings.Contains(plain, `"mailbox"`) {
			t.Fatalf("sealed credentials: %q %v", plain, err)
		}
		if err := fs.build(t, nil).Test(fs.env.Ctx); err != nil {
			t.Fatalf("the connected mailbox: %v", err)
		}
	})
}

func TestOAuthCodeNeedsItsVerifier(t *testing.T) {
	t.Parallel()
	fs := newFlow(t, storetest.SQLiteURL(t))
	alice := fs.browser("alice-session")
	cb, _ := fs.consent(t, alice, fmt.Sprintf("mailbox_id=%d", fs.mb))
	// A code stolen on its way back is useless without the verifier: the
	// state of another attempt (another verifier) does not redeem it.
	other, _ := fs.consent(t, alice, fmt.Sprintf("mailbox_id=%d", fs.mb))
	forged := *cb
	v := cb.Query()
	v.Set("state", other.Query().Get("state"))
	forged.RawQuery = v.Encode()
	resp, err := alice.Get(forged.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "microsoft=error") || !strings.Contains(loc, "AADSTS501481") {
		t.Fatalf("code with another attempt's verifier: %s", loc)
	}
}

func TestOAuthSharedMailbox(t *testing.T) {
	t.Parallel()
	fs := newFlow(t, storetest.SQLiteURL(t))
	shared := fs.env.Mailbox(fakeShared, "smtp")
	alice := fs.browser("alice-session")
	// Without Full Access on the shared mailbox the connection is refused at once.
	cb, q := fs.consent(t, alice, fmt.Sprintf("mailbox_id=%d&shared=true", shared))
	if !strings.Contains(q.Get("scope"), "Mail.ReadWrite.Shared") || !strings.Contains(q.Get("scope"), "Mail.Send.Shared") {
		t.Fatalf("shared scopes: %q", q.Get("scope"))
	}
	resp, err := alice.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "microsoft=error") || !strings.Contains(loc, "Full+Access") {
		t.Fatalf("shared without access: %s", loc)
	}
	fs.ms.with(func() { fs.ms.access[fakeShared] = true })
	cb, _ = fs.consent(t, alice, fmt.Sprintf("mailbox_id=%d&shared=true", shared))
	resp, err = alice.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "microsoft=connected") {
		t.Fatalf("shared: %s", loc)
	}
	c, err := fs.env.Store.GetConnector(fs.env.Ctx, shared)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := fs.env.Box.Open(c.Credentials)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain, `"mailbox":"`+fakeShared+`"`) || !strings.Contains(plain, `"shared":true`) {
		t.Fatalf("shared credentials: %s", plain)
	}
}

func TestOAuthStartRefusals(t *testing.T) {
	t.Parallel()
	fs := newFlow(t, storetest.SQLiteURL(t))
	alice := fs.browser("alice-session")
	for _, tc := range []struct {
		name, query string
		client      *http.Client
		status      int
	}{
		{"no session", fmt.Sprintf("mailbox_id=%d", fs.mb), http.DefaultClient, http.StatusUnauthorized},
		{"no mailbox id", "", alice, http.StatusBadRequest},
		{"unknown mailbox", "mailbox_id=999", alice, http.StatusNotFound},
		{"bad since", fmt.Sprintf("mailbox_id=%d&since=yesterday", fs.mb), alice, http.StatusBadRequest},
		{"bad shared", fmt.Sprintf("mailbox_id=%d&shared=maybe", fs.mb), alice, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.client.Get(fs.srv.URL + "/api/v1/mailboxes/microsoft/oauth/start?" + tc.query)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

func TestOAuthExpiredState(t *testing.T) {
	t.Parallel()
	fs := newFlow(t, storetest.SQLiteURL(t))
	alice := fs.browser("alice-session")
	cb, _ := fs.consent(t, alice, fmt.Sprintf("mailbox_id=%d", fs.mb))
	fs.flow.Now = func() time.Time { return time.Now().Add(16 * time.Minute) }
	resp, err := alice.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("expired state: %d", resp.StatusCode)
	}
}

func TestWatchPollsTheDeltaLink(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	cfg := s.cfg()
	cfg.PollInterval = 20 * time.Millisecond
	b, err := json.Marshal(graph.Credentials{Account: fakeAccount, RefreshToken: s.ms.refresh})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.env.Box.Seal(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.env.Store.SetConnectorSettings(s.env.Ctx, s.mb, graph.Provider, sealed, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := graph.Factory(cfg)(s.env.Ctx, c, s.env.Host(s.mb, fakeAccount))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(s.env.Ctx)
	done := make(chan error, 1)
	go func() { done <- conn.Watch(ctx) }()
	s.addN(fakeAccount, 0, 1)
	s.env.WaitUntil("the first message", func() bool { return s.inbound() == 1 })
	s.addN(fakeAccount, 1, 1)
	s.env.WaitUntil("the message after it", func() bool { return s.inbound() == 2 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watch ended with %v", err)
	}
	// Without a public URL nothing subscribes: polling is all there is.
	if n := s.ms.requestsTo("/v1.0/subscriptions"); n != 0 || len(s.ms.subscriptions()) != 0 {
		t.Fatalf("subscription requests without a public URL: %d", n)
	}
}
