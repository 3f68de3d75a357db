package imap_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/mailbox/imap/imaptest"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// waitFor is how long a test waits for an asynchronous outcome before
// failing; it bounds a hang, it does not measure speed.
const waitFor = 60 * time.Second

// server is an IMAP account the tests write to through IMAP itself, so the
// same scenarios run against the in-memory server and Dovecot.
type server struct {
	addr, user, pass string
}

func (s server) client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		t.Fatalf("dial test server: %v", err)
	}
	if err := c.Login(s.user, s.pass).Wait(); err != nil {
		t.Fatalf("login test server: %v", err)
	}
	return c
}

func (s server) appendMsgs(t testing.TB, folder string, msgs ...[]byte) {
	t.Helper()
	imaptest.Append(t, s.addr, s.user, s.pass, folder, msgs...)
}

// recreate deletes and creates a folder: the server gives it a new UIDVALIDITY.
func (s server) recreate(t testing.TB, folder string) {
	t.Helper()
	c := s.client(t)
	defer c.Close()
	if err := c.Delete(folder).Wait(); err != nil {
		t.Fatalf("delete %s: %v", folder, err)
	}
	if err := c.Create(folder, nil).Wait(); err != nil {
		t.Fatalf("create %s: %v", folder, err)
	}
}

func (s server) create(t testing.TB, folder string) {
	t.Helper()
	c := s.client(t)
	defer c.Close()
	if err := c.Create(folder, nil).Wait(); err != nil {
		t.Fatalf("create %s: %v", folder, err)
	}
}

func (s server) uidValidity(t testing.TB, folder string) uint32 {
	t.Helper()
	c := s.client(t)
	defer c.Close()
	d, err := c.Select(folder, &goimap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return d.UIDValidity
}

// proxy forwards TCP to the server and can cut every connection: a
// dropped connection.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	links  []*link
}

type link struct {
	a, b   net.Conn
	closed atomic.Bool
}

func (l *link) close() {
	l.closed.Store(true)
	l.a.Close()
	l.b.Close()
}

// pipe copies src to dst.
func (l *link) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				l.close()
				return
			}
		}
		if err != nil {
			l.close()
			return
		}
	}
}

func newProxy(t testing.TB, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			l := &link{a: c, b: up}
			p.mu.Lock()
			p.links = append(p.links, l)
			p.mu.Unlock()
			go l.pipe(up, c)
			go l.pipe(c, up)
		}
	}()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// cut closes every open connection and returns how many there were.
func (p *proxy) cut() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.links {
		if !l.closed.Load() {
			n++
		}
		l.close()
	}
	p.links = nil
	return n
}

// harness is Ticketer's side (mailboxtest's store and ticket service with
// working ingestion jobs) and a supervisor running one IMAP mailbox.
type harness struct {
	t    testing.TB
	ctx  context.Context
	db   *store.DB
	st   *store.Store
	svc  *ticket.Service
	box  *secret.Box
	log  *slog.Logger
	mb   int64
	tune func(*imap.Config)
	// tokens serves auth=oauth (nil: none).
	tokens imap.Tokens
	stop   func()
}

