package store_test

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/sla"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// factRows is report_facts as text, in ticket order.
func factRows(t *testing.T, s *store.Store) []string {
	t.Helper()
	return factLines(t, s, `(SELECT '' AS tag, f.* FROM report_facts f) x`)
}

// tagFactRows is report_tag_facts as text, by ticket and tag.
func tagFactRows(t *testing.T, s *store.Store) []string {
	t.Helper()
	return factLines(t, s, `report_tag_facts`)
}

// derivedTagFactRows is what report_tag_facts derives from: each tag of
// ticket_tags with its ticket's report_facts row.
func derivedTagFactRows(t *testing.T, s *store.Store) []string {
	t.Helper()
	return factLines(t, s, `(SELECT g.tag, f.* FROM ticket_tags g JOIN report_facts f ON f.ticket_id = g.ticket_id) x`)
}

// factLines is the facts of from (a table or subquery with report_facts'
// columns and a tag) as text, by ticket and tag.
func factLines(t *testing.T, s *store.Store, from string) []string {
	t.Helper()
	var out []string
	rows, err := s.DB().Query(t.Context(), `SELECT tag, ticket_id, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s,
		csat_s, csat_good, sla_policy_id, sla_met FROM `+from+` ORDER BY ticket_id, tag`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var tag string
		v := make([]*int64, 11)
		dest := []any{&tag}
		for i := range v {
			dest = append(dest, &v[i])
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		line := tag
		for _, x := range v {
			if x == nil {
				line += " -"
			} else {
				line += " " + strconv.FormatInt(*x, 10)
			}
		}
		out = append(out, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReportFactsBackfill: migrations 0145 and 0170 applied to a database
// that already holds tickets fill report_facts and report_tag_facts with
// exactly the rows the triggers keep, and the report over them is the one
// computed from the raw history.
func TestReportFactsBackfill(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		hist := generateHistory(21, 120, start)
		writeHistory(t, s, ctx, hist)
		kept, keptTags := factRows(t, s), tagFactRows(t, s)
		if len(kept) != len(hist) {
			t.Fatalf("%d fact rows kept by the triggers for %d tickets", len(kept), len(hist))
		}
		if tags := derivedTagFactRows(t, s); len(keptTags) == 0 || !reflect.DeepEqual(keptTags, tags) {
			t.Fatalf("tag facts kept by the triggers differ from the tags' facts:\n%v\n%v", keptTags, tags)
		}
		if err := storetest.UndoReportFacts(ctx, s.DB()); err != nil {
			t.Fatal(err)
		}
		if err := s.DB().Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if got := factRows(t, s); !reflect.DeepEqual(got, kept) {
			t.Fatalf("backfilled facts differ from the kept ones:\n%v\n%v", got, kept)
		}
		if got := tagFactRows(t, s); !reflect.DeepEqual(got, keptTags) {
			t.Fatalf("backfilled tag facts differ from the kept ones:\n%v\n%v", got, keptTags)
		}
		q := store.ReportQuery{From: start.AddDate(0, 0, -1), To: start.AddDate(0, 0, 40), Group: store.GroupDay}
		got, err := s.ReportSummary(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want := expectedReport(hist, q, "", ""); !reflect.DeepEqual(got, want) {
			t.Errorf("after the backfill: got %s\nwant %s", fmtRows(got), fmtRows(want))
		}
	})
}

// TestReportFactsFollowChanges: the triggers follow a ticket's later
// changes: reassignment, a move, a lost SLA clock, a deleted ticket.
func TestReportFactsFollowChanges(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
		solved := day.Add(time.Hour)
		hist := []*histTicket{
			{mailbox: "a@x.test", assignee: "one@x.test", created: day, solved: &solved, sla: 1},
			{mailbox: "b@x.test", created: day},
		}
		writeHistory(t, s, ctx, hist)
		db := s.DB()
		var b, two int64
		if err := db.QueryRow(ctx, `SELECT id FROM mailboxes WHERE address = 'b@x.test'`).Scan(&b); err != nil {
			t.Fatal(err)
		}
		if err := db.W().QueryRow(ctx, `INSERT INTO users (email, name, role, created_at) VALUES ('two@x.test', 'Two', 'agent', $1) RETURNING id`, day).Scan(&two); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{`UPDATE tickets SET assignee_id = $2, mailbox_id = $3 WHERE id = $1`, `DELETE FROM ticket_sla WHERE ticket_id = $1`} {
			args := []any{hist[0].id}
			if stmt[0] == 'U' {
				args = append(args, two, b)
			}
			if _, err := db.Exec(ctx, stmt, args...); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Exec(ctx, `DELETE FROM tickets WHERE id = $1`, hist[1].id); err != nil {
			t.Fatal(err)
		}
		q := store.ReportQuery{From: day, To: day.AddDate(0, 0, 1), Group: store.GroupAgent}
		got, err := s.ReportSummary(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		i := func(v int64) *int64 { return &v }
		want := []store.ReportRow{{Key: "two@x.test", Created: 1, Solved: 1, ResolutionP50: i(3600), ResolutionP90: i(3600)}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("got %s\nwant %s", fmtRows(got), fmtRows(want))
		}
		q.Group = store.GroupMailbox
		if got, err = s.ReportSummary(ctx, q); err != nil || len(got) != 1 || got[0].Key != "b@x.test" || got[0].Created != 1 {
			t.Errorf("by mailbox after the move: %s %v", fmtRows(got), err)
		}
	})
}

// TestReportBusinessSeconds: with a calendar of Monday to Friday 09:00 to
// 17:00 in Paris and a holiday, business seconds skip nights, the weekend
// and the holiday; a ticket whose policy has no calendar, or without an SLA
// clock, counts calendar seconds.
func TestReportBusinessSeconds(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		at := func(d, h, m int) time.Time { return time.Date(2026, 5, d, h, m, 0, 0, paris) }
		ptr := func(t time.Time) *time.Time { return &t }
		// Friday 8 May 2026 16:00 (Paris): 1 h left that day; Monday 11 May
		// is the holiday; Tuesday from 09:00.
		hist := []*histTicket{
			// 1 h Friday + 30 min Tuesday = 5400 s (calendar: 4 days 30 min).
			{mailbox: "a@x.test", created: at(8, 16, 0), firstResponse: ptr(at(12, 9, 30)), sla: 1},
			// Friday 16:00 to Tuesday 17:00: 1 h + 8 h = 32400 s.
			{mailbox: "a@x.test", created: at(8, 16, 0), firstResponse: ptr(at(8, 16, 10)), solved: ptr(at(12, 17, 0)), sla: 1},
			// Saturday 10:00 to Sunday 12:00: no working time at all.
			{mailbox: "a@x.test", created: at(9, 10, 0), firstResponse: ptr(at(10, 12, 0)), sla: 1},
			// No SLA clock: calendar seconds (Friday 18:00 to Saturday 18:00).
			{mailbox: "a@x.test", created: at(8, 18, 0), firstResponse: ptr(at(9, 18, 0))},
		}
		writeHistory(t, s, ctx, hist)
		hours, err := sla.Parse("Europe/Paris", []sla.Period{{Day: 1, Start: "09:00", End: "17:00"}, {Day: 2, Start: "09:00", End: "17:00"},
			{Day: 3, Start: "09:00", End: "17:00"}, {Day: 4, Start: "09:00", End: "17:00"}, {Day: 5, Start: "09:00", End: "17:00"}}, []string{"2026-05-11"})
		if err != nil {
			t.Fatal(err)
		}
		i := func(v int64) *int64 { return &v }
		q := store.ReportQuery{From: at(4, 0, 0), To: at(18, 0, 0), Group: store.GroupMailbox}
		// writeHistory gives every clock policy 1.
		for _, c := range []struct {
			name  string
			hours map[int64]*sla.Hours
			want  store.ReportRow
		}{
			{"policy with the calendar", map[int64]*sla.Hours{1: hours}, store.ReportRow{
				// First responses in business seconds: 0, 600, 5400 and
				// 86400 (no clock): p50 the 2nd, p90 the 4th.
				FirstResponseBusinessP50: i(600), FirstResponseBusinessP90: i(86400),
				ResolutionBusinessP50: i(32400), ResolutionBusinessP90: i(32400)}},
			{"policy around the clock", map[int64]*sla.Hours{}, store.ReportRow{
				FirstResponseBusinessP50: i(86400), FirstResponseBusinessP90: i(322200),
				ResolutionBusinessP50: i(349200), ResolutionBusinessP90: i(349200)}},
		} {
			t.Run(c.name, func(t *testing.T) {
				q.Business, q.Hours = true, c.hours
				got, err := s.ReportSummary(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				want := c.want
				// Calendar: 600, 86400, 93600 and 322200 (3 days 17 h 30 min).
				want.Key, want.Created, want.Solved, want.Business = "a@x.test", 4, 1, true
				want.FirstResponseP50, want.FirstResponseP90 = i(86400), i(322200)
				want.ResolutionP50, want.ResolutionP90 = i(349200), i(349200)
				want.SLATickets, want.SLAMet = 1, 1
				pct := 100.0
				want.SLAMetPct = &pct
				if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
					t.Errorf("got %s %+v\nwant %+v", fmtRows(got), got, want)
				}
			})
		}
		q.Business, q.Hours = false, nil
		got, err := s.ReportSummary(ctx, q)
		if err != nil || len(got) != 1 || got[0].Business || got[0].FirstResponseBusinessP50 != nil {
			t.Errorf("without business hours: %+v %v", got, err)
		}
	})
}

// TestReportTagFactsFollowChanges: report_tag_facts (migration 0170) equals
// what it derives from, each tag with its ticket's report_facts row, after
// each kind of change: tags added, replaced, renamed and removed, the
// ticket's facts changed (its columns, its SLA clock, its rating), its
// facts row deleted and written again, and the ticket deleted.
func TestReportTagFactsFollowChanges(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
		responded, solved := day.Add(10*time.Minute), day.Add(time.Hour)
		hist := []*histTicket{
			{mailbox: "a@x.test", assignee: "one@x.test", tags: []string{"vip"}, created: day, firstResponse: &responded, solved: &solved, sla: 1},
			{mailbox: "b@x.test", created: day.Add(time.Minute)},
			{mailbox: "a@x.test", tags: []string{"bug", "vip"}, created: day.Add(2 * time.Minute), sla: 2},
		}
		writeHistory(t, s, ctx, hist)
		db := s.DB()
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.Exec(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		tags := func(id int64, tags ...string) {
			t.Helper()
			if err := s.SetTicketTags(ctx, db.W(), id, tags); err != nil {
				t.Fatal(err)
			}
		}
		a, b, c := hist[0].id, hist[1].id, hist[2].id
		for _, step := range []struct {
			name string
			do   func()
			rows int // report_tag_facts rows after the step
		}{
			{"as written", func() {}, 3},
			{"tag added to an untagged ticket", func() { tags(b, "billing") }, 4},
			{"tags replaced", func() { tags(a, "bug", "late") }, 5},
			{"tag renamed", func() { exec(`UPDATE ticket_tags SET tag = 'urgent' WHERE ticket_id = $1 AND tag = 'late'`, a) }, 5},
			{"tag removed", func() { exec(`DELETE FROM ticket_tags WHERE ticket_id = $1 AND tag = 'bug'`, c) }, 4},
			{"reassigned, moved, reopened", func() {
				exec(`UPDATE tickets SET assignee_id = NULL, mailbox_id = (SELECT id FROM mailboxes WHERE address = 'b@x.test'), solved_at = NULL WHERE id = $1`, a)
			}, 4},
			{"first response and solve", func() {
				exec(`UPDATE tickets SET first_response_at = $2, solved_at = $3 WHERE id = $1`, b, responded.UTC(), solved.UTC())
			}, 4},
			{"rated", func() { exec(`UPDATE tickets SET csat_rating = 'good', csat_at = $2 WHERE id = $1`, c, solved.UTC()) }, 4},
			{"SLA clock lost", func() { exec(`DELETE FROM ticket_sla WHERE ticket_id = $1`, a) }, 4},
			{"SLA outcome changed", func() { exec(`UPDATE ticket_sla SET breaches = '[]' WHERE ticket_id = $1`, c) }, 4},
			{"facts row deleted", func() { exec(`DELETE FROM report_facts WHERE ticket_id = $1`, a) }, 2},
			{"facts row written again", func() {
				exec(`INSERT INTO report_facts (ticket_id, mailbox_id, created_s) VALUES ($1, 1, 1777885200)`, a)
			}, 4},
			{"ticket deleted", func() { exec(`DELETE FROM tickets WHERE id = $1`, c) }, 3},
			{"every tag removed", func() { tags(a); tags(b) }, 0},
		} {
			step.do()
			got, want := tagFactRows(t, s), derivedTagFactRows(t, s)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: report_tag_facts\n%v\nderived from the tags and facts\n%v", step.name, got, want)
			}
			if len(got) != step.rows {
				t.Fatalf("%s: %d rows, want %d: %v", step.name, len(got), step.rows, got)
			}
		}
	})
}
