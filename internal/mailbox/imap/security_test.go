package imap_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/emersion/go-sasl"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/mailbox/imap/imaptest"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func selfSigned(t testing.TB) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// oauthSession is the memory server's session with XOAUTH2 instead of LOGIN.
type oauthSession struct {
	*imapmemserver.UserSession
	user  *imapmemserver.User
	token string
}

func (s *oauthSession) Login(string, string) error { return imapserver.ErrAuthFailed }

func (s *oauthSession) AuthenticateMechanisms() []string { return []string{"XOAUTH2"} }

func (s *oauthSession) Authenticate(mech string) (sasl.Server, error) {
	return saslFunc(func(resp []byte) ([]byte, bool, error) {
		want := "user=agent@acme.test\x01auth=Bearer " + s.token + "\x01\x01"
		if string(resp) != want {
			return nil, false, errors.New("invalid token")
		}
		s.UserSession = imapmemserver.NewUserSession(s.user)
		return nil, true, nil
	}), nil
}

type saslFunc func([]byte) ([]byte, bool, error)

func (f saslFunc) Next(resp []byte) ([]byte, bool, error) { return f(resp) }

// startSecureServer runs the memory server with STARTTLS offered, or with
// implicit TLS, and XOAUTH2 as the only way in when token is set.
func startSecureServer(t testing.TB, implicit bool, token string) server {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("agent@acme.test", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	tc := selfSigned(t)
	opts := &imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			if token != "" {
				return &oauthSession{user: user, token: token}, nil, nil
			}
			return mem.NewSession(), nil, nil
		},
		Caps:   goimap.CapSet{goimap.CapIMAP4rev1: {}, goimap.CapIMAP4rev2: {}},
		Logger: imaptest.DiscardLogger{},
	}
	if !implicit {
		opts.TLSConfig = tc
	} else {
		opts.InsecureAuth = true // already inside TLS
	}
	srv := imapserver.New(opts)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit {
		ln = tls.NewListener(ln, tc)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return server{addr: ln.Addr().String(), user: "agent@acme.test", pass: "secret"}
}

func TestSecureConnections(t *testing.T) {
	tests := []struct {
		name     string
		implicit bool
		token    string
		url      string
		wantErr  string
	}{
		{name: "starttls", url: "imap://agent%40acme.test:secret@ADDR/INBOX?insecure=1"},
		{name: "implicit tls", implicit: true, url: "imaps://agent%40acme.test:secret@ADDR/INBOX?insecure=1"},
		{name: "xoauth2 over starttls", token: "ya29.good", url: "imap://agent%40acme.test:ya29.good@ADDR/INBOX?insecure=1&auth=xoauth2"},
		{name: "xoauth2 bad token", token: "ya29.good", url: "imap://agent%40acme.test:ya29.bad@ADDR/INBOX?insecure=1&auth=xoauth2", wantErr: "log in"},
		{name: "certificate checked by default", url: "imap://agent%40acme.test:secret@ADDR/INBOX", wantErr: "certificate"},
		{name: "plain refused where the server wants tls", url: "imap://agent%40acme.test:secret@ADDR/INBOX?tls=none", wantErr: "log in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startSecureServer(t, tt.implicit, tt.token)
			cfg, err := imap.ParseURL(strings.Replace(tt.url, "ADDR", srv.addr, 1))
			if err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, storetest.SQLiteURL(t), "imap://x:y@127.0.0.1/INBOX", nil)
			conn := imap.New(cfg, mailbox.NewHost(h.st, h.svc, h.mb, "support@acme.test", slog.New(slog.DiscardHandler)))
			defer conn.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err = conn.Test(ctx)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := conn.Sync(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}
