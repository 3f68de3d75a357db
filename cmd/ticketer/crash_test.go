package main

import (
	"bufio"
	"context"
	"fmt"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/bench"
	"github.com/ticketer/ticketer/internal/store"
)

// Crash tests kill the real binary with SIGKILL in the middle of work and
// check, after a restart, that nothing accepted was lost or duplicated.

func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ticketer")
	if out, err := exec.Command("go", "build", "-race", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

var listenRE = regexp.MustCompile(`http=(\S+) smtp=(\S+)`)

func startBinary(t *testing.T, bin string, env []string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[2]
			}
		}
	}()
	select {
	case a := <-addr:
		return cmd, a
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("server did not start")
		return nil, ""
	}
}

func TestCrashDuringSMTPBurstLosesNothing(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	env := append(os.Environ(), "TICKETER_DATA_DIR="+data, "TICKETER_HTTP_ADDR=127.0.0.1:0", "TICKETER_SMTP_ADDR=127.0.0.1:0")
	srv, smtpAddr := startBinary(t, bin, env)

	const total = 400
	var mu sync.Mutex
	accepted := map[int]bool{}
	var wg sync.WaitGroup
	next := make(chan int, total)
	for i := range total {
		next <- i
	}
	close(next)
	send := func(addr string, i int) error {
		msg := fmt.Sprintf("From: c%d@customer.test\r\nTo: support@localhost\r\nSubject: burst %d\r\nMessage-ID: <burst-%d@customer.test>\r\n\r\nbody %d\r\n", i, i, i, i)
		return smtp.SendMail(addr, nil, fmt.Sprintf("c%d@customer.test", i), []string{"support@localhost"}, []byte(msg))
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if send(smtpAddr, i) == nil {
					mu.Lock()
					accepted[i] = true
					mu.Unlock()
				}
			}
		}()
	}
	// Kill once a good part of the burst was accepted, while it goes on.
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(accepted)
		mu.Unlock()
		if n >= total/4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = srv.Process.Signal(syscall.SIGKILL)
	_ = srv.Wait()
	wg.Wait()
	t.Logf("accepted %d of %d before the kill", len(accepted), total)
	if len(accepted) == 0 || len(accepted) == total {
		t.Fatalf("the kill did not land mid-burst (accepted %d)", len(accepted))
	}

	// Restart: pending ingestion jobs resume. The senders retry what was not
	// accepted, as an MTA would.
	srv, smtpAddr = startBinary(t, bin, env)
	for i := range total {
		if !accepted[i] {
			if err := send(smtpAddr, i); err != nil {
				t.Fatalf("resend %d: %v", i, err)
			}
		}
	}
	db, err := store.Open(context.Background(), filepath.Join(data, "ticketer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) int {
		var n int
		if err := db.QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	deadline = time.Now().Add(90 * time.Second)
	for {
		pending := count(`SELECT count(*) FROM inbound WHERE status IN ('pending', 'failed')`)
		stored := count(`SELECT count(*) FROM messages WHERE kind = 'inbound' AND subject LIKE 'burst %'`)
		if pending == 0 && stored >= total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ingested in time: %d inbound pending or failed, %d of %d messages stored; jobs: %d available, %d running, %d retryable",
				pending, stored, total, count(`SELECT count(*) FROM river_job WHERE state = 'available'`),
				count(`SELECT count(*) FROM river_job WHERE state = 'running'`), count(`SELECT count(*) FROM river_job WHERE state = 'retryable'`))
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = srv.Process.Signal(syscall.SIGTERM)
	_ = srv.Wait()
	if n := count(`SELECT count(*) FROM messages WHERE kind = 'inbound' AND subject LIKE 'burst %'`); n != total {
		t.Fatalf("messages: %d, want exactly %d", n, total)
	}
	if n := count(`SELECT count(DISTINCT message_id) FROM messages WHERE kind = 'inbound' AND subject LIKE 'burst %'`); n != total {
		t.Fatalf("distinct messages: %d, want %d", n, total)
	}
	if n := count(`SELECT count(*) FROM tickets WHERE subject LIKE 'burst %'`); n != total {
		t.Fatalf("tickets: %d, want %d (one per conversation)", n, total)
	}
}

func TestCrashDuringImportLosesNothing(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	corpus := filepath.Join(t.TempDir(), "corpus.mbox")
	f, err := os.Create(corpus)
	if err != nil {
		t.Fatal(err)
	}
	st, err := bench.WriteCorpus(f, 1500, 7, 50_000)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	env := append(os.Environ(), "TICKETER_DATA_DIR="+data)
	first := exec.Command(bin, "import", corpus)
	first.Env = env
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	// Killed on every way out, so that a failure leaves no writer in the data dir.
	t.Cleanup(func() { _ = first.Process.Kill(); _ = first.Wait() })
	db, err := store.Open(context.Background(), filepath.Join(data, "ticketer.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) int {
		var n int
		if err := db.QueryRow(context.Background(), q).Scan(&n); err != nil {
			return -1 // not migrated yet
		}
		return n
	}
	waitFor(t, "the import to be under way", func() bool { return count(`SELECT count(*) FROM messages`) >= 200 })
	_ = first.Process.Signal(syscall.SIGKILL)
	_ = first.Wait()
	partial := count(`SELECT count(*) FROM messages`)
	if partial >= st.Messages {
		t.Fatalf("the kill came too late: %d messages", partial)
	}
	second := exec.Command(bin, "import", corpus)
	second.Env = env
	out, err := second.Output()
	if err != nil {
		t.Fatalf("second import: %v", err)
	}
	summary := strings.TrimSpace(string(out))
	t.Logf("killed after %d messages; re-run: %s", partial, summary)
	if n := count(`SELECT count(*) FROM messages WHERE kind = 'inbound'`); n != st.Messages {
		t.Fatalf("messages after re-run: %d, want %d", n, st.Messages)
	}
	if n := count(`SELECT count(*) FROM tickets`); n != st.Conversations {
		t.Fatalf("tickets: %d, want %d conversations", n, st.Conversations)
	}
	if !strings.HasPrefix(summary, fmt.Sprintf("read %d,", st.Messages)) || !strings.HasSuffix(summary, "failed 0") {
		t.Fatalf("summary %q", summary)
	}
}
