package gmail_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/gmail"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
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
	creds, err := json.Marshal(gmail.Credentials{Email: "journal@acme.test", RefreshToken: s.g.refresh})
	if err != nil {
		t.Fatal(err)
	}
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
		st, err := s.env.Store.MailboxSyncStatus(ctx, s.journal)
		if err != nil {
			t.Fatal(err)
		}
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
		c, err := s.env.Store.GetConnector(ctx, s.journal)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(c.SyncState), &state); err != nil {
			t.Fatal(err)
		}
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

func TestTokenExpiry(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.g.add("g1", "t1", journalCopy("a@customer.test", "support@acme.test", "One"))
	if err := s.conn.Test(s.env.Ctx); err != nil {
		t.Fatal(err)
	}
	calls := s.g.tokenCalls
	// 401: the access token expired early; one refresh, then it works.
	s.g.with(func() { s.g.expireOnce = true })
	if err := s.conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if s.g.tokenCalls != calls+1 {
		t.Fatalf("token refreshes: %d, want 1 after the 401", s.g.tokenCalls-calls)
	}
}

// Gmail's usage limits (403 with a rate-limit reason, 429 with
// Retry-After) are waited out and retried; nothing is lost.
func TestRateLimitsAreRetried(t *testing.T) {
	tests := []fakeFailure{
		{status: 403, reason: "userRateLimitExceeded"},
		{status: 403, reason: "rateLimitExceeded"},
		{status: 429, reason: "rateLimitExceeded", retryAfter: "1"},
	}
	for _, fail := range tests {
		t.Run(fmt.Sprintf("%d %s", fail.status, fail.reason), func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, storetest.SQLiteURL(t))
			s.g.add("g1", "t1", journalCopy("a@customer.test", "support@acme.test", "One"))
			s.g.with(func() { s.g.failures = []fakeFailure{fail} })
			if err := s.conn.Sync(s.env.Ctx); err != nil {
				t.Fatal(err)
			}
			s.env.Settled()
			if s.g.failed != 1 || s.env.Messages(s.support) != 1 {
				t.Fatalf("failed answers %d, messages %d", s.g.failed, s.env.Messages(s.support))
			}
		})
	}
}

// On send, a usage limit is temporary (the send job retries with backoff;
// dailyLimitExceeded at once, without waiting in the call), a refusal of
// the request itself is permanent.
func TestSendErrorsTemporaryOrPermanent(t *testing.T) {
	tests := []struct {
		fail      fakeFailure
		permanent bool
	}{
		{fakeFailure{status: 403, reason: "dailyLimitExceeded"}, false},
		{fakeFailure{status: 403, reason: "insufficientPermissions"}, true},
		{fakeFailure{status: 400, reason: "invalidArgument"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.fail.reason, func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, storetest.SQLiteURL(t))
			s.g.with(func() { s.g.failures = []fakeFailure{tt.fail} })
			err := s.conn.Send(s.env.Ctx, "support@acme.test", nil, []byte("Subject: New\r\nMessage-ID: <n@acme.test>\r\n\r\nHi\r\n"))
			if err == nil || smtpout.IsPermanent(err) != tt.permanent || smtpout.IsReconnect(err) {
				t.Fatalf("err %v: permanent %v, want %v", err, smtpout.IsPermanent(err), tt.permanent)
			}
		})
	}
}

// An expired or revoked refresh token (invalid_grant: apps in Testing see
// it after 7 days) stops the sync with ErrAuth and shows "reconnect" with
// Google's reason on the mailbox.
func TestRefreshFailureShowsOnMailbox(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.g.with(func() { s.g.revoked = true })
	err := s.conn.Sync(s.env.Ctx)
	if !errors.Is(err, gmail.ErrAuth) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("err %v", err)
	}
	s.wantReconnect(t)
}

func (s *setup) wantReconnect(t *testing.T) {
	t.Helper()
	st, err := s.env.Store.MailboxSyncStatus(s.env.Ctx, s.journal)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != store.SyncError || !strings.Contains(st.LastError, "reconnect this mailbox") || !strings.Contains(st.LastError, "invalid_grant") ||
		!strings.Contains(st.LastError, "Token has been expired or revoked") || st.ErrorSince.IsZero() {
		t.Fatalf("status %+v", st)
	}
}

// A send with a refused refresh token is the mailbox's problem: it shows
// on the mailbox and the message waits for the reconnection.
func TestSendWithRevokedTokenWaits(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.g.with(func() { s.g.revoked = true })
	err := s.conn.Send(s.env.Ctx, "support@acme.test", nil, []byte("Subject: New\r\nMessage-ID: <n@acme.test>\r\n\r\nHi\r\n"))
	if !smtpout.IsReconnect(err) || smtpout.IsPermanent(err) {
		t.Fatalf("want a reconnect error, got %v", err)
	}
	s.wantReconnect(t)
}

