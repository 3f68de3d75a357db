package smtpout_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout/smtpouttest"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
)

const testMail = "From: support@acme.test\r\nTo: alice@customer.test\r\nSubject: hi\r\nMessage-ID: <m1@acme.test>\r\n\r\nHello\r\n"

// relay builds a relay for the URL, pointed at port.
func relay(t *testing.T, rawURL string, port int) *smtpout.Relay {
	t.Helper()
	rc, err := smtpout.ParseRelayURL(fmt.Sprintf(rawURL, port))
	if err != nil {
		t.Fatal(err)
	}
	rc.Timeout = 10 * time.Second
	rc.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	return smtpout.NewRelay(rc)
}

// kind names the class of a send error.
func kind(err error) string {
	switch {
	case err == nil:
		return "ok"
	case smtpout.IsConfig(err):
		return "config"
	case smtpout.IsPermanent(err):
		return "permanent"
	}
	return "temporary"
}

func send(r *smtpout.Relay) (committed bool, err error) {
	err = r.SendCommit(context.Background(), "support@acme.test", []string{"alice@customer.test"}, []byte(testMail),
		func() error { committed = true; return nil })
	return committed, err
}

func TestTLSModes(t *testing.T) {
	t.Parallel()
	ca := smtpouttest.NewCA(t)
	trusted := &tls.Config{Certificates: []tls.Certificate{ca.Server}}
	selfSigned := &tls.Config{Certificates: []tls.Certificate{smtpouttest.SelfSigned(t)}}
	cases := []struct {
		name     string
		starttls *tls.Config // what the server offers (nil: no STARTTLS)
		implicit *tls.Config
		url      string
		want     string // ok, config
		wantTLS  bool
		errHas   string
	}{
		{"required and offered", trusted, nil, "smtp://127.0.0.1:%d?tls=starttls&ca=" + ca.CAFile, "ok", true, ""},
		{"required and absent", nil, nil, "smtp://127.0.0.1:%d?tls=starttls", "config", false, "STARTTLS is required"},
		{"opportunistic and offered", trusted, nil, "smtp://127.0.0.1:%d?tls=opportunistic&ca=" + ca.CAFile, "ok", true, ""},
		{"opportunistic and absent", nil, nil, "smtp://127.0.0.1:%d", "ok", false, ""},
		{"none ignores the offer", trusted, nil, "smtp://127.0.0.1:%d?tls=none", "ok", false, ""},
		{"self-signed refused by default", selfSigned, nil, "smtp://127.0.0.1:%d", "config", false, "certificate is not trusted"},
		{"self-signed refused when required", selfSigned, nil, "smtp://127.0.0.1:%d?tls=starttls", "config", false, "?insecure=1"},
		{"self-signed with insecure=1", selfSigned, nil, "smtp://127.0.0.1:%d?tls=starttls&insecure=1", "ok", true, ""},
		{"private CA without ca=", trusted, nil, "smtp://127.0.0.1:%d?tls=starttls", "config", false, "?ca=/path/ca.pem"},
		{"implicit TLS with ca=", nil, trusted, "smtps://127.0.0.1:%d?ca=" + ca.CAFile, "ok", true, ""},
		{"implicit TLS, untrusted", nil, selfSigned, "smtps://127.0.0.1:%d", "config", false, "not trusted"},
		{"implicit TLS against plain text", nil, nil, "smtps://127.0.0.1:%d", "config", false, "does not speak TLS"},
		{"relay refuses the handshake", &tls.Config{Certificates: []tls.Certificate{ca.Server}, ClientAuth: tls.RequireAnyClientCert}, nil,
			"smtp://127.0.0.1:%d?tls=starttls&ca=" + ca.CAFile, "config", false, "refused the TLS handshake"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.starttls, s.implicit = tc.starttls, tc.implicit
			_, err := send(relay(t, tc.url, s.start()))
			if got := kind(err); got != tc.want || (tc.errHas != "" && !strings.Contains(err.Error(), tc.errHas)) {
				t.Fatalf("got %s (%v), want %s containing %q", got, err, tc.want, tc.errHas)
			}
			_, _, _, msgs, tlsUsed := s.snapshot()
			if tc.want == "ok" && (len(msgs) != 1 || tlsUsed[0] != tc.wantTLS) {
				t.Fatalf("delivered %d, TLS %v; want 1 over TLS=%v", len(msgs), tlsUsed, tc.wantTLS)
			}
			if tc.want != "ok" && len(msgs) != 0 {
				t.Fatalf("delivered %d after a config error", len(msgs))
			}
		})
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, offered, pass, want, mech, errHas string
		authReply                               string
	}{
		{"PLAIN", "PLAIN LOGIN CRAM-MD5", "secret", "ok", "PLAIN", "", ""},
		{"LOGIN", "LOGIN CRAM-MD5", "secret", "ok", "LOGIN", "", ""},
		{"CRAM-MD5", "CRAM-MD5", "secret", "ok", "CRAM-MD5", "", ""},
		{"PLAIN refused", "PLAIN", "wrong", "config", "PLAIN", "AUTH PLAIN refused", ""},
		{"LOGIN refused", "LOGIN", "wrong", "config", "LOGIN", "AUTH LOGIN refused", ""},
		{"CRAM-MD5 refused", "CRAM-MD5", "wrong", "config", "CRAM-MD5", "AUTH CRAM-MD5 refused", ""},
		{"temporary failure", "PLAIN", "secret", "temporary", "", "454", "454 4.7.0 Temporary authentication failure"},
		{"refused with the least 5xx", "PLAIN", "secret", "config", "", "AUTH PLAIN refused (500", "500 5.5.2 Syntax error"},
		{"nothing offered", "", "secret", "config", "", "offers no authentication", ""},
		{"unknown mechanisms only", "GSSAPI NTLM", "secret", "config", "", "none of PLAIN, LOGIN, CRAM-MD5", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.auth, s.user, s.pass = tc.offered, "agent", "secret"
			if tc.authReply != "" {
				s.set("AUTH", tc.authReply)
			}
			_, err := send(relay(t, "smtp://agent:"+tc.pass+"@127.0.0.1:%d", s.start()))
			if got := kind(err); got != tc.want || (tc.errHas != "" && !strings.Contains(err.Error(), tc.errHas)) {
				t.Fatalf("got %s (%v), want %s containing %q", got, err, tc.want, tc.errHas)
			}
			if err != nil && strings.Contains(err.Error(), tc.pass) {
				t.Fatalf("the error shows the password: %v", err)
			}
			if _, _, mechs, _, _ := s.snapshot(); tc.mech != "" && (len(mechs) != 1 || mechs[0] != tc.mech) {
				t.Fatalf("client used %v, want %s", mechs, tc.mech)
			}
		})
	}
}

