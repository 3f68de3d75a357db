package gmail_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/gmail"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func journalCopy(msgID, originalTo, subject string) []byte {
	return []byte("Delivered-To: journal@acme.test\r\nX-Original-To: " + originalTo + "\r\n" +
		"From: Erin <erin@customer.test>\r\nTo: " + originalTo + "\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgID + ">\r\n" +
		"Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nHello from Erin.\r\n")
}

type setup struct {
	env                     *mailboxtest.Env
	g                       *fakeGoogle
	journal, support, sales int64
	conn                    *gmail.Conn
}

func newSetup(t *testing.T, dsn string) *setup {
	env := mailboxtest.New(t, dsn)
	s := &setup{env: env, g: newFakeGoogle(t)}
	s.journal = env.Mailbox("journal@acme.test", "gmail")
	s.support = env.Mailbox("support@acme.test", "smtp")
	s.sales = env.Mailbox("sales@acme.test", "smtp")
	s.conn = s.connect(t)
	return s
}

func (s *setup) cfg() gmail.Config {
	return gmail.Config{App: gmail.OAuthApp{ClientID: "client-id", ClientSecret: "client-secret", RedirectURL: "http://ticketer.test/cb",
		TokenURL: s.g.tokenURL()}, Secrets: s.env.Box, APIBase: s.g.apiBase(), PollInterval: time.Hour}
}

// connect builds the connector through the supervisor's factory from sealed credentials.
func (s *setup) connect(t *testing.T) *gmail.Conn {
	creds, _ := json.Marshal(gmail.Credentials{Email: "journal@acme.test", RefreshToken: s.g.refresh})
	sealed, err := s.env.Box.Seal(string(creds))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.env.Store.SetConnectorSettings(s.env.Ctx, s.journal, "gmail", sealed, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.journal)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := gmail.Factory(s.cfg())(s.env.Ctx, c, s.env.Host(s.journal, "journal@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	return conn.(*gmail.Conn)
}

func (s *setup) occurrences(msgID string) int {
	return s.env.Count(`SELECT count(*) FROM message_occurrences o JOIN messages m ON m.id = o.message_id WHERE m.message_id IN ($1, $2)`, msgID, "<"+msgID+">")
}

func TestJournalBackfillAndHistory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		ctx := s.env.Ctx
		// Journal copies: one message to support, delivered as two copies (two
		// recipients journaled), and one to sales: five copies in all over
		// three pages.
		s.g.add("g1", "t1", journalCopy("a@customer.test", "support@acme.test", "Invoice question"))
		s.g.add("g2", "t2", journalCopy("b@customer.test", "support@acme.test", "Two copies"))
		s.g.add("g3", "t2", journalCopy("b@customer.test", "support@acme.test", "Two copies"))
		s.g.add("g4", "t4", journalCopy("c@customer.test", "sales@acme.test", "Pricing"))
		s.g.add("g5", "t5", journalCopy("d@customer.test", "nobody@elsewhere.test", "Unrouted"))
		if err := s.conn.Backfill(ctx, time.Time{}); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if got := s.env.Messages(s.support); got != 2 {
			t.Fatalf("support messages: %d", got)
		}
		if got := s.env.Messages(s.sales); got != 1 {
			t.Fatalf("sales messages: %d", got)
		}
		if got := s.env.Messages(s.journal); got != 1 {
			t.Fatalf("unrouted mail stays on the journal mailbox: %d", got)
		}
		if got := s.occurrences("b@customer.test"); got != 2 {
			t.Fatalf("two journal copies must be one message with two occurrences, got %d", got)
		}
		if n := s.env.Count(`SELECT count(*) FROM inbound WHERE provider_id LIKE 'gmail:%' AND source = 'gmail'`); n != 5 {
			t.Fatalf("inbound: %d", n)
		}
		st, _ := s.env.Store.MailboxSyncStatus(ctx, s.journal)
		if st.Done != 5 || st.Total != 5 {
			t.Fatalf("progress %+v", st)
		}

		// Incremental: history.list from the stored historyId, over pages.
		s.g.add("g6", "t1", journalCopy("e@customer.test", "support@acme.test", "Re: Invoice question"))
		s.g.add("g7", "t7", journalCopy("f@customer.test", "sales@acme.test", "Discount"))
		s.g.add("g8", "t8", journalCopy("g@customer.test", "sales@acme.test", "Bulk order"))
		if err := s.conn.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if s.env.Messages(s.support) != 3 || s.env.Messages(s.sales) != 3 {
			t.Fatalf("after history sync: support %d sales %d", s.env.Messages(s.support), s.env.Messages(s.sales))
		}
		if n := s.g.requests["/gmail/v1/users/me/history"]; n < 2 {
			t.Fatalf("history pages fetched: %d", n)
		}
		var state struct {
			HistoryID string `json:"history_id"`
		}
		c, _ := s.env.Store.GetConnector(ctx, s.journal)
		_ = json.Unmarshal([]byte(c.SyncState), &state)
		if state.HistoryID != fmt.Sprint(s.g.historyID) {
			t.Fatalf("stored historyId %q, want %d", state.HistoryID, s.g.historyID)
		}

		// A historyId Gmail no longer keeps: 404, then a full backfill that dedupes.
		s.g.add("g9", "t9", journalCopy("h@customer.test", "support@acme.test", "After expiry"))
		s.g.with(func() { s.g.minHistory = s.g.historyID + 1 })
		before := s.env.Count(`SELECT count(*) FROM message_occurrences`)
		if err := s.conn.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if s.env.Messages(s.support) != 4 || s.env.Messages(s.sales) != 3 || s.env.Messages(s.journal) != 1 {
			t.Fatalf("after re-backfill: support %d sales %d journal %d", s.env.Messages(s.support), s.env.Messages(s.sales), s.env.Messages(s.journal))
		}
		if after := s.env.Count(`SELECT count(*) FROM message_occurrences`); after != before+1 {
			t.Fatalf("occurrences %d -> %d: the re-backfill must only add the new one", before, after)
		}
	})
}

