package store

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketer/ticketer/internal/sla"
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
// filter nothing). From and To count in whole seconds (the facts keep
// whole seconds): their fractions are dropped.
type ReportQuery struct {
	From, To  time.Time
	Group     ReportGroup
	MailboxID int64
	TeamID    int64
	Tag       string
	// Business asks for the business-seconds percentiles too: the working
	// time, by the calendar of the ticket's SLA policy (Hours, by policy
	// id), from the creation to the moment. A ticket without an SLA clock,
	// or whose policy has no calendar (or is gone), works around the clock:
	// its business seconds are its calendar seconds.
	Business bool
	Hours    map[int64]*sla.Hours
}

// ReportRow is one key's figures; a percentile is nil when no ticket has
// the time it measures. Seconds are whole calendar seconds between the two
// moments, each truncated to its second.
type ReportRow struct {
	Key                                string
	Created, Solved, Reopened          int64
	FirstResponseP50, FirstResponseP90 *int64
	ResolutionP50, ResolutionP90       *int64
	// Business is set when the query asked for business seconds: the four
	// percentiles below are then the report's (nil when no ticket has the
	// time), otherwise absent.
	Business                                           bool
	FirstResponseBusinessP50, FirstResponseBusinessP90 *int64
	ResolutionBusinessP50, ResolutionBusinessP90       *int64
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

// reportKey is a row's key as the statements give it: a number (a day or
// week number, a user, team or mailbox id, 0 for none) or, by tag, the tag.
type reportKey struct {
	n int64
	s string
}

// reportAcc gathers one key's figures; the seconds are ranked at the end.
type reportAcc struct {
	row                  ReportRow
	firsts, resolutions  []int64
	firstsB, resolutionB []int64
}

// reportPart is one statement of the report: its SQL and arguments, where
// each row's columns after the key are scanned (the same variables every
// row: a row costs no allocation, a million rows are read), and what a row
// adds to its key's figures.
type reportPart struct {
	what string
	sql  string
	args []any
	dest []any
	add  func(a *reportAcc)
}

// ReportSummary computes the summary report from report_facts (migration
// 0145: one narrow row per ticket, its moments in whole Unix seconds, kept
// by triggers; by tag report_tag_facts, migration 0170, the same once per
// tag) in five statements run at once on their own connections,
// each a range scan of one moment's covering index: tickets created,
// ratings and re-opens (the audit trail's own index) are counted by the
// database; first responses and solves are read as seconds and ranked
// here, the same in both engines. On PostgreSQL the statements share one
// snapshot, and grouped by an attribute of the ticket two statements
// read every moment of each fact (factsByAttribute) with the re-opens.
func (s *Store) ReportSummary(ctx context.Context, q ReportQuery) ([]ReportRow, error) {
	name, err := s.reportNames(ctx, q.Group)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var snap reportSnapshot
	if s.db.Dialect == Postgres {
		if snap, err = s.beginReportSnapshot(ctx, reportTable(q)); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		defer snap.end()
	}
	from, to := q.From.Unix(), q.To.Unix()
	args := s.reportArgs(q, from, to)
	var parts []reportPart
	{
		// A re-open: a status change from solved or closed back to an open
		// status, at the event's time (the predicate is ticket_events_reopen's).
		var n int64
		key := s.reportKeyExpr(q.Group, s.epochSeconds("e.created_at"))
		source := `ticket_events e JOIN ` + reportTable(q) + ` f ON f.ticket_id = e.ticket_id`
		if (q.Group == GroupDay || q.Group == GroupWeek) && q.MailboxID == 0 && q.TeamID == 0 && q.Tag == "" {
			// Keyed by the event's time and filtered by nothing of the
			// ticket: every ticket has its facts row, so the join would only
			// look one up per re-open (most of this statement's time).
			source = `ticket_events e`
		}
		parts = append(parts, reportPart{"re-opens", `SELECT ` + key + `, count(*) FROM ` + source + `
		WHERE e.kind = 'status_changed' AND e.old_value IN ('solved', 'closed') AND e.new_value IN ('new', 'open', 'pending')
		AND e.created_at >= $1 AND e.created_at < $2` + s.reportFilters(q) + ` GROUP BY ` + key,
			append([]any{time.Unix(from, 0).UTC(), time.Unix(to, 0).UTC()}, args[2:]...), []any{&n},
			func(a *reportAcc) { a.row.Reopened = n }})
	}
	// Keyed by what the ticket is (agent, team, mailbox, tag), each fact's
	// moments share its key: on PostgreSQL statements that read each fact
	// once for all of them (factsByAttribute) replace those of each moment.
	byAttribute := s.db.Dialect == Postgres && q.Group != GroupDay && q.Group != GroupWeek
	if !byAttribute {
		{
			var n int64
			parts = append(parts, reportPart{"tickets created", s.reportSelect(q, "f.created_s", "count(*)", true), args, []any{&n},
				func(a *reportAcc) { a.row.Created = n }})
		}
		{
			var n, good int64
			parts = append(parts, reportPart{"ratings", s.reportSelect(q, "f.csat_s", "count(*), sum(f.csat_good)", true), args, []any{&n, &good},
				func(a *reportAcc) { a.row.CSATResponses, a.row.CSATGood = n, good }})
		}
	}
	// The durations: calendar seconds computed by the database; with
	// business hours, the two moments and the policy (0: none) too, for
	// business seconds: the working seconds of the ticket's calendar from
	// its creation to its moment (both whole seconds).
	durationCols := func(col string, d *duration) (string, []any) {
		if q.Business {
			return col + ` - f.created_s, f.created_s, ` + col + `, COALESCE(f.sla_policy_id, 0)`, []any{&d.secs, &d.created, &d.at, &d.policy}
		}
		return col + ` - f.created_s`, []any{&d.secs}
	}
	switch {
	case byAttribute:
		// Four scans of a million facts were most of the report's time: two
		// statements now read each fact once, each over half of the table's
		// pages (a TID range scan reads only those) so that each takes a
		// core of the server, while the re-opens run on their own. Both see
		// the report's snapshot: no fact is counted twice or missed as it
		// moves.
		half := `'(` + strconv.FormatInt(snap.pages/2, 10) + `,0)'`
		parts = append(parts, s.factsByAttribute(q, args, `f.ctid < `+half), s.factsByAttribute(q, args, `f.ctid >= `+half))
	case s.db.Dialect == Postgres:
		// PostgreSQL sends each key's seconds as one array (array_agg): a
		// million durations as a few hundred rows, not a million, which is
		// most of the work of reading them.
		parts = append(parts, s.durationArrays(q, args)...)
	default:
		var d duration
		cols, dest := durationCols("f.first_response_s", &d)
		parts = append(parts, reportPart{"first responses", s.reportSelect(q, "f.first_response_s", cols, false), args, dest, func(a *reportAcc) {
			a.firsts = append(a.firsts, d.secs)
			if q.Business {
				a.firstsB = append(a.firstsB, d.business(q))
			}
		}})
		// SLA met: of the tickets solved that had an SLA clock (met 1 or 0;
		// -1 without), those that never breached it.
		var r duration
		var met int64
		cols, dest = durationCols("f.solved_s", &r)
		parts = append(parts, reportPart{"solves", s.reportSelect(q, "f.solved_s", cols+`, COALESCE(f.sla_met, -1)`, false), args, append(dest, &met),
			func(a *reportAcc) {
				a.row.Solved++
				a.resolutions = append(a.resolutions, r.secs)
				if q.Business {
					a.resolutionB = append(a.resolutionB, r.business(q))
				}
				if met >= 0 {
					a.row.SLATickets++
					a.row.SLAMet += met
				}
			}})
	}
	results := make([]map[reportKey]*reportAcc, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.reportRun(ctx, q, p, snap.id)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// Each part sets its own figures of a key: merged, they are the row.
	accs := results[0]
	for _, res := range results[1:] {
		for k, b := range res {
			a := accs[k]
			if a == nil {
				accs[k] = b
				continue
			}
			a.row.Created += b.row.Created
			a.row.Solved += b.row.Solved
			a.row.Reopened += b.row.Reopened
			a.row.CSATResponses += b.row.CSATResponses
			a.row.CSATGood += b.row.CSATGood
			a.row.SLATickets += b.row.SLATickets
			a.row.SLAMet += b.row.SLAMet
			a.firsts, a.firstsB = append(a.firsts, b.firsts...), append(a.firstsB, b.firstsB...)
			a.resolutions, a.resolutionB = append(a.resolutions, b.resolutions...), append(a.resolutionB, b.resolutionB...)
		}
	}
	out := make([]ReportRow, 0, len(accs))
	for k, a := range accs {
		r := a.row
		r.Key = k.s
		if q.Group != GroupTag {
			r.Key = name(k.n)
		}
		r.FirstResponseP50, r.FirstResponseP90 = percentiles(a.firsts)
		r.ResolutionP50, r.ResolutionP90 = percentiles(a.resolutions)
		if q.Business {
			r.FirstResponseBusinessP50, r.FirstResponseBusinessP90 = percentiles(a.firstsB)
			r.ResolutionBusinessP50, r.ResolutionBusinessP90 = percentiles(a.resolutionB)
		}
		if r.SLATickets > 0 {
			pct := float64(r.SLAMet) * 100 / float64(r.SLATickets)
			r.SLAMetPct = &pct
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// duration is one first response or solve: its calendar seconds and, for
// business seconds, its two moments and the ticket's SLA policy (0: none).
type duration struct{ secs, created, at, policy int64 }

// business is d's business seconds: the working seconds of the calendar
// of its policy from its creation to its moment; its calendar seconds
// without one.
func (d *duration) business(q ReportQuery) int64 {
	h := q.Hours[d.policy]
	if h == nil {
		return d.secs
	}
	return int64(h.Between(time.Unix(d.created, 0), time.Unix(d.at, 0)) / time.Second)
}

// appendBusiness appends to list the business seconds of the durations
// given as PostgreSQL's parallel arrays (calendar seconds, creation,
// moment, policy), in their order.
func appendBusiness(list []int64, q ReportQuery, secs, created, at, policy []int64) []int64 {
	for i := range secs {
		d := duration{secs[i], created[i], at[i], policy[i]}
		list = append(list, d.business(q))
	}
	return list
}

// durationArrays are the first-response and solve parts on PostgreSQL:
// grouped by key, each duration column one array (the same order in each,
// as they are aggregated from the same rows), the SLA counts summed; args
// are the report's statement parameters (reportArgs).
func (s *Store) durationArrays(q ReportQuery, args []any) []reportPart {
	part := func(what, col string, solves bool) reportPart {
		var secs, created, at, policy []int64
		var slaTickets, slaMet int64
		cols := `array_agg(` + col + ` - f.created_s)`
		dest := []any{&secs}
		if q.Business {
			cols += `, array_agg(f.created_s), array_agg(` + col + `), array_agg(COALESCE(f.sla_policy_id, 0))`
			dest = append(dest, &created, &at, &policy)
		}
		if solves {
			// SLA met: of the tickets solved that had an SLA clock (met 1 or
			// 0; NULL without), those that never breached it.
			cols += `, count(f.sla_met), COALESCE(sum(f.sla_met), 0)`
			dest = append(dest, &slaTickets, &slaMet)
		}
		return reportPart{what, s.reportSelect(q, col, cols, true), args, dest, func(a *reportAcc) {
			list, listB := &a.firsts, &a.firstsB
			if solves {
				list, listB = &a.resolutions, &a.resolutionB
				a.row.Solved += int64(len(secs))
				a.row.SLATickets += slaTickets
				a.row.SLAMet += slaMet
			}
			*list = append(*list, secs...)
			if q.Business {
				*listB = appendBusiness(*listB, q, secs, created, at, policy)
			}
		}}
	}
	return []reportPart{part("first responses", "f.first_response_s", false), part("solves", "f.solved_s", true)}
}

// factsByAttribute is, on PostgreSQL, the report's figures grouped by an
// attribute of the ticket (not by a day or week) of the facts that pass
// where (a range of their rows' places): tickets created, ratings, first
// responses and solves (their seconds as arrays, as in durationArrays),
// each counted only when its own moment is in range, in one statement that
// reads each fact in range once.
func (s *Store) factsByAttribute(q ReportQuery, args []any, where string) reportPart {
	in := func(col string) string { return col + ` >= $1 AND ` + col + ` < $2` }
	var created, ratings, good, slaTickets, slaMet int64
	var firsts, solves [4][]int64 // seconds; for business seconds also created, moment, policy
	cols := `count(*) FILTER (WHERE ` + in("f.created_s") + `), count(*) FILTER (WHERE ` + in("f.csat_s") + `),
		COALESCE(sum(f.csat_good) FILTER (WHERE ` + in("f.csat_s") + `), 0)`
	dest := []any{&created, &ratings, &good}
	arrays := func(col string, lists *[4][]int64) {
		exprs := []string{col + ` - f.created_s`}
		if q.Business {
			exprs = append(exprs, `f.created_s`, col, `COALESCE(f.sla_policy_id, 0)`)
		}
		for i, e := range exprs {
			cols += `, array_agg(` + e + `) FILTER (WHERE ` + in(col) + `)`
			dest = append(dest, &lists[i])
		}
	}
	arrays("f.first_response_s", &firsts)
	arrays("f.solved_s", &solves)
	// SLA met: of the tickets solved that had an SLA clock (met 1 or 0;
	// NULL without), those that never breached it.
	cols += `, count(f.sla_met) FILTER (WHERE ` + in("f.solved_s") + `), COALESCE(sum(f.sla_met) FILTER (WHERE ` + in("f.solved_s") + `), 0)`
	dest = append(dest, &slaTickets, &slaMet)
	key := s.reportKeyExpr(q.Group, "")
	sql := `SELECT ` + key + `, ` + cols + ` FROM ` + reportTable(q) + ` f
		WHERE (` + in("f.created_s") + ` OR ` + in("f.first_response_s") + ` OR ` + in("f.solved_s") + ` OR ` + in("f.csat_s") + `)
		AND ` + where + s.reportFilters(q) + ` GROUP BY ` + key
	add := func(lists *[4][]int64, list, listB *[]int64) {
		*list = append(*list, lists[0]...)
		if q.Business {
			*listB = appendBusiness(*listB, q, lists[0], lists[1], lists[2], lists[3])
		}
	}
	return reportPart{"facts", sql, args, dest, func(a *reportAcc) {
		a.row.Created += created
		a.row.CSATResponses += ratings
		a.row.CSATGood += good
		a.row.Solved += int64(len(solves[0]))
		a.row.SLATickets += slaTickets
		a.row.SLAMet += slaMet
		add(&firsts, &a.firsts, &a.firstsB)
		add(&solves, &a.resolutions, &a.resolutionB)
		firsts, solves = [4][]int64{}, [4][]int64{}
	}}
}

// reportSnapshot is, on PostgreSQL, the open transaction whose snapshot
// every statement of one report takes (pg_export_snapshot): they run at
// once on their own connections, and still give the figures of one moment.
type reportSnapshot struct {
	id    string
	pages int64 // of the facts table, to split it
	end   func()
}

func (s *Store) beginReportSnapshot(ctx context.Context, table string) (reportSnapshot, error) {
	tx, err := s.db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return reportSnapshot{}, fmt.Errorf("begin: %w", translate(err))
	}
	snap := reportSnapshot{end: func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }}
	err = tx.QueryRow(ctx, `SELECT pg_export_snapshot(), pg_relation_size($1::regclass) / current_setting('block_size')::bigint`, table).
		Scan(&snap.id, &snap.pages)
	if err != nil {
		snap.end()
		return reportSnapshot{}, fmt.Errorf("snapshot: %w", translate(err))
	}
	return snap, nil
}

// reportRun runs one part: its figures by key; on PostgreSQL in a
// transaction of the report's snapshot.
func (s *Store) reportRun(ctx context.Context, q ReportQuery, p reportPart, snapshot string) (map[reportKey]*reportAcc, error) {
	accs := map[reportKey]*reportAcc{}
	var k reportKey
	dest := append([]any{&k.n}, p.dest...)
	if q.Group == GroupTag {
		dest[0] = &k.s
	}
	scan := func(db Querier) error {
		return scanAll(db.Query(ctx, p.sql, p.args...))(func(r Rows) error {
			k = reportKey{}
			if err := r.Scan(dest...); err != nil {
				return err
			}
			a := accs[k]
			if a == nil {
				a = &reportAcc{row: ReportRow{Business: q.Business}}
				accs[k] = a
			}
			p.add(a)
			return nil
		})
	}
	var err error
	if s.db.Dialect == Postgres {
		err = s.inReportSnapshot(ctx, snapshot, reportSettings(q.Group), scan)
	} else {
		err = scan(s.db)
	}
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", p.what, err)
	}
	return accs, nil
}

// inReportSnapshot runs fn in a read-only transaction of the report's
// snapshot, with the session settings of reportSettings.
func (s *Store) inReportSnapshot(ctx context.Context, snapshot string, settings []string, fn func(Querier) error) error {
	pgTx, err := s.db.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin: %w", translate(err))
	}
	defer func() { _ = pgTx.Rollback(context.WithoutCancel(ctx)) }()
	// The snapshot's id comes from pg_export_snapshot (hex digits and
	// dashes); SET takes no parameter.
	if _, err := pgTx.Exec(ctx, `SET TRANSACTION SNAPSHOT '`+strings.ReplaceAll(snapshot, `'`, `''`)+`'`); err != nil {
		return fmt.Errorf("snapshot: %w", translate(err))
	}
	for _, set := range settings {
		if _, err := pgTx.Exec(ctx, set); err != nil {
			return fmt.Errorf("%s: %w", set, translate(err))
		}
	}
	return fn(&Tx{pgTx: pgTx, Dialect: Postgres, db: s.db})
}

// reportSettings are the SET LOCAL statements of a report's transactions
// on PostgreSQL:
//   - room for the report's sorts and hashes: at a million facts PostgreSQL
//     grouped by day by sorting on disk with the default 4 MB of work_mem
//     (it expects a group per row of the key's expression); with room in
//     memory it hashes instead, two to three times faster;
//   - by day or week, no parallel workers: the report's four or five
//     statements already run at once, one per connection, and workers on
//     top of them only fought them for the cores (at a million facts on two
//     cores the day's report took 420 to 590 ms with workers, 290 to 420
//     without; the created count alone cost three processes 285 ms where one
//     takes 120). The two statements by agent, team, mailbox or tag keep
//     theirs: without, they were slower (255 ms became 300).
func reportSettings(g ReportGroup) []string {
	list := []string{`SET LOCAL work_mem = '` + reportWorkMem + `'`}
	if g == GroupDay || g == GroupWeek {
		list = append(list, `SET LOCAL max_parallel_workers_per_gather = 0`)
	}
	return list
}

// reportWorkMem is the memory PostgreSQL may use for each sort or hash of
// a report's statement (work_mem).
const reportWorkMem = "64MB"

// percentiles gives the p50 and p90 of vs by nearest rank, reordering vs:
// each rank is found by selection, in time linear in len(vs) on average,
// rather than by sorting a million values.
func percentiles(vs []int64) (p50, p90 *int64) {
	if len(vs) == 0 {
		return nil, nil
	}
	r50, r90 := nearestRank(len(vs), ReportP50), nearestRank(len(vs), ReportP90)
	selectNth(vs, r90)
	b := vs[r90]
	// The values before the p90's place are the r90 smallest: the p50's
	// rank, when below the p90's, is among them.
	a := b
	if r50 < r90 {
		selectNth(vs[:r90], r50)
		a = vs[r50]
	}
	return &a, &b
}

// nearestRank is the index, in n values sorted ascending, of their p-th
// percentile by nearest rank: rank ceil(p*n/100), counted from 1.
func nearestRank(n, p int) int { return (p*n+99)/100 - 1 }

// selectNth reorders vs so that vs[k] is the value a sort would put there,
// the ones before it not greater and the ones after not smaller
// (quickselect with a three-way partition, so equal values cost nothing;
// sorting what is left after too many rounds bounds the worst case).
func selectNth(vs []int64, k int) {
	lo, hi := 0, len(vs)
	for rounds := 2 * bits.Len(uint(len(vs))); hi-lo > 16 && rounds > 0; rounds-- {
		a, b, c := vs[lo], vs[lo+(hi-lo)/2], vs[hi-1]
		pivot := max(min(a, b), min(max(a, b), c)) // the median of the three
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch v := vs[i]; {
			case v < pivot:
				vs[lt], vs[i] = v, vs[lt]
				lt++
				i++
			case v > pivot:
				gt--
				vs[i], vs[gt] = vs[gt], v
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k >= gt:
			lo = gt
		default:
			return // vs[lt:gt] are all the pivot, k among them
		}
	}
	slices.Sort(vs[lo:hi])
}

// reportArgs are the statements' parameters: $1 from, $2 to (Unix
// seconds), then the filters in the order reportFilters names them.
func (s *Store) reportArgs(q ReportQuery, from, to int64) []any {
	args := []any{from, to}
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
		sql += ` AND f.mailbox_id = $` + strconv.Itoa(n)
		n++
	}
	if q.TeamID != 0 {
		sql += ` AND f.team_id = $` + strconv.Itoa(n)
		n++
	}
	switch {
	case q.Tag != "" && q.Group == GroupTag:
		// Grouped by tag, every tag of the tickets that have this one.
		sql += ` AND EXISTS (SELECT 1 FROM ticket_tags ft WHERE ft.ticket_id = f.ticket_id AND ft.tag = $` + strconv.Itoa(n) + `)`
	case q.Tag != "":
		// The per-tag facts (reportTable) hold one row per ticket with the tag.
		sql += ` AND f.tag = $` + strconv.Itoa(n)
	}
	return sql
}

