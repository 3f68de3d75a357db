package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/ticketer/ticketer/internal/store"
)

// Vocabulary of the generated tickets. Words are drawn with a strong skew
// (the first ones are common, the last ones rare), so searches cover both a
// word in most tickets and one in a handful.
var vocabulary = strings.Fields(`printer invoice login refund password delivery order account export api
	error shipping subscription pricing package screen laptop phone update crash slow payment card bank
	transfer receipt discount coupon warranty repair return exchange size color broken missing late
	address email notification settings profile upgrade downgrade plan enterprise team admin permission
	report dashboard chart filter search sync backup restore import upload download file attachment
	image video audio calendar meeting reminder schedule timezone language translation keyboard mouse
	monitor cable battery charger adapter wifi bluetooth network vpn proxy firewall certificate domain
	server database timeout latency outage maintenance migration integration webhook token oauth saml
	sso ldap invoice2 quota limit storage bandwidth region cluster replica failover snapshot archive
	retention compliance gdpr privacy consent cookie tracking analytics campaign newsletter unsubscribe
	bounce spam phishing fraud chargeback dispute refund2 voucher loyalty points tier renewal trial
	cancellation contract signature legal tax vat currency exchange2 shipping2 customs tracking2 courier
	pallet warehouse inventory stock backorder preorder bundle variant sku barcode label printer2 toner
	paper jam tray driver firmware reboot reset factory serial license activation key seat device
	tablet watch headset speaker microphone camera lens tripod drone scooter bicycle helmet glove jacket
	zebra quokka axolotl narwhal pangolin okapi capybara wombat platypus tardigrade`)

// GenStats says what GenerateTickets made.
type GenStats struct {
	Tickets, Messages int
}

// GenerateTickets fills a migrated database with tickets (three messages
// each) in bulk SQL: agents, mailboxes, customers, tags, and the search
// index. It is for benchmarks: far faster than ingesting mail, and with the
// same rows ingestion would write where the list and search read.
func GenerateTickets(ctx context.Context, db *store.DB, tickets int) (GenStats, error) {
	return generate(ctx, db, tickets, true)
}

// GenerateTicketRows is GenerateTickets without the messages and their
// search index, for measures that never read them (the sidebar's counts):
// a million tickets in about a minute instead of twenty.
func GenerateTicketRows(ctx context.Context, db *store.DB, tickets int) (GenStats, error) {
	return generate(ctx, db, tickets, false)
}

func generate(ctx context.Context, db *store.DB, tickets int, messages bool) (GenStats, error) {
	gen := generateSQLite
	if db.Dialect == store.Postgres {
		gen = generatePostgres
	}
	st, err := gen(ctx, db, tickets, messages)
	if err != nil {
		return st, err
	}
	// The bulk load bypasses the triggers that keep the sidebar's counts.
	return st, store.New(db).RebuildTicketCounts(ctx)
}

func execAll(ctx context.Context, db *store.DB, stmts ...string) error {
	for _, s := range stmts {
		if _, err := db.Exec(ctx, s); err != nil {
			return fmt.Errorf("%.60s: %w", strings.TrimSpace(s), err)
		}
	}
	return nil
}