func TestTokenExpiryAndRateLimit(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.g.add("g1", "t1", journalCopy("a@customer.test", "support@acme.test", "One"))
	if err := s.conn.Test(s.env.Ctx); err != nil {
		t.Fatal(err)
	}
	calls := s.g.tokenCalls
	// 401: the access token expired early; one refresh, then it works.
	s.g.with(func() { s.g.expireOnce = true })
	// 429 twice with Retry-After: waited for and retried.
	if err := s.conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if s.g.tokenCalls != calls+1 {
		t.Fatalf("token refreshes: %d, want 1 after the 401", s.g.tokenCalls-calls)
	}
	s.g.with(func() { s.g.throttle = 2 })
	s.g.add("g2", "t2", journalCopy("b@customer.test", "support@acme.test", "Two"))
	if err := s.conn.Sync(s.env.Ctx); err != nil {
		t.Fatal(err)
	}
	if s.g.throttled != 2 {
		t.Fatalf("throttled answers: %d", s.g.throttled)
	}
	s.env.Settled()
	if s.env.Messages(s.support) != 2 {
		t.Fatalf("messages: %d", s.env.Messages(s.support))
	}
}

// A revoked refresh token stops the sync with ErrAuth, shown on the mailbox.
func TestRefreshFailureShowsOnMailbox(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.g.with(func() { s.g.revoked = true })
	err := s.conn.Sync(s.env.Ctx)
	if !errors.Is(err, gmail.ErrAuth) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("err %v", err)
	}
	st, _ := s.env.Store.MailboxSyncStatus(s.env.Ctx, s.journal)
	if st.Status != store.SyncError || !strings.Contains(st.LastError, "reconnect") || st.ErrorSince.IsZero() {
		t.Fatalf("status %+v", st)
	}
}

func TestSendInThread(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.g.add("g1", "thread-42", journalCopy("q@customer.test", "support@acme.test", "Question"))
	reply := "From: support@acme.test\r\nTo: erin@customer.test\r\nSubject: Re: Question\r\nMessage-ID: <r1@acme.test>\r\n" +
		"In-Reply-To: <q@customer.test>\r\nReferences: <q@customer.test>\r\n\r\nAnswer.\r\n"
	if err := s.conn.Send(s.env.Ctx, "support@acme.test", []string{"erin@customer.test"}, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	if len(s.g.sent) != 1 || s.g.sent[0]["threadId"] != "thread-42" {
		t.Fatalf("sent %+v", s.g.sent)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s.g.sent[0]["raw"], "="))
	if err != nil || string(raw) != reply {
		t.Fatalf("raw %q %v", raw, err)
	}
	// A new conversation has no thread.
	if err := s.conn.Send(s.env.Ctx, "support@acme.test", nil, []byte("Subject: New\r\nMessage-ID: <n@acme.test>\r\n\r\nHi\r\n")); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.g.sent[1]["threadId"]; ok {
		t.Fatalf("unexpected thread: %+v", s.g.sent[1])
	}
}

