package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// These benchmarks run the real binary, as a user would, and print figures:
//   make bench
// The import benchmark measures the whole `ticketer import` process (wall time
// and peak RSS from the kernel); the latency benchmark measures the SMTP DATA
// command's start to the ticket being readable through the API.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func binary(b *testing.B) string {
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ticketer-bench-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ticketer")
		out, err := exec.Command("go", "build", "-o", binPath, "../../cmd/ticketer").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v: %s", err, out)
		}
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return binPath
}

const benchKey = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="

func engines(b *testing.B, fn func(b *testing.B, dsn string)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, "") })
	b.Run("postgres", func(b *testing.B) { fn(b, storetest.PostgresURL(b)) })
}

func benchEnv(dataDir, dsn string) []string {
	env := append(os.Environ(), "TICKETER_DATA_DIR="+dataDir, "TICKETER_ENCRYPTION_KEY_BASE64="+benchKey, "TICKETER_LOG_LEVEL=warn")
	if dsn != "" {
		env = append(env, "TICKETER_DATABASE_URL="+dsn)
	}
	return env
}

func BenchmarkImport10k(b *testing.B) { benchImport(b, 0) }

// BenchmarkImport10kWith100Rules is the import with 100 enabled rules (of
// every trigger a message meets, over subject, body, sender and patterns),
// evaluated on every message in its ingest transaction.
func BenchmarkImport10kWith100Rules(b *testing.B) { benchImport(b, 100) }

