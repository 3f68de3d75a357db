package smtpin_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/ticketer/ticketer/internal/mailbox/smtpin"
)

// fakeReceiver is the application side: it knows one mailbox and records
// what was delivered (or fails when told to).
type fakeReceiver struct {
	mu        sync.Mutex
	delivered []smtpin.Envelope
	raws      [][]byte
	spooledAt []string // files the message was read from, for spooled ones
	failNext  error
}

func (f *fakeReceiver) Accepts(_ context.Context, rcpt string) (bool, error) {
	if rcpt == "broken@example.com" {
		return false, errors.New("database is down")
	}
	local, domain, _ := strings.Cut(rcpt, "@")
	local, _, _ = strings.Cut(local, "+")
	return local+"@"+domain == "support@example.com", nil
}

func (f *fakeReceiver) Deliver(_ context.Context, env smtpin.Envelope, msg io.ReadSeeker) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failNext; err != nil {
		f.failNext = nil
		return err
	}
	raw, err := io.ReadAll(msg)
	if err != nil {
		return err
	}
	if file, ok := msg.(*os.File); ok {
		f.spooledAt = append(f.spooledAt, file.Name())
	}
	f.delivered = append(f.delivered, env)
	f.raws = append(f.raws, raw)
	return nil
}

func start(t *testing.T, maxBytes int64) (*fakeReceiver, string) {
	t.Helper()
	return startWith(t, smtpin.Config{MaxMessageBytes: maxBytes})
}

func startWith(t *testing.T, cfg smtpin.Config) (*fakeReceiver, string) {
	t.Helper()
	recv := &fakeReceiver{}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := smtpin.New(cfg, recv)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return recv, l.Addr().String()
}

const msg = "From: alice@customer.example\r\nTo: support@example.com\r\nSubject: help\r\nMessage-ID: <a1@customer.example>\r\n\r\nThe printer is on fire.\r\n"

// send runs one SMTP transaction and returns the SMTP code of the step that
// failed (0 when all went through) and that step's name.
func send(t *testing.T, addr, from string, rcpts []string, body string) (int, string) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		t.Fatal(err)
	}
	code := func(err error) int {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return se.Code
		}
		t.Fatalf("not an SMTP error: %v", err)
		return 0
	}
	if err := c.Mail(from, nil); err != nil {
		return code(err), "MAIL"
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return code(err), "RCPT " + r
		}
	}
	w, err := c.Data()
	if err != nil {
		return code(err), "DATA"
	}
	if _, err := io.WriteString(w, body); err != nil {
		return code(err), "DATA body"
	}
	if err := w.Close(); err != nil {
		return code(err), "end of DATA"
	}
	_ = c.Quit()
	return 0, ""
}

func TestListener(t *testing.T) {
	tests := []struct {
		name      string
		from      string
		rcpts     []string
		body      string
		failNext  error
		wantCode  int
		wantStep  string
		delivered int
	}{
		{name: "accepted", from: "alice@customer.example", rcpts: []string{"support@example.com"}, body: msg, delivered: 1},
		{name: "plus address", from: "alice@customer.example", rcpts: []string{"Support+t42@Example.com"}, body: msg, delivered: 1},
		{name: "null sender (bounce)", from: "", rcpts: []string{"support@example.com"}, body: msg, delivered: 1},
		{name: "no open relay", from: "spam@spam.example", rcpts: []string{"victim@elsewhere.example"}, body: msg,
			wantCode: 550, wantStep: "RCPT victim@elsewhere.example"},
		{name: "lookup fails: try later", from: "alice@customer.example", rcpts: []string{"broken@example.com"}, body: msg,
			wantCode: 451, wantStep: "RCPT broken@example.com"},
		{name: "long line (broken client) kept", from: "alice@customer.example", rcpts: []string{"support@example.com"},
			body: msg + strings.Repeat("y", 5000) + "\r\n", delivered: 1},
		{name: "too large", from: "alice@customer.example", rcpts: []string{"support@example.com"},
			body: msg + strings.Repeat("x", 70_000) + "\r\n", wantCode: 552, wantStep: "end of DATA"},
		{name: "store fails: 451 and nothing kept", from: "alice@customer.example", rcpts: []string{"support@example.com"}, body: msg,
			failNext: errors.New("disk full"), wantCode: 451, wantStep: "end of DATA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recv, addr := start(t, 64<<10)
			recv.failNext = tc.failNext
			gotCode, gotStep := send(t, addr, tc.from, tc.rcpts, tc.body)
			if gotCode != tc.wantCode || gotStep != tc.wantStep {
				t.Fatalf("got code %d at %q, want %d at %q", gotCode, gotStep, tc.wantCode, tc.wantStep)
			}
			recv.mu.Lock()
			defer recv.mu.Unlock()
			if len(recv.delivered) != tc.delivered {
				t.Fatalf("delivered %d messages, want %d", len(recv.delivered), tc.delivered)
			}
			if tc.delivered == 0 {
				return
			}
			env := recv.delivered[0]
			if env.From != tc.from || len(env.Recipients) != 1 || env.Recipients[0] != strings.ToLower(tc.rcpts[0]) {
				t.Errorf("envelope %+v", env)
			}
			if !strings.Contains(string(recv.raws[0]), "The printer is on fire.") {
				t.Errorf("raw message lost its body: %q", recv.raws[0])
			}
		})
	}
}

// A rejected recipient does not spoil the good ones of the same transaction.
func TestMixedRecipients(t *testing.T) {
	recv, addr := start(t, 0)
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("alice@customer.example", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("nobody@elsewhere.example", nil); err == nil {
		t.Fatal("foreign recipient accepted")
	}
	if err := c.Rcpt("support@example.com", nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, msg)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if len(recv.delivered) != 1 || len(recv.delivered[0].Recipients) != 1 || recv.delivered[0].Recipients[0] != "support@example.com" {
		t.Fatalf("delivered %+v", recv.delivered)
	}
}
