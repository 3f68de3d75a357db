package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// reportHistory loads n tickets for the summary report in bulk SQL, one
// every 30 seconds up to now (a million span 347 days): a first response
// 10 minutes to 2 days after creation for 9 in 10, solved or closed
// tickets with their solved_at and status_changed event, one in 20 of those
// re-opened (an event, solved_at cleared), one of five tags on one in ten
// (tickets with a first response: the tag grouping ranks durations too). Only what the
// report reads: no messages.
func reportHistory(ctx context.Context, db *store.DB, n int) error {
	if db.Dialect == store.Postgres {
		return db.InTx(ctx, func(tx *store.Tx) error {
			for _, s := range []string{
				`SET LOCAL session_replication_role = replica`,
				`INSERT INTO users (email, name, role, created_at)
					SELECT 'agent' || g || '@acme.example', 'Agent ' || g, 'agent', now() FROM generate_series(1, 50) g`,
				`INSERT INTO mailboxes (name, address, provider, created_at)
					SELECT 'Mailbox ' || g, 'support' || g || '@acme.example', 'smtp', now() FROM generate_series(1, 3) g`,
				`INSERT INTO contacts (email, name, created_at) VALUES ('customer@example.org', 'Customer', now())`,
				fmt.Sprintf(`INSERT INTO tickets (subject, status, priority, assignee_id, requester_id, mailbox_id, message_count,
						created_at, updated_at, first_response_at, solved_at)
					SELECT 'Ticket #' || g, s.status, 'normal',
						CASE WHEN g %% 4 = 0 THEN NULL ELSE (SELECT min(id) FROM users) + g %% 50 END,
						(SELECT min(id) FROM contacts), (SELECT min(id) FROM mailboxes) + g %% 3, 1, c.at, c.at,
						CASE WHEN g %% 10 <> 0 THEN c.at + ((g * 7919) %% 172800 + 600) * interval '1 second' END,
						CASE WHEN s.status IN ('solved', 'closed') THEN c.at + ((g * 104729) %% 604800 + 3600) * interval '1 second' END
					FROM generate_series(1::bigint, %[1]d) g,
						LATERAL (SELECT now() - (%[1]d - g) * interval '30 seconds' AS at) c,
						LATERAL (SELECT (ARRAY['new','open','pending','solved','solved','closed','closed','open'])[1 + (g * 7) %% 8] AS status) s`, n),
				`INSERT INTO ticket_events (ticket_id, actor, kind, field, old_value, new_value, created_at)
					SELECT id, 'system', 'status_changed', 'status', 'open', status, solved_at FROM tickets WHERE solved_at IS NOT NULL`,
				// Re-opens: one in 20 of the solved tickets.
				`INSERT INTO ticket_events (ticket_id, actor, kind, field, old_value, new_value, created_at)
					SELECT id, 'system', 'status_changed', 'status', 'solved', 'open', solved_at + interval '1 hour' FROM tickets WHERE status = 'solved' AND id % 20 = 0`,
				`UPDATE tickets SET status = 'open', solved_at = NULL WHERE status = 'solved' AND id % 20 = 0`,
				`INSERT INTO ticket_tags (ticket_id, tag)
					SELECT id, (ARRAY['vip','billing','bug','feature','urgent-customer'])[1 + id / 10 % 5] FROM tickets WHERE id % 10 = 3`,
			} {
				if _, err := tx.Exec(ctx, s); err != nil {
					return fmt.Errorf("%.70s: %w", strings.TrimSpace(s), err)
				}
			}
			return nil
		})
	}
	ts := func(expr string) string { return `strftime('%Y-%m-%d %H:%M:%S+00:00', ` + expr + `)` }
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, s := range []string{
			`INSERT INTO users (email, name, role, created_at)
				WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 50)
				SELECT 'agent' || x || '@acme.example', 'Agent ' || x, 'agent', ` + ts(`'now'`) + ` FROM g`,
			`INSERT INTO mailboxes (name, address, provider, created_at)
				WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 3)
				SELECT 'Mailbox ' || x, 'support' || x || '@acme.example', 'smtp', ` + ts(`'now'`) + ` FROM g`,
			`INSERT INTO contacts (email, name, created_at) VALUES ('customer@example.org', 'Customer', ` + ts(`'now'`) + `)`,
			fmt.Sprintf(`INSERT INTO tickets (subject, status, priority, assignee_id, requester_id, mailbox_id, message_count,
					created_at, updated_at, first_response_at, solved_at)
				WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < %[1]d),
				c AS (SELECT x, unixepoch('now') - (%[1]d - x) * 30 AS at,
					CASE (x * 7) %% 8 WHEN 0 THEN 'new' WHEN 1 THEN 'open' WHEN 2 THEN 'pending' WHEN 3 THEN 'solved'
						WHEN 4 THEN 'solved' WHEN 7 THEN 'open' ELSE 'closed' END AS status FROM g)
				SELECT 'Ticket #' || x, status, 'normal',
					CASE WHEN x %% 4 = 0 THEN NULL ELSE (SELECT min(id) FROM users) + x %% 50 END,
					(SELECT min(id) FROM contacts), (SELECT min(id) FROM mailboxes) + x %% 3, 1,
					%[2]s, %[2]s,
					CASE WHEN x %% 10 <> 0 THEN %[3]s END,
					CASE WHEN status IN ('solved', 'closed') THEN %[4]s END
				FROM c`, n, ts(`at, 'unixepoch'`), ts(`at + (x * 7919) % 172800 + 600, 'unixepoch'`), ts(`at + (x * 104729) % 604800 + 3600, 'unixepoch'`)),
			`INSERT INTO ticket_events (ticket_id, actor, kind, field, old_value, new_value, created_at)
				SELECT id, 'system', 'status_changed', 'status', 'open', status, solved_at FROM tickets WHERE solved_at IS NOT NULL`,
			`INSERT INTO ticket_events (ticket_id, actor, kind, field, old_value, new_value, created_at)
				SELECT id, 'system', 'status_changed', 'status', 'solved', 'open', ` + ts(`solved_at, '+1 hour'`) + ` FROM tickets WHERE status = 'solved' AND id % 20 = 0`,
			`UPDATE tickets SET status = 'open', solved_at = NULL WHERE status = 'solved' AND id % 20 = 0`,
			`INSERT INTO ticket_tags (ticket_id, tag)
				SELECT id, CASE id / 10 % 5 WHEN 0 THEN 'vip' WHEN 1 THEN 'billing' WHEN 2 THEN 'bug' WHEN 3 THEN 'feature' ELSE 'urgent-customer' END
				FROM tickets WHERE id % 10 = 3`,
		} {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%.70s: %w", strings.TrimSpace(s), err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return execAll(ctx, db, `ANALYZE`)
}

// BenchmarkReportSummary times the summary report (the service's
// ReportSummary, what GET /api/v1/reports/summary runs) over every
// generated ticket: 100k on SQLite, 1M on PostgreSQL (targets 300 and
// 500 ms), the range the whole history, for each grouping; p50 of 5 calls.
// TICKETER_BENCH_REPORT_PG_DB keeps the PostgreSQL history in a named
// database between runs (keptDatabase); TICKETER_BENCH_REPORT_GROUPS
// (comma-separated) times only those groupings.
func BenchmarkReportSummary(b *testing.B) {
	engines(b, func(b *testing.B, dsn string) {
		n := envInt("TICKETER_BENCH_TICKETS_SQLITE", 100_000)
		keep := false
		if dsn != "" {
			n = envInt("TICKETER_BENCH_TICKETS_PG", 1_000_000)
			dsn, keep = keptDatabase(b, dsn)
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
		var loaded int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM tickets`).Scan(&loaded); err != nil {
			b.Fatal(err)
		}
		if keep && loaded > 0 {
			// A kept database loaded by an earlier run: its history stays
			// (whatever its size), only the report is timed again.
			n = loaded
			b.Logf("%s: kept database with %d tickets", b.Name(), n)
		} else {
			start := time.Now()
			if err := reportHistory(ctx, db, n); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: loaded %d tickets in %s", b.Name(), n, time.Since(start).Round(time.Second))
			// The bulk load skips triggers on PostgreSQL (replica role): the
			// report's facts come from their migrations' backfills, run
			// again here, and timed.
			start = time.Now()
			if err := storetest.UndoReportFacts(ctx, db); err != nil {
				b.Fatal(err)
			}
			if err := db.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: backfilled the report's facts of %d tickets in %s", b.Name(), n, time.Since(start).Round(time.Millisecond))
		}
		// Also when kept: a migration may have just filled a table.
		analyze := `ANALYZE`
		if db.Dialect == store.Postgres {
			analyze = `VACUUM ANALYZE` // as autovacuum would: index-only scans need the visibility map
		}
		if err := execAll(ctx, db, analyze); err != nil {
			b.Fatal(err)
		}
		if db.Dialect == store.Postgres {
			// VACUUM leaves the pages it set hints on dirty: written out
			// now, not while the first report is timed (that report took
			// up to twice as long as the next ones).
			if err := execAll(ctx, db, `CHECKPOINT`); err != nil {
				b.Fatal(err)
			}
		}
		st := store.New(db)
		svc := ticket.New(ticket.Config{Store: st})
		// The range: the whole history (a kept one ends when it was loaded).
		first := time.Now().Add(-time.Duration(n) * 30 * time.Second)
		if keep {
			if err := db.QueryRow(ctx, `SELECT min(created_at) FROM tickets`).Scan(&first); err != nil {
				b.Fatal(err)
			}
		}
		to := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
		from := first.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		groups := []string{"day", "week", "agent", "mailbox", "tag"}
		if g := os.Getenv("TICKETER_BENCH_REPORT_GROUPS"); g != "" {
			groups = strings.Split(g, ",")
		}
		// One report untimed first: the first one after the load opens the
		// pool's connections for its statements at once and fills each new
		// backend's caches (at a million facts it took 400 to 930 ms where
		// the next took 300 to 450), which a running server has done.
		t0 := time.Now()
		if _, err := svc.ReportSummary(ctx, store.User{}, ticket.ReportInput{From: from, To: to, Group: groups[0]}); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d tickets, the first report (group=%s, untimed): %s", b.Name(), n, groups[0], time.Since(t0).Round(time.Millisecond))
		for _, g := range groups {
			const calls = 5
			var lat []time.Duration
			var created int64
			for range calls {
				t0 := time.Now()
				rows, err := svc.ReportSummary(ctx, store.User{}, ticket.ReportInput{From: from, To: to, Group: g})
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
				created = 0
				for _, r := range rows {
					created += r.Created
				}
			}
			if g != "tag" && created != int64(n) {
				b.Fatalf("%s: %d tickets created in the report, want %d", g, created, n)
			}
			slices.Sort(lat)
			b.ReportMetric(ms(lat[calls/2]), g+"-p50-ms")
			b.Logf("%s: %d tickets, group=%s: p50 %s max %s", b.Name(), n, g, lat[calls/2].Round(time.Millisecond), lat[calls-1].Round(time.Millisecond))
		}
	})
}

// keptDatabase is the PostgreSQL database the report benchmark uses: a
// fresh one (dsn) unless TICKETER_BENCH_REPORT_PG_DB names one to keep
// between runs (created when missing, never dropped), which saves loading
// a million tickets again; keep says it is the kept one.
func keptDatabase(b *testing.B, dsn string) (string, bool) {
	name := os.Getenv("TICKETER_BENCH_REPORT_PG_DB")
	if name == "" {
		return dsn, false
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, storetest.AdminURL())
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		b.Fatal(err)
	}
	if !exists {
		if _, err := admin.Exec(ctx, `CREATE DATABASE "`+strings.ReplaceAll(name, `"`, `""`)+`"`); err != nil {
			b.Fatal(err)
		}
	}
	return storetest.AdminURLFor(b, name), true
}
