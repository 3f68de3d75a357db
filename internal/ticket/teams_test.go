package ticket_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// teamSetup makes n agents, a team of them and a mailbox whose new tickets
// go to the team.
func teamSetup(t *testing.T, e *mailboxtest.Env, prefix string, n int, in ticket.TeamInput) (mailbox int64, team store.Team, agents []store.User) {
	t.Helper()
	var ids []int64
	for i := range n {
		email := fmt.Sprintf("%s-agent%d@acme.test", prefix, i)
		id, err := e.Store.CreateUser(e.Ctx, store.User{Email: email, Name: email, Role: domain.RoleAgent, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		agents = append(agents, store.User{ID: id, Email: email, Role: domain.RoleAgent})
	}
	name := prefix
	in.Name, in.MemberIDs = &name, &ids
	team, err := e.Svc.CreateTeam(e.Ctx, store.User{}, in)
	if err != nil {
		t.Fatal(err)
	}
	mailbox = e.Mailbox(prefix+"@acme.test", "smtp")
	if _, err := e.Svc.UpdateMailbox(e.Ctx, mailbox, ticket.MailboxUpdate{TeamID: &team.ID}); err != nil {
		t.Fatal(err)
	}
	return mailbox, team, agents
}

func assignment(a ticket.Assignment) *string { s := string(a); return &s }

// newTeamTicket imports a new conversation into the mailbox.
func newTeamTicket(t *testing.T, e *mailboxtest.Env, mailbox int64, key string) store.Ticket {
	t.Helper()
	res, err := e.Svc.Import(e.Ctx, mailbox, msg("From: c-"+key+"@customer.test", "Subject: Help "+key, "Message-ID: <"+key+"@customer.test>"))
	if err != nil {
		t.Fatal(err)
	}
	tk, err := e.Store.GetTicket(e.Ctx, e.DB, res.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestAutomaticAssignment: a mailbox's new tickets take its default team and
// are given to its members by the team's assignment, on both engines.
// Agents are numbered; -1 is nobody.
func TestAutomaticAssignment(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		how     ticket.Assignment
		cap     int
		agents  int
		away    []int
		holding map[int]int // tickets an agent holds already
		want    []int       // who each new ticket goes to
	}{
		{name: "round robin takes members in turn and wraps", how: ticket.AssignRoundRobin, agents: 3, want: []int{0, 1, 2, 0}},
		{name: "round robin skips away agents", how: ticket.AssignRoundRobin, agents: 3, away: []int{1}, want: []int{0, 2, 0}},
		{name: "never above the cap", how: ticket.AssignRoundRobin, cap: 1, agents: 2, want: []int{0, 1, -1}},
		{name: "the cap counts the tickets an agent holds", how: ticket.AssignRoundRobin, cap: 2, agents: 2, holding: map[int]int{0: 2}, want: []int{1, 1, -1}},
		{name: "load balanced gives the fewest", how: ticket.AssignLoadBalanced, agents: 2, holding: map[int]int{0: 2}, want: []int{1, 1, 0, 1}},
		{name: "manual leaves tickets unassigned", how: ticket.AssignManual, agents: 2, want: []int{-1, -1}},
		{name: "nobody available", how: ticket.AssignRoundRobin, agents: 1, away: []int{0}, want: []int{-1}},
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true})
		for ci, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				prefix := fmt.Sprintf("case%d", ci)
				cap := c.cap
				mb, _, agents := teamSetup(t, e, prefix, c.agents, ticket.TeamInput{Assignment: assignment(c.how), MaxOpenPerAgent: &cap})
				for _, i := range c.away {
					if err := e.Svc.SetMyAvailability(e.Ctx, agents[i], false); err != nil {
						t.Fatal(err)
					}
				}
				other := e.Mailbox(prefix+"-other@acme.test", "smtp") // no team
				for i, n := range c.holding {
					for k := range n {
						tk := newTeamTicket(t, e, other, fmt.Sprintf("%s-hold%d-%d", prefix, i, k))
						if _, err := e.Svc.UpdateTicket(e.Ctx, agents[i], tk.ID, ticket.TicketUpdate{AssigneeSet: true, AssigneeID: agents[i].ID}); err != nil {
							t.Fatal(err)
						}
					}
				}
				for k, want := range c.want {
					tk := newTeamTicket(t, e, mb, fmt.Sprintf("%s-t%d", prefix, k))
					if tk.Team == nil || tk.Team.Name != prefix {
						t.Fatalf("ticket %d: team %+v, want %s", k, tk.Team, prefix)
					}
					got := -1
					for i, a := range agents {
						if tk.Assignee != nil && tk.Assignee.ID == a.ID {
							got = i
						}
					}
					if tk.Assignee != nil && got < 0 {
						t.Fatalf("ticket %d went to %d, not a member", k, tk.Assignee.ID)
					}
					if got != want {
						t.Fatalf("ticket %d went to agent %d, want %d", k, got, want)
					}
				}
			})
		}
	})
}