// Day and week numbers: whole days since 1970-01-01 (a Thursday), and
// whole weeks since Monday 1969-12-29, three days before it. Moments are
// after 1970, so integer division is the floor in both engines.
const (
	daySeconds     = 86400
	weekDaysBefore = 3
)

// reportKeyExpr is the group's key expression (see reportKey) for a figure
// whose moment, in Unix seconds, is secs, over the rows of reportTable.
func (s *Store) reportKeyExpr(g ReportGroup, secs string) string {
	switch g {
	case GroupDay:
		return `(` + secs + `) / ` + strconv.Itoa(daySeconds)
	case GroupWeek:
		return `((` + secs + `) / ` + strconv.Itoa(daySeconds) + ` + ` + strconv.Itoa(weekDaysBefore) + `) / 7`
	case GroupAgent:
		return `COALESCE(f.assignee_id, 0)`
	case GroupTeam:
		return `COALESCE(f.team_id, 0)`
	case GroupMailbox:
		return `f.mailbox_id`
	case GroupTag:
		return `f.tag`
	}
	return `0`
}

// reportTable is the facts the query reads: report_facts, one row per
// ticket; by tag, or filtered by one, report_tag_facts (migration 0170),
// the same columns once per tag of a tagged ticket, so that no statement
// joins every fact with the tags (that join was the slowest grouping at a
// million tickets).
func reportTable(q ReportQuery) string {
	if q.Group == GroupTag || q.Tag != "" {
		return `report_tag_facts`
	}
	return `report_facts`
}