func newHarness(t testing.TB, dsn, imapURL string, tune func(*imap.Config)) *harness {
	t.Helper()
	e := mailboxtest.New(t, dsn)
	h := &harness{t: t, ctx: e.Ctx, db: e.DB, st: e.Store, svc: e.Svc, box: e.Box, log: e.Log, tune: tune}
	sealed, err := h.box.Seal(imapURL)
	if err != nil {
		t.Fatal(err)
	}
	if h.mb, err = h.st.CreateMailbox(h.ctx, store.Mailbox{Name: "Support", Address: "support@acme.test", Provider: "imap", IMAP: sealed,
		AckEnabled: true, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return h
}

// start runs a supervisor until stop (or the test's end).
func (h *harness) start() {
	h.t.Helper()
	if h.stop != nil {
		h.t.Fatal("supervisor already running")
	}
	sup := mailbox.NewSupervisor(mailbox.Config{Store: h.st, Receiver: h.svc, Secrets: h.box, Logger: h.log,
		Factories:  map[string]mailbox.Factory{"imap": imap.Factory(h.box, h.tokens, h.tune)},
		LeaseTTL:   3 * time.Second,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond})
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := sup.Run(ctx); err != nil {
			h.t.Errorf("supervisor: %v", err)
		}
	}()
	h.stop = func() { cancel(); <-done; h.stop = nil }
	h.t.Cleanup(func() {
		if h.stop != nil {
			h.stop()
		}
	})
}

func (h *harness) count(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.db.W().QueryRow(h.ctx, query, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

type counts struct{ inbound, messages, tickets, occurrences, failed, pending int }

func (h *harness) counts() counts {
	return counts{
		inbound:     h.count(`SELECT count(*) FROM inbound`),
		messages:    h.count(`SELECT count(*) FROM messages WHERE kind = 'inbound'`),
		tickets:     h.count(`SELECT count(*) FROM tickets`),
		occurrences: h.count(`SELECT count(*) FROM message_occurrences`),
		failed:      h.count(`SELECT count(*) FROM inbound WHERE status = 'failed'`),
		pending:     h.count(`SELECT count(*) FROM inbound WHERE status = 'pending'`),
	}
}

// waitUntil polls cond until it holds, failing with what it last saw.
func (h *harness) waitUntil(what string, cond func(c counts) bool) counts {
	h.t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		c := h.counts()
		if cond(c) {
			return c
		}
		if time.Now().After(deadline) {
			st, _ := h.st.MailboxSyncStatus(h.ctx, h.mb)
			h.t.Fatalf("timed out waiting for %s; counts %+v; mailbox status %+v", what, c, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *harness) ticketWithSubject(subject string) bool {
	return h.count(`SELECT count(*) FROM tickets WHERE subject = $1`, subject) == 1
}

func (h *harness) waitTicket(subject string) {
	h.t.Helper()
	deadline := time.Now().Add(waitFor)
	for !h.ticketWithSubject(subject) {
		if time.Now().After(deadline) {
			st, _ := h.st.MailboxSyncStatus(h.ctx, h.mb)
			h.t.Fatalf("no ticket %q; counts %+v; mailbox status %+v", subject, h.counts(), st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var msgSeq int

// testMsg builds a distinct message with a Message-ID.
func testMsg(subject string) []byte {
	msgSeq++
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Customer %d <customer%d@example.test>\r\n", msgSeq, msgSeq)
	b.WriteString("To: support@acme.test\r\n")
	fmt.Fprintf(&b, "Subject: %s\r\n", subject)
	fmt.Fprintf(&b, "Message-ID: <%s.%d.%d@example.test>\r\n", url.PathEscape(subject), msgSeq, time.Now().UnixNano())
	b.WriteString("Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n")
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
	fmt.Fprintf(&b, "Hello, this is about %s.\r\n", subject)
	return b.Bytes()
}

// unparseable is accepted by IMAP servers but has no header section, so
// ingestion fails on it and keeps it as a failed inbound row.
var unparseable = []byte("this line is not a header and there is no header at all\r\n\r\nbody\r\n")

// runStory is the end-to-end scenario run against each server and engine:
// backlog (with one message that fails to parse), IDLE, a dropped
// connection, a restart, and a UIDVALIDITY change.
func runStory(t *testing.T, srv server, dsn string) {
	folder := "Support"
	srv.create(t, folder)
	var backlog [][]byte
	for i := range 5 {
		backlog = append(backlog, testMsg(fmt.Sprintf("backlog %d", i)))
	}
	backlog = append(backlog[:2], append([][]byte{unparseable}, backlog[2:]...)...)
	srv.appendMsgs(t, folder, backlog...)

	px := newProxy(t, srv.addr)
	u := fmt.Sprintf("imap://%s:%s@%s/%s?tls=none&batch=2", srv.user, srv.pass, px.addr(), folder)
	h := newHarness(t, dsn, u, func(c *imap.Config) {
		// Long intervals: new mail can only arrive in time through IDLE.
		c.PollInterval, c.ResyncInterval = time.Hour, time.Hour
	})
	h.start()

	// Backlog: five tickets, the unparseable one kept as failed, the mailbox goes on.
	// (Counts are read one table at a time while ingestion runs: wait for
	// the whole expected state, not for part of it.)
	h.waitUntil("backlog", func(c counts) bool {
		return c.tickets == 5 && c.failed == 1 && c.inbound == 6 && c.messages == 5 && c.occurrences == 5
	})
	var errText string
	if err := h.db.W().QueryRow(h.ctx, `SELECT error FROM inbound WHERE status = 'failed'`).Scan(&errText); err != nil || errText == "" {
		t.Fatalf("failed inbound must keep its error, got %q (%v)", errText, err)
	}
	st := waitStatus(t, h, func(s store.SyncStatus) bool { return s.Backfilled && s.Status == store.SyncOK })
	if st.Total != 6 || st.Done != 6 {
		t.Fatalf("progress after backlog: %+v", st)
	}

	// IDLE: new mail while watching becomes a ticket.
	srv.appendMsgs(t, folder, testMsg("while idling"))
	h.waitTicket("while idling")

	// Dropped connection: the supervisor reconnects and picks up new mail.
	if n := px.cut(); n == 0 {
		t.Fatal("the connector had no open connection to drop")
	}
	srv.appendMsgs(t, folder, testMsg("after the drop"))
	h.waitTicket("after the drop")
	c := h.counts()
	if c.messages != 7 || c.inbound != 8 {
		t.Fatalf("after reconnect (duplicates?): %+v", c)
	}

	// Restart: a new supervisor resumes from the stored UID: no re-fetch.
	h.stop()
	srv.appendMsgs(t, folder, testMsg("while stopped"))
	h.start()
	h.waitTicket("while stopped")
	c = h.counts()
	if c.messages != 8 || c.inbound != 9 || c.occurrences != 8 {
		t.Fatalf("after restart (re-fetched?): %+v", c)
	}

	// UIDVALIDITY change: the folder is renumbered with the same mail plus one.
	h.stop()
	old := srv.uidValidity(t, folder)
	srv.recreate(t, folder)
	if srv.uidValidity(t, folder) == old {
		t.Fatal("the test server kept the UIDVALIDITY")
	}
	srv.appendMsgs(t, folder, backlog...)
	srv.appendMsgs(t, folder, testMsg("after renumbering"))
	h.start()
	h.waitTicket("after renumbering")
	// The counts are read one table at a time while ingestion commits: wait
	// for the occurrences too, or a read can see the last one not yet there.
	c = h.waitUntil("re-sync", func(c counts) bool { return c.pending == 0 && c.inbound == 9+7 && c.occurrences >= 9+5 })
	if c.messages != 9 || c.tickets != 9 {
		t.Fatalf("UIDVALIDITY re-sync duplicated messages: %+v", c)
	}
	// Every re-fetched message is one more occurrence of the stored one.
	if c.occurrences != 9+5 {
		t.Fatalf("occurrences after re-sync: %+v", c)
	}
	waitStatus(t, h, func(s store.SyncStatus) bool { return s.Status == store.SyncOK && s.LastError == "" })
}

func waitStatus(t testing.TB, h *harness, cond func(store.SyncStatus) bool) store.SyncStatus {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		st, err := h.st.MailboxSyncStatus(h.ctx, h.mb)
		if err != nil {
			t.Fatal(err)
		}
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailbox status never matched: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
