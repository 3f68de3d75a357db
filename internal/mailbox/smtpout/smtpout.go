// Package smtpout delivers the mail Ticketer writes: through a mailbox's SMTP
// relay, or into the outbox folder (the dev sink: nothing leaves the machine).
package smtpout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Sender delivers one composed RFC 5322 message.
type Sender interface {
	Send(ctx context.Context, from string, to []string, raw []byte) error
}

// PermanentError is a failure of one message that retrying will not fix (a
// 5xx reply to its recipients or its content). Anything else is temporary,
// or a ConfigError.
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

// ConfigError is a relay that cannot work as configured: TLS or its
// certificate fails, authentication is refused, or the relay refuses the
// mailbox as sender. No message of the mailbox can go out until an admin fixes
// it, so the mail waits for the mailbox instead of retrying or failing.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// IsConfig reports whether err is a ConfigError.
func IsConfig(err error) bool {
	var c *ConfigError
	return errors.As(err, &c)
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
