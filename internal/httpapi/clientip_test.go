package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddr(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		name, peer, xff, want string
		trusted               []netip.Prefix
	}{
		{"no proxies configured: header ignored", "203.0.113.5:4000", "198.51.100.1", "203.0.113.5", nil},
		{"untrusted peer: header ignored", "203.0.113.5:4000", "198.51.100.1", "203.0.113.5", proxies},
		{"trusted peer: the address it saw", "10.1.2.3:4000", "198.51.100.1", "198.51.100.1", proxies},
		{"forged entries left of the real client", "10.1.2.3:4000", "1.2.3.4, 198.51.100.1", "198.51.100.1", proxies},
		{"two proxies", "10.1.2.3:4000", "198.51.100.1, 10.9.9.9", "198.51.100.1", proxies},
		{"trusted peer, no header", "10.1.2.3:4000", "", "10.1.2.3", proxies},
		{"garbage stops the walk", "10.1.2.3:4000", "198.51.100.1, junk", "10.1.2.3", proxies},
		{"IPv6 loopback proxy", "[::1]:4000", "2001:db8::7", "2001:db8::7", proxies},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/api/v1/auth/login", nil)
			r.RemoteAddr = c.peer
			if c.xff != "" {
				r.Header.Set("X-Forwarded-For", c.xff)
			}
			if got := clientAddr(r, c.trusted); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}
