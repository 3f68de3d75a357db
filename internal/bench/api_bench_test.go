package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
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
// ticket list (half of them), filtered pages (three tenths, each with
// values drawn at random) and full-text searches (a fifth, for a random
// word of the generated text, common or rare, or two). It checks that common
// words find tickets and that most searches do, and prints p50 and p99 of
// each kind.
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

		// Each request draws its own values (seeded, so runs compare): a
		// handful of fixed queries would measure the caches, not the queries.
		rng := rand.New(rand.NewPCG(42, 18))
		contacts := max(n/5, 1)
		statuses := []string{"new", "open", "pending", "solved", "closed", "open,pending"}
		tags := []string{"vip", "billing", "bug", "feature", "urgent-customer"}
		makeQuery := func(kind string) string {
			switch kind {
			case "filtered page":
				switch rng.IntN(6) {
				case 0:
					return "status=" + statuses[rng.IntN(len(statuses))] + "&limit=25"
				case 1:
					return fmt.Sprintf("status=%s&assignee=%d&limit=25", statuses[rng.IntN(len(statuses))], 1+rng.IntN(50))
				case 2:
					return fmt.Sprintf("mailbox=%d&status=%s&limit=25", 1+rng.IntN(3), statuses[rng.IntN(len(statuses))])
				case 3:
					return "tag=" + tags[rng.IntN(len(tags))] + "&limit=25"
				case 4:
					return "assignee=none&status=" + statuses[rng.IntN(len(statuses))] + "&limit=25"
				default:
					return fmt.Sprintf("requester=customer%d@example.org&limit=25", 1+rng.IntN(contacts))
				}
			case "search":
				// Any word of the generated text, common or rare; a third of
				// the searches are two words together.
				q := vocabulary[rng.IntN(len(vocabulary))]
				if rng.IntN(3) == 0 {
					q += "+" + vocabulary[rng.IntN(len(vocabulary))]
				}
				return "q=" + q + "&limit=25"
			default:
				return "limit=25"
			}
		}
		// The mix of an agents' day: mostly the queue, often a filtered view,
		// sometimes a search (half, three tenths, a fifth).
		order := []string{"first page", "filtered page", "first page", "search", "filtered page",
			"first page", "filtered page", "first page", "search", "first page"}
		client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
		// get answers how long the request took and how many tickets came back.
		get := func(query string) (time.Duration, int, error) {
			req, err := http.NewRequest("GET", "http://"+httpAddr+"/api/v1/tickets?"+query, nil)
			if err != nil {
				return 0, 0, err
			}
			req.Header.Set("Authorization", "Bearer "+token)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				return 0, 0, err
			}
			var page struct {
				Items []json.RawMessage `json:"items"`
			}
			err = json.NewDecoder(resp.Body).Decode(&page)
			resp.Body.Close()
			took := time.Since(t0)
			if resp.StatusCode != http.StatusOK {
				return 0, 0, fmt.Errorf("%s: status %d", query, resp.StatusCode)
			}
			if err != nil {
				return 0, 0, fmt.Errorf("%s: %w", query, err)
			}
			return took, len(page.Items), nil
		}
		// Warm up, and check the data answers: the generator favours the
		// first words of the vocabulary, which are then in most tickets, so
		// a search for one of them that finds nothing means search is broken
		// and its figure would be meaningless. (The last words may be in no
		// ticket of a small database.)
		for _, w := range vocabulary[:10] {
			_, rows, err := get("q=" + w + "&limit=25")
			if err != nil {
				b.Fatal(err)
			}
			if rows == 0 {
				b.Fatalf("search for %q found no ticket", w)
			}
		}

		const rate, seconds = 200, 20
		var mu sync.Mutex
		lat := map[string][]time.Duration{}
		empty := map[string]int{} // answers with no ticket, by kind
		var errs []error
		var wg sync.WaitGroup
		begin := time.Now()
		for i := range rate * seconds {
			time.Sleep(time.Until(begin.Add(time.Duration(i) * time.Second / rate)))
			kind := order[i%len(order)]
			q := makeQuery(kind)
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, rows, err := get(q)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				if rows == 0 {
					empty[kind]++
				}
				lat[kind] = append(lat[kind], d)
			}()
		}
		wg.Wait()
		elapsed := time.Since(begin)
		if len(errs) > 0 {
			b.Fatalf("%d requests failed, first: %v", len(errs), errs[0])
		}
		// Most searches are for words the data has: if most find nothing,
		// the figure measures empty answers.
		if empty["search"]*2 > len(lat["search"]) {
			b.Fatalf("%d of %d searches found nothing", empty["search"], len(lat["search"]))
		}
		b.Logf("%s: %d tickets, %d requests in %s (%.0f/s)", b.Name(), n, rate*seconds, elapsed.Round(time.Millisecond), float64(rate*seconds)/elapsed.Seconds())
		for _, kind := range []string{"first page", "filtered page", "search"} {
			l := lat[kind]
			slices.Sort(l)
			p50, p99 := l[len(l)/2], l[len(l)*99/100]
			unit := strings.ReplaceAll(kind, " ", "-")
			b.ReportMetric(ms(p50), unit+"-p50-ms")
			b.ReportMetric(ms(p99), unit+"-p99-ms")
			b.Logf("%s: %-13s n=%d (%d found nothing) p50 %s p99 %s max %s", b.Name(), kind, len(l), empty[kind], p50.Round(10*time.Microsecond),
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
