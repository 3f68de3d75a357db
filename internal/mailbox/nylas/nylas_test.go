package nylas_test

import (
	"bytes"
	"compress/gzip"
	"context"
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

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/mailbox/nylas"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// fakeNylas is Nylas API v3 as its references describe it, refusing what
// Nylas refuses:
//   - {"request_id", "data", "next_cursor"} envelopes, page_token
//     pagination, received_after, newest first (v3 "Return all Messages").
//   - fields=raw_mime answers the message as base64url.
//   - A raw MIME send is multipart/form-data with one "mime" part AND the
//     query type=mime (Nylas CLI internal/adapters/nylas/
//     messages_send_raw_test.go). Without type=mime the multipart body is
//     read as a "message" JSON field plus files: refused with 400.
//   - Errors are {"request_id", "error": {"type", "message"}}; a wrong API
//     key answers 401; rate limiting 429 with Retry-After.
//   - Notifications are delivered the way Nylas delivers them (deliver):
//     signed, gzip with Content-Encoding when compressed_delivery is on,
//     and failed unless a 2xx arrives within webhookDeadline.
type fakeNylas struct {
	srv *httptest.Server

	mu       sync.Mutex
	msgs     []fakeMsg
	pageSize int
	throttle int
	calls    map[string]int
	sent     [][]byte
	// holdFetches: a message fetch made while a notification is being
	// delivered lasts until the delivery is over (a provider fetch slower
	// than the deadline: Nylas reading Google, our retries after 429).
	holdFetches bool
	delivering  chan struct{}
}

// webhookDeadline is how long Nylas waits for a webhook's answer before it
// counts the delivery as failed and retries
// (https://developer.nylas.com/docs/v3/notifications/).
const webhookDeadline = 10 * time.Second

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
	mux.HandleFunc("GET /v3/grants/{grant}/messages/{id}", f.slowDuringDelivery(f.auth(f.get)))
	mux.HandleFunc("POST /v3/grants/{grant}/messages/send", f.auth(f.send))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeNylas) with(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
}

