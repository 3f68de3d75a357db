// Package imap is the IMAP connector: it syncs a folder by UID (resuming
// from the last UID committed, re-syncing safely when UIDVALIDITY changes),
// fetches in batches of many UIDs per round trip with BODY.PEEK[] so nothing
// is marked seen, and waits for new mail with IDLE (polling when the server
// lacks it). It never deletes, moves or flags mail.
package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// Security is how the connection is protected.
type Security string

const (
	TLS      Security = "tls"      // implicit TLS (imaps://, port 993)
	StartTLS Security = "starttls" // imap:// (default): STARTTLS is required
	Plain    Security = "none"     // imap://...?tls=none: no encryption (local servers, tests)
)

// Config is one IMAP mailbox.
type Config struct {
	Addr     string // host:port
	Security Security
	Username string
	Password string // or the OAuth access token with XOAUTH2
	XOAuth2  bool
	// OAuth (auth=oauth) logs in with XOAUTH2 and an access token of the
	// account connected to the mailbox (Connect account: Google or
	// Microsoft), refreshed before it expires; Token hands it out.
	OAuth bool
	Token func(ctx context.Context) (string, error)
	// Invalidate drops Token's access token after the server refused it.
	Invalidate func()
	Folder     string // INBOX by default
	// SentFolder, when set, is synced too: replies agents wrote from their
	// own mail client then land on their tickets through threading.
	SentFolder string
	// InsecureSkipVerify accepts any server certificate (self-signed test servers).
	InsecureSkipVerify bool
	// BatchSize is how many UIDs one UID FETCH asks for (500).
	BatchSize int
	// PollInterval is how often to sync when the server lacks IDLE, and how
	// often the sent folder is looked at while idling (60s).
	PollInterval time.Duration
	// ResyncInterval re-syncs while idling in case a notification was missed (10m).
	ResyncInterval time.Duration
	// DisableIdle polls even when the server has IDLE.
	DisableIdle bool
	// Dial opens the TCP connection (tests put a proxy in between); nil: net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// ParseURL reads imap://user:pass@host:port/FOLDER or imaps://... with
// optional query parameters: sent=FOLDER, tls=none (imap:// without
// STARTTLS), auth=xoauth2 (the password is an access token), auth=oauth
// (the account connected to the mailbox; no password), insecure=1
// (skip certificate checks), poll=DURATION, idle=off, batch=N.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// Not url.Parse's error: it quotes the URL, password included.
		return Config{}, errors.New("imap url: malformed (imap://user:pass@host:port/FOLDER; escape special characters in the password with %XX)")
	}
	var c Config
	port := "143"
	switch u.Scheme {
	case "imap":
		c.Security = StartTLS
	case "imaps":
		c.Security, port = TLS, "993"
	default:
		return Config{}, fmt.Errorf("imap url: scheme must be imap or imaps, got %q", u.Scheme)
	}
	if u.Hostname() == "" {
		return Config{}, fmt.Errorf("imap url: no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	c.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User == nil || u.User.Username() == "" {
		return Config{}, fmt.Errorf("imap url: no user name (imap://user:pass@host:port/FOLDER)")
	}
	c.Username = u.User.Username()
	c.Password, _ = u.User.Password()
	c.Folder = strings.TrimPrefix(u.Path, "/")
	if c.Folder == "" {
		c.Folder = "INBOX"
	}
	q := u.Query()
	c.SentFolder = q.Get("sent")
	switch strings.ToLower(q.Get("tls")) {
	case "":
	case "none", "off", "no":
		if c.Security == TLS {
			return Config{}, fmt.Errorf("imap url: tls=none contradicts imaps://")
		}
		c.Security = Plain
	case "starttls":
		c.Security = StartTLS
	default:
		return Config{}, fmt.Errorf("imap url: tls must be none or starttls, got %q", q.Get("tls"))
	}
	switch strings.ToLower(q.Get("auth")) {
	case "", "login", "plain":
	case "xoauth2":
		c.XOAuth2 = true
	case "oauth":
		c.XOAuth2, c.OAuth = true, true
	default:
		return Config{}, fmt.Errorf("imap url: auth must be login, xoauth2 or oauth, got %q", q.Get("auth"))
	}
	c.InsecureSkipVerify = q.Get("insecure") == "1" || q.Get("insecure") == "true"
	if p := q.Get("poll"); p != "" {
		if c.PollInterval, err = time.ParseDuration(p); err != nil || c.PollInterval < time.Second {
			return Config{}, fmt.Errorf("imap url: poll must be a duration of 1s or more, got %q", p)
		}
	}
	c.DisableIdle = q.Get("idle") == "off"
	if b := q.Get("batch"); b != "" {
		if c.BatchSize, err = strconv.Atoi(b); err != nil || c.BatchSize < 1 {
			return Config{}, fmt.Errorf("imap url: batch must be a positive number, got %q", b)
		}
	}
	return c, nil
}

// Redacted is the URL without the password, for logs and the API.
func Redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid imap url)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

func (c *Config) defaults() {
	if c.Folder == "" {
		c.Folder = "INBOX"
	}
	if c.BatchSize == 0 {
		c.BatchSize = 500
	}
	if c.PollInterval == 0 {
		c.PollInterval = time.Minute
	}
	if c.ResyncInterval == 0 {
		c.ResyncInterval = 10 * time.Minute
	}
	if c.Security == "" {
		c.Security = StartTLS
	}
}

func (c *Config) tlsConfig() *tls.Config {
	host, _, _ := net.SplitHostPort(c.Addr)
	return &tls.Config{ServerName: host, InsecureSkipVerify: c.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in for self-signed servers
}

// Tokens hands out the access token of the account connected to a mailbox
// (*xoauth.Tokens).
type Tokens interface {
	Token(ctx context.Context, mailboxID int64) (string, error)
	Invalidate(mailboxID int64)
}

// Factory builds IMAP connectors for the supervisor from each mailbox's
// sealed URL; tokens serves auth=oauth (nil: refused); tune, when set,
// adjusts the parsed settings (tests).
func Factory(secrets *secret.Box, tokens Tokens, tune func(*Config)) mailbox.Factory {
	return func(_ context.Context, c store.Connector, h *mailbox.Host) (mailbox.Connector, error) {
		raw, err := secrets.Open(c.IMAP)
		if err != nil {
			return nil, fmt.Errorf("imap settings of mailbox %d: %w", c.MailboxID, err)
		}
		cfg, err := ParseURL(raw)
		if err != nil {
			return nil, err
		}
		if cfg.OAuth {
			if tokens == nil {
				return nil, fmt.Errorf("imap url of mailbox %d: auth=oauth needs the Google or Microsoft OAuth client configured", c.MailboxID)
			}
			id := c.MailboxID
			cfg.Token = func(ctx context.Context) (string, error) { return tokens.Token(ctx, id) }
			cfg.Invalidate = func() { tokens.Invalidate(id) }
		}
		if tune != nil {
			tune(&cfg)
		}
		return New(cfg, h), nil
	}
}
