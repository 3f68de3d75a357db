package smtpout

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// TLS modes of a relay (the ?tls= option; smtps:// is TLSImplicit).
const (
	// TLSOpportunistic upgrades with STARTTLS when the relay offers it and
	// goes on in plain text when it does not. The certificate is verified
	// whenever TLS is used. The default of smtp://, as the public contract
	// says ("STARTTLS when offered"); a password still never crosses the
	// network unencrypted (see chooseAuth).
	TLSOpportunistic = "opportunistic"
	// TLSStartTLS requires STARTTLS: a relay that does not offer it is a
	// configuration error.
	TLSStartTLS = "starttls"
	// TLSNone never upgrades; allowed for a relay on this machine only.
	TLSNone = "none"
	// TLSImplicit is smtps://: TLS from the first byte.
	TLSImplicit = "implicit"
)

// RelayConfig is a parsed relay URL.
type RelayConfig struct {
	TLS                string // one of the TLS* modes
	Host               string
	Port               int
	Username, Password string
	// HeloName is what EHLO says. Empty: the caller's default (the host of
	// TICKETER_BASE_URL or the mailbox domain, see DefaultHelo), and failing
	// that the address literal of our end of the connection. Never
	// "localhost", which many relays refuse.
	HeloName           string
	InsecureSkipVerify bool   // ?insecure=1: any certificate is accepted (logged, and warned on the mailbox)
	CAFile             string // ?ca= or TICKETER_SMTP_CA_FILE: PEM certificates trusted besides the system's
	Timeout            time.Duration
	// XOAuth2 (?auth=xoauth2) authenticates with SASL XOAUTH2, the password
	// being an access token; OAuth (?auth=oauth) too, with the token of the
	// account connected to the mailbox, which Relay.Token hands out
	// (refreshed before it expires).
	XOAuth2, OAuth bool
	// Log hears of connections made without certificate verification; nil: slog.Default().
	Log *slog.Logger
}

// relayOptions are the query options a relay URL may carry.
var relayOptions = map[string]bool{"tls": true, "insecure": true, "ca": true, "helo": true, "auth": true}

