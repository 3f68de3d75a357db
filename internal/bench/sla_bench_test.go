package bench

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/notify"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

// BenchmarkSLA (PostgreSQL) loads TICKETER_BENCH_TICKETS_PG tickets (1M by
// default) as the reports benchmark does, gives every open one (new, open,
// pending) an SLA clock due over the next 24 hours, and times:
//   - a breach pass with nothing due (the steady state: the pass reads the
//     tickets_sla_check index only);
//   - a breach pass with TICKETER_BENCH_SLA_DUE tickets (100 by default)
//     just past due, each recorded as the application does: its audit
//     event, a notification to the assignee (with its mail job) and a
//     ticket.sla_breached webhook delivery (with its job);
//   - a burst: TICKETER_BENCH_SLA_BURST tickets (1,300 by default) due at
//     once, in one pass;
//   - GET /api/v1/tickets?sort=due's query (the open tickets, 50 a page)
//     and, for comparison under the same load, the default order (last
//     activity): p50 and p99 of 200 calls each, taken in turns; and the
//     EXPLAIN ANALYZE of both (the server's own time, which the machine's
//     load disturbs less).
func BenchmarkSLA(b *testing.B) {
	dsn := storetest.PostgresURL(b)
	n := envInt("TICKETER_BENCH_TICKETS_PG", 1_000_000)
	due := envInt("TICKETER_BENCH_SLA_DUE", 100)
	burst := envInt("TICKETER_BENCH_SLA_BURST", 1300)
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
	svc, err := slaService(ctx, db, st)
	if err != nil {
		b.Fatal(err)
	}

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
	if err := execAll(ctx, db, fmt.Sprintf(`WITH d AS (SELECT ticket_id FROM ticket_sla WHERE breaches = '[]' ORDER BY ticket_id LIMIT %d)
		UPDATE ticket_sla s SET resolution_due_at = now() - interval '1 second' FROM d WHERE d.ticket_id = s.ticket_id`, burst),
		`UPDATE tickets t SET sla_due_at = s.resolution_due_at, sla_check_at = s.resolution_due_at FROM ticket_sla s
			WHERE s.ticket_id = t.id AND s.resolution_due_at < now() AND s.breaches = '[]'`); err != nil {
		b.Fatal(err)
	}
	pass(fmt.Sprintf("burst-%d", burst))
	var events, notes, deliveries int
	if err := db.QueryRow(ctx, `SELECT (SELECT count(*) FROM ticket_events WHERE kind = 'sla_breached'), (SELECT count(*) FROM notifications),
		(SELECT count(*) FROM webhook_deliveries)`).Scan(&events, &notes, &deliveries); err != nil {
		b.Fatal(err)
	}
	b.Logf("recorded in all: %d sla_breached events, %d notifications, %d webhook deliveries", events, notes, deliveries)
	if events != due+burst || deliveries != events {
		b.Fatalf("%d breach events and %d deliveries, want %d each", events, deliveries, due+burst)
	}

	// The plans: tickets_sla_due (and tickets_activity) read in order, not
	// every ticket sorted; the list's joins, run for real.
	for _, order := range []string{
		"CASE WHEN t.sla_due_at IS NULL THEN 1 ELSE 0 END, COALESCE(t.sla_due_at, t.updated_at), t.id",
		"t.updated_at DESC, t.id DESC",
	} {
		var plan []string
		err = scanRows(ctx, db, `EXPLAIN (ANALYZE, BUFFERS) SELECT t.*, c.email, u.email, tm.name, sl.*
			FROM tickets t JOIN contacts c ON c.id = t.requester_id LEFT JOIN users u ON u.id = t.assignee_id
			LEFT JOIN teams tm ON tm.id = t.team_id LEFT JOIN ticket_sla sl ON sl.ticket_id = t.id
			WHERE t.status IN ('new', 'open', 'pending') AND t.spam_at IS NULL ORDER BY `+order+` LIMIT 51`, &plan)
		if err != nil {
			b.Fatal(err)
		}
		// Go cuts a benchmark's long log: the order's scan and the times.
		var brief []string
		for _, line := range plan {
			if strings.Contains(line, "Scan using tickets") || strings.Contains(line, "Sort") || strings.Contains(line, " Time: ") {
				brief = append(brief, strings.TrimSpace(line))
			}
		}
		b.Logf("list plan, ORDER BY %s: %s", order, strings.Join(brief, "; "))
	}
	const calls = 200
	open3 := []string{string(domain.StatusNew), string(domain.StatusOpen), string(domain.StatusPending)}
	orders := []struct {
		name string
		sort store.TicketSort
	}{{"sort-due", store.TicketSort{Key: store.SortDue, Asc: true}}, {"sort-updated", store.DefaultTicketSort}}
	lat := make([][]time.Duration, len(orders))
	for range calls {
		for i, o := range orders {
			t0 := time.Now()
			page, err := st.ListTickets(ctx, store.TicketFilter{Statuses: open3, Sort: o.sort, Limit: 51, SubjectChars: 1000})
			if err != nil {
				b.Fatal(err)
			}
			lat[i] = append(lat[i], time.Since(t0))
			if len(page) != 51 || (i == 0 && (page[0].SLA == nil || page[0].SLA.DueAt.IsZero())) {
				b.Fatalf("%s page: %d tickets, first %+v", o.name, len(page), page[0].SLA)
			}
		}
	}
	for i, o := range orders {
		l := lat[i]
		slices.Sort(l)
		b.ReportMetric(ms(l[calls/2]), o.name+"-p50-ms")
		b.ReportMetric(ms(l[calls*99/100]), o.name+"-p99-ms")
		b.Logf("%s over %d tickets: p50 %s p99 %s", o.name, n, l[calls/2].Round(100*time.Microsecond), l[calls*99/100].Round(100*time.Microsecond))
	}
}

// slaService is the ticket service with the application's notification
// and webhook stages, over an insert-only job queue, and a webhook
// subscribed to ticket.sla_breached: a breach costs what it costs in
// production.
func slaService(ctx context.Context, db *store.DB, st *store.Store) (*ticket.Service, error) {
	workers := river.NewWorkers()
	q, err := jobs.New(db, workers, jobs.Options{})
	if err != nil {
		return nil, err
	}
	notes := notify.New(notify.Config{Store: st, Queue: q})
	hooks := webhook.New(webhook.Config{Store: st, Queue: q, Render: httpapi.WebhookRenderer()})
	svc := ticket.New(ticket.Config{Store: st, Queue: q, Hooks: []ticket.Hook{notes.Hook(), hooks.Hook()}})
	notify.AddWorkers(workers, notes, svc)
	webhook.AddWorkers(workers, hooks)
	_, err = st.CreateWebhook(ctx, db, store.Webhook{URL: "https://hooks.example.org/sla", Events: []string{webhook.EventTicketSLABreached},
		Secret: "unused", Enabled: true, CreatedAt: time.Now()})
	return svc, err
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