// TestStepReplies: a 4xx anywhere is temporary; a 5xx is a configuration
// error up to MAIL FROM (no mail of the mailbox can go out) and a failure of
// the message from RCPT on. "sending" is committed just before DATA.
func TestStepReplies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		step          string
		code          string
		want          string
		wantCommitted bool
	}{
		{"greeting", "421 4.3.2 busy", "temporary", false},
		{"greeting", "554 5.3.2 no service for you", "config", false},
		{"EHLO", "421 4.3.2 shutting down", "temporary", false},
		{"EHLO", "550 5.7.1 bad HELO", "config", false},
		{"MAIL", "451 4.7.1 greylisted", "temporary", false},
		{"MAIL", "553 5.7.1 sender not allowed", "config", false},
		{"RCPT", "452 4.2.2 mailbox full", "temporary", false},
		{"RCPT", "550 5.1.1 no such user", "permanent", false},
		{"RCPT", "500 5.5.2 syntax error", "permanent", false}, // the least 5xx
		{"DATA", "451 4.3.0 try later", "temporary", true},
		{"DATA", "554 5.5.1 no valid recipients", "permanent", true},
		{".", "452 4.3.1 out of memory", "temporary", true},
		{".", "554 5.7.1 spam", "permanent", true},
	}
	for _, tc := range cases {
		t.Run(tc.step+" "+tc.code[:3], func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.set(tc.step, tc.code)
			committed, err := send(relay(t, "smtp://127.0.0.1:%d", s.start()))
			if got := kind(err); got != tc.want || !strings.Contains(err.Error(), tc.code[:3]) {
				t.Fatalf("got %s (%v), want %s with %s", got, err, tc.want, tc.code[:3])
			}
			if committed != tc.wantCommitted {
				t.Fatalf("committed %v, want %v", committed, tc.wantCommitted)
			}
			var ce *smtpout.ConfigError
			if errors.As(err, &ce) && !strings.Contains(ce.Error(), "127.0.0.1") {
				t.Fatalf("a config error names the relay: %v", ce)
			}
		})
	}
}