func generatePostgres(ctx context.Context, db *store.DB, n int, messages bool) (GenStats, error) {
	words := "ARRAY['" + strings.Join(vocabulary, "','") + "']"
	// A skewed pick from the vocabulary: random()^3 favours the first words.
	pick := fmt.Sprintf("(%s)[1 + floor(%d * power(random(), 3))::int]", words, len(vocabulary))
	err := db.InTx(ctx, func(tx *store.Tx) error {
		stmts := []string{
			// Bulk load: no per-row triggers (search, foreign keys); the search
			// documents are built in one pass below.
			`SET LOCAL session_replication_role = replica`,
			`SELECT setseed(0.42)`,
			`INSERT INTO users (email, name, role, created_at)
				SELECT 'agent' || g || '@acme.example', 'Agent ' || g, 'agent', now() FROM generate_series(1, 50) g`,
			`INSERT INTO mailboxes (name, address, provider, created_at)
				SELECT 'Mailbox ' || g, 'support' || g || '@acme.example', 'smtp', now() FROM generate_series(1, 3) g
				ON CONFLICT (address) DO NOTHING`,
			fmt.Sprintf(`INSERT INTO contacts (email, name, created_at, domain)
				SELECT 'customer' || g || '@example.org', 'Customer ' || g, now(), 'example.org' FROM generate_series(1, %d) g`, max(n/5, 1)),
			fmt.Sprintf(`INSERT INTO tickets (subject, status, priority, assignee_id, requester_id, mailbox_id, message_count, created_at, updated_at)
				SELECT %[1]s || ' ' || %[1]s || ' ' || %[1]s || ' #' || g,
					(ARRAY['new','open','open','pending','solved','solved','closed','closed'])[1 + (g * 7) %% 8],
					(ARRAY['low','normal','normal','normal','high','urgent'])[1 + (g * 13) %% 6],
					CASE WHEN g %% 4 = 0 THEN NULL ELSE (SELECT min(id) FROM users) + g %% 50 END,
					(SELECT min(id) FROM contacts) + g %% %[3]d,
					(SELECT min(id) FROM mailboxes) + g %% 3,
					3, now() - (%[2]d - g) * interval '30 seconds', now() - (%[2]d - g) * interval '30 seconds'
				FROM generate_series(1, %[2]d) g`, pick, n, max(n/5, 1)),
			`INSERT INTO ticket_tags (ticket_id, tag)
				SELECT id, (ARRAY['vip','billing','bug','feature','urgent-customer'])[1 + id % 5] FROM tickets WHERE id % 10 = 0`,
			fmt.Sprintf(`INSERT INTO messages (ticket_id, kind, message_id, dedupe_key, from_email, subject, text_body, visible_text, created_at)
				SELECT t.id, 'inbound', '<gen-' || t.id || '-' || k || '@example.org>', 'mid:<gen-' || t.id || '-' || k || '@example.org>',
					'customer' || t.id || '@example.org', t.subject, body, body, t.created_at
				FROM tickets t, generate_series(1, 3) k,
				LATERAL (SELECT string_agg(%s, ' ') AS body FROM generate_series(1, 40) w WHERE w > k - 4 AND t.id > 0) b`, pick),
		}
		if !messages {
			stmts = stmts[:len(stmts)-1] // the messages are the last
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%.70s: %w", strings.TrimSpace(s), err)
			}
		}
		return nil
	})
	if err != nil {
		return GenStats{}, err
	}
	if !messages {
		return GenStats{Tickets: n}, execAll(ctx, db, `VACUUM ANALYZE`)
	}
	// The search index, when the schema has one (one document per ticket).
	var hasSearch int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'search'`).Scan(&hasSearch); err != nil {
		return GenStats{}, err
	}
	if hasSearch > 0 {
		if err := execAll(ctx, db, `UPDATE tickets t SET search = to_tsvector('simple', t.subject) || m.doc
			FROM (SELECT ticket_id, to_tsvector('simple', string_agg(visible_text, ' ')) AS doc FROM messages GROUP BY ticket_id) m
			WHERE m.ticket_id = t.id`); err != nil {
			return GenStats{}, err
		}
	}
	if err := execAll(ctx, db, `VACUUM ANALYZE`); err != nil {
		return GenStats{}, err
	}
	return GenStats{Tickets: n, Messages: 3 * n}, nil
}

func generateSQLite(ctx context.Context, db *store.DB, n int, messages bool) (GenStats, error) {
	var vals []string
	for i, w := range vocabulary {
		vals = append(vals, fmt.Sprintf("(%d, '%s')", i, w))
	}
	// SQLite has no power(): three random numbers multiplied skew alike.
	// A correlated pick (REF is an outer column), so each row gets its own word.
	pick := fmt.Sprintf(`(SELECT w FROM gen_words WHERE i = CAST(%d * ((abs(random()) %% 1000) / 1000.0) * ((abs(random()) %% 1000) / 1000.0) * ((abs(random()) %% 1000) / 1000.0) AS INTEGER) + 0 * (REF))`, len(vocabulary))
	pickFor := func(ref string) string { return strings.ReplaceAll(pick, "REF", ref) }
	err := db.InTx(ctx, func(tx *store.Tx) error {
		stmts := []string{
			`CREATE TEMP TABLE gen_words (i INTEGER PRIMARY KEY, w TEXT)`,
			`INSERT INTO gen_words VALUES ` + strings.Join(vals, ", "),
			`INSERT INTO users (email, name, role, created_at)
				WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 50)
				SELECT 'agent' || x || '@acme.example', 'Agent ' || x, 'agent', strftime('%Y-%m-%d %H:%M:%S+00:00', 'now') FROM g`,
			`INSERT INTO mailboxes (name, address, provider, created_at)
				WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < 3)
				SELECT 'Mailbox ' || x, 'support' || x || '@acme.example', 'smtp', strftime('%Y-%m-%d %H:%M:%S+00:00', 'now') FROM g WHERE true
				ON CONFLICT (address) DO NOTHING`,
			fmt.Sprintf(`INSERT INTO contacts (email, name, created_at, domain)
				WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < %d)
				SELECT 'customer' || x || '@example.org', 'Customer ' || x, strftime('%%Y-%%m-%%d %%H:%%M:%%S+00:00', 'now'), 'example.org' FROM g`, max(n/5, 1)),
			fmt.Sprintf(`INSERT INTO tickets (subject, status, priority, assignee_id, requester_id, mailbox_id, message_count, created_at, updated_at)
				WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < %[1]d)
				SELECT %[2]s || ' ' || %[3]s || ' ' || %[4]s || ' #' || x,
					CASE (x * 7) %% 8 WHEN 0 THEN 'new' WHEN 1 THEN 'open' WHEN 2 THEN 'open' WHEN 3 THEN 'pending'
						WHEN 4 THEN 'solved' WHEN 5 THEN 'solved' ELSE 'closed' END,
					CASE (x * 13) %% 6 WHEN 0 THEN 'low' WHEN 4 THEN 'high' WHEN 5 THEN 'urgent' ELSE 'normal' END,
					CASE WHEN x %% 4 = 0 THEN NULL ELSE (SELECT min(id) FROM users) + x %% 50 END,
					(SELECT min(id) FROM contacts) + x %% %[5]d,
					(SELECT min(id) FROM mailboxes) + x %% 3,
					3, strftime('%%Y-%%m-%%d %%H:%%M:%%S+00:00', 'now', '-' || ((%[1]d - x) * 30) || ' seconds'),
					strftime('%%Y-%%m-%%d %%H:%%M:%%S+00:00', 'now', '-' || ((%[1]d - x) * 30) || ' seconds')
				FROM g`, n, pickFor("x"), pickFor("x"), pickFor("x"), max(n/5, 1)),
			`INSERT INTO ticket_tags (ticket_id, tag)
				SELECT id, CASE id % 5 WHEN 0 THEN 'vip' WHEN 1 THEN 'billing' WHEN 2 THEN 'bug' WHEN 3 THEN 'feature' ELSE 'urgent-customer' END
				FROM tickets WHERE id % 10 = 0`,
			// The body is made once per row in a materialized CTE, so the text
			// and the visible text are the same words.
			fmt.Sprintf(`INSERT INTO messages (ticket_id, kind, message_id, dedupe_key, from_email, subject, text_body, visible_text, created_at)
				WITH RECURSIVE k(y) AS (SELECT 1 UNION ALL SELECT y + 1 FROM k WHERE y < 3),
					w(z) AS (SELECT 1 UNION ALL SELECT z + 1 FROM w WHERE z < 40),
					m AS MATERIALIZED (SELECT t.id AS tid, y, t.subject AS subject, t.created_at AS created_at,
						(SELECT group_concat(%s, ' ') FROM w) AS body
						FROM tickets t, k)
				SELECT tid, 'inbound', '<gen-' || tid || '-' || y || '@example.org>', 'mid:<gen-' || tid || '-' || y || '@example.org>',
					'customer' || tid || '@example.org', subject, body, body, created_at
				FROM m`, pickFor("t.id + y + z")),
		}
		if !messages {
			stmts = stmts[:len(stmts)-1] // the messages are the last
		}
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%.70s: %w", strings.TrimSpace(s), err)
			}
		}
		return nil
	})
	if err != nil {
		return GenStats{}, err
	}
	if !messages {
		return GenStats{Tickets: n}, execAll(ctx, db, `ANALYZE`)
	}
	if err := execAll(ctx, db, `ANALYZE`); err != nil {
		return GenStats{}, err
	}
	// As `ticketer import` does after a bulk load.
	if err := store.New(db).OptimizeSearch(ctx); err != nil {
		return GenStats{}, err
	}
	return GenStats{Tickets: n, Messages: 3 * n}, nil
}
