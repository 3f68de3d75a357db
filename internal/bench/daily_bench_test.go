package bench

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// dailyBundle is a generated database (GenerateTickets, as for
// BenchmarkTicketListUnderLoad) and the ticket service over it, for the
// measures of issue 12.
type dailyBundle struct {
	ctx   context.Context
	st    *store.Store
	svc   *ticket.Service
	agent store.User
	n     int
}

// dailySetup generates the tickets; with messages false, without their
// messages (for measures that never read them).
func dailySetup(b *testing.B, dsn string, messages bool) dailyBundle {
	b.Helper()
	n := envInt("TICKETER_BENCH_TICKETS_SQLITE", 100_000)
	if dsn != "" {
		n = envInt("TICKETER_BENCH_TICKETS_PG", 1_000_000)
	} else {
		dsn = filepath.Join(b.TempDir(), "ticketer.db")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	gen := GenerateTickets
	if !messages {
		gen = GenerateTicketRows
	}
	if _, err := gen(ctx, db, n); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: generated %d tickets in %s", b.Name(), n, time.Since(start).Round(time.Second))
	st := store.New(db)
	agent, err := st.UserByEmail(ctx, "agent1@acme.example")
	if err != nil {
		b.Fatal(err)
	}
	return dailyBundle{ctx: ctx, st: st, svc: ticket.New(ticket.Config{Store: st}), agent: agent, n: n}
}

// BenchmarkViewCounts measures GET /api/v1/views/counts' work (the
// service's ViewCounts) over generated tickets, 300 calls each for two
// agents: one whose saved view filters by status and assignee (summed from
// the kept counts, like every built-in view), and one whose saved views need
// the tickets themselves (a requester) or the kept counts of a tag. It
// prints p50 and p99 of each. The counts never read messages: the tickets
// are generated without them.
func BenchmarkViewCounts(b *testing.B) {
	engines(b, func(b *testing.B, dsn string) {
		d := dailySetup(b, dsn, false)
		other, err := d.st.UserByEmail(d.ctx, "agent2@acme.example")
		if err != nil {
			b.Fatal(err)
		}
		save := func(u store.User, f ticket.ViewFilters) {
			name := "view"
			if _, err := d.svc.CreateView(d.ctx, u, ticket.ViewInput{Name: &name, Filters: &f}); err != nil {
				b.Fatal(err)
			}
		}
		save(d.agent, ticket.ViewFilters{Status: "open,pending", Assignee: "me"})
		save(other, ticket.ViewFilters{Tag: "vip", Status: "open"})
		save(other, ticket.ViewFilters{Requester: "customer7@example.org"})
		for _, c := range []struct {
			name string
			u    store.User
		}{{"kept-counts", d.agent}, {"tag-and-requester-views", other}} {
			const calls = 300
			lat := make([]time.Duration, 0, calls)
			var counts map[string]int
			for range calls {
				t0 := time.Now()
				var err error
				if counts, err = d.svc.ViewCounts(d.ctx, c.u); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			if counts["open"] == 0 || counts["status:closed"] == 0 {
				b.Fatalf("counts %v: the generated tickets are not counted", counts)
			}
			slices.Sort(lat)
			p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
			b.ReportMetric(ms(p50), c.name+"-p50-ms")
			b.ReportMetric(ms(p99), c.name+"-p99-ms")
			b.Logf("%s: %d tickets, %s: view counts p50 %s p99 %s max %s (%d keys)", b.Name(), d.n, c.name, p50.Round(10*time.Microsecond),
				p99.Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond), len(counts))
		}
	})
}

// BenchmarkBulkUpdate1000 times one bulk change of 1,000 open tickets (to
// solved, a tag added), each through the change path with its events.
func BenchmarkBulkUpdate1000(b *testing.B) {
	engines(b, func(b *testing.B, dsn string) {
		d := dailySetup(b, dsn, true)
		var ids []int64
		err := scanIDs(d, &ids, `SELECT id FROM tickets WHERE status = 'open' ORDER BY id LIMIT 1000`)
		if err != nil || len(ids) != 1000 {
			b.Fatalf("%d open tickets: %v", len(ids), err)
		}
		solved := domain.StatusSolved
		t0 := time.Now()
		n, skipped, err := d.svc.BulkUpdateTickets(d.ctx, d.agent, ticket.BulkUpdate{IDs: ids, Status: &solved, TagsAdd: []string{"bulk"}})
		took := time.Since(t0)
		if err != nil || n != 1000 || len(skipped) != 0 {
			b.Fatalf("updated %d, skipped %v: %v", n, skipped, err)
		}
		b.ReportMetric(ms(took), "bulk-1000-ms")
		b.Logf("%s: bulk change of 1,000 tickets (of %d) in %s", b.Name(), d.n, took.Round(time.Millisecond))
	})
}

func scanIDs(d dailyBundle, ids *[]int64, query string) error {
	rows, err := d.st.DB().Query(d.ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		*ids = append(*ids, id)
	}
	return rows.Err()
}