// ParseRelayURL reads smtp://[user:pass@]host[:port][?options] (port 587 by
// default) or smtps://... (implicit TLS, port 465). Options:
//
//	tls=starttls|opportunistic|none  (smtp:// only; default opportunistic)
//	insecure=1                       skip certificate verification
//	ca=/path/ca.pem                  trust this CA besides the system's
//	helo=NAME                        the EHLO name
//	auth=xoauth2                     SASL XOAUTH2, the password is an access token
//	auth=oauth                       SASL XOAUTH2 with the mailbox's connected account
//
// Errors never repeat the URL, which may hold a password.
func ParseRelayURL(raw string) (RelayConfig, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL and its password
		}
		return RelayConfig{}, fmt.Errorf("relay url: %w", err)
	}
	var c RelayConfig
	switch u.Scheme {
	case "smtp":
		c.TLS, c.Port = TLSOpportunistic, 587
	case "smtps":
		c.TLS, c.Port = TLSImplicit, 465
	default:
		return RelayConfig{}, fmt.Errorf("relay url: scheme must be smtp or smtps, got %q", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return RelayConfig{}, errors.New("relay url: host is missing")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return RelayConfig{}, fmt.Errorf("relay url: bad port %q", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if u.Path != "" && u.Path != "/" {
		return RelayConfig{}, errors.New("relay url: no path expected")
	}
	if err := c.applyOptions(u.Query()); err != nil {
		return RelayConfig{}, fmt.Errorf("relay url: %w", err)
	}
	return c, nil
}

func (c *RelayConfig) applyOptions(q url.Values) error {
	for k, v := range q {
		if !relayOptions[k] {
			return fmt.Errorf("unknown option %q (known: tls, insecure, ca, helo, auth)", k)
		}
		if len(v) > 1 {
			return fmt.Errorf("option %s given %d times", k, len(v))
		}
	}
	if v, ok := q["tls"]; ok {
		switch mode := v[0]; {
		case c.TLS == TLSImplicit:
			return errors.New("tls= is for smtp://; smtps:// is always TLS from the first byte")
		case mode == TLSStartTLS || mode == TLSOpportunistic:
			c.TLS = mode
		case mode == TLSNone:
			if !IsLoopback(c.Host) {
				return fmt.Errorf("tls=none is only allowed for a relay on this machine (localhost, 127.0.0.1, ::1), not %s: mail and passwords would cross the network unencrypted", c.Host)
			}
			c.TLS = mode
		default:
			return fmt.Errorf("tls must be starttls, opportunistic or none, got %q", mode)
		}
	}
	if v, ok := q["insecure"]; ok {
		b, err := strconv.ParseBool(v[0])
		if err != nil {
			return fmt.Errorf("insecure must be 1 or 0, got %q", v[0])
		}
		c.InsecureSkipVerify = b
	}
	if v, ok := q["ca"]; ok {
		if !strings.HasPrefix(v[0], "/") {
			return fmt.Errorf("ca must be an absolute path to a PEM file, got %q", v[0])
		}
		c.CAFile = v[0]
	}
	if c.TLS == TLSNone && (c.InsecureSkipVerify || c.CAFile != "") {
		return errors.New("insecure and ca mean nothing with tls=none (no TLS at all)")
	}
	if v, ok := q["auth"]; ok {
		switch strings.ToLower(v[0]) {
		case "", "password":
		case "xoauth2":
			c.XOAuth2 = true
		case "oauth":
			c.XOAuth2, c.OAuth = true, true
		default:
			return fmt.Errorf("auth must be password, xoauth2 or oauth, got %q", v[0])
		}
		if c.Username == "" {
			return errors.New("auth=" + v[0] + " needs the account's address as the user name (smtp://user%40example.com@host)")
		}
	}
	if v, ok := q["helo"]; ok {
		if err := checkHelo(v[0]); err != nil {
			return err
		}
		c.HeloName = v[0]
	}
	return nil
}

// Check verifies what parsing cannot: the CA file is readable PEM. A mailbox
// is saved only when it passes.
func (c RelayConfig) Check() error {
	_, err := c.tlsConfig()
	return err
}

// tlsConfig is the TLS client configuration for the relay.
func (c RelayConfig) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{ServerName: c.Host, MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipVerify} //nolint:gosec // ?insecure=1, the admin's explicit choice
	if c.CAFile == "" {
		return tc, nil
	}
	pool, err := LoadCAFile(c.CAFile)
	if err != nil {
		return nil, err
	}
	tc.RootCAs = pool
	return tc, nil
}

// LoadCAFile reads a PEM file of CA certificates and returns the system's
// roots with them added.
func LoadCAFile(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ca file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca file %s: no PEM certificate in it", path)
	}
	return pool, nil
}

// Warning is what the mailbox shows about a relay that works but is unsafe;
// "" when there is nothing to say.
func (c RelayConfig) Warning() string {
	if c.InsecureSkipVerify {
		return "insecure=1: the relay's certificate is not verified, so anyone on the network path can read and change the mail and see the relay password"
	}
	return ""
}

var heloName = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)

// checkHelo accepts a domain name or an address literal ([192.0.2.1],
// [IPv6:2001:db8::1]), but not localhost.
func checkHelo(name string) error {
	if lit, ok := strings.CutPrefix(name, "["); ok && strings.HasSuffix(lit, "]") {
		lit = strings.TrimPrefix(strings.TrimSuffix(lit, "]"), "IPv6:")
		if net.ParseIP(lit) != nil {
			return nil
		}
	} else if len(name) <= 253 && heloName.MatchString(name) && !strings.EqualFold(name, "localhost") {
		return nil
	}
	return fmt.Errorf("helo must be a domain name (not localhost) or an address literal such as [192.0.2.1], got %q", name)
}

// DefaultHelo is the EHLO name when the URL gives none: the host of the base
// URL when it is a domain name, else the mailbox address's domain; "" when
// neither fits (the relay then uses the address literal of the connection).
func DefaultHelo(baseURL, mailboxAddress string) string {
	if u, err := url.Parse(baseURL); err == nil {
		if h := u.Hostname(); net.ParseIP(h) == nil && strings.Contains(h, ".") && checkHelo(h) == nil {
			return h
		}
	}
	if _, d, ok := strings.Cut(mailboxAddress, "@"); ok && checkHelo(d) == nil {
		return d
	}
	return ""
}

// IsLoopback reports whether host is this machine by name or address (no
// DNS lookup: a name other than localhost is not trusted to be local).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
