package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// BenchmarkTicketListUnderLoad fills a database with generated tickets
// (1,000,000 tickets and 3,000,000 messages on PostgreSQL, 100,000 and
// 300,000 on SQLite; TICKETER_BENCH_TICKETS_PG and _SQLITE change that),
// starts the real server, and from this process (a second one) sends 200
// requests per second, open loop, for 20 seconds: the first page of the
// ticket list (half of them), filtered pages (three tenths) and full-text
// searches (a fifth), for words in nearly every ticket down to words in a
// handful. It prints p50 and p99 of each kind.
func BenchmarkTicketListUnderLoad(b *testing.B) {
	bin := binary(b)
	engines(b, func(b *testing.B, dsn string) {
		n := envInt("TICKETER_BENCH_TICKETS_SQLITE", 100_000)
		if dsn != "" {
			n = envInt("TICKETER_BENCH_TICKETS_PG", 1_000_000)
		}
		data := filepath.Join(b.TempDir(), "data")
		if dsn == "" {
			dsn = filepath.Join(data, "ticketer.db")
		}
		env := append(benchEnv(data, dsn), "TICKETER_HTTP_ADDR=127.0.0.1:0", "TICKETER_SMTP_ADDR=", "TICKETER_LOG_LEVEL=info")
		run := func(args ...string) string {
			c := exec.Command(bin, args...)
			c.Env = env
			out, err := c.Output()
			if err != nil {
				b.Fatalf("%v: %v", args, err)
			}
			return strings.TrimSpace(string(out))
		}
		run("migrate")

		ctx := context.Background()
		db, err := store.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		st, err := GenerateTickets(ctx, db, n)
		db.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: generated %d tickets, %d messages in %s", b.Name(), st.Tickets, st.Messages, time.Since(start).Round(time.Second))

		run("user", "add", "--email", "load@acme.example", "--name", "Load", "--role", "agent")
		token := run("token", "create", "--email", "load@acme.example")
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
		httpAddr, _ := waitAddrs(b, stderr)

		kinds := map[string][]string{
			"first page": {"limit=25"},
			"filtered page": {"status=open&limit=25", "status=open,pending&assignee=7&limit=25", "mailbox=2&status=solved&limit=25",
				"tag=vip&limit=25", "assignee=none&status=new&limit=25", "requester=customer42@example.org&limit=25"},
			// Common, middling and rare words, and two words together.
			"search": {"q=printer&limit=25", "q=invoice&limit=25", "q=warranty&limit=25", "q=tardigrade&limit=25",
				"q=refund+order&limit=25", "q=capybara&limit=25", "q=quota&limit=25"},
		}
		// The mix of an agents' day: mostly the queue, often a filtered view,
		// sometimes a search (half, three tenths, a fifth).
		order := []string{"first page", "filtered page", "first page", "search", "filtered page",
			"first page", "filtered page", "first page", "search", "first page"}
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
		get := func(query string) (time.Duration, error) {
			req, _ := http.NewRequest("GET", "http://"+httpAddr+"/api/v1/tickets?"+query, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return 0, fmt.Errorf("%s: status %d", query, resp.StatusCode)
			}
			return time.Since(t0), nil
		}
		// Warm up: every query once.
		for _, qs := range kinds {
			for _, q := range qs {
				if _, err := get(q); err != nil {
					b.Fatal(err)
				}
			}
		}

		const rate, seconds = 200, 20
		var mu sync.Mutex
		lat := map[string][]time.Duration{}
		var errs []error
		var wg sync.WaitGroup
		begin := time.Now()
		for i := range rate * seconds {
			time.Sleep(time.Until(begin.Add(time.Duration(i) * time.Second / rate)))
			kind := order[i%len(order)]
			q := kinds[kind][(i/len(order))%len(kinds[kind])]
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := get(q)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				lat[kind] = append(lat[kind], d)
			}()
		}
		wg.Wait()
		elapsed := time.Since(begin)
		if len(errs) > 0 {
			b.Fatalf("%d requests failed, first: %v", len(errs), errs[0])
		}
		b.Logf("%s: %d tickets, %d requests in %s (%.0f/s)", b.Name(), n, rate*seconds, elapsed.Round(time.Millisecond), float64(rate*seconds)/elapsed.Seconds())
		for _, kind := range []string{"first page", "filtered page", "search"} {
			l := lat[kind]
			slices.Sort(l)
			p50, p99 := l[len(l)/2], l[len(l)*99/100]
			unit := strings.ReplaceAll(kind, " ", "-")
			b.ReportMetric(ms(p50), unit+"-p50-ms")
			b.ReportMetric(ms(p99), unit+"-p99-ms")
			b.Logf("%s: %-13s n=%d p50 %s p99 %s max %s", b.Name(), kind, len(l), p50.Round(10*time.Microsecond),
				p99.Round(10*time.Microsecond), l[len(l)-1].Round(10*time.Microsecond))
		}
	})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
