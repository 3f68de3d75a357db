package imap_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
)

// BenchmarkServeMemory measures the real binary's memory as the kernel
// sees it (VmRSS, VmHWM), not the Go heap: a fresh `serve` with no mailbox
// at rest (its start peak, and its RSS once idle), then a `serve` whose IMAP
// mailbox holds 10,000 messages, its peak through the backfill until every
// message is ingested. Targets (issue 11): idle under 40 MB, backfill peak
// under 80 MB.
func BenchmarkServeMemory(b *testing.B) {
	const n = 10000
	for range b.N {
		d := startDovecot(b)
		fillMaildir(b, d, n)
		dir := b.TempDir()
		bin := filepath.Join(dir, "ticketer")
		if out, err := exec.Command("go", "build", "-o", bin, "../../../cmd/ticketer").CombinedOutput(); err != nil {
			b.Fatalf("build: %v\n%s", err, out)
		}
		env := append(os.Environ(), "TICKETER_DATA_DIR="+filepath.Join(dir, "data"), "TICKETER_ENCRYPTION_KEY_BASE64="+mailboxtest.Key,
			"TICKETER_HTTP_ADDR=127.0.0.1:0", "TICKETER_SMTP_ADDR=127.0.0.1:0", "TICKETER_LOG_LEVEL=warn", "TICKETER_DATABASE_URL=")

		idle := startServe(b, bin, env)
		time.Sleep(5 * time.Second)
		idleRSS, startPeak := idle.mem(b)
		idle.stop()

		cmd := exec.Command(bin, "mailbox", "add", "--address", "support@acme.test", "--imap", "imap://agent:secret@"+d.addr+"/INBOX?tls=none")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("mailbox add: %v\n%s", err, out)
		}
		db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data", "ticketer.db")+"?mode=ro&_pragma=busy_timeout(5000)")
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		s := startServe(b, bin, env)
		for done := 0; done < n; time.Sleep(250 * time.Millisecond) {
			if time.Since(start) > 15*time.Minute {
				b.Fatalf("backfill: %d of %d ingested after 15 minutes", done, n)
			}
			_ = db.QueryRow(`SELECT count(*) FROM inbound WHERE status NOT IN ('pending', 'failed')`).Scan(&done)
		}
		took := time.Since(start)
		_, backfillPeak := s.mem(b)
		s.stop()
		db.Close()
		b.ReportMetric(idleRSS, "idle-RSS-MB")
		b.ReportMetric(startPeak, "start-peak-MB")
		b.ReportMetric(backfillPeak, "backfill-peak-MB")
		fmt.Printf("serve memory (RSS as the kernel counts it): idle %.0f MB (start peak %.0f MB); IMAP backfill of %d messages in %v, peak %.0f MB\n",
			idleRSS, startPeak, n, took.Round(time.Second), backfillPeak)
	}
}

type served struct {
	cmd *exec.Cmd
}

var servingRE = regexp.MustCompile(`http=\S+ smtp=\S+`)

func startServe(b *testing.B, bin string, env []string) *served {
	b.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "TICKETER_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	s := &served{cmd: cmd}
	b.Cleanup(s.stop)
	up := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if servingRE.MatchString(sc.Text()) {
				close(up)
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	select {
	case <-up:
	case <-ctx.Done():
		b.Fatal("serve did not start")
	}
	return s
}

// mem reads VmRSS and VmHWM in MB.
func (s *served) mem(b *testing.B) (rss, hwm float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb / 1024
		case "VmHWM:":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

func (s *served) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}