// TestAutomaticAssignmentEvents: the audit trail says how a ticket was
// assigned, and a reopened unassigned ticket is assigned too.
func TestAutomaticAssignmentEvents(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true})
		mb, team, agents := teamSetup(t, e, "billing", 1, ticket.TeamInput{Assignment: assignment(ticket.AssignRoundRobin)})
		if err := e.Svc.SetMyAvailability(e.Ctx, agents[0], false); err != nil {
			t.Fatal(err)
		}
		tk := newTeamTicket(t, e, mb, "ev1")
		if tk.Assignee != nil {
			t.Fatalf("assigned to %d while everyone is away", tk.Assignee.ID)
		}
		solved := domain.StatusSolved
		if _, err := e.Svc.UpdateTicket(e.Ctx, agents[0], tk.ID, ticket.TicketUpdate{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if err := e.Svc.SetMyAvailability(e.Ctx, agents[0], true); err != nil {
			t.Fatal(err)
		}
		// The customer writes again: the ticket reopens and finds its agent.
		if _, err := e.Svc.Import(e.Ctx, mb, msg("From: c-ev1@customer.test", "Subject: Re: Help ev1", "Message-ID: <ev1b@customer.test>",
			"In-Reply-To: <ev1@customer.test>")); err != nil {
			t.Fatal(err)
		}
		got, err := e.Store.GetTicket(e.Ctx, e.DB, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != domain.StatusOpen || got.Assignee == nil || got.Assignee.ID != agents[0].ID {
			t.Fatalf("reopened ticket: status %s, assignee %+v", got.Status, got.Assignee)
		}
		events, err := e.Svc.Events(e.Ctx, agents[0], tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, ev := range events {
			kinds = append(kinds, ev.Kind+":"+ev.NewValue)
		}
		want := []string{"team_changed:" + team.Name, "auto_assigned:round_robin", "assignee_changed:" + agents[0].Email}
		if !containsInOrder(kinds, want) {
			t.Fatalf("events %v, want %v in order", kinds, want)
		}
	})
}

func containsInOrder(list, want []string) bool {
	i := 0
	for _, v := range list {
		if i < len(want) && v == want[i] {
			i++
		}
	}
	return i == len(want)
}

// TestAssignmentAcrossReplicas: two ticket services (two replicas) on one
// PostgreSQL database open 500 tickets at once for one team. No ticket is
// assigned twice, the turn never skips (the assignments in the order they
// were made cycle through the members), round-robin counts differ by at
// most one, and the cap holds.
func TestAssignmentAcrossReplicas(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresURL(t)
	a := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true})
	b := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true})
	for _, c := range []struct {
		name string
		cap  int
		want int // tickets assigned
	}{
		{"round robin", 0, 500},
		{"round robin with a cap", 60, 300},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Workers stay under each service's pool (8 connections: an
			// import holds its mailbox's lock while it asks the pool for our
			// addresses). Each has its own mailbox of the team, so they
			// contend on the team's lock, not on a mailbox's.
			const tickets, agents, workers = 500, 5, 6
			capv := c.cap
			prefix := fmt.Sprintf("replicas%d", c.cap)
			mb0, team, members := teamSetup(t, a, prefix, agents, ticket.TeamInput{Assignment: assignment(ticket.AssignRoundRobin), MaxOpenPerAgent: &capv})
			boxes := []int64{mb0}
			for w := 1; w < workers; w++ {
				mb := a.Mailbox(fmt.Sprintf("%s-%d@acme.test", prefix, w), "smtp")
				if _, err := a.Svc.UpdateMailbox(a.Ctx, mb, ticket.MailboxUpdate{TeamID: &team.ID}); err != nil {
					t.Fatal(err)
				}
				boxes = append(boxes, mb)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			for w := range workers {
				env := a
				if w%2 == 1 {
					env = b
				}
				mb := boxes[w]
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						k := next.Add(1)
						if k > tickets {
							return
						}
						key := fmt.Sprintf("r%d-%d", c.cap, k)
						if _, err := env.Svc.Import(env.Ctx, mb, msg("From: c-"+key+"@customer.test", "Subject: Load "+key, "Message-ID: <"+key+"@customer.test>")); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			if n := a.Count(`SELECT count(*) FROM tickets WHERE team_id = $1`, team.ID); n != tickets {
				t.Fatalf("%d tickets of the team, want %d", n, tickets)
			}
			if n := a.Count(`SELECT count(*) FROM tickets WHERE team_id = $1 AND assignee_id IS NOT NULL`, team.ID); n != c.want {
				t.Fatalf("%d tickets assigned, want %d", n, c.want)
			}
			if n := a.Count(`SELECT count(*) FROM (SELECT e.ticket_id FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
				WHERE t.team_id = $1 AND e.kind IN ('auto_assigned', 'assignee_changed') GROUP BY e.ticket_id HAVING count(*) <> 2) x`, team.ID); n != 0 {
				t.Fatalf("%d assigned tickets without exactly one automatic assignment", n)
			}
			// The assignments in the order they were made (event ids are
			// taken under the team's lock): member after member, in turn.
			rows, err := a.DB.Query(a.Ctx, `SELECT e.new_value FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
				WHERE t.team_id = $1 AND e.kind = 'assignee_changed' ORDER BY e.id`, team.ID)
			if err != nil {
				t.Fatal(err)
			}
			var order []string
			for rows.Next() {
				var v string
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				order = append(order, v)
			}
			rows.Close()
			for i, v := range order {
				if want := members[i%agents].Email; v != want {
					t.Fatalf("assignment %d went to %s, want %s (out of turn)", i, v, want)
				}
			}
			counts := map[int64]int{}
			for _, m := range members {
				counts[m.ID] = a.Count(`SELECT count(*) FROM tickets WHERE assignee_id = $1`, m.ID)
			}
			lo, hi := tickets, 0
			for _, n := range counts {
				lo, hi = min(lo, n), max(hi, n)
			}
			if hi-lo > 1 {
				t.Fatalf("round-robin counts %v differ by more than one", counts)
			}
			if c.cap > 0 && hi > c.cap {
				t.Fatalf("an agent holds %d tickets, over the cap %d", hi, c.cap)
			}
		})
	}
}