func (f *fakeNylas) add(id string, date int64, raw string) {
	f.with(func() { f.msgs = append(f.msgs, fakeMsg{id: id, date: date, raw: []byte(raw)}) })
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

func (f *fakeNylas) slowDuringDelivery(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		wait := f.delivering
		if !f.holdFetches {
			wait = nil
		}
		f.mu.Unlock()
		if wait != nil {
			select {
			case <-wait:
			case <-r.Context().Done():
				return
			}
		}
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
	after, err := strconv.ParseInt(q.Get("received_after"), 10, 64)
	if err != nil && q.Get("received_after") != "" {
		http.Error(w, "bad received_after", http.StatusBadRequest) // a client bug must show
		return
	}
	var match []fakeMsg
	for i := len(f.msgs) - 1; i >= 0; i-- {
		if f.msgs[i].date > after {
			match = append(match, f.msgs[i])
		}
	}
	off, err := strconv.Atoi(q.Get("page_token"))
	if err != nil && q.Get("page_token") != "" {
		http.Error(w, "bad page_token", http.StatusBadRequest)
		return
	}
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
	if r.URL.Query().Get("type") != "mime" {
		// The multipart body is read as a JSON "message" field plus files.
		nerror(w, 400, "invalid_request_error", "message is required: multipart requests carry the message as a JSON 'message' field")
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

// notificationBody is a message.created-style notification as Nylas sends
// it (notification schema: CloudEvents envelope, data.object the message).
func notificationBody(typ, eventID, messageID string) []byte {
	return []byte(`{"specversion":"1.0","type":"` + typ + `","source":"/google/emails/realtime","id":"` + eventID + `","time":1762080001,` +
		`"webhook_delivery_attempt":1,"data":{"application_id":"app-1","object":{"id":"` + messageID + `","grant_id":"` + grant +
		`","object":"message","subject":"Via webhook","body":"Hello."}}}`)
}

// deliver posts a notification to url as Nylas does: signed with secret
// (hex HMAC-SHA256 of the bytes sent), gzip-compressed with
// Content-Encoding: gzip when compressed (compressed_delivery), and
// failed unless a 2xx answer arrives within webhookDeadline.
func (f *fakeNylas) deliver(url, secret string, body []byte, compressed bool) (int, error) {
	done := make(chan struct{})
	f.with(func() { f.delivering = done })
	defer func() {
		f.with(func() { f.delivering = nil })
		close(done)
	}()
	wire := body
	if compressed {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		_, _ = zw.Write(body) // into memory: cannot fail
		_ = zw.Close()
		wire = b.Bytes()
	}
	req, err := http.NewRequest("POST", url, bytes.NewReader(wire))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if compressed {
		req.Header.Set("Content-Encoding", "gzip")
	}
	req.Header.Set("X-Nylas-Signature", sign(secret, wire))
	resp, err := (&http.Client{Timeout: webhookDeadline}).Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

type setup struct {
	env *mailboxtest.Env
	f   *fakeNylas
	mb  int64
	cfg nylas.Config
}

func newSetup(t *testing.T, dsn string) *setup {
	s := &setup{f: newFakeNylas(t)}
	// The webhook's fetch jobs run on the env's workers, as in the app.
	s.env = mailboxtest.NewWith(t, dsn, mailboxtest.Options{Register: func(e *mailboxtest.Env, w *river.Workers) {
		s.cfg = nylas.Config{Secrets: e.Box, PollInterval: time.Hour}
		river.AddWorker(w, &nylas.FetchWorker{Store: e.Store, Receiver: receiverOf(e), Config: s.cfg, Log: e.Log})
	}})
	s.mb = s.env.Mailbox("support@acme.test", "smtp")
	return s
}

// receiverOf reads e.Svc when a job runs (it is set before workers start).
func receiverOf(e *mailboxtest.Env) mailbox.Receiver {
	return receiverFunc(func(ctx context.Context, r ticket.Received) (int64, error) { return e.Svc.Receive(ctx, r) })
}

type receiverFunc func(ctx context.Context, r ticket.Received) (int64, error)

func (f receiverFunc) Receive(ctx context.Context, r ticket.Received) (int64, error) {
	return f(ctx, r)
}

func (s *setup) webhook(t *testing.T) *httptest.Server {
	hook := &nylas.Webhook{Secret: "whsec", Store: s.env.Store, Queue: s.env.Queue, Config: s.cfg, Log: s.env.Log}
	srv := httptest.NewServer(hook)
	t.Cleanup(srv.Close)
	return srv
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
		st, err := s.env.Store.MailboxSyncStatus(s.env.Ctx, s.mb)
		if err != nil {
			t.Fatal(err)
		}
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
		srv := s.webhook(t)

		resp, err := http.Get(srv.URL + "?challenge=abc123")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "abc123" {
			t.Fatalf("challenge: %d %q", resp.StatusCode, b)
		}

		s.f.add("w1", 1762080000, raw("w1", "Via webhook"))
		body := notificationBody("message.created", "evt-1", "w1")
		if code, err := s.f.deliver(srv.URL, "wrong", body, false); err != nil || code != http.StatusUnauthorized {
			t.Fatalf("bad signature: %d %v", code, err)
		}
		if n := s.env.Count(`SELECT count(*) FROM river_job WHERE kind = 'nylas_fetch'`); n != 0 {
			t.Fatal("a refused notification was recorded")
		}
		if code, err := s.f.deliver(srv.URL, "whsec", body, false); err != nil || code != http.StatusOK {
			t.Fatalf("good signature: %d %v", code, err)
		}
		s.env.WaitUntil("the webhook's message", func() bool {
			return s.env.Count(`SELECT count(*) FROM inbound WHERE provider_id = 'nylas:w1'`) == 1
		})
		s.env.Settled()
		if s.env.Messages(s.mb) != 1 {
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

// Nylas waits webhookDeadline for the answer. Fetching the message while
// it waits makes the answer as late as the fetch is slow; the webhook must
// answer once the notification is recorded, and fetch afterwards.
func TestWebhookAnswersWithinDeadline(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.connect(t, apiKey)
	srv := s.webhook(t)
	s.f.add("w2", 1762080000, raw("w2", "Slow provider"))
	s.f.with(func() { s.f.holdFetches = true })
	code, err := s.f.deliver(srv.URL, "whsec", notificationBody("message.created", "evt-2", "w2"), false)
	if err != nil || code != http.StatusOK {
		t.Fatalf("delivery failed (Nylas would retry and degrade the endpoint): %d %v", code, err)
	}
	s.env.WaitUntil("the fetch job", func() bool {
		return s.env.Count(`SELECT count(*) FROM inbound WHERE provider_id = 'nylas:w2'`) == 1
	})
}

// message.created variants (field customisation, Clean Conversations,
// truncation, composed) and compressed_delivery are new mail too; other
// triggers are acknowledged and ignored.
func TestWebhookVariants(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.connect(t, apiKey)
	srv := s.webhook(t)
	tests := []struct {
		typ        string
		compressed bool
		fetched    bool
	}{
		{"message.created", true, true},
		{"message.created.transformed", false, true},
		{"message.created.cleaned", false, true},
		{"message.created.truncated", false, true},
		{"message.created.cleaned.transformed.truncated", true, true},
		{"message.updated", false, false},
		{"message.created.somethingelse", false, false},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s/gzip=%v", tt.typ, tt.compressed), func(t *testing.T) {
			id := fmt.Sprintf("v%d", i)
			s.f.add(id, 1762080000+int64(i), raw(id, tt.typ))
			code, err := s.f.deliver(srv.URL, "whsec", notificationBody(tt.typ, "evt-"+id, id), tt.compressed)
			if err != nil || code != http.StatusOK {
				t.Fatalf("delivery: %d %v", code, err)
			}
			if !tt.fetched {
				if n := s.env.Count(`SELECT count(*) FROM river_job WHERE kind = 'nylas_fetch' AND args LIKE $1`, "%\""+id+"\"%"); n != 0 {
					t.Fatalf("%s must not fetch", tt.typ)
				}
				return
			}
			s.env.WaitUntil(tt.typ, func() bool {
				return s.env.Count(`SELECT count(*) FROM inbound WHERE provider_id = $1`, "nylas:"+id) == 1
			})
		})
	}
}

// Raw MIME goes to /messages/send?type=mime; the fake refuses it without.
func TestSendRawMIME(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	conn := s.connect(t, apiKey)
	msg := []byte("From: support@acme.test\r\nTo: finn@customer.test\r\nSubject: Re: Hi\r\nIn-Reply-To: <m1@customer.test>\r\n\r\nAnswer.\r\n")
	if err := conn.Send(s.env.Ctx, "support@acme.test", []string{"finn@customer.test"}, msg); err != nil {
		t.Fatal(err)
	}
	if len(s.f.sent) != 1 || !bytes.Equal(s.f.sent[0], msg) {
		t.Fatalf("sent %q", s.f.sent)
	}
}

// revoke replaces the mailbox's key with one Nylas refuses and returns a
// fresh connector.
func (s *setup) revoke(t *testing.T) mailbox.Connector {
	t.Helper()
	creds := nylas.Credentials{GrantID: grant, APIKey: "revoked", APIBase: s.f.srv.URL}
	b, err := json.Marshal(creds)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.env.Box.Seal(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.env.Store.SetCredentials(s.env.Ctx, s.mb, sealed); err != nil {
		t.Fatal(err)
	}
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := nylas.Factory(s.cfg)(s.env.Ctx, c, s.env.Host(s.mb, "support@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	return bad
}

func (s *setup) wantMailboxError(t *testing.T, want string) {
	t.Helper()
	st, err := s.env.Store.MailboxSyncStatus(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != store.SyncError || !strings.Contains(st.LastError, want) {
		t.Fatalf("status %+v", st)
	}
}

func TestAuthFailure(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	if err := nylas.Connect(s.env.Ctx, s.env.Store, s.cfg, s.mb, nylas.Credentials{GrantID: grant, APIKey: "wrong", APIBase: s.f.srv.URL}, time.Time{}); err == nil {
		t.Fatal("Connect must check the key")
	}
	s.connect(t, apiKey)
	// The key is revoked: the sync fails with ErrAuth, shown on the mailbox.
	if err := s.revoke(t).Sync(s.env.Ctx); !errors.Is(err, nylas.ErrAuth) {
		t.Fatalf("err %v", err)
	}
	s.wantMailboxError(t, "401")
}

// A refused key on send is the mailbox's problem, not the message's: the
// mailbox shows the error and the message waits for the reconnection.
func TestSendWithRefusedKeyWaits(t *testing.T) {
	s := newSetup(t, storetest.SQLiteURL(t))
	s.connect(t, apiKey)
	err := s.revoke(t).Send(s.env.Ctx, "support@acme.test", nil, []byte("Subject: Re: Hi\r\n\r\nAnswer.\r\n"))
	if !smtpout.IsReconnect(err) || smtpout.IsPermanent(err) {
		t.Fatalf("want a reconnect error, got %v", err)
	}
	s.wantMailboxError(t, "401")
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