func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	t.Run("during DATA: nothing delivered, retried", func(t *testing.T) {
		t.Parallel()
		s := newServer(t)
		s.dropData = true
		big := testMail + strings.Repeat("0123456789 abcdefghij 0123456789 abcdefghij 0123456789 abcdefghij 0123\r\n", 200_000)
		r := relay(t, "smtp://127.0.0.1:%d", s.start())
		err := r.SendCommit(context.Background(), "support@acme.test", []string{"alice@customer.test"}, []byte(big), nil)
		if kind(err) != "temporary" {
			t.Fatalf("want a temporary error, got %s (%v)", kind(err), err)
		}
	})
	t.Run("at the end of data: maybe delivered, not retried", func(t *testing.T) {
		t.Parallel()
		s := newServer(t)
		s.dropAtDot = true
		_, err := send(relay(t, "smtp://127.0.0.1:%d", s.start()))
		if kind(err) != "permanent" || !strings.Contains(err.Error(), "may have been delivered") {
			t.Fatalf("want permanent 'may have been delivered', got %s (%v)", kind(err), err)
		}
	})
	t.Run("relay down", func(t *testing.T) {
		t.Parallel()
		s := newServer(t)
		port := s.start()
		s.ln.Close()
		if _, err := send(relay(t, "smtp://127.0.0.1:%d", port)); kind(err) != "temporary" {
			t.Fatalf("want temporary, got %s (%v)", kind(err), err)
		}
	})
}

func TestTemporaryThenAccepted(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.set("RCPT", "451 4.7.1 greylisted, come back later", "250 2.1.5 Ok")
	r := relay(t, "smtp://127.0.0.1:%d", s.start())
	if _, err := send(r); kind(err) != "temporary" {
		t.Fatalf("first attempt: want temporary, got %v", err)
	}
	if _, err := send(r); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if _, _, _, msgs, _ := s.snapshot(); len(msgs) != 1 || !strings.Contains(msgs[0], "Message-ID: <m1@acme.test>") {
		t.Fatalf("delivered %q", msgs)
	}
}

func TestHeloName(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, url, want string }{
		{"from the URL", "smtp://127.0.0.1:%d?helo=desk.acme.test", "desk.acme.test"},
		{"address literal when nothing is set", "smtp://127.0.0.1:%d", "[127.0.0.1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			if _, err := send(relay(t, tc.url, s.start())); err != nil {
				t.Fatal(err)
			}
			if _, helos, _, _, _ := s.snapshot(); len(helos) != 1 || helos[0] != tc.want {
				t.Fatalf("EHLO %v, want %s", helos, tc.want)
			}
		})
	}
}

// TestConnectionTest: the test reports what a send would, in the same words,
// including a sender the relay refuses, and sends nothing.
func TestConnectionTest(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.set("MAIL", "553 5.7.1 <support@acme.test>: Sender address rejected: not owned by user")
	r := relay(t, "smtp://127.0.0.1:%d", s.start())
	testErr := r.Test(context.Background(), "support@acme.test")
	_, sendErr := send(r)
	if !smtpout.IsConfig(testErr) || testErr.Error() != sendErr.Error() {
		t.Fatalf("test said %v\nsend said %v", testErr, sendErr)
	}
	s.set("MAIL", "250 2.1.0 Ok")
	if err := r.Test(context.Background(), "support@acme.test"); err != nil {
		t.Fatal(err)
	}
	log, _, _, msgs, _ := s.snapshot()
	if len(msgs) != 0 || !strings.Contains(strings.Join(log, " "), "MAIL RSET QUIT") {
		t.Fatalf("test session %v delivered %d", log, len(msgs))
	}
}

