package smtpout_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
)

// TestOutbox: each message is one file named after its Message-ID (made
// safe for a file name), or after the hash of its bytes when it has none;
// the same message written twice is still one file.
func TestOutbox(t *testing.T) {
	t.Parallel()
	hashName := func(raw string) string {
		sum := sha256.Sum256([]byte(raw))
		return hex.EncodeToString(sum[:]) + ".eml"
	}
	long := strings.Repeat("a", 190) + "@acme.test" // 200 characters
	cases := []struct {
		name, raw, file string
	}{
		{"Message-ID", "From: a@acme.test\r\nMessage-ID: <r1@acme.test>\r\n\r\nHi\r\n", "r1@acme.test.eml"},
		{"header name in any case, LF lines", "message-id:   <r2@acme.test>  \nFrom: a@acme.test\n\nHi\n", "r2@acme.test.eml"},
		{"no Message-ID: the hash", "From: a@acme.test\r\n\r\nHi\r\n", hashName("From: a@acme.test\r\n\r\nHi\r\n")},
		{"a Message-ID in the body does not count", "From: a@acme.test\r\n\r\nMessage-ID: <body@acme.test>\r\n", hashName("From: a@acme.test\r\n\r\nMessage-ID: <body@acme.test>\r\n")},
		{"no header at all (CRLF)", "\r\n\r\nMessage-ID: <body@acme.test>\r\n", hashName("\r\n\r\nMessage-ID: <body@acme.test>\r\n")},
		{"no header at all (LF)", "\n\nMessage-ID: <body@acme.test>\n", hashName("\n\nMessage-ID: <body@acme.test>\n")},
		{"no blank line: all header", "Message-ID: <r3@acme.test>\r\n", "r3@acme.test.eml"},
		{"unsafe characters and leading dots", "Message-ID: <../../etc/pass wd@x>\r\n\r\n.\r\n", "_.._etc_pass_wd@x.eml"},
		{"200 characters kept", "Message-ID: <" + long + ">\r\n\r\n.\r\n", long + ".eml"},
		{"longer cut at 200", "Message-ID: <b" + long + ">\r\n\r\n.\r\n", "b" + long[:199] + ".eml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "outbox") // created on first use
			o := smtpout.NewOutbox(dir)
			for range 2 {
				if err := o.Send(context.Background(), "support@acme.test", []string{"a@customer.test"}, []byte(c.raw)); err != nil {
					t.Fatal(err)
				}
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 || entries[0].Name() != c.file {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Fatalf("files %q, want exactly [%s]", names, c.file)
			}
			got, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil || string(got) != c.raw {
				t.Fatalf("file holds %q (%v), want the message's bytes", got, err)
			}
		})
	}
}

// TestOutboxErrors: a folder that cannot be made, or a file name taken by a
// folder, is an error that names the outbox, never a silent loss.
func TestOutboxErrors(t *testing.T) {
	t.Parallel()
	raw := []byte("Message-ID: <e1@acme.test>\r\n\r\nHi\r\n")
	t.Run("folder is a file", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "outbox")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := smtpout.NewOutbox(file).Send(context.Background(), "s@acme.test", nil, raw); err == nil || !strings.Contains(err.Error(), "outbox") {
			t.Fatalf("want an outbox error, got %v", err)
		}
	})
	t.Run("name taken by a folder", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "e1@acme.test.eml", "x"), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := smtpout.NewOutbox(dir).Send(context.Background(), "s@acme.test", nil, raw); err == nil || !strings.Contains(err.Error(), "outbox") {
			t.Fatalf("want an outbox error, got %v", err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 {
			t.Fatalf("a temporary file was left behind: %d entries", len(entries))
		}
	})
}

// TestErrorKinds: each kind says what it is, wraps its cause, and is told
// apart from the others.
func TestErrorKinds(t *testing.T) {
	t.Parallel()
	cause := os.ErrDeadlineExceeded
	r := &smtpout.ReconnectError{Err: cause}
	if r.Error() != "waiting for the mailbox to be reconnected: "+cause.Error() || !smtpout.IsReconnect(r) || smtpout.IsPermanent(r) || smtpout.IsConfig(r) {
		t.Fatalf("reconnect error: %q", r.Error())
	}
	p := &smtpout.PermanentError{Err: cause}
	if p.Error() != cause.Error() || !smtpout.IsPermanent(p) || smtpout.IsReconnect(p) {
		t.Fatalf("permanent error: %q", p.Error())
	}
	c := &smtpout.ConfigError{Err: cause}
	if c.Error() != cause.Error() || !smtpout.IsConfig(c) || smtpout.IsPermanent(c) {
		t.Fatalf("config error: %q", c.Error())
	}
	for _, err := range []error{r, p, c} {
		if !errors.Is(err, cause) {
			t.Fatalf("%T does not wrap its cause", err)
		}
	}
}
