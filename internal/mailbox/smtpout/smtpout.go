// Package smtpout delivers the mail Ticketer writes: through a mailbox's SMTP
// relay, or into the outbox folder (the dev sink: nothing leaves the machine).
package smtpout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Sender delivers one composed RFC 5322 message.
type Sender interface {
	Send(ctx context.Context, from string, to []string, raw []byte) error
}

// PermanentError is a failure that retrying will not fix (a 5xx reply, bad
// configuration). Anything else is temporary.
type PermanentError struct {
	Code int
	Err  error
}

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is permanent.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// RelayConfig is a parsed relay URL.
type RelayConfig struct {
	Implicit           bool // smtps: TLS from the first byte
	Host               string
	Port               int
	Username, Password string
	HeloName           string
	InsecureSkipVerify bool // tests only
	Timeout            time.Duration
}

// ParseRelayURL reads smtp://[user:pass@]host:port (STARTTLS when offered,
// port 587 by default) or smtps://[user:pass@]host:port (implicit TLS, 465).
func ParseRelayURL(raw string) (RelayConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return RelayConfig{}, fmt.Errorf("relay url: %w", err)
	}
	var c RelayConfig
	switch u.Scheme {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Implicit, c.Port = true, 465
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
	return c, nil
}

// Relay sends through an SMTP server.
type Relay struct{ cfg RelayConfig }

// NewRelay returns a relay sender.
func NewRelay(cfg RelayConfig) *Relay {
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.HeloName == "" {
		cfg.HeloName = "localhost"
	}
	return &Relay{cfg: cfg}
}

func (r *Relay) addr() string { return net.JoinHostPort(r.cfg.Host, strconv.Itoa(r.cfg.Port)) }

// classify turns an SMTP failure into a permanent or temporary error.
func (r *Relay) classify(step string, err error) error {
	err = fmt.Errorf("relay %s: %s: %w", r.addr(), step, err)
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		return &PermanentError{Code: tp.Code, Err: err}
	}
	return err
}

// connect dials, greets, upgrades to TLS and authenticates.
func (r *Relay) connect(ctx context.Context) (*smtp.Client, error) {
	d := net.Dialer{Timeout: r.cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", r.addr())
	if err != nil {
		return nil, r.classify("connect", err)
	}
	deadline := time.Now().Add(r.cfg.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	tlsCfg := &tls.Config{ServerName: r.cfg.Host, InsecureSkipVerify: r.cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // tests only
	if r.cfg.Implicit {
		conn = tls.Client(conn, tlsCfg)
	}
	c, err := smtp.NewClient(conn, r.cfg.Host)
	if err != nil {
		conn.Close()
		return nil, r.classify("greeting", err)
	}
	if err := c.Hello(r.cfg.HeloName); err != nil {
		c.Close()
		return nil, r.classify("EHLO", err)
	}
	if !r.cfg.Implicit {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsCfg); err != nil {
				c.Close()
				return nil, r.classify("STARTTLS", err)
			}
		}
	}
	if r.cfg.Username != "" {
		_, mechs := c.Extension("AUTH")
		var auth smtp.Auth
		switch {
		case hasWord(mechs, "PLAIN"):
			auth = smtp.PlainAuth("", r.cfg.Username, r.cfg.Password, r.cfg.Host)
		case hasWord(mechs, "LOGIN"):
			auth = &loginAuth{user: r.cfg.Username, pass: r.cfg.Password}
		default:
			c.Close()
			return nil, &PermanentError{Err: fmt.Errorf("relay %s: credentials given but the server offers no PLAIN or LOGIN authentication (is TLS required?)", r.addr())}
		}
		if err := c.Auth(auth); err != nil {
			c.Close()
			return nil, r.classify("AUTH", err)
		}
	}
	return c, nil
}

// CommitSender is a Sender that reports its point of no return: commit is
// called after which the message may have been delivered (for SMTP: once the
// relay accepted the envelope, just before DATA). Before that point a failure
// certainly delivered nothing and the message can be retried freely; if
// commit returns an error nothing is sent. The caller records "sending" in
// commit, so only a crash after it leaves the outcome unknown.
type CommitSender interface {
	Sender
	SendCommit(ctx context.Context, from string, to []string, raw []byte, commit func() error) error
}

// Send delivers raw to every recipient.
func (r *Relay) Send(ctx context.Context, from string, to []string, raw []byte) error {
	return r.SendCommit(ctx, from, to, raw, nil)
}

// SendCommit delivers raw to every recipient, calling commit (when not nil)
// just before DATA.
func (r *Relay) SendCommit(ctx context.Context, from string, to []string, raw []byte, commit func() error) error {
	if len(to) == 0 {
		return &PermanentError{Err: errors.New("no recipients")}
	}
	c, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Mail(from); err != nil {
		return r.classify("MAIL FROM <"+from+">", err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return r.classify("RCPT TO <"+rcpt+">", err)
		}
	}
	if commit != nil {
		if err := commit(); err != nil {
			return fmt.Errorf("before DATA: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return r.classify("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return r.classify("DATA", err)
	}
	if err := w.Close(); err != nil {
		var tp *textproto.Error
		if !errors.As(err, &tp) {
			// The whole message went out but no reply came back: the relay
			// may have accepted it. Retrying could deliver it twice.
			return &PermanentError{Err: fmt.Errorf("relay %s: end of DATA: no reply (%w); the message may have been delivered, so it is not sent again", r.addr(), err)}
		}
		return r.classify("end of DATA", err)
	}
	_ = c.Quit()
	return nil
}

// Test checks connectivity, TLS and authentication without sending.
func (r *Relay) Test(ctx context.Context) error {
	c, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Quit()
}

// Outbox writes messages as .eml files into a folder.
type Outbox struct{ dir string }

// NewOutbox returns an outbox sender for dir.
func NewOutbox(dir string) *Outbox { return &Outbox{dir: dir} }

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._@-]+`)

// Send writes raw atomically; the file is named after the Message-ID, so a
// message sent twice is one file.
func (o *Outbox) Send(ctx context.Context, from string, to []string, raw []byte) error {
	if err := os.MkdirAll(o.dir, 0o750); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	name := messageID(raw)
	if name == "" {
		sum := sha256.Sum256(raw)
		name = hex.EncodeToString(sum[:])
	}
	name = strings.Trim(unsafeName.ReplaceAllString(name, "_"), ".")
	if len(name) > 200 {
		name = name[:200]
	}
	final := filepath.Join(o.dir, name+".eml")
	tmp, err := os.CreateTemp(o.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

// messageID reads the Message-ID header, without brackets.
func messageID(raw []byte) string {
	head := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		head = raw[:i]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		head = raw[:i]
	}
	for line := range strings.SplitSeq(string(head), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "Message-ID") {
			return strings.Trim(strings.TrimSpace(v), "<>")
		}
	}
	return ""
}

func hasWord(list, word string) bool {
	for _, w := range strings.Fields(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

// loginAuth is the LOGIN mechanism, which net/smtp lacks; like PlainAuth it
// refuses to send credentials over an unencrypted connection to another host.
type loginAuth struct{ user, pass string }

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && server.Name != "localhost" && server.Name != "127.0.0.1" && server.Name != "::1" {
		return "", nil, errors.New("unencrypted connection: refusing to send the password")
	}
	return "LOGIN", nil, nil
}

func (a *loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:":
		return []byte(a.user), nil
	case "password:":
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("unexpected LOGIN challenge %q", fromServer)
}
