package smtpin_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ticketer/ticketer/internal/mailbox/smtpin"
)

// TestReturnPathFirst: the delivered bytes start with the envelope sender,
// as a final delivery writes it (RFC 5321 4.4), "<>" for the null sender.
func TestReturnPathFirst(t *testing.T) {
	t.Parallel()
	for _, from := range []string{"alice@customer.example", ""} {
		t.Run("from="+from, func(t *testing.T) {
			t.Parallel()
			recv, addr := start(t, 0)
			if code, step := send(t, addr, from, []string{"support@example.com"}, msg); code != 0 {
				t.Fatalf("%d at %s", code, step)
			}
			recv.mu.Lock()
			defer recv.mu.Unlock()
			want := "Return-Path: <" + from + ">\r\n" + msg
			if string(recv.raws[0]) != want {
				t.Fatalf("raw = %q, want %q", recv.raws[0], want)
			}
		})
	}
}

// TestSpoolToFile: past SpoolMemoryBytes the message reaches Deliver from
// a file in SpoolDir, not from memory, and the file is gone afterwards.
func TestSpoolToFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const memory = 4 << 10
	recv, addr := startWith(t, smtpin.Config{SpoolDir: dir, SpoolMemoryBytes: memory})
	small := msg
	big := msg + strings.Repeat("a line of a long message\r\n", 2*memory/26)
	for _, body := range []string{small, big} {
		if code, step := send(t, addr, "alice@customer.example", []string{"support@example.com"}, body); code != 0 {
			t.Fatalf("%d at %s", code, step)
		}
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if len(recv.spooledAt) != 1 || !strings.HasPrefix(recv.spooledAt[0], dir) {
		t.Fatalf("spooled to %q, want one file in %s (the big message)", recv.spooledAt, dir)
	}
	if !strings.HasSuffix(string(recv.raws[1]), big) {
		t.Fatal("spooled message differs")
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("spool files left behind: %v", left)
	}
}

// greet dials and reads the greeting line.
func greet(t *testing.T, local, addr string) (net.Conn, string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return c, line
}

func TestConnectionCaps(t *testing.T) {
	t.Parallel()
	t.Run("total", func(t *testing.T) {
		t.Parallel()
		_, addr := startWith(t, smtpin.Config{MaxConns: 2, MaxConnsPerClient: 10})
		for i := 0; i < 2; i++ {
			if _, line := greet(t, "127.0.0.1", addr); !strings.HasPrefix(line, "220") {
				t.Fatalf("connection %d: %q", i, line)
			}
		}
		if _, line := greet(t, "127.0.0.2", addr); !strings.HasPrefix(line, "421") {
			t.Fatalf("third connection: %q, want 421", line)
		}
	})
	t.Run("per client, others still served", func(t *testing.T) {
		t.Parallel()
		_, addr := startWith(t, smtpin.Config{MaxConns: 10, MaxConnsPerClient: 2})
		for i := 0; i < 2; i++ {
			greet(t, "127.0.0.2", addr)
		}
		if _, line := greet(t, "127.0.0.2", addr); !strings.HasPrefix(line, "421") {
			t.Fatalf("third connection from one client: %q, want 421", line)
		}
		if _, line := greet(t, "127.0.0.1", addr); !strings.HasPrefix(line, "220") {
			t.Fatalf("another client: %q, want 220", line)
		}
	})
	t.Run("a closed connection frees its slot", func(t *testing.T) {
		t.Parallel()
		_, addr := startWith(t, smtpin.Config{MaxConns: 1})
		if code, step := send(t, addr, "a@customer.example", []string{"support@example.com"}, msg); code != 0 {
			t.Fatalf("%d at %s", code, step)
		}
		for i := 0; ; i++ {
			_, line := greet(t, "127.0.0.1", addr)
			if strings.HasPrefix(line, "220") {
				break
			}
			if i > 100 { // the server may see the QUIT's close a moment later
				t.Fatalf("slot never freed: %q", line)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestTransactionDeadline: a client trickling its DATA one byte at a time,
// each well within ReadTimeout, is cut off at TransactionTimeout and
// nothing is delivered.
func TestTransactionDeadline(t *testing.T) {
	t.Parallel()
	recv, addr := startWith(t, smtpin.Config{ReadTimeout: 10 * time.Second, TransactionTimeout: 300 * time.Millisecond})
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Mail("slow@customer.example", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("support@example.com", nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	body := msg + strings.Repeat("x", 200)
	var sendErr error
	for i := 0; i < len(body) && sendErr == nil; i++ {
		_, sendErr = io.WriteString(w, body[i:i+1])
		time.Sleep(20 * time.Millisecond) // 4 s in all, far past the deadline
	}
	if sendErr == nil {
		sendErr = w.Close()
	}
	if sendErr == nil {
		t.Fatal("a trickled transaction past its deadline was accepted")
	}
	var se *smtp.SMTPError
	if errors.As(sendErr, &se) && se.Code != 451 {
		t.Fatalf("got %v, want 451 or a closed connection", sendErr)
	}
	recv.mu.Lock()
	defer recv.mu.Unlock()
	if len(recv.delivered) != 0 {
		t.Fatal("delivered")
	}
}

// TestCleanSpool: spool files written before the cut-off (left by a crash)
// go; a newer one (a transaction of a live server sharing the folder) and
// files that are not spool files stay.
func TestCleanSpool(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	files := []struct {
		name string
		age  time.Duration
		kept bool
	}{
		{"ticketer-smtp-111", time.Hour, false},
		{"ticketer-smtp-222", 31 * time.Minute, false},
		{"ticketer-smtp-333", time.Minute, true},
		{"other-file", time.Hour, true},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("DATA"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-f.age), now.Add(-f.age)); err != nil {
			t.Fatal(err)
		}
	}
	n, err := smtpin.CleanSpool(dir, now.Add(-smtpin.DefaultSessionTimeout))
	if err != nil || n != 2 {
		t.Fatalf("CleanSpool = %d, %v; want 2 removed", n, err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s kept = %v, want %v", f.name, kept, f.kept)
		}
	}
}
