package smtpout_test

import (
	"crypto/x509"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout/smtpouttest"
)

func TestParseRelayURL(t *testing.T) {
	t.Parallel()
	ca := smtpouttest.NewCA(t)
	cases := []struct {
		url  string
		want smtpout.RelayConfig
	}{
		{"smtp://relay.example.com", smtpout.RelayConfig{TLS: smtpout.TLSOpportunistic, Host: "relay.example.com", Port: 587}},
		{"smtp://u:p%40ss@relay.example.com:2525?tls=starttls", smtpout.RelayConfig{TLS: smtpout.TLSStartTLS, Host: "relay.example.com", Port: 2525, Username: "u", Password: "p@ss"}},
		{"smtp://127.0.0.1:25?tls=none", smtpout.RelayConfig{TLS: smtpout.TLSNone, Host: "127.0.0.1", Port: 25}},
		{"smtp://localhost:25?tls=none", smtpout.RelayConfig{TLS: smtpout.TLSNone, Host: "localhost", Port: 25}},
		{"smtp://[::1]:25?tls=opportunistic", smtpout.RelayConfig{TLS: smtpout.TLSOpportunistic, Host: "::1", Port: 25}},
		{"smtps://relay.example.com?insecure=1&helo=desk.acme.test", smtpout.RelayConfig{TLS: smtpout.TLSImplicit, Host: "relay.example.com", Port: 465, InsecureSkipVerify: true, HeloName: "desk.acme.test"}},
		{"smtp://relay.example.com?ca=" + ca.CAFile + "&helo=[192.0.2.7]", smtpout.RelayConfig{TLS: smtpout.TLSOpportunistic, Host: "relay.example.com", Port: 587, CAFile: ca.CAFile, HeloName: "[192.0.2.7]"}},
		{"smtp://relay.example.com?insecure=0", smtpout.RelayConfig{TLS: smtpout.TLSOpportunistic, Host: "relay.example.com", Port: 587}},
		{"smtp://relay.example.com:1", smtpout.RelayConfig{TLS: smtpout.TLSOpportunistic, Host: "relay.example.com", Port: 1}},
		{"smtp://relay.example.com:65535", smtpout.RelayConfig{TLS: smtpout.TLSOpportunistic, Host: "relay.example.com", Port: 65535}},
		{"smtp://relay.example.com?helo=" + helo253, smtpout.RelayConfig{TLS: smtpout.TLSOpportunistic, Host: "relay.example.com", Port: 587, HeloName: helo253}},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			got, err := smtpout.ParseRelayURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
			if err := got.Check(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseRelayURLRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct{ url, errHas string }{
		{"http://relay.example.com", "scheme must be smtp or smtps"},
		{"smtp://", "host is missing"},
		{"smtp://relay.example.com:99999", "bad port"},
		{"smtp://relay.example.com:0", "bad port"},
		{"smtp://relay.example.com:65536", "bad port"},
		{"smtp://relay.example.com/inbox", "no path"},
		{"smtp://relay.example.com?tls=maybe", `tls must be starttls, opportunistic or none, got "maybe"`},
		{"smtp://relay.example.com?tls=none", "tls=none is only allowed for a relay on this machine"},
		{"smtp://10.0.0.1?tls=none", "tls=none is only allowed"},
		{"smtps://relay.example.com?tls=starttls", "smtps:// is always TLS"},
		{"smtp://relay.example.com?insecure=yes", `insecure must be 1 or 0, got "yes"`},
		{"smtp://relay.example.com?ca=ca.pem", "ca must be an absolute path"},
		{"smtp://127.0.0.1?tls=none&insecure=1", "mean nothing with tls=none"},
		{"smtp://relay.example.com?helo=localhost", "helo must be a domain name (not localhost)"},
		{"smtp://relay.example.com?helo=" + helo253 + "d", "helo must be a domain name"}, // 254 characters
		{"smtp://relay.example.com?helo=bad_name!", "helo must be a domain name"},
		{"smtp://relay.example.com?helo=[not-an-ip]", "helo must be"},
		{"smtp://relay.example.com?starttls=1", `unknown option "starttls"`},
		{"smtp://relay.example.com?tls=none&tls=starttls", "option tls given 2 times"},
		{"smtp://user:hunter2@relay.example.com:bad", "relay url"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			t.Parallel()
			_, err := smtpout.ParseRelayURL(tc.url)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("got %v, want an error containing %q", err, tc.errHas)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
}

func TestCheckCAFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, path, errHas string }{
		{"missing", "/nonexistent/ca.pem", "no such file"},
		{"not PEM", "/etc/hostname", "no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rc, err := smtpout.ParseRelayURL("smtp://relay.example.com?ca=" + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if err := rc.Check(); err == nil || !strings.Contains(err.Error(), tc.errHas) {
				t.Fatalf("got %v, want %q", err, tc.errHas)
			}
		})
	}
}

func TestDefaultHelo(t *testing.T) {
	t.Parallel()
	cases := []struct{ base, mailbox, want string }{
		{"https://help.acme.test", "support@acme.test", "help.acme.test"},
		{"http://help.acme.test:8080/desk", "support@acme.test", "help.acme.test"},
		{"http://127.0.0.1:8080", "support@acme.test", "acme.test"},
		{"http://localhost:8080", "support@acme.test", "acme.test"},
		{"http://127.0.0.1:8080", "support@localhost", ""},
		{"", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.base+" "+tc.mailbox, func(t *testing.T) {
			t.Parallel()
			if got := smtpout.DefaultHelo(tc.base, tc.mailbox); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWarning(t *testing.T) {
	t.Parallel()
	insecure, _ := smtpout.ParseRelayURL("smtp://relay.example.com?insecure=1")
	verified, _ := smtpout.ParseRelayURL("smtp://relay.example.com")
	if !strings.Contains(insecure.Warning(), "not verified") || verified.Warning() != "" {
		t.Fatalf("warnings %q / %q", insecure.Warning(), verified.Warning())
	}
}

// helo253 is a domain name of 253 characters, the most a name may have.
var helo253 = strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61)

// The relay's own CA is added to the system's roots, not put in their place
// (a relay behind a public certificate keeps working).
func TestLoadCAFileKeepsSystemRoots(t *testing.T) {
	t.Parallel()
	ca := smtpouttest.NewCA(t)
	want, err := x509.SystemCertPool()
	if err != nil {
		t.Fatal(err)
	}
	if want.Equal(x509.NewCertPool()) {
		t.Fatal("this machine has no system roots: the test cannot tell them from none")
	}
	want.AppendCertsFromPEM(ca.CertPEM)
	got, err := smtpout.LoadCAFile(ca.CAFile)
	if err != nil || !got.Equal(want) {
		t.Fatalf("LoadCAFile = %v; want the system roots and the CA", err)
	}
}