// Our reply subject "Re: Question [#42]" would leave the customer's Gmail
// thread: the Gmail-sent copy says "Re: Question" and lands in it.
func TestSendInThread(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.g.add("g1", "thread-42", journalCopy("q@customer.test", "support@acme.test", "Question"))
	reply := "From: support@acme.test\r\nTo: erin@customer.test\r\nSubject: Re: Question [#42]\r\nMessage-ID: <r1@acme.test>\r\n" +
		"In-Reply-To: <q@customer.test>\r\nReferences: <q@customer.test>\r\nReply-To: support+t42@acme.test\r\n\r\nAnswer.\r\n"
	if err := s.conn.Send(s.env.Ctx, "support@acme.test", []string{"erin@customer.test"}, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	if len(s.g.sent) != 1 || s.g.sent[0].requested != "thread-42" || s.g.sent[0].thread != "thread-42" {
		t.Fatalf("sent %+v: the reply left the customer's thread", s.g.sent)
	}
	want := strings.Replace(reply, "Subject: Re: Question [#42]", "Subject: Re: Question", 1)
	if s.g.sent[0].raw != want {
		t.Fatalf("sent bytes:\n%s\nwant:\n%s", s.g.sent[0].raw, want)
	}
	// A new conversation has no thread.
	if err := s.conn.Send(s.env.Ctx, "support@acme.test", nil, []byte("Subject: New\r\nMessage-ID: <n@acme.test>\r\n\r\nHi\r\n")); err != nil {
		t.Fatal(err)
	}
	if s.g.sent[1].requested != "" || !strings.HasPrefix(s.g.sent[1].thread, "t-new-") {
		t.Fatalf("unexpected thread: %+v", s.g.sent[1])
	}
}

// A reply with attachments may be 25 MiB: more than a JSON send takes.
func TestLargeReplyIsUploaded(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	big := "Subject: Big\r\nMessage-ID: <big@acme.test>\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 6<<20/18)
	if err := s.conn.Send(s.env.Ctx, "support@acme.test", nil, []byte(big)); err != nil {
		t.Fatal(err)
	}
	if len(s.g.sent) != 1 || s.g.sent[0].raw != big || s.g.sent[0].via != "upload" {
		t.Fatalf("sent %d messages (via %v)", len(s.g.sent), s.g.sent)
	}
}

// history.list reports mail added to spam and trash; only the rest is
// ingested (backfill never lists spam either).
func TestHistorySkipsSpamAndTrash(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	ctx := s.env.Ctx
	if err := s.conn.Backfill(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	s.g.addAt("spam1", "t1", journalCopy("spam@spammer.test", "support@acme.test", "You won"), time.Time{}, "SPAM")
	s.g.addAt("trash1", "t2", journalCopy("old@customer.test", "support@acme.test", "Deleted"), time.Time{}, "TRASH")
	s.g.add("ham1", "t3", journalCopy("ham@customer.test", "support@acme.test", "Real question"))
	if err := s.conn.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	s.env.Settled()
	if n := s.env.Count(`SELECT count(*) FROM inbound`); n != 1 || s.env.Messages(s.support) != 1 {
		t.Fatalf("inbound %d, support messages %d: spam or trash was ingested", n, s.env.Messages(s.support))
	}
}

// "after:YYYY/MM/DD" is midnight Pacific: mail between midnight UTC and
// 08:00 UTC of the day would be lost. The backfill asks in epoch seconds.
func TestBackfillSinceIsExact(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	s.g.addAt("before", "t1", journalCopy("before@customer.test", "support@acme.test", "Before"), day.Add(-time.Hour), "INBOX")
	s.g.addAt("early", "t2", journalCopy("early@customer.test", "support@acme.test", "Early"), day.Add(5*time.Hour), "INBOX")
	if err := s.conn.Backfill(s.env.Ctx, day); err != nil {
		t.Fatal(err)
	}
	if got := s.env.Count(`SELECT count(*) FROM inbound WHERE provider_id = 'gmail:early'`); got != 1 {
		t.Fatal("mail received at 05:00 UTC of the since day was not fetched")
	}
	if got := s.env.Count(`SELECT count(*) FROM inbound`); got != 1 {
		t.Fatalf("inbound %d, want only the mail after since", got)
	}
}

// messages.list has no documented order (the fake's is neither newest nor
// oldest first): the backfill delivers oldest first by internalDate.
func TestBackfillOldestFirst(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	var want []string
	for i := range 6 {
		id := fmt.Sprintf("m%d", i)
		s.g.add(id, "t"+id, journalCopy(id+"@customer.test", "support@acme.test", "Message "+id))
		want = append(want, "gmail:"+id)
	}
	listed := listOrder(t, s)
	if slices.Equal(listed, want) || slices.Equal(listed, reversed(want)) {
		t.Fatalf("the fake lists in date order (%v): this test could not fail", listed)
	}
	if err := s.conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := s.inboundOrder(t); !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want oldest first %v", got, want)
	}
}

// An interrupted backfill resumes by the ids it already received: mail
// deleted in between does not shift what is skipped.
func TestBackfillResumesByReceivedIDs(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	for i := range 6 {
		id := fmt.Sprintf("m%d", i)
		s.g.add(id, "t"+id, journalCopy(id+"@customer.test", "support@acme.test", "Message "+id))
	}
	s.g.with(func() { s.g.failRaw["m3"] = true })
	if err := s.conn.Backfill(s.env.Ctx, time.Time{}); err == nil {
		t.Fatal("the backfill must stop at the failing message")
	}
	if got := s.inboundOrder(t); !slices.Equal(got, []string{"gmail:m0", "gmail:m1", "gmail:m2"}) {
		t.Fatalf("before the interruption: %v", got)
	}
	// The oldest, already received, is deleted before the next run.
	s.g.remove("m0")
	s.g.with(func() { delete(s.g.failRaw, "m3") })
	if err := s.conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	want := []string{"gmail:m0", "gmail:m1", "gmail:m2", "gmail:m3", "gmail:m4", "gmail:m5"}
	if got := s.inboundOrder(t); !slices.Equal(got, want) {
		t.Fatalf("after the resume: %v, want %v (each once)", got, want)
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// listOrder is the order of the fake's messages.list answer.
func listOrder(t *testing.T, s *setup) []string {
	t.Helper()
	var ids []string
	s.g.with(func() {
		ms := slices.Clone(s.g.msgs)
		slices.SortFunc(ms, func(a, b fakeMsg) int { return int(hashOf(a.id)%1000) - int(hashOf(b.id)%1000) })
		for _, m := range ms {
			ids = append(ids, "gmail:"+m.id)
		}
	})
	return ids
}

func (s *setup) inboundOrder(t *testing.T) []string {
	t.Helper()
	rows, err := s.env.DB.W().Query(s.env.Ctx, `SELECT provider_id FROM inbound ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestOAuthConnectFlow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		mb := s.env.Mailbox("new@acme.test", "smtp")
		connected := int64(0)
		flow := &gmail.OAuthFlow{App: gmail.OAuthApp{ClientID: "client-id", ClientSecret: "client-secret",
			RedirectURL: "http://ticketer.test/api/v1/mailboxes/gmail/oauth/callback", AuthURL: "https://accounts.example/auth", TokenURL: s.g.tokenURL()},
			Config: s.cfg(), Flow: oauthweb.Flow{Store: s.env.Store, StateKey: []byte("state-key"), Done: "/mailboxes",
				Session: func(r *http.Request) (string, error) {
					c, err := r.Cookie("session")
					if err != nil {
						return "", err
					}
					return c.Value, nil
				},
				Connected: func(id int64) { connected = id }}}
		mux := http.NewServeMux()
		mux.HandleFunc("GET /api/v1/mailboxes/gmail/oauth/start", flow.Start)
		mux.HandleFunc("GET /api/v1/mailboxes/gmail/oauth/callback", flow.Callback)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		browser := func(session string) *http.Client {
			jar, err := cookiejar.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: session}})
			return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		}
		alice := browser("alice-session")
		resp, err := alice.Get(srv.URL + fmt.Sprintf("/api/v1/mailboxes/gmail/oauth/start?mailbox_id=%d&since=2026-01-01", mb))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
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
		resp, err = mallory.Get(srv.URL + "/api/v1/mailboxes/gmail/oauth/callback?code=code-1&state=" + url.QueryEscape(state))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("foreign session: %d", resp.StatusCode)
		}
		resp, err = alice.Get(srv.URL + "/api/v1/mailboxes/gmail/oauth/callback?code=code-1&state=" + url.QueryEscape(state))
		if err != nil {
			t.Fatal(err)
		}
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
		resp, err = http.Get(srv.URL + fmt.Sprintf("/api/v1/mailboxes/gmail/oauth/start?mailbox_id=%d", mb))
		if err != nil {
			t.Fatal(err)
		}
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
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.journal)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gmail.Factory(cfg)(s.env.Ctx, c, s.env.Host(s.journal, "journal@acme.test")); !errors.Is(err, gmail.ErrNotConfigured) {
		t.Fatalf("err %v", err)
	}
	flow := &gmail.OAuthFlow{App: cfg.App, Flow: oauthweb.Flow{Session: func(*http.Request) (string, error) { return "s", nil }}}
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
	loc, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusFound || loc.Path != "/admin/mailboxes" || loc.Query().Get("gmail") != "error" ||
		!strings.Contains(loc.Query().Get("reason"), "TICKETER_GOOGLE_CLIENT_ID") {
		t.Fatalf("start from a browser without a client: %d %s", rec.Code, rec.Header().Get("Location"))
	}
}