// TestUpdateTeam: a team's name changes alone, its members stay; a new
// member list replaces the old one.
func TestUpdateTeam(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		admin, ann, bob, cat := e.agent(), e.agent(), e.agent(), e.agent()
		team, err := e.svc.CreateTeam(e.ctx, admin, ticket.TeamInput{Name: ptr("Support"), MemberIDs: &[]int64{ann.ID}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name    string
			in      ticket.TeamInput
			want    string
			members []int64
		}{
			{"renamed", ticket.TeamInput{Name: ptr("Help desk")}, "Help desk", []int64{ann.ID}},
			{"new members", ticket.TeamInput{MemberIDs: &[]int64{cat.ID, bob.ID}}, "Help desk", []int64{bob.ID, cat.ID}},
		} {
			got, err := e.svc.UpdateTeam(e.ctx, admin, team.ID, c.in)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			stored, err := e.st.GetTeam(e.ctx, e.st.DB(), team.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			for _, tm := range []store.Team{got, stored} {
				if ids := slices.Sorted(slices.Values(tm.MemberIDs)); tm.ID != team.ID || tm.Name != c.want || !slices.Equal(ids, c.members) {
					t.Fatalf("%s: team %d %q %v, want %q %v", c.name, tm.ID, tm.Name, ids, c.want, c.members)
				}
			}
		}
	})
}

