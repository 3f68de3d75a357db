package nylas_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/mailbox/nylas"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// fakeNylas follows the Nylas v3 formats: {"request_id", "data",
// "next_cursor"} envelopes, page_token pagination, received_after,
// fields=raw_mime (base64url), multipart sends with a "mime" field, and
// {"request_id", "error": {"type", "message"}} errors.
type fakeNylas struct {
	srv *httptest.Server

	mu       sync.Mutex
	msgs     []fakeMsg
	pageSize int
	throttle int
	calls    map[string]int
	sent     [][]byte
}

type fakeMsg struct {
	id   string
	date int64
	raw  []byte
}

const grant = "grant-123"
const apiKey = "nyk_v0_key"

func newFakeNylas(t *testing.T) *fakeNylas {
	f := &fakeNylas{pageSize: 2, calls: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v3/grants/{grant}/messages", f.auth(f.list))
	mux.HandleFunc("GET /v3/grants/{grant}/messages/{id}", f.auth(f.get))
	mux.HandleFunc("POST /v3/grants/{grant}/messages/send", f.auth(f.send))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNylas) add(id string, date int64, raw string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, fakeMsg{id: id, date: date, raw: []byte(raw)})
}

func nerror(w http.ResponseWriter, code int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	fmt.Fprintf(w, `{"request_id":"req-1","error":{"type":%q,"message":%q}}`, typ, msg)
}

func (f *fakeNylas) auth(h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.calls[r.Method+" "+r.URL.Path]++
		if r.Header.Get("Authorization") != "Bearer "+apiKey {
			nerror(w, 401, "unauthorized", "Unauthorized")
			return
		}
		if r.PathValue("grant") != grant {
			nerror(w, 404, "not_found_error", "grant not found")
			return
		}
		if f.throttle > 0 {
			f.throttle--
			w.Header().Set("Retry-After", "1")
			nerror(w, 429, "rate_limit_error", "Too many requests")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		h(w, r)
	}
}

func raw(id, subject string) string {
	return "From: Finn <finn@customer.test>\r\nTo: support@acme.test\r\nSubject: " + subject + "\r\nMessage-ID: <" + id + "@customer.test>\r\n" +
		"Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n"
}

