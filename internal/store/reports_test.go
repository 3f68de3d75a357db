package store_test

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// histTicket is one generated ticket with every moment the report reads.
type histTicket struct {
	id            int64
	mailbox       string
	team          string // "" without one
	assignee      string
	tags          []string
	created       time.Time
	firstResponse *time.Time
	solved        *time.Time
	events        []histEvent
	sla           int    // 0: no SLA clock, 1: one never breached, 2: one breached
	csat          string // good, bad or "" (not rated)
	csatAt        time.Time
}

type histEvent struct {
	from, to string
	at       time.Time
}

// writeHistory stores tickets as the change path leaves them: the columns
// and the status_changed audit rows.
func writeHistory(t testing.TB, s *store.Store, ctx context.Context, hist []*histTicket) {
	t.Helper()
	db := s.DB()
	ids := map[string]int64{}
	for _, h := range hist {
		if _, ok := ids["mb:"+h.mailbox]; !ok {
			id, err := s.CreateMailbox(ctx, store.Mailbox{Name: h.mailbox, Address: h.mailbox, Provider: "smtp", CreatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			ids["mb:"+h.mailbox] = id
		}
		if _, ok := ids["t:"+h.team]; h.team != "" && !ok {
			var id int64
			err := db.InTx(ctx, func(tx *store.Tx) (err error) {
				id, err = s.CreateTeam(ctx, tx, store.Team{Name: h.team, Assignment: "manual", CreatedAt: t0})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			ids["t:"+h.team] = id
		}
		if _, ok := ids["u:"+h.assignee]; h.assignee != "" && !ok {
			id, err := s.CreateUser(ctx, store.User{Email: h.assignee, Name: h.assignee, Role: domain.RoleAgent, CreatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			ids["u:"+h.assignee] = id
		}
	}
	c, err := s.UpsertContact(ctx, db.W(), "req@example.org", "Req", t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hist {
		id, err := s.CreateTicket(ctx, db.W(), store.Ticket{Subject: "s", Status: "open", Priority: "normal", RequesterID: c, MailboxID: ids["mb:"+h.mailbox], CreatedAt: h.created})
		if err != nil {
			t.Fatal(err)
		}
		h.id = id
		var assignee *int64
		if h.assignee != "" {
			v := ids["u:"+h.assignee]
			assignee = &v
		}
		utc := func(p *time.Time) any {
			if p == nil {
				return nil
			}
			return p.UTC()
		}
		var team *int64
		if h.team != "" {
			v := ids["t:"+h.team]
			team = &v
		}
		if _, err := db.Exec(ctx, `UPDATE tickets SET assignee_id = $2, first_response_at = $3, solved_at = $4, team_id = $5 WHERE id = $1`,
			id, assignee, utc(h.firstResponse), utc(h.solved), team); err != nil {
			t.Fatal(err)
		}
		if h.sla != 0 {
			breaches := `[]`
			if h.sla == 2 {
				breaches = `[{"target":"resolution","due":"2026-03-02T00:00:00Z"}]`
			}
			if _, err := db.Exec(ctx, `INSERT INTO ticket_sla (ticket_id, policy_id, policy_name, breaches) VALUES ($1, 1, 'p', $2)`, id, breaches); err != nil {
				t.Fatal(err)
			}
		}
		if h.csat != "" {
			if _, err := db.Exec(ctx, `UPDATE tickets SET csat_rating = $2, csat_at = $3 WHERE id = $1`, id, h.csat, h.csatAt.UTC()); err != nil {
				t.Fatal(err)
			}
		}
		for _, tag := range h.tags {
			if _, err := db.Exec(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)`, id, tag); err != nil {
				t.Fatal(err)
			}
		}
		for _, e := range h.events {
			if _, err := db.Exec(ctx, `INSERT INTO ticket_events (ticket_id, actor, kind, field, old_value, new_value, created_at)
				VALUES ($1, 'system', 'status_changed', 'status', $2, $3, $4)`, id, e.from, e.to, e.at.UTC()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// expectedReport computes the summary from the generated history in Go, by
// the README's definitions, independently of the SQL.
// mailbox is the address of q.MailboxID, team the name of q.TeamID.
func expectedReport(hist []*histTicket, q store.ReportQuery, mailbox, team string) []store.ReportRow {
	in := func(at time.Time) bool { return !at.Before(q.From) && at.Before(q.To) }
	keys := func(h *histTicket, at time.Time) []string {
		switch q.Group {
		case store.GroupDay:
			return []string{at.UTC().Format("2006-01-02")}
		case store.GroupWeek:
			d := at.UTC()
			back := (int(d.Weekday()) + 6) % 7 // days since Monday
			return []string{d.AddDate(0, 0, -back).Format("2006-01-02")}
		case store.GroupAgent:
			return []string{h.assignee}
		case store.GroupTeam:
			return []string{h.team}
		case store.GroupMailbox:
			return []string{h.mailbox}
		case store.GroupTag:
			return h.tags
		}
		return nil
	}
	rows := map[string]*store.ReportRow{}
	row := func(k string) *store.ReportRow {
		if rows[k] == nil {
			rows[k] = &store.ReportRow{Key: k}
		}
		return rows[k]
	}
	firsts, resolutions := map[string][]int64{}, map[string][]int64{}
	for _, h := range hist {
		if q.MailboxID != 0 && h.mailbox != mailbox {
			continue
		}
		if q.TeamID != 0 && h.team != team {
			continue
		}
		if q.Tag != "" && !contains(h.tags, q.Tag) {
			continue
		}
		if in(h.created) {
			for _, k := range keys(h, h.created) {
				row(k).Created++
			}
		}
		if h.firstResponse != nil && in(*h.firstResponse) {
			for _, k := range keys(h, *h.firstResponse) {
				row(k)
				firsts[k] = append(firsts[k], h.firstResponse.Unix()-h.created.Unix())
			}
		}
		if h.solved != nil && in(*h.solved) {
			for _, k := range keys(h, *h.solved) {
				row(k).Solved++
				resolutions[k] = append(resolutions[k], h.solved.Unix()-h.created.Unix())
				if h.sla != 0 {
					row(k).SLATickets++
					if h.sla == 1 {
						row(k).SLAMet++
					}
				}
			}
		}
		if h.csat != "" && in(h.csatAt) {
			for _, k := range keys(h, h.csatAt) {
				row(k).CSATResponses++
				if h.csat == "good" {
					row(k).CSATGood++
				}
			}
		}
		for _, e := range h.events {
			solved := e.from == "solved" || e.from == "closed"
			open := e.to == "new" || e.to == "open" || e.to == "pending"
			if solved && open && in(e.at) {
				for _, k := range keys(h, e.at) {
					row(k).Reopened++
				}
			}
		}
	}
	rank := func(v []int64, p int) *int64 {
		if len(v) == 0 {
			return nil
		}
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		r := (p*len(v) + 99) / 100 // ceil(p*n/100)
		x := v[r-1]
		return &x
	}
	out := []store.ReportRow{}
	for k, r := range rows {
		r.FirstResponseP50, r.FirstResponseP90 = rank(firsts[k], 50), rank(firsts[k], 90)
		r.ResolutionP50, r.ResolutionP90 = rank(resolutions[k], 50), rank(resolutions[k], 90)
		if r.SLATickets > 0 {
			pct := float64(r.SLAMet) * 100 / float64(r.SLATickets)
			r.SLAMetPct = &pct
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// generateHistory makes n tickets over 20 days from start: random mailboxes,
// assignees, tags, first responses, solves, re-opens and other status
// changes, at microsecond times (what both engines keep).
func generateHistory(seed int64, n int, start time.Time) []*histTicket {
	rng := rand.New(rand.NewSource(seed))
	slaRng := rand.New(rand.NewSource(seed + 1)) // apart: the other draws stay as they were
	at := func(base time.Time, maxSecs int) time.Time {
		return base.Add(time.Duration(rng.Int63n(int64(maxSecs)*1e6)) * time.Microsecond)
	}
	var out []*histTicket
	for i := 0; i < n; i++ {
		h := &histTicket{mailbox: fmt.Sprint("mb", 1+rng.Intn(3), "@x.test"), created: at(start, 20*86400), sla: slaRng.Intn(3)}
		if a := rng.Intn(3); a > 0 {
			h.assignee = fmt.Sprint("agent", a, "@x.test")
		}
		if tm := rng.Intn(3); tm > 0 {
			h.team = fmt.Sprint("team", tm)
		}
		for _, tag := range []string{"billing", "bug", "vip"} {
			if rng.Intn(3) == 0 {
				h.tags = append(h.tags, tag)
			}
		}
		if rng.Intn(5) > 0 {
			f := at(h.created, 3*86400)
			h.firstResponse = &f
		}
		now, status := h.created, "open"
		for step := 0; step < 4; step++ {
			now = at(now, 2*86400)
			var to string
			switch status {
			case "open", "new":
				to = []string{"pending", "solved", "closed"}[rng.Intn(3)]
			case "pending":
				to = []string{"open", "solved"}[rng.Intn(2)]
			case "solved":
				to = []string{"open", "closed", "pending"}[rng.Intn(3)]
			case "closed":
				to = "open"
			}
			if rng.Intn(4) == 0 {
				break
			}
			h.events = append(h.events, histEvent{from: status, to: to, at: now})
			// solved_at as the change path keeps it (ticket.solvedAt).
			switch {
			case to == "solved", to == "closed" && h.solved == nil:
				s := now
				h.solved = &s
			case to != "closed":
				h.solved = nil
			}
			status = to
		}
		if h.solved != nil && rng.Intn(2) == 0 {
			h.csat, h.csatAt = []string{"good", "bad"}[rng.Intn(2)], at(*h.solved, 5*86400)
		}
		out = append(out, h)
	}
	return out
}

// TestReportSummaryMatchesHistory: on a generated history, every group with
// and without filters gives exactly the figures computed in Go from the raw
// moments and events.
func TestReportSummaryMatchesHistory(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
		hist := generateHistory(14, 400, start)
		writeHistory(t, s, ctx, hist)
		var mb2, team1 int64
		if err := s.DB().QueryRow(ctx, `SELECT id FROM mailboxes WHERE address = 'mb2@x.test'`).Scan(&mb2); err != nil {
			t.Fatal(err)
		}
		if err := s.DB().QueryRow(ctx, `SELECT id FROM teams WHERE name = 'team1'`).Scan(&team1); err != nil {
			t.Fatal(err)
		}
		ranges := [][2]time.Time{
			{start.AddDate(0, 0, -1), start.AddDate(0, 0, 40)},                 // everything
			{start.Add(5*24*time.Hour + 7*time.Hour), start.AddDate(0, 0, 12)}, // a cut in the middle
		}
		for _, g := range []store.ReportGroup{store.GroupDay, store.GroupWeek, store.GroupAgent, store.GroupTeam, store.GroupMailbox, store.GroupTag} {
			for ri, rg := range ranges {
				for _, f := range []struct {
					name string
					mb   int64
					team int64
					tag  string
				}{{"all", 0, 0, ""}, {"mailbox", mb2, 0, ""}, {"team", 0, team1, ""}, {"tag", 0, 0, "vip"}, {"all three", mb2, team1, "bug"}} {
					t.Run(fmt.Sprint(g, "/", ri, "/", f.name), func(t *testing.T) {
						q := store.ReportQuery{From: rg[0], To: rg[1], Group: g, MailboxID: f.mb, TeamID: f.team, Tag: f.tag}
						got, err := s.ReportSummary(ctx, q)
						if err != nil {
							t.Fatal(err)
						}
						want := expectedReport(hist, q, "mb2@x.test", "team1")
						if len(want) == 0 {
							t.Fatal("the generated history gives no rows: the test would prove nothing")
						}
						if !reflect.DeepEqual(got, want) {
							t.Errorf("got  %s\nwant %s", fmtRows(got), fmtRows(want))
						}
					})
				}
			}
		}
	})
}

func fmtRows(rows []store.ReportRow) string {
	s := ""
	p := func(v *int64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	for _, r := range rows {
		s += fmt.Sprintf("\n  %q c=%d s=%d r=%d fr=%s/%s res=%s/%s csat=%d/%d sla=%d/%d", r.Key, r.Created, r.Solved, r.Reopened,
			p(r.FirstResponseP50), p(r.FirstResponseP90), p(r.ResolutionP50), p(r.ResolutionP90), r.CSATGood, r.CSATResponses, r.SLAMet, r.SLATickets)
	}
	return s
}

// TestReportSummaryKnownAnswers: a history small enough to check by hand.
// First responses after 10, 20, 30 and 40 s: nearest rank gives p50 = the
// 2nd value (20, where interpolation would say 25) and p90 = the 4th (40).
// Seconds are truncated per moment: 09:00:00.9 to 09:00:10.1 is 10 s.
func TestReportSummaryKnownAnswers(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		day := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC) // a Monday
		ptr := func(t time.Time) *time.Time { return &t }
		sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
		hist := []*histTicket{
			{mailbox: "a@x.test", created: day.Add(900 * time.Millisecond), firstResponse: ptr(day.Add(sec(10) + 100*time.Millisecond)),
				solved: ptr(day.Add(sec(100))), events: []histEvent{{"open", "solved", day.Add(sec(100))}}, csat: "good", csatAt: day.Add(sec(200))},
			{mailbox: "a@x.test", created: day, firstResponse: ptr(day.Add(sec(20)))},
			{mailbox: "a@x.test", created: day, firstResponse: ptr(day.Add(sec(30))),
				events: []histEvent{{"open", "solved", day.Add(sec(50))}, {"solved", "open", day.Add(sec(60))}}},
			{mailbox: "a@x.test", created: day, firstResponse: ptr(day.Add(sec(40))), solved: ptr(day.Add(24 * time.Hour)),
				events: []histEvent{{"open", "closed", day.Add(24 * time.Hour)}}, csat: "bad", csatAt: day.Add(48 * time.Hour)},
		}
		writeHistory(t, s, ctx, hist)
		i := func(v int64) *int64 { return &v }
		cases := []struct {
			group store.ReportGroup
			want  []store.ReportRow
		}{
			{store.GroupDay, []store.ReportRow{
				{Key: "2026-05-04", Created: 4, Solved: 1, Reopened: 1, FirstResponseP50: i(20), FirstResponseP90: i(40), ResolutionP50: i(100), ResolutionP90: i(100),
					CSATResponses: 1, CSATGood: 1},
				{Key: "2026-05-05", Solved: 1, ResolutionP50: i(86400), ResolutionP90: i(86400)},
				{Key: "2026-05-06", CSATResponses: 1},
			}},
			{store.GroupWeek, []store.ReportRow{
				{Key: "2026-05-04", Created: 4, Solved: 2, Reopened: 1, FirstResponseP50: i(20), FirstResponseP90: i(40), ResolutionP50: i(100), ResolutionP90: i(86400),
					CSATResponses: 2, CSATGood: 1},
			}},
			{store.GroupAgent, []store.ReportRow{
				{Key: "", Created: 4, Solved: 2, Reopened: 1, FirstResponseP50: i(20), FirstResponseP90: i(40), ResolutionP50: i(100), ResolutionP90: i(86400),
					CSATResponses: 2, CSATGood: 1},
			}},
		}
		for _, c := range cases {
			t.Run(string(c.group), func(t *testing.T) {
				got, err := s.ReportSummary(ctx, store.ReportQuery{From: day.AddDate(0, 0, -1), To: day.AddDate(0, 0, 7), Group: c.group})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("got %s\nwant %s", fmtRows(got), fmtRows(c.want))
				}
			})
		}
	})
}

// TestReportSessionSettings: on PostgreSQL every report's statements get
// room to hash in memory, and the ones by day or week run without
// parallel workers (they run at once already) while the ones by an
// attribute of the ticket keep the server's.
func TestReportSessionSettings(t *testing.T) {
	t.Parallel()
	s, ctx := open(t, storetest.PostgresURL(t))
	var serverParallel string
	if err := s.DB().QueryRow(ctx, `SELECT current_setting('max_parallel_workers_per_gather')`).Scan(&serverParallel); err != nil {
		t.Fatal(err)
	}
	if serverParallel == "0" {
		t.Fatal("the server runs no parallel workers: the test could not tell the groupings apart")
	}
	cases := []struct {
		group    store.ReportGroup
		parallel string
	}{
		{store.GroupDay, "0"},
		{store.GroupWeek, "0"},
		{store.GroupAgent, serverParallel},
		{store.GroupTeam, serverParallel},
		{store.GroupMailbox, serverParallel},
		{store.GroupTag, serverParallel},
	}
	for _, c := range cases {
		workMem, parallel, err := store.ReportSessionSettings(ctx, s, c.group)
		if err != nil {
			t.Fatalf("%s: %v", c.group, err)
		}
		if workMem != "64MB" || parallel != c.parallel {
			t.Errorf("%s: work_mem %s, max_parallel_workers_per_gather %s; want 64MB, %s", c.group, workMem, parallel, c.parallel)
		}
	}
}
