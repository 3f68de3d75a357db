package smtpout

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// TestChooseAuth: the password itself (PLAIN, LOGIN) only goes over TLS or to
// this machine; CRAM-MD5 may go anywhere.
func TestChooseAuth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		offered     string
		private     bool
		want, errAs string
	}{
		{"PLAIN LOGIN CRAM-MD5", true, "PLAIN", ""},
		{"login cram-md5", true, "LOGIN", ""},
		{"CRAM-MD5", true, "CRAM-MD5", ""},
		{"PLAIN LOGIN CRAM-MD5", false, "CRAM-MD5", ""},
		{"PLAIN LOGIN", false, "", "would send the password unencrypted"},
		{"", false, "", "offers no authentication"},
		{"XOAUTH2", true, "", "none of PLAIN, LOGIN, CRAM-MD5 (it offers XOAUTH2)"},
	}
	for _, tc := range cases {
		t.Run(tc.offered, func(t *testing.T) {
			t.Parallel()
			_, got, err := chooseAuth(tc.offered, tc.private, "u", "p")
			if got != tc.want || (tc.errAs == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.errAs)) {
				t.Fatalf("private=%v: got %q, %v; want %q, %q", tc.private, got, err, tc.want, tc.errAs)
			}
		})
	}
}

// TestRelayDefaults: a relay without a timeout waits a minute per step, and
// one without a TLS mode upgrades when STARTTLS is offered.
func TestRelayDefaults(t *testing.T) {
	t.Parallel()
	r := NewRelay(RelayConfig{Host: "relay.example.com", Port: 587})
	if r.cfg.Timeout != time.Minute || r.cfg.TLS != TLSOpportunistic || r.log == nil {
		t.Fatalf("defaults: timeout %v, tls %q", r.cfg.Timeout, r.cfg.TLS)
	}
	r = NewRelay(RelayConfig{Host: "relay.example.com", Port: 587, Timeout: time.Second, TLS: TLSStartTLS})
	if r.cfg.Timeout != time.Second || r.cfg.TLS != TLSStartTLS {
		t.Fatalf("given: timeout %v, tls %q", r.cfg.Timeout, r.cfg.TLS)
	}
}

// TestTLSAlertIsAConfigError: a TLS alert from the relay (it refused our
// handshake) will not pass by retrying.
func TestTLSAlertIsAConfigError(t *testing.T) {
	t.Parallel()
	r := NewRelay(RelayConfig{Host: "relay.example.com", Port: 587})
	alert := &net.OpError{Op: "remote error", Err: errors.New("tls: handshake failure")}
	if err := r.fail("STARTTLS", true, alert); !IsConfig(err) || !strings.Contains(err.Error(), "refused the TLS handshake") {
		t.Fatalf("TLS alert: %v", err)
	}
	other := &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}
	if err := r.fail("DATA", false, other); IsConfig(err) || IsPermanent(err) {
		t.Fatalf("a reset connection is temporary: %v", err)
	}
}

// TestAddressLiteral: the EHLO argument when no name is configured names our
// end of the connection as an RFC 5321 address literal.
func TestAddressLiteral(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 40000}, "[192.0.2.7]"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8::7"), Port: 40000}, "[IPv6:2001:db8::7]"},
		{&net.UnixAddr{Name: "/run/x.sock", Net: "unix"}, "[127.0.0.1]"},
	}
	for _, c := range cases {
		if got := addressLiteral(c.addr); got != c.want {
			t.Errorf("%v: %q, want %q", c.addr, got, c.want)
		}
	}
}
