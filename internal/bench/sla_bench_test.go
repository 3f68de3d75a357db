package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// BenchmarkSLA (PostgreSQL) loads TICKETER_BENCH_TICKETS_PG tickets (1M by
// default) as the reports benchmark does, gives every open one (new, open,
// pending) an SLA clock due over the next 24 hours, and times:
//   - a breach pass with nothing due (the steady state: the pass reads the
//     tickets_sla_check index only);
//   - a breach pass with TICKETER_BENCH_SLA_DUE tickets (100 by default)
//     just past due, each recorded (its audit event and the hooks);
//   - GET /api/v1/tickets?sort=due's query (the open tickets, 50 a page):
//     p50 and p99 of 200 calls.
func BenchmarkSLA(b *testing.B) {
	dsn := storetest.PostgresURL(b)
	n := envInt("TICKETER_BENCH_TICKETS_PG", 1_000_000)
	due := envInt("TICKETER_BENCH_SLA_DUE", 100)
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
	if err := reportHistory(ctx, db, n); err != nil {
		b.Fatal(err)
	}
	policy := `INSERT INTO sla_policies (name, position, first_response_minutes, resolution_minutes, created_at, updated_at)
		VALUES ('Std', 1, 60, 1440, now(), now())`
	clocks := `INSERT INTO ticket_sla (ticket_id, policy_id, policy_name, resolution_due_at, breaches)
		SELECT id, (SELECT id FROM sla_policies), 'Std', now() + interval '1 hour' + (id % 86400) * interval '1 second', '[]'
		FROM tickets WHERE status IN ('new', 'open', 'pending')`
	dues := `UPDATE tickets t SET sla_due_at = s.resolution_due_at, sla_check_at = s.resolution_due_at FROM ticket_sla s WHERE s.ticket_id = t.id`
	if err := execAll(ctx, db, policy, clocks); err != nil {
		b.Fatal(err)
	}
	var open int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM ticket_sla`).Scan(&open); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d tickets, %d open with an SLA clock, in %s", n, open, time.Since(start).Round(time.Second))
	st := store.New(db)
	svc := ticket.New(ticket.Config{Store: st})

	pass := func(name string) {
		t0 := time.Now()
		got, err := svc.RunSLABreaches(ctx)
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(t0)
		b.ReportMetric(ms(took), name+"-ms")
		b.Logf("breach pass, %s: %d breaches recorded in %s (%d open tickets)", name, got, took.Round(time.Millisecond), open)
	}
	// Loading takes minutes: the clocks start from now, an hour ahead, so
	// that nothing is due in the first pass.
	if err := execAll(ctx, db, `UPDATE ticket_sla SET resolution_due_at = now() + interval '1 hour' + (ticket_id % 86400) * interval '1 second'`,
		dues, `VACUUM ANALYZE tickets`, `VACUUM ANALYZE ticket_sla`); err != nil {
		b.Fatal(err)
	}
	pass("nothing-due")
	if err := execAll(ctx, db, fmt.Sprintf(`WITH d AS (SELECT ticket_id FROM ticket_sla ORDER BY ticket_id LIMIT %d)
		UPDATE ticket_sla s SET resolution_due_at = now() - interval '1 second' FROM d WHERE d.ticket_id = s.ticket_id`, due),
		`UPDATE tickets t SET sla_due_at = s.resolution_due_at, sla_check_at = s.resolution_due_at FROM ticket_sla s
			WHERE s.ticket_id = t.id AND s.resolution_due_at < now()`); err != nil {
		b.Fatal(err)
	}
	pass(fmt.Sprintf("%d-due", due))
	pass("after")

	// The plan: tickets_sla_due read in order, not every ticket sorted.
	var plan []string
	err = scanRows(ctx, db, `EXPLAIN SELECT t.id FROM tickets t WHERE t.status IN ('new', 'open', 'pending') AND t.spam_at IS NULL
		ORDER BY CASE WHEN t.sla_due_at IS NULL THEN 1 ELSE 0 END, COALESCE(t.sla_due_at, t.updated_at), t.id LIMIT 51`, &plan)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("sort=due plan:\n%s", strings.Join(plan, "\n"))
	const calls = 200
	var lat []time.Duration
	filter := store.TicketFilter{Statuses: []string{string(domain.StatusNew), string(domain.StatusOpen), string(domain.StatusPending)},
		Sort: store.TicketSort{Key: store.SortDue, Asc: true}, Limit: 51, SubjectChars: 1000}
	for range calls {
		t0 := time.Now()
		page, err := st.ListTickets(ctx, filter)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		if len(page) != 51 || page[0].SLA == nil || page[0].SLA.DueAt.IsZero() {
			b.Fatalf("sort=due page: %d tickets, first %+v", len(page), page[0].SLA)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(ms(lat[calls/2]), "sort-due-p50-ms")
	b.ReportMetric(ms(lat[calls*99/100]), "sort-due-p99-ms")
	b.Logf("sort=due over %d tickets: p50 %s p99 %s", n, lat[calls/2].Round(100*time.Microsecond), lat[calls*99/100].Round(100*time.Microsecond))
}

// scanRows reads one text column of every row.
func scanRows(ctx context.Context, db *store.DB, query string, out *[]string) error {
	rows, err := db.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return err
		}
		*out = append(*out, v)
	}
	return rows.Err()
}
