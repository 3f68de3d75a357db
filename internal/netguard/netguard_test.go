package netguard

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{ // address: allowed by default
		"127.0.0.1": false, "127.8.9.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false,
		"192.168.1.1": false, "169.254.169.254": false, "fe80::1": false, "fc00::1": false, "0.0.0.0": false,
		"::": false, "100.64.0.1": false, "::ffff:127.0.0.1": false, "224.0.0.1": false, "255.255.255.255": false,
		"2002:7f00:1::": false, "93.184.215.14": true, "1.1.1.1": true, "2606:4700::1111": true,
	}
	for addr, want := range cases {
		t.Run(addr, func(t *testing.T) {
			t.Parallel()
			err := Guard{}.Check(netip.MustParseAddr(addr))
			if (err == nil) != want {
				t.Fatalf("Check(%s) = %v, want allowed=%v", addr, err, want)
			}
			if err != nil && !errors.Is(err, ErrForbidden) {
				t.Fatalf("not ErrForbidden: %v", err)
			}
		})
	}
}

func TestAllowList(t *testing.T) {
	t.Parallel()
	g := Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}}
	if err := g.Check(netip.MustParseAddr("10.0.0.7")); err != nil {
		t.Fatal(err)
	}
	if err := g.Check(netip.MustParseAddr("10.0.1.7")); err == nil {
		t.Fatal("outside the allowed prefix but accepted")
	}
}

// TestDialRefusedAtConnectTime: a name (localhost) that resolves to
// loopback is refused when dialled, and through the HTTP client too.
func TestDialRefusedAtConnectTime(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("secret")) }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	if _, err := (Guard{}).Dialer(time.Second).Dial("tcp", "localhost:"+port); !errors.Is(err, ErrForbidden) {
		t.Fatalf("dial localhost: %v, want ErrForbidden", err)
	}
	if _, err := (Guard{}).HTTPClient(time.Second).Get(srv.URL); !errors.Is(err, ErrForbidden) {
		t.Fatalf("GET %s: %v, want ErrForbidden", srv.URL, err)
	}
	allowed := Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	resp, err := allowed.HTTPClient(time.Second).Get(srv.URL)
	if err != nil {
		t.Fatalf("allowed by configuration: %v", err)
	}
	resp.Body.Close()
}