// XOAUTH2: with the URL's access token (auth=xoauth2) or the connected
// account's (auth=oauth, Relay.Token). A refused refresh is the mailbox's
// problem (config: its mail waits), a token endpoint down for now is
// temporary, and the token never travels in plain text.
func TestXOAuth2(t *testing.T) {
	t.Parallel()
	refused := fmt.Errorf("%w: invalid_grant", xoauth.ErrRefused)
	cases := []struct {
		name, url, offered string
		token              func(context.Context) (string, error)
		want, errHas       string
	}{
		{"static token", "smtp://agent:at-static@127.0.0.1:%d?auth=xoauth2", "PLAIN XOAUTH2", nil, "ok", ""},
		{"static token refused", "smtp://agent:at-old@127.0.0.1:%d?auth=xoauth2", "XOAUTH2", nil, "config", "AUTH XOAUTH2 refused"},
		{"connected account", "smtp://agent@127.0.0.1:%d?auth=oauth", "XOAUTH2",
			func(context.Context) (string, error) { return "at-static", nil }, "ok", ""},
		{"refresh refused", "smtp://agent@127.0.0.1:%d?auth=oauth", "XOAUTH2",
			func(context.Context) (string, error) { return "", refused }, "config", "token refresh refused"},
		{"token endpoint down", "smtp://agent@127.0.0.1:%d?auth=oauth", "XOAUTH2",
			func(context.Context) (string, error) { return "", errors.New("connection reset") }, "temporary", "connection reset"},
		{"no account connected", "smtp://agent@127.0.0.1:%d?auth=oauth", "XOAUTH2", nil, "config", "no OAuth account"},
		{"relay without XOAUTH2", "smtp://agent:at-static@127.0.0.1:%d?auth=xoauth2", "PLAIN LOGIN", nil, "config", "does not offer XOAUTH2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.auth, s.user, s.pass = tc.offered, "agent", "at-static"
			r := relay(t, tc.url, s.start())
			r.Token = tc.token
			_, err := send(r)
			if got := kind(err); got != tc.want || (tc.errHas != "" && !strings.Contains(err.Error(), tc.errHas)) {
				t.Fatalf("got %s (%v), want %s containing %q", got, err, tc.want, tc.errHas)
			}
			if err != nil && strings.Contains(err.Error(), "at-") {
				t.Fatalf("the error shows the token: %v", err)
			}
			if _, _, mechs, _, _ := s.snapshot(); tc.want == "ok" && (len(mechs) != 1 || mechs[0] != "XOAUTH2") {
				t.Fatalf("client used %v, want XOAUTH2", mechs)
			}
		})
	}
}

// A token the relay refuses is dropped, so the next send refreshes.
func TestXOAuth2RefusedTokenIsInvalidated(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	s.auth, s.user, s.pass = "XOAUTH2", "agent", "at-2"
	r := relay(t, "smtp://agent@127.0.0.1:%d?auth=oauth", s.start())
	tokens := []string{"at-1", "at-2"}
	r.Token = func(context.Context) (string, error) { return tokens[0], nil }
	r.Invalidate = func() { tokens = tokens[1:] }
	if _, err := send(r); kind(err) != "config" {
		t.Fatalf("first send with the revoked token: %v", err)
	}
	if _, err := send(r); err != nil {
		t.Fatalf("second send, refreshed: %v", err)
	}
}

// The bearer token is never sent unencrypted to another machine.
func TestXOAuth2NeedsTLS(t *testing.T) {
	t.Parallel()
	rc, err := smtpout.ParseRelayURL("smtp://agent:at-static@relay.example.test:587?auth=xoauth2")
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t)
	s.auth, s.user, s.pass = "XOAUTH2", "agent", "at-static"
	port := s.start()
	r := smtpout.NewRelay(rc)
	// relay.example.test resolves here, to the plain-text test server.
	r.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, fmt.Sprintf("127.0.0.1:%d", port))
	}
	_, err = send(r)
	if kind(err) != "config" || !strings.Contains(err.Error(), "never sent in plain text") {
		t.Fatalf("got %v", err)
	}
	if _, _, mechs, _, _ := s.snapshot(); len(mechs) != 0 {
		t.Fatalf("the token was sent: %v", mechs)
	}
}

func TestRelayURLAuth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		url            string
		xoauth2, oauth bool
		errHas         string
	}{
		{"smtp://a%40b.test:tok@h?auth=xoauth2", true, false, ""},
		{"smtp://a%40b.test@h?auth=oauth", true, true, ""},
		{"smtp://a:p@h?auth=password", false, false, ""},
		{"smtp://h?auth=oauth", false, false, "needs the account's address"},
		{"smtp://a@h?auth=kerberos", false, false, "auth must be"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			rc, err := smtpout.ParseRelayURL(tc.url)
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) {
					t.Fatalf("err %v, want %q", err, tc.errHas)
				}
				return
			}
			if err != nil || rc.XOAuth2 != tc.xoauth2 || rc.OAuth != tc.oauth {
				t.Fatalf("%+v %v", rc, err)
			}
		})
	}
}