// reportNames turns a numeric key into the row's key: a date, or the
// user's email, team's name or mailbox's address (read once per report;
// "" for none).
func (s *Store) reportNames(ctx context.Context, g ReportGroup) (func(int64) string, error) {
	var sql string
	switch g {
	case GroupDay:
		return func(d int64) string { return time.Unix(d*daySeconds, 0).UTC().Format(time.DateOnly) }, nil
	case GroupWeek:
		return func(w int64) string {
			return time.Unix((w*7-weekDaysBefore)*daySeconds, 0).UTC().Format(time.DateOnly)
		}, nil
	case GroupAgent:
		sql = `SELECT id, email FROM users`
	case GroupTeam:
		sql = `SELECT id, name FROM teams`
	case GroupMailbox:
		sql = `SELECT id, address FROM mailboxes`
	default:
		return func(int64) string { return "" }, nil
	}
	names := map[int64]string{}
	err := scanAll(s.db.Query(ctx, sql))(func(r Rows) error {
		var id int64
		var n string
		err := r.Scan(&id, &n)
		names[id] = n
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s names: %w", g, err)
	}
	return func(id int64) string { return names[id] }, nil
}

// reportSelect selects, of the query's facts (reportTable) whose moment col
// is in range, the key and what: aggregates grouped by the key, or columns.
func (s *Store) reportSelect(q ReportQuery, col, what string, grouped bool) string {
	key := s.reportKeyExpr(q.Group, col)
	sql := `SELECT ` + key + `, ` + what + ` FROM ` + reportTable(q) + ` f` +
		` WHERE ` + col + ` >= $1 AND ` + col + ` < $2` + s.reportFilters(q)
	if grouped {
		sql += ` GROUP BY ` + key
	}
	return sql
}

// epochSeconds is the whole Unix seconds of a stored time, truncated: the
// facts' own arithmetic (migration 0145).
func (s *Store) epochSeconds(col string) string {
	if s.db.Dialect == Postgres {
		return `ticketer_epoch_s(` + col + `)`
	}
	return `CAST(strftime('%s', ` + col + `) AS INTEGER)`
}
