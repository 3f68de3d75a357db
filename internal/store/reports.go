package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"
)

// ReportGroup is what the summary report's rows are keyed by.
type ReportGroup string

// Report groups. Day and week key a figure by the UTC date of its own
// moment (created, first response, solved, re-opened), a week by its Monday.
const (
	GroupDay     ReportGroup = "day"
	GroupWeek    ReportGroup = "week"
	GroupAgent   ReportGroup = "agent"   // the current assignee's email, "" unassigned
	GroupTeam    ReportGroup = "team"    // the ticket's team's name, "" without one
	GroupMailbox ReportGroup = "mailbox" // the mailbox's address
	GroupTag     ReportGroup = "tag"     // each tag of the ticket; untagged tickets are in no row
)

// ReportQuery selects the summary: figures whose moment is in [From, To),
// of the tickets that pass the filters (MailboxID 0, TeamID 0 and Tag ""
// filter nothing).
type ReportQuery struct {
	From, To  time.Time
	Group     ReportGroup
	MailboxID int64
	TeamID    int64
	Tag       string
}

// ReportRow is one key's figures; a percentile is nil when no ticket has
// the time it measures. Seconds are whole calendar seconds between the two
// moments, each truncated to its second.
type ReportRow struct {
	Key                                string
	Created, Solved, Reopened          int64
	FirstResponseP50, FirstResponseP90 *int64
	ResolutionP50, ResolutionP90       *int64
	// SLATickets of the tickets solved had an SLA clock, SLAMet of them
	// without a breach; SLAMetPct is 100 * SLAMet / SLATickets, nil when
	// no solved ticket had one.
	SLATickets, SLAMet int64
	SLAMetPct          *float64
	// CSATResponses counts the tickets whose latest satisfaction rating was
	// given in the period (keyed by that moment); CSATGood those rated good.
	CSATResponses, CSATGood int64
}

// Nearest-rank percentiles: the value at rank ceil(P*n/100) of the n values
// sorted ascending (integer arithmetic, the same in both engines).
const (
	ReportP50 = 50
	ReportP90 = 90
)