func benchImport(b *testing.B, rules int) {
	bin := binary(b)
	dir := b.TempDir()
	corpus, st := corpus10k(b, dir)
	b.Logf("corpus: %d messages, %d conversations, %d replies, %d with attachments, %.1f MB",
		st.Messages, st.Conversations, st.Replies, st.WithAttachments, float64(st.Bytes)/1e6)
	engines(b, func(b *testing.B, dsn string) {
		for i := 0; i < b.N; i++ {
			// Data dirs stay until the whole benchmark ends. This machine's
			// ext4 has no journal, and then creating a file within minutes
			// of mass deletes is slow: the kernel steps over every recently
			// freed inode. Deleting one run's 11,000 files would slow the next.
			data := filepath.Join(dir, fmt.Sprintf("data-%s-%d", filepath.Base(b.Name()), i))
			if dsn != "" && i > 0 {
				b.Skip("one run per database")
			}
			mig := exec.Command(bin, "migrate")
			mig.Env = benchEnv(data, dsn)
			if out, err := mig.CombinedOutput(); err != nil {
				b.Fatalf("migrate: %v %s", err, out)
			}
			if rules > 0 {
				seedRules(b, data, dsn, rules)
			}
			cmd := exec.Command(bin, "import", corpus)
			cmd.Env = benchEnv(data, dsn)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			// The corpus was just written: flush it now, not during the import.
			syscall.Sync()
			start := time.Now()
			out, err := cmd.Output()
			elapsed := time.Since(start)
			if err != nil {
				b.Fatalf("import: %v\n%s", err, stderr.String())
			}
			summary := strings.TrimSpace(string(out))
			if !strings.Contains(summary, fmt.Sprintf("new %d,", st.Messages)) {
				b.Fatalf("import summary %q, want %d new", summary, st.Messages)
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
			// The import's own CPU time a message (the database server's not
			// counted): on a loaded machine it varies less than the wall clock,
			// though it varies too.
			cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			cpuMs := float64(cpu.Microseconds()) / 1000 / float64(st.Messages)
			b.ReportMetric(float64(st.Messages)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(rss)/1024, "peak-RSS-MB")
			b.ReportMetric(cpuMs, "cpu-ms/msg")
			b.Logf("%s: %d messages in %s = %.0f msgs/s, %.3f ms CPU a message, peak RSS %.1f MB, %d rules (%s)", b.Name(), st.Messages, elapsed.Round(time.Millisecond),
				float64(st.Messages)/elapsed.Seconds(), cpuMs, float64(rss)/1024, rules, summary)
		}
	})
}

// seedRules stores n enabled rules: created and customer_replied rules
// over the subject, the body, the sender's domain and a pattern; one in 25
// matches common mail (it tags it), so actions run too.
func seedRules(b *testing.B, data, dsn string, n int) {
	ctx := context.Background()
	if dsn == "" {
		dsn = filepath.Join(data, "ticketer.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	st := store.New(db)
	conds := []string{
		`[{"field":"subject","op":"contains","value":"word%d"}]`,
		`[{"field":"body","op":"contains","value":"no such phrase %d"}]`,
		`[{"field":"from_domain","op":"equals","value":"example%d.test"},{"field":"automatic","op":"equals","value":"false"}]`,
		`[{"field":"subject","op":"matches","value":"^(re: )?order [0-9]+%d$"}]`,
		`[{"field":"to","op":"starts_with","value":"nobody%d@"},{"field":"priority","op":"equals","value":"normal"}]`,
	}
	for i := range n {
		when := []string{"created", "customer_replied"}[i%2]
		c := fmt.Sprintf(conds[i%len(conds)], i)
		actions := `[{"type":"set_priority","value":"high"}]`
		if i%25 == 0 {
			c, actions = `[{"field":"subject","op":"contains","value":"e"}]`, fmt.Sprintf(`[{"type":"add_tag","value":"rule%d"}]`, i)
		}
		if _, err := st.CreateRule(ctx, db.W(), store.Rule{Name: fmt.Sprintf("rule %d", i), Enabled: true, When: when, Match: "all",
			Conditions: c, Actions: actions, CreatedAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSMTPToAPI(b *testing.B) {
	bin := binary(b)
	engines(b, func(b *testing.B, dsn string) {
		data := filepath.Join(b.TempDir(), "data")
		env := benchEnv(data, dsn)
		env = append(env, "TICKETER_HTTP_ADDR=127.0.0.1:0", "TICKETER_SMTP_ADDR=127.0.0.1:0", "TICKETER_LOG_LEVEL=info")
		mig := exec.Command(bin, "migrate")
		mig.Env = env
		if out, err := mig.CombinedOutput(); err != nil {
			b.Fatalf("migrate: %v %s", err, out)
		}
		for _, args := range [][]string{{"user", "add", "--email", "bench@acme.example", "--role", "agent"}} {
			c := exec.Command(bin, args...)
			c.Env = env
			if out, err := c.CombinedOutput(); err != nil {
				b.Fatalf("%v: %v %s", args, err, out)
			}
		}
		tc := exec.Command(bin, "token", "create", "--email", "bench@acme.example")
		tc.Env = env
		tokOut, err := tc.Output()
		if err != nil {
			b.Fatal(err)
		}
		token := strings.TrimSpace(string(tokOut))
		srv := exec.Command(bin, "serve")
		srv.Env = env
		stderr, _ := srv.StderrPipe()
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		defer func() {
			_ = srv.Process.Signal(syscall.SIGTERM)
			_ = srv.Wait()
		}()
		httpAddr, smtpAddr := waitAddrs(b, stderr)
		client := &http.Client{Timeout: 5 * time.Second}
		latest := func() string {
			req, _ := http.NewRequest("GET", "http://"+httpAddr+"/api/v1/tickets?limit=1", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil {
				return ""
			}
			defer resp.Body.Close()
			var l struct {
				Items []struct {
					Subject string `json:"subject"`
				} `json:"items"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&l)
			if len(l.Items) == 0 {
				return ""
			}
			return l.Items[0].Subject
		}
		const n = 50
		var lat []time.Duration
		for i := 0; i < b.N; i++ {
			for j := range n {
				subject := fmt.Sprintf("latency probe %d-%d", i, j)
				msg := fmt.Sprintf("From: probe@customer.example\r\nTo: support@localhost\r\nSubject: %s\r\nMessage-ID: <probe-%d-%d@customer.example>\r\n\r\nhello\r\n", subject, i, j)
				start, err := sendTimed(smtpAddr, "probe@customer.example", "support@localhost", msg)
				if err != nil {
					b.Fatal(err)
				}
				for latest() != subject {
					if time.Since(start) > 10*time.Second {
						b.Fatalf("ticket %q never appeared", subject)
					}
					time.Sleep(time.Millisecond)
				}
				lat = append(lat, time.Since(start))
			}
		}
		slices.Sort(lat)
		p50, p90 := lat[len(lat)/2], lat[len(lat)*9/10]
		b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(p90.Microseconds())/1000, "p90-ms")
		b.Logf("%s: SMTP DATA -> ticket in API over %d messages: median %s, p90 %s, max %s", b.Name(), len(lat), p50, p90, lat[len(lat)-1])
	})
}

// sendTimed delivers msg over SMTP and returns when it started the DATA
// command: the clock covers the upload, the server's 250 and what follows,
// not the connection setup before it.
func sendTimed(addr, from, to, msg string) (time.Time, error) {
	c, err := smtp.Dial(addr)
	if err != nil {
		return time.Time{}, err
	}
	defer c.Close()
	if err := c.Mail(from); err != nil {
		return time.Time{}, err
	}
	if err := c.Rcpt(to); err != nil {
		return time.Time{}, err
	}
	start := time.Now()
	w, err := c.Data()
	if err != nil {
		return start, err
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return start, err
	}
	if err := w.Close(); err != nil { // returns after the server's 250
		return start, err
	}
	return start, c.Quit()
}

var addrRE = regexp.MustCompile(`http=(\S+) smtp=(\S+)`)

// waitAddrs reads the server's log until it says where it listens.
func waitAddrs(b *testing.B, stderr interface{ Read([]byte) (int, error) }) (string, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	found := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- [2]string{m[1], m[2]}
				sent = true
			}
		}
	}()
	select {
	case a := <-found:
		return a[0], a[1]
	case <-ctx.Done():
		b.Fatal("server did not report its addresses")
		return "", ""
	}
}
