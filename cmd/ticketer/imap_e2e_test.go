package main

import (
	"net"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/ticketer/ticketer/internal/store/storetest"
)

// checkingIdle makes the memory server look at the mailbox while idling,
// as Dovecot does (on its own it misses mail appended just before IDLE).
type checkingIdle struct{ imapserver.Session }

func (s checkingIdle) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		if err := s.Session.Poll(w, true); err != nil {
			return err
		}
		select {
		case <-stop:
			return nil
		case <-t.C:
		}
	}
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// A mailbox added with --imap is synced by serve: mail already in the
// folder and mail arriving later (IDLE) become tickets.
func TestServeSyncsIMAPMailbox(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		mem := imapmemserver.New()
		user := imapmemserver.NewUser("agent", "secret")
		if err := user.Create("INBOX", nil); err != nil {
			t.Fatal(err)
		}
		mem.AddUser(user)
		srv := imapserver.New(&imapserver.Options{
			NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
				return checkingIdle{mem.NewSession()}, nil, nil
			},
			Caps:         goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapIdle: {}},
			InsecureAuth: true,
			Logger:       nopLogger{},
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = srv.Serve(ln) }()
		t.Cleanup(func() { srv.Close() })
		appendMsg := func(subject string) {
			c, err := imapclient.DialInsecure(ln.Addr().String(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if err := c.Login("agent", "secret").Wait(); err != nil {
				t.Fatal(err)
			}
			raw := "From: Carol <carol@customer.test>\r\nTo: help@acme.test\r\nSubject: " + subject +
				"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@customer.test>\r\n\r\nHello\r\n"
			cmd := c.Append("INBOX", int64(len(raw)), nil)
			if _, err := cmd.Write([]byte(raw)); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := cmd.Wait(); err != nil {
				t.Fatal(err)
			}
		}
		appendMsg("already there")

		s := startServer(t, dsn)
		if _, err := s.cli("", "mailbox", "add", "--name", "Help", "--address", "help@acme.test", "--imap", "imap://agent:bad url@x"); err == nil {
			t.Fatal("a malformed --imap URL must be refused")
		}
		out, err := s.cli("", "mailbox", "add", "--name", "Help", "--address", "help@acme.test",
			"--imap", "imap://agent:secret@"+ln.Addr().String()+"/INBOX?tls=none")
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(out) == "" {
			t.Fatal("mailbox add printed no id")
		}
		waitTicket := func(subject string) {
			t.Helper()
			deadline := time.Now().Add(60 * time.Second)
			for {
				var page struct {
					Items []struct {
						Subject string `json:"subject"`
					} `json:"items"`
				}
				s.get("/api/v1/tickets", &page)
				for _, it := range page.Items {
					if it.Subject == subject {
						return
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("no ticket %q; tickets: %+v", subject, page.Items)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		waitTicket("already there")
		appendMsg("arrived later")
		waitTicket("arrived later")
	})
}
