// Package netguard is the one dialer for connections Ticketer makes on a
// user's behalf (relay tests, Nylas and Graph API bases, outgoing
// webhooks): it refuses loopback, private, link-local and other special
// addresses unless configuration allows them, so a configured URL cannot
// reach the server's own ports or its network.
//
// The check runs at connect time on the address actually dialled (after DNS
// resolution, for every address tried), so a name that resolves to a
// public address when validated and to 127.0.0.1 when used is still
// refused.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrForbidden is returned (wrapped) for a refused destination.
var ErrForbidden = errors.New("destination address not allowed")

// Guard decides which addresses may be dialled.
type Guard struct {
	// Allow lists prefixes permitted even though they are special (for
	// example a relay on the LAN, or 127.0.0.0/8 in tests).
	Allow []netip.Prefix
}

// blocked are the special ranges refused by default, beyond what
// netip.Addr's predicates cover.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
	netip.MustParsePrefix("::ffff:0:0/96"),   // mapped: checked unmapped instead
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:10::/28"),    // ORCHID
	netip.MustParsePrefix("2001::/32"),       // Teredo tunnels to anything
	netip.MustParsePrefix("2002::/16"),       // 6to4 tunnels to anything
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
}

// Check returns nil when a may be dialled.
func (g Guard) Check(a netip.Addr) error {
	a = a.Unmap()
	for _, p := range g.Allow {
		if p.Contains(a) {
			return nil
		}
	}
	special := a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified()
	for _, p := range blocked {
		special = special || p.Contains(a)
	}
	if special {
		return fmt.Errorf("%w: %s is a loopback, private or otherwise special address (the operator may allow it with TICKETER_ALLOW_PRIVATE_TARGETS)", ErrForbidden, a)
	}
	return nil
}

// Dialer returns a net.Dialer that runs Check on every address it connects
// to.
func (g Guard) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrForbidden, address, err)
		}
		return g.Check(ap.Addr())
	}}
}

// DialContext dials through Dialer.
func (g Guard) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return g.Dialer(30*time.Second).DialContext(ctx, network, address)
}

// HTTPClient is an http.Client whose every connection goes through the
// guard, and that follows no redirect to a forbidden address either (each
// redirect dials again through the guard). It never uses a proxy from the
// environment, which would turn the check on the proxy's address instead.
func (g Guard) HTTPClient(timeout time.Duration) *http.Client {
	tr := &http.Transport{
		DialContext:         g.DialContext,
		Proxy:               nil,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        10,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Timeout: timeout, Transport: tr}
}
