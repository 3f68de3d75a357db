package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"golang.org/x/crypto/argon2"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/portal"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

// clock is the replaceable clock of the services under test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// harness is the real API handler over a real store (either engine), real
// services and a working job queue, behind httptest.
type harness struct {
	t       *testing.T
	ctx     context.Context
	st      *store.Store
	svc     *ticket.Service
	auth    *auth.Service
	portal  *portal.Service
	srv     *httptest.Server
	clock   *clock
	outbox  string
	mailbox int64
	secrets *secret.Box
	live    *live.Broker // presence; listening only with harnessOpts.live

	admin, agent           store.User
	adminToken, agentToken string
}

// envQueue reaches the environment's queue, which exists only once the
// workers are registered.
type envQueue struct{ e *mailboxtest.Env }

func (q envQueue) Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error {
	return q.e.Queue.Enqueue(ctx, tx, args)
}

type harnessOpts struct {
	baseURL       string
	allowDevLogin bool
	// live starts the presence broker (on PostgreSQL it then holds a
	// listening connection, so only the tests that need it ask).
	live bool
	// noSSO leaves single sign-on unmounted; ssoOnly and breakGlass are
	// TICKETER_OIDC_ONLY and TICKETER_OIDC_BREAK_GLASS.
	noSSO      bool
	ssoOnly    bool
	breakGlass string
}

const (
	adminPassword = "admin-password-1"
	agentPassword = "agent-password-1"
)

func newHarness(t *testing.T, dsn string, o harnessOpts) *harness {
	t.Helper()
	h := &harness{t: t, clock: &clock{now: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}}
	var hooks *webhook.Service
	e := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Now: h.clock.Now, Register: func(e *mailboxtest.Env, w *river.Workers) {
		hooks = webhook.New(webhook.Config{Store: e.Store, Queue: envQueue{e}, Secrets: e.Box, Render: httpapi.WebhookRenderer(), Now: h.clock.Now})
		webhook.AddWorkers(w, hooks)
	}})
	ctx, blobs, svc, log := e.Ctx, e.Blobs, e.Svc, e.Log
	h.ctx, h.st, h.svc, h.outbox, h.secrets = ctx, e.Store, svc, e.OutboxDir, e.Box
	var err error
	base := o.baseURL
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	h.auth, err = auth.New(auth.Config{Store: h.st, BaseURL: base, AllowDevLogin: o.allowDevLogin, Logger: log, Now: h.clock.Now, Secrets: e.Box,
		SSOOnly: o.ssoOnly, BreakGlass: o.breakGlass})
	if err != nil {
		t.Fatal(err)
	}
	h.portal = portal.New(portal.Config{Store: h.st, Tickets: svc, BaseURL: base, Logger: log, Now: h.clock.Now})
	// The link mails go out after the answer: wait for them before the
	// outbox directory is removed (cleanups run last registered first).
	t.Cleanup(h.portal.Wait)
	okHandler := func(body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, body) })
	}
	// Stand-ins for the stream and metrics handlers other packages provide:
	// these tests check the routes and their access rules.
	h.live = live.New(h.st.DB(), live.Options{Logger: log, Now: h.clock.Now})
	if o.live {
		if err := h.live.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(h.live.Stop)
	}
	opts := httpapi.Options{Stream: okHandler("stream"), Metrics: okHandler("metrics"),
		GmailOAuthStart: okHandler("gmail start"), GmailOAuthCallback: okHandler("gmail callback"), NylasWebhook: okHandler("nylas webhook"),
		MicrosoftNotifications: okHandler("microsoft notifications"),
		MicrosoftOAuthStart:    okHandler("microsoft start"), MicrosoftOAuthCallback: okHandler("microsoft callback"),
		MailOAuthStart: okHandler("mail oauth start"), MailOAuthCallback: okHandler("mail oauth callback"),
		OIDCStart: okHandler("sso start"), OIDCCallback: okHandler("sso callback")}
	if o.noSSO {
		opts.OIDCStart, opts.OIDCCallback = nil, nil
	}
	h.srv = httptest.NewServer(httpapi.New(httpapi.Deps{Store: h.st, Blobs: blobs, Tickets: svc, Auth: h.auth, Portal: h.portal, Logger: log, Webhooks: hooks, Presence: h.live}, opts))
	t.Cleanup(h.srv.Close)

	if h.mailbox, err = h.st.CreateMailbox(ctx, store.Mailbox{Name: "Acme Support", Address: "support@acme.test", Provider: "smtp",
		AckEnabled: true, CreatedAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	h.admin, h.adminToken = h.fixedUser("admin@acme.test", "Ada Admin", domain.RoleAdmin, cheapHash(adminPassword))
	h.agent, h.agentToken = h.fixedUser("agent@acme.test", "Al Agent", domain.RoleAgent, cheapHash(agentPassword))
	return h
}

// cheapHash is an argon2id hash of password in the form auth stores, with
// the smallest parameters: auth.CheckPassword reads them from the hash, so
// signing in as a harness user is quick, while unknown users and users made
// through the API still cost the real parameters (auth's tests cover those).
func cheapHash(password string) string {
	const memory, iterations, threads = 8, 1, 1
	salt := []byte("harness-salt-16b")
	key := argon2.IDKey([]byte(password), salt, iterations, memory, threads, 32)
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, iterations, threads, b64(salt), b64(key))
}

