package imap_test

import (
	"net"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// startMemServer runs go-imap's in-memory server; idle=false leaves IDLE
// out of its capabilities.
func startMemServer(t testing.TB, idle bool) server {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("agent", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	caps := goimap.CapSet{goimap.CapIMAP4rev1: {}}
	if idle {
		caps[goimap.CapIMAP4rev2] = struct{}{}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       discardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return server{addr: ln.Addr().String(), user: "agent", pass: "secret"}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}

func TestMemServerStory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		runStory(t, startMemServer(t, true), dsn)
	})
}

// A server without IDLE is polled.
func TestPollingWithoutIdle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		srv := startMemServer(t, false)
		srv.appendMsgs(t, "INBOX", testMsg("first"))
		h := newHarness(t, dsn, "imap://agent:secret@"+srv.addr+"/INBOX?tls=none", func(c *imap.Config) {
			c.PollInterval = 100 * time.Millisecond
		})
		h.start()
		h.waitTicket("first")
		srv.appendMsgs(t, "INBOX", testMsg("polled"))
		h.waitTicket("polled")
		if c := h.counts(); c.inbound != 2 || c.messages != 2 {
			t.Fatalf("counts: %+v", c)
		}
	})
}

// Wrong credentials put the mailbox in error with the reason and keep retrying.
func TestLoginFailureShowsOnMailbox(t *testing.T) {
	srv := startMemServer(t, true)
	h := newHarness(t, storetest.SQLiteURL(t), "imap://agent:wrong@"+srv.addr+"/INBOX?tls=none", nil)
	h.start()
	st := waitStatus(t, h, func(s store.SyncStatus) bool { return s.Status == store.SyncError })
	if st.ErrorSince.IsZero() || st.LastError == "" {
		t.Fatalf("status: %+v", st)
	}
	first := st.ErrorSince
	// Later failures keep the time of the first one.
	waitStatus(t, h, func(s store.SyncStatus) bool { return s.LastError != "" && s.ErrorSince.Equal(first) })
}