func TestOAuthConnectFlow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		mb := s.env.Mailbox("new@acme.test", "smtp")
		connected := int64(0)
		flow := &gmail.OAuthFlow{App: gmail.OAuthApp{ClientID: "client-id", ClientSecret: "client-secret",
			RedirectURL: "http://ticketer.test/api/v1/mailboxes/gmail/oauth/callback", AuthURL: "https://accounts.example/auth", TokenURL: s.g.tokenURL()},
			Store: s.env.Store, Config: s.cfg(), StateKey: []byte("state-key"), Done: "/mailboxes",
			Session: func(r *http.Request) (string, error) {
				c, err := r.Cookie("session")
				if err != nil {
					return "", err
				}
				return c.Value, nil
			},
			Connected: func(id int64) { connected = id }}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /api/v1/mailboxes/gmail/oauth/start", flow.Start)
		mux.HandleFunc("GET /api/v1/mailboxes/gmail/oauth/callback", flow.Callback)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		browser := func(session string) *http.Client {
			jar, _ := cookiejar.New(nil)
			u, _ := url.Parse(srv.URL)
			jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: session}})
			return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		}
		alice := browser("alice-session")
		resp, err := alice.Get(srv.URL + fmt.Sprintf("/api/v1/mailboxes/gmail/oauth/start?mailbox_id=%d&since=2026-01-01", mb))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		q := loc.Query()
		if resp.StatusCode != http.StatusFound || loc.Host != "accounts.example" || q.Get("access_type") != "offline" || q.Get("prompt") != "consent" ||
			q.Get("client_id") != "client-id" || !strings.Contains(q.Get("scope"), "gmail.readonly") || !strings.Contains(q.Get("scope"), "gmail.send") ||
			q.Get("redirect_uri") != flow.App.RedirectURL || q.Get("state") == "" {
			t.Fatalf("consent redirect: %d %s", resp.StatusCode, loc)
		}
		state := q.Get("state")
		s.g.with(func() { s.g.codes["code-1"] = true })
		// The state is bound to the session: another session's callback is refused.
		mallory := browser("mallory-session")
		resp, _ = mallory.Get(srv.URL + "/api/v1/mailboxes/gmail/oauth/callback?code=code-1&state=" + url.QueryEscape(state))
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("foreign session: %d", resp.StatusCode)
		}
		resp, _ = alice.Get(srv.URL + "/api/v1/mailboxes/gmail/oauth/callback?code=code-1&state=" + url.QueryEscape(state))
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "/mailboxes?") ||
			!strings.Contains(resp.Header.Get("Location"), "gmail=connected") {
			t.Fatalf("callback: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if connected != mb {
			t.Fatalf("connected %d", connected)
		}
		c, err := s.env.Store.GetConnector(s.env.Ctx, mb)
		if err != nil {
			t.Fatal(err)
		}
		if c.Provider != "gmail" || strings.Contains(c.Credentials, s.g.refresh) || !c.BackfillSince.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
			t.Fatalf("connector %+v", c)
		}
		plain, err := s.env.Box.Open(c.Credentials)
		if err != nil || !strings.Contains(plain, s.g.refresh) || !strings.Contains(plain, "journal@acme.test") {
			t.Fatalf("sealed credentials: %q %v", plain, err)
		}
		// Without a session nothing starts.
		resp, _ = http.Get(srv.URL + fmt.Sprintf("/api/v1/mailboxes/gmail/oauth/start?mailbox_id=%d", mb))
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("no session: %d", resp.StatusCode)
		}
	})
}

func TestNotConfigured(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	cfg := s.cfg()
	cfg.App.ClientID = ""
	c, _ := s.env.Store.GetConnector(s.env.Ctx, s.journal)
	if _, err := gmail.Factory(cfg)(s.env.Ctx, c, s.env.Host(s.journal, "journal@acme.test")); !errors.Is(err, gmail.ErrNotConfigured) {
		t.Fatalf("err %v", err)
	}
	flow := &gmail.OAuthFlow{App: cfg.App, Session: func(*http.Request) (string, error) { return "s", nil }}
	rec := httptest.NewRecorder()
	flow.Start(rec, httptest.NewRequest("GET", "/api/v1/mailboxes/gmail/oauth/start?mailbox_id=1", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "TICKETER_GOOGLE_CLIENT_ID") {
		t.Fatalf("start without a client: %d %s", rec.Code, rec.Body)
	}
	// A browser following the UI's link goes back to the UI with the reason.
	flow.Done = "/admin/mailboxes"
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/mailboxes/gmail/oauth/start?mailbox_id=1", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	flow.Start(rec, req)
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusFound || loc.Path != "/admin/mailboxes" || loc.Query().Get("gmail") != "error" ||
		!strings.Contains(loc.Query().Get("reason"), "TICKETER_GOOGLE_CLIENT_ID") {
		t.Fatalf("start from a browser without a client: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}