// TestTeamInputChecks: what a team's name, assignment, cap and members may
// be, at each bound. A refusal names the field, and for members says why:
// 1,000 ids that are no users are refused as no users, not as too many
// (ids are counted after duplicates are dropped).
func TestTeamInputChecks(t *testing.T) {
	t.Parallel()
	ids := func(n int, dup bool) *[]int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(1_000_000 + i)
		}
		if dup {
			out[n-1] = out[0]
		}
		return &out
	}
	cases := []struct {
		name  string
		in    ticket.TeamInput
		field string // "": accepted
		says  string // in the refusal's message
	}{
		{"no name", ticket.TeamInput{}, "name", "required"},
		{"empty name", ticket.TeamInput{Name: ptr("")}, "name", "1 to 100"},
		{"blank name", ticket.TeamInput{Name: ptr("   ")}, "name", "1 to 100"},
		{"one letter", ticket.TeamInput{Name: ptr("A")}, "", ""},
		{"100 characters", ticket.TeamInput{Name: ptr(strings.Repeat("é", 100))}, "", ""},
		{"101 characters", ticket.TeamInput{Name: ptr(strings.Repeat("é", 101))}, "name", "1 to 100"},
		{"unknown assignment", ticket.TeamInput{Name: ptr("Fifo"), Assignment: ptr("fifo")}, "assignment", "must be one of"},
		{"load balanced", ticket.TeamInput{Name: ptr("Balanced"), Assignment: ptr(string(ticket.AssignLoadBalanced))}, "", ""},
		{"cap below 0", ticket.TeamInput{Name: ptr("Cap -1"), MaxOpenPerAgent: ptr(-1)}, "max_open_per_agent", "0 (no cap) to 100000"},
		{"cap 0", ticket.TeamInput{Name: ptr("Cap 0"), MaxOpenPerAgent: ptr(0)}, "", ""},
		{"cap 100000", ticket.TeamInput{Name: ptr("Cap max"), MaxOpenPerAgent: ptr(100000)}, "", ""},
		{"cap 100001", ticket.TeamInput{Name: ptr("Cap max+1"), MaxOpenPerAgent: ptr(100001)}, "max_open_per_agent", "0 (no cap) to 100000"},
		{"1,001 members", ticket.TeamInput{Name: ptr("Crowd"), MemberIDs: ids(1001, false)}, "member_ids", "at most 1000 members"},
		{"1,000 members", ticket.TeamInput{Name: ptr("Crowd"), MemberIDs: ids(1000, false)}, "member_ids", "1000000 is not a user"},
		{"1,001 ids, one twice", ticket.TeamInput{Name: ptr("Crowd"), MemberIDs: ids(1001, true)}, "member_ids", "1000000 is not a user"},
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		admin := e.agent()
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				team, err := e.svc.CreateTeam(e.ctx, admin, c.in)
				if c.field == "" {
					if err != nil || team.ID == 0 {
						t.Fatalf("refused: %v", err)
					}
					if c.in.MaxOpenPerAgent != nil && team.MaxOpenPerAgent != *c.in.MaxOpenPerAgent {
						t.Fatalf("cap %d, want %d", team.MaxOpenPerAgent, *c.in.MaxOpenPerAgent)
					}
					return
				}
				de, ok := domain.As(err)
				if !ok || de.Kind != domain.KindInvalid || de.Field != c.field || !strings.Contains(de.Message, c.says) {
					t.Fatalf("error %v, want %s invalid: %q", err, c.field, c.says)
				}
			})
		}
	})
}

// TestMailboxDefaultTeam: a mailbox's default team is a team that exists, or
// 0 for none (clearing it); a negative id or an unknown team is refused and
// leaves the team as it was.
func TestMailboxDefaultTeam(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		team, err := e.svc.CreateTeam(e.ctx, e.agent(), ticket.TeamInput{Name: ptr("Billing")})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name     string
			set      int64
			refusal  string // in the team_id refusal; "": accepted
			wantTeam int64
		}{
			{"a team", team.ID, "", team.ID},
			{"a negative id", -1, "must be a team id or null", team.ID},
			{"a team that does not exist", team.ID + 1000, "is not a team", team.ID},
			{"none", 0, "", 0},
		} {
			mb, err := e.svc.UpdateMailbox(e.ctx, e.mb, ticket.MailboxUpdate{TeamID: &c.set})
			if c.refusal == "" && err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if de, ok := domain.As(err); c.refusal != "" && (!ok || de.Field != "team_id" || !strings.Contains(de.Message, c.refusal)) {
				t.Fatalf("%s: error %v, want team_id %q", c.name, err, c.refusal)
			}
			stored, err := e.st.GetMailbox(e.ctx, e.st.DB(), e.mb)
			if err != nil {
				t.Fatal(err)
			}
			if stored.TeamID != c.wantTeam || (c.refusal == "" && mb.TeamID != c.wantTeam) {
				t.Fatalf("%s: team %d (returned %d), want %d", c.name, stored.TeamID, mb.TeamID, c.wantTeam)
			}
		}
	})
}