// fixedUser stores one of the harness's own users with a ready hash of its
// password (what auth.CreateUser would store) and gives it an API token.
func (h *harness) fixedUser(email, name string, role domain.Role, hash string) (store.User, string) {
	h.t.Helper()
	id, err := h.st.CreateUser(h.ctx, store.User{Email: email, Name: name, Role: role, PasswordHash: hash, CreatedAt: h.clock.Now()})
	if err != nil {
		h.t.Fatal(err)
	}
	u, err := h.st.GetUser(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return u, h.token(u)
}

// token gives a user a new API token.
func (h *harness) token(u store.User) string {
	h.t.Helper()
	token, _, err := h.auth.CreateToken(h.ctx, u.ID, "test")
	if err != nil {
		h.t.Fatal(err)
	}
	return token
}

// on is the harness seen from another (sub)test, so that its failures are
// that test's.
func (h *harness) on(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

// user creates a user with a password and an API token.
func (h *harness) user(email, name string, role domain.Role, password string) (store.User, string) {
	h.t.Helper()
	u, err := h.auth.CreateUser(h.ctx, auth.NewUser{Email: email, Name: name, Role: role, Password: password})
	if err != nil {
		h.t.Fatal(err)
	}
	return u, h.token(u)
}

// importMail ingests a raw message (as `ticketer import` does) and returns its ticket.
func (h *harness) importMail(raw string) int64 {
	h.t.Helper()
	res, err := h.svc.Import(h.ctx, h.mailbox, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
	if err != nil {
		h.t.Fatal(err)
	}
	if res.TicketID == 0 {
		h.t.Fatalf("import: no ticket: %+v", res)
	}
	return res.TicketID
}

func (h *harness) newTicket(n int, extraHeaders string) int64 {
	return h.importMail(fmt.Sprintf(`From: Carol Customer <carol@customer.test>
To: support@acme.test
%sSubject: Printer %d is on fire
Message-ID: <t%d@customer.test>
Date: Mon, 2 Nov 2026 09:00:00 +0000

Please help with printer %d.
`, extraHeaders, n, n, n))
}

// client is one caller: a bearer token, a cookie jar, or nobody.
type client struct {
	h     *harness
	token string
	jar   http.CookieJar
	csrf  string // sent as X-CSRF-Token when set
	hdr   map[string]string
}

func (h *harness) anon() *client               { return &client{h: h} }
func (h *harness) bearer(token string) *client { return &client{h: h, token: token} }

func (h *harness) browser() *client {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &client{h: h, jar: jar}
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorOf returns the error object of a response.
func (r response) errorOf(t *testing.T) (code, field string) {
	t.Helper()
	var e struct {
		Error struct {
			Code, Message, Field string
		} `json:"error"`
	}
	r.json(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("not an error body: %s", r.body)
	}
	return e.Error.Code, e.Error.Field
}

func (c *client) do(method, path string, body any) response {
	c.h.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case multipartBody:
		rd, ct = bytes.NewReader(b.data), b.contentType
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.h.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(data), "application/json"
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, rd)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range c.hdr {
		req.Header.Set(k, v)
	}
	hc := &http.Client{Jar: c.jar}
	resp, err := hc.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// must fails the test unless the response has the wanted status.
func (r response) must(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// login signs a browser client in and remembers its CSRF token.
func (h *harness) login(email, password string) *client {
	h.t.Helper()
	c := h.browser()
	r := c.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}).must(h.t, 200)
	var s struct {
		CSRFToken string `json:"csrf_token"`
	}
	r.json(h.t, &s)
	c.csrf = s.CSRFToken
	return c
}

type multipartBody struct {
	data        []byte
	contentType string
}

// waitFor polls cond (a job runs in the background) until a deadline.
// waitFor polls cond for up to a minute: a loaded CI machine has taken over
// 20 s to send a reply that takes a second alone, and a wait ends as soon
// as cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// outboxFile returns the .eml written for a Message-ID, or "".
func (h *harness) outboxFile(messageID string) string {
	entries, err := os.ReadDir(h.outbox)
	if err != nil && !os.IsNotExist(err) { // no outbox yet: nothing sent yet
		h.t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(h.outbox, e.Name()))
		if err == nil && bytes.Contains(data, []byte("Message-ID: <"+messageID+">")) {
			return string(data)
		}
	}
	return ""
}

// eachEngine runs fn with a fresh harness on each engine, both in parallel
// with the other tests (each harness has its own database, clock and server).
func eachEngine(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Helper()
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		fn(t, newHarness(t, dsn, harnessOpts{}))
	})
}
