// Package imaptest runs go-imap's in-memory IMAP server for tests, and
// writes to an account the way a mail client does.
package imaptest

import (
	"net"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"
)

// The account StartMemServer serves.
const (
	User     = "agent"
	Password = "secret"
)

// StartMemServer serves an account with an empty INBOX, without TLS, until
// the test ends, and returns its address; idle offers the IDLE capability.
func StartMemServer(t testing.TB, idle bool) string {
	t.Helper()
	return start(t, idle, nil)
}

// StartXOAuth2Server is StartMemServer (with IDLE) that also offers SASL
// XOAUTH2, as Gmail and Outlook do: accept sees each initial response and
// says whether it logs the account in.
func StartXOAuth2Server(t testing.TB, accept func(initial []byte) bool) string {
	t.Helper()
	return start(t, true, accept)
}

// xoauth2Session adds AUTHENTICATE XOAUTH2 to a session.
type xoauth2Session struct {
	checkingIdle
	accept func([]byte) bool
}

func (s xoauth2Session) AuthenticateMechanisms() []string { return []string{"PLAIN", "XOAUTH2"} }

func (s xoauth2Session) Authenticate(mech string) (sasl.Server, error) {
	switch mech {
	case "PLAIN":
		return sasl.NewPlainServer(func(_, user, pass string) error { return s.Login(user, pass) }), nil
	case "XOAUTH2":
		return saslFunc(func(resp []byte) ([]byte, bool, error) {
			if !s.accept(resp) {
				return nil, false, &goimap.Error{Type: goimap.StatusResponseTypeNo, Code: goimap.ResponseCodeAuthenticationFailed,
					Text: "invalid token"}
			}
			return nil, true, s.Login(User, Password)
		}), nil
	}
	return nil, &goimap.Error{Type: goimap.StatusResponseTypeNo, Text: "SASL mechanism not supported"}
}

type saslFunc func([]byte) ([]byte, bool, error)

func (f saslFunc) Next(resp []byte) ([]byte, bool, error) { return f(resp) }

func start(t testing.TB, idle bool, accept func([]byte) bool) string {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(User, Password)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	caps := goimap.CapSet{goimap.CapIMAP4rev1: {}}
	if idle {
		caps[goimap.CapIdle] = struct{}{}
	}
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if accept != nil {
				return xoauth2Session{checkingIdle{mem.NewSession()}, accept}, nil, nil
			}
			return checkingIdle{mem.NewSession()}, nil, nil
		},
		Caps:         caps,
		InsecureAuth: true,
		Logger:       DiscardLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// Append adds messages to a folder of the account at addr (no TLS).
func Append(t testing.TB, addr, user, password, folder string, msgs ...[]byte) {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatalf("dial test server: %v", err)
	}
	defer c.Close()
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("login test server: %v", err)
	}
	for _, m := range msgs {
		cmd := c.Append(folder, int64(len(m)), nil)
		if _, err := cmd.Write(m); err != nil {
			t.Fatalf("append: %v", err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatalf("append: %v", err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatalf("append to %s: %v", folder, err)
		}
	}
}

// checkingIdle makes the memory server look at the mailbox while idling,
// as Dovecot does: on its own it reports only changes that happen after
// IDLE began, so mail appended in the instant between a command and IDLE
// would wait for the next change.
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

// DiscardLogger silences an imapserver.Server.
type DiscardLogger struct{}

func (DiscardLogger) Printf(string, ...any) {}