// list answers newest first.
func (f *fakeNylas) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("received_after"), 10, 64)
	var match []fakeMsg
	for i := len(f.msgs) - 1; i >= 0; i-- {
		if f.msgs[i].date > after {
			match = append(match, f.msgs[i])
		}
	}
	off, _ := strconv.Atoi(q.Get("page_token"))
	end := min(off+f.pageSize, len(match))
	data := []map[string]any{}
	for _, m := range match[off:end] {
		data = append(data, map[string]any{"id": m.id, "grant_id": grant, "thread_id": "th-" + m.id, "date": m.date, "object": "message"})
	}
	resp := map[string]any{"request_id": "req-1", "data": data}
	if end < len(match) {
		resp["next_cursor"] = strconv.Itoa(end)
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (f *fakeNylas) get(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("fields") != "raw_mime" {
		nerror(w, 400, "invalid_request_error", "this fake only serves fields=raw_mime")
		return
	}
	for _, m := range f.msgs {
		if m.id == r.PathValue("id") {
			_ = json.NewEncoder(w).Encode(map[string]any{"request_id": "req-1", "data": map[string]any{"id": m.id, "grant_id": grant,
				"object": "message", "raw_mime": base64.URLEncoding.EncodeToString(m.raw)}})
			return
		}
	}
	nerror(w, 404, "not_found_error", "message not found")
}

func (f *fakeNylas) send(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(10 << 20); err != nil {
		nerror(w, 400, "invalid_request_error", err.Error())
		return
	}
	mime := r.FormValue("mime")
	if mime == "" {
		nerror(w, 400, "invalid_request_error", "mime is required")
		return
	}
	f.sent = append(f.sent, []byte(mime))
	_ = json.NewEncoder(w).Encode(map[string]any{"request_id": "req-1", "data": map[string]any{"id": "sent-1", "grant_id": grant}})
}

type setup struct {
	env *mailboxtest.Env
	f   *fakeNylas
	mb  int64
	cfg nylas.Config
}

func newSetup(t *testing.T, dsn string) *setup {
	env := mailboxtest.New(t, dsn)
	s := &setup{env: env, f: newFakeNylas(t)}
	s.mb = env.Mailbox("support@acme.test", "smtp")
	s.cfg = nylas.Config{Secrets: env.Box, PollInterval: time.Hour}
	return s
}

func (s *setup) connect(t *testing.T, key string) *nylas.Conn {
	t.Helper()
	if err := nylas.Connect(s.env.Ctx, s.env.Store, s.cfg, s.mb, nylas.Credentials{GrantID: grant, APIKey: key, APIBase: s.f.srv.URL}, time.Time{}); err != nil {
		t.Fatal(err)
	}
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	if c.Provider != "nylas" || strings.Contains(c.Credentials, key) {
		t.Fatalf("connector %+v: the key must be sealed", c)
	}
	conn, err := nylas.Factory(s.cfg)(s.env.Ctx, c, s.env.Host(s.mb, "support@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	return conn.(*nylas.Conn)
}

func TestBackfillAndPolling(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		for i := range 5 {
			s.f.add(fmt.Sprintf("m%d", i), 1762077600+int64(i), raw(fmt.Sprintf("m%d", i), fmt.Sprintf("Backlog %d", i)))
		}
		conn := s.connect(t, apiKey)
		if err := conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if got := s.env.Messages(s.mb); got != 5 {
			t.Fatalf("messages: %d", got)
		}
		// Two new messages in the same second as the newest seen, and one later.
		s.f.add("m5", 1762077604, raw("m5", "Same second"))
		s.f.add("m6", 1762077700, raw("m6", "Later"))
		s.f.mu.Lock()
		s.f.throttle = 1
		s.f.mu.Unlock()
		if err := conn.Sync(s.env.Ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if got := s.env.Messages(s.mb); got != 7 {
			t.Fatalf("messages after sync: %d", got)
		}
		if n := s.env.Count(`SELECT count(*) FROM inbound`); n != 7 {
			t.Fatalf("a poll must not re-fetch what it saw: %d inbound rows", n)
		}
		if err := conn.Sync(s.env.Ctx); err != nil {
			t.Fatal(err)
		}
		if n := s.env.Count(`SELECT count(*) FROM inbound`); n != 7 {
			t.Fatalf("an idle poll fetched again: %d inbound rows", n)
		}
		st, _ := s.env.Store.MailboxSyncStatus(s.env.Ctx, s.mb)
		if st.Status != store.SyncOK {
			t.Fatalf("status %+v", st)
		}
	})
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestWebhook(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		conn := s.connect(t, apiKey)
		if err := conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
			t.Fatal(err)
		}
		hook := &nylas.Webhook{Secret: "whsec", Store: s.env.Store, Receiver: s.env.Svc, Config: s.cfg}
		srv := httptest.NewServer(hook)
		defer srv.Close()

		resp, err := http.Get(srv.URL + "?challenge=abc123")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "abc123" {
			t.Fatalf("challenge: %d %q", resp.StatusCode, b)
		}

		s.f.add("w1", 1762080000, raw("w1", "Via webhook"))
		body := []byte(`{"specversion":"1.0","type":"message.created","source":"/google/emails/realtime","id":"evt-1","time":1762080001,` +
			`"webhook_delivery_attempt":1,"data":{"application_id":"app-1","object":{"id":"w1","grant_id":"` + grant + `","object":"message","subject":"Via webhook"}}}`)
		post := func(sig string) int {
			req, _ := http.NewRequest("POST", srv.URL, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Nylas-Signature", sig)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if code := post(sign("wrong", body)); code != http.StatusUnauthorized {
			t.Fatalf("bad signature: %d", code)
		}
		if n := s.env.Count(`SELECT count(*) FROM inbound`); n != 0 {
			t.Fatal("a refused notification delivered mail")
		}
		if code := post(sign("whsec", body)); code != http.StatusOK {
			t.Fatalf("good signature: %d", code)
		}
		s.env.Settled()
		if s.env.Messages(s.mb) != 1 || s.env.Count(`SELECT count(*) FROM inbound WHERE provider_id = 'nylas:w1'`) != 1 {
			t.Fatal("the webhook did not deliver the message")
		}
		// The poll that follows sees it too: one message, one occurrence.
		if err := conn.Sync(s.env.Ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if s.env.Messages(s.mb) != 1 || s.env.Count(`SELECT count(*) FROM message_occurrences`) != 1 {
			t.Fatalf("duplicate after webhook + poll: %d messages", s.env.Messages(s.mb))
		}
	})
}

func TestAuthFailureAndSend(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	if err := nylas.Connect(s.env.Ctx, s.env.Store, s.cfg, s.mb, nylas.Credentials{GrantID: grant, APIKey: "wrong", APIBase: s.f.srv.URL}, time.Time{}); err == nil {
		t.Fatal("Connect must check the key")
	}
	conn := s.connect(t, apiKey)
	msg := []byte("From: support@acme.test\r\nTo: finn@customer.test\r\nSubject: Re: Hi\r\nIn-Reply-To: <m1@customer.test>\r\n\r\nAnswer.\r\n")
	if err := conn.Send(s.env.Ctx, "support@acme.test", []string{"finn@customer.test"}, msg); err != nil {
		t.Fatal(err)
	}
	if len(s.f.sent) != 1 || !bytes.Equal(s.f.sent[0], msg) {
		t.Fatalf("sent %q", s.f.sent)
	}
	// The key is revoked: the sync fails with ErrAuth, shown on the mailbox.
	creds := nylas.Credentials{GrantID: grant, APIKey: "revoked", APIBase: s.f.srv.URL}
	b, _ := json.Marshal(creds)
	sealed, _ := s.env.Box.Seal(string(b))
	if err := s.env.Store.SetCredentials(s.env.Ctx, s.mb, sealed); err != nil {
		t.Fatal(err)
	}
	c, _ := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	bad, err := nylas.Factory(s.cfg)(s.env.Ctx, c, s.env.Host(s.mb, "support@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Sync(s.env.Ctx); !errors.Is(err, nylas.ErrAuth) {
		t.Fatalf("err %v", err)
	}
	st, _ := s.env.Store.MailboxSyncStatus(s.env.Ctx, s.mb)
	if st.Status != store.SyncError || !strings.Contains(st.LastError, "401") {
		t.Fatalf("status %+v", st)
	}
}

func TestSignature(t *testing.T) {
	body := []byte(`{"type":"message.created"}`)
	tests := []struct {
		secret, sig string
		want        bool
	}{
		{"s", sign("s", body), true},
		{"s", strings.ToUpper(sign("s", body)), true},
		{"s", sign("t", body), false},
		{"s", "", false},
		{"", sign("", body), false},
	}
	for i, tt := range tests {
		if got := nylas.Valid(tt.secret, body, tt.sig); got != tt.want {
			t.Errorf("case %d: %v", i, got)
		}
	}
}