// ReportSummary computes the summary report in four statements, each a
// range scan of one moment's index: tickets created, first responses,
// solves (with their percentiles: window functions on PostgreSQL, ranked
// in Go on SQLite) and
// re-opens from the audit trail.
func (s *Store) ReportSummary(ctx context.Context, q ReportQuery) ([]ReportRow, error) {
	rows := map[string]*ReportRow{}
	row := func(k string) *ReportRow {
		r := rows[k]
		if r == nil {
			r = &ReportRow{Key: k}
			rows[k] = r
		}
		return r
	}
	count := func(what, sql string, set func(*ReportRow, int64)) error {
		return scanAll(s.db.Query(ctx, sql, s.reportArgs(q)...))(func(r Rows) error {
			var k string
			var n int64
			if err := r.Scan(&k, &n); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			set(row(k), n)
			return nil
		})
	}
	if err := count("tickets created", s.reportCount(q, "t.created_at", "tickets t", ""), func(r *ReportRow, n int64) { r.Created = n }); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	// A re-open: a status change from solved or closed back to an open status.
	if err := count("re-opens", s.reportCount(q, "e.created_at", "ticket_events e JOIN tickets t ON t.id = e.ticket_id",
		`e.kind = 'status_changed' AND e.old_value IN ('solved', 'closed') AND e.new_value IN ('new', 'open', 'pending') AND `),
		func(r *ReportRow, n int64) { r.Reopened = n }); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	// Satisfaction: each ticket's latest rating, at the moment it was given.
	if err := count("ratings", s.reportCount(q, "t.csat_at", "tickets t", ""), func(r *ReportRow, n int64) { r.CSATResponses = n }); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if err := count("good ratings", s.reportCount(q, "t.csat_at", "tickets t", `t.csat_rating = 'good' AND `),
		func(r *ReportRow, n int64) { r.CSATGood = n }); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	durations := func(what, col string, set func(r *ReportRow, n int64, p50, p90 *int64)) error {
		if s.db.Dialect == SQLite {
			return s.reportDurationsInGo(ctx, q, what, col, func(k string, n int64, p50, p90 *int64) { set(row(k), n, p50, p90) })
		}
		return scanAll(s.db.Query(ctx, s.reportDurations(q, col), s.reportArgs(q)...))(func(r Rows) error {
			var k string
			var n int64
			var p50, p90 *int64
			if err := r.Scan(&k, &n, &p50, &p90); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			set(row(k), n, p50, p90)
			return nil
		})
	}
	if err := durations("first responses", "t.first_response_at", func(r *ReportRow, _ int64, p50, p90 *int64) {
		r.FirstResponseP50, r.FirstResponseP90 = p50, p90
	}); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if err := durations("solves", "t.solved_at", func(r *ReportRow, n int64, p50, p90 *int64) {
		r.Solved, r.ResolutionP50, r.ResolutionP90 = n, p50, p90
	}); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	// SLA met: of the tickets solved in range that had an SLA clock, those
	// that never breached it.
	key, join := s.reportKey(q.Group, "t.solved_at")
	err := scanAll(s.db.Query(ctx, `SELECT `+key+`, count(*), sum(CASE WHEN sl.breaches = '[]' THEN 1 ELSE 0 END)
		FROM tickets t JOIN ticket_sla sl ON sl.ticket_id = t.id`+join+` WHERE t.solved_at >= $1 AND t.solved_at < $2`+s.reportFilters(q)+
		` GROUP BY `+key, s.reportArgs(q)...))(func(r Rows) error {
		var k string
		var n, met int64
		if err := r.Scan(&k, &n, &met); err != nil {
			return fmt.Errorf("sla met: %w", err)
		}
		x := row(k)
		x.SLATickets, x.SLAMet = n, met
		pct := float64(met) * 100 / float64(n)
		x.SLAMetPct = &pct
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	out := make([]ReportRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// reportArgs are the statements' parameters: $1 from, $2 to, then the
// filters in the order reportFilters names them.
func (s *Store) reportArgs(q ReportQuery) []any {
	args := []any{q.From.UTC(), q.To.UTC()}
	if q.MailboxID != 0 {
		args = append(args, q.MailboxID)
	}
	if q.TeamID != 0 {
		args = append(args, q.TeamID)
	}
	if q.Tag != "" {
		args = append(args, q.Tag)
	}
	return args
}

func (s *Store) reportFilters(q ReportQuery) string {
	sql, n := "", 3
	if q.MailboxID != 0 {
		sql += ` AND t.mailbox_id = $` + strconv.Itoa(n)
		n++
	}
	if q.TeamID != 0 {
		sql += ` AND t.team_id = $` + strconv.Itoa(n)
		n++
	}
	if q.Tag != "" {
		sql += ` AND EXISTS (SELECT 1 FROM ticket_tags ft WHERE ft.ticket_id = t.id AND ft.tag = $` + strconv.Itoa(n) + `)`
	}
	return sql
}

// reportKey is the group's key expression for a figure whose moment is col,
// and the join it needs.
func (s *Store) reportKey(g ReportGroup, col string) (key, join string) {
	pg := s.db.Dialect == Postgres
	switch g {
	case GroupDay:
		if pg {
			return `to_char(` + col + ` AT TIME ZONE 'UTC', 'YYYY-MM-DD')`, ""
		}
		return `date(` + col + `)`, ""
	case GroupWeek:
		if pg {
			return `to_char(date_trunc('week', ` + col + ` AT TIME ZONE 'UTC'), 'YYYY-MM-DD')`, ""
		}
		// The next Sunday (or the day itself), less six days: the Monday.
		return `date(` + col + `, 'weekday 0', '-6 days')`, ""
	case GroupAgent:
		return `COALESCE(u.email, '')`, ` LEFT JOIN users u ON u.id = t.assignee_id`
	case GroupTeam:
		return `COALESCE(tm.name, '')`, ` LEFT JOIN teams tm ON tm.id = t.team_id`
	case GroupMailbox:
		return `mb.address`, ` JOIN mailboxes mb ON mb.id = t.mailbox_id`
	case GroupTag:
		return `g.tag`, ` JOIN ticket_tags g ON g.ticket_id = t.id`
	}
	return `''`, ""
}

// reportCount counts, per key, the rows of from whose moment col is in range.
func (s *Store) reportCount(q ReportQuery, col, from, where string) string {
	key, join := s.reportKey(q.Group, col)
	return `SELECT ` + key + ` AS k, count(*) FROM ` + from + join + ` WHERE ` + where +
		col + ` >= $1 AND ` + col + ` < $2` + s.reportFilters(q) + ` GROUP BY ` + key
}

// reportDurationsInGo is reportDurations for SQLite, whose window
// functions are slow (2.6 s for 90,000 first responses, loaded): the
// seconds are read and ranked here, the same nearest rank.
func (s *Store) reportDurationsInGo(ctx context.Context, q ReportQuery, what, col string, set func(k string, n int64, p50, p90 *int64)) error {
	key, join := s.reportKey(q.Group, col)
	sql := `SELECT ` + key + `, ` + s.reportSeconds(col) + ` FROM tickets t` + join +
		` WHERE ` + col + ` >= $1 AND ` + col + ` < $2` + s.reportFilters(q)
	byKey := map[string][]int64{}
	err := scanAll(s.db.Query(ctx, sql, s.reportArgs(q)...))(func(r Rows) error {
		var k string
		var v int64
		if err := r.Scan(&k, &v); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		byKey[k] = append(byKey[k], v)
		return nil
	})
	if err != nil {
		return err
	}
	for k, vs := range byKey {
		slices.Sort(vs)
		set(k, int64(len(vs)), NearestRank(vs, ReportP50), NearestRank(vs, ReportP90))
	}
	return nil
}

// NearestRank is the p-th percentile of sorted values by nearest rank: the
// value at rank ceil(p*n/100); nil for none.
func NearestRank(sorted []int64, p int) *int64 {
	if len(sorted) == 0 {
		return nil
	}
	v := sorted[(p*len(sorted)+99)/100-1]
	return &v
}

// reportSeconds is the whole seconds from the ticket's creation to col,
// each moment truncated to its second.
func (s *Store) reportSeconds(col string) string {
	if s.db.Dialect == Postgres {
		return `floor(extract(epoch FROM ` + col + `))::bigint - floor(extract(epoch FROM t.created_at))::bigint`
	}
	// julianday keeps whole milliseconds (and reads a text time far faster
	// than unixepoch): rounded to them it is exact, then truncated to seconds.
	ms := func(c string) string {
		return `CAST(round((julianday(` + c + `) - 2440587.5) * 86400000) AS INTEGER) / 1000`
	}
	return ms(col) + ` - ` + ms(`t.created_at`)
}

// reportDurations gives, per key, how many tickets have their moment col in
// range and the nearest-rank p50 and p90 of the seconds from their creation.
func (s *Store) reportDurations(q ReportQuery, col string) string {
	key, join := s.reportKey(q.Group, col)
	secs := s.reportSeconds(col)
	return `WITH d AS (SELECT ` + key + ` AS k, ` + secs + ` AS s FROM tickets t` + join +
		` WHERE ` + col + ` >= $1 AND ` + col + ` < $2` + s.reportFilters(q) + `),
	r AS (SELECT k, s, row_number() OVER (PARTITION BY k ORDER BY s) AS rn, count(*) OVER (PARTITION BY k) AS n FROM d)
	SELECT k, n,
		max(CASE WHEN rn = (` + strconv.Itoa(ReportP50) + ` * n + 99) / 100 THEN s END),
		max(CASE WHEN rn = (` + strconv.Itoa(ReportP90) + ` * n + 99) / 100 THEN s END)
	FROM r GROUP BY k, n`
}
