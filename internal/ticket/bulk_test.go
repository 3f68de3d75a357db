package ticket_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

func status(s domain.Status) *domain.Status { return &s }

// state is a ticket's fields a bulk change may touch, in one line.
func (e *env) state(id int64) string {
	e.t.Helper()
	tk := e.ticket(id)
	assignee, team := int64(0), int64(0)
	if tk.Assignee != nil {
		assignee = tk.Assignee.ID
	}
	if tk.Team != nil {
		team = tk.Team.ID
	}
	return fmt.Sprintf("%s %s a%d t%d [%s]", tk.Status, tk.Priority, assignee, team, strings.Join(tk.Tags, " "))
}

func skippedList(list []ticket.Skipped) string {
	var out []string
	for _, s := range list {
		out = append(out, fmt.Sprintf("%d:%s", s.ID, s.Reason))
	}
	return strings.Join(out, "; ")
}

// TestBulkUpdateTicketsRefusals: what is refused before any ticket
// changes, with the field it names.
func TestBulkUpdateTicketsRefusals(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		agent := e.agent()
		_, tk := e.newConversation()
		open := status(domain.StatusOpen)
		many := func(n int) []int64 {
			ids := make([]int64, n)
			for i := range ids {
				ids[i] = tk.ID
			}
			return ids
		}
		for _, c := range []struct {
			name  string
			in    ticket.BulkUpdate
			field string
		}{
			{"no ids", ticket.BulkUpdate{Status: open}, "ids"},
			{"one id too many", ticket.BulkUpdate{IDs: many(ticket.MaxBulk + 1), Status: open}, "ids"},
			{"nothing to change", ticket.BulkUpdate{IDs: many(1)}, "ids"},
			{"a bad status", ticket.BulkUpdate{IDs: many(1), Status: status("lost")}, "status"},
			{"a bad tag to add", ticket.BulkUpdate{IDs: many(1), TagsAdd: []string{"a b"}}, "tags_add"},
			{"a bad tag to remove", ticket.BulkUpdate{IDs: many(1), TagsRemove: []string{"a,b"}}, "tags_remove"},
		} {
			n, skipped, err := e.svc.BulkUpdateTickets(e.ctx, agent, c.in)
			if de, ok := domain.As(err); !ok || de.Kind != domain.KindInvalid || de.Field != c.field || n != 0 || skipped != nil {
				t.Errorf("%s: %d %v %v, want refused on %s", c.name, n, skipped, err, c.field)
			}
		}
		// An assignee or a team that does not exist: refused, nothing changed.
		for _, in := range []ticket.BulkUpdate{
			{IDs: many(1), Status: open, AssigneeSet: true, AssigneeID: 999999},
			{IDs: many(1), Status: open, TeamSet: true, TeamID: 999999},
		} {
			if n, _, err := e.svc.BulkUpdateTickets(e.ctx, agent, in); err == nil || n != 0 {
				t.Errorf("%+v: %d %v, want refused", in, n, err)
			}
		}
		if got := e.state(tk.ID); got != "new normal a0 t0 []" {
			t.Fatalf("after the refusals: %s", got)
		}
	})
}

// TestBulkUpdateTickets: each change on many tickets, counting those it
// changed, skipping (with the reason) those that do not exist or refuse it.
func TestBulkUpdateTickets(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		agent, other := e.agent(), e.agent()
		name := "Billing"
		team, err := e.svc.CreateTeam(e.ctx, agent, ticket.TeamInput{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 3 {
			res := e.importMsg(e.mb, msg(fmt.Sprintf("From: c%d@customer.test", i), "Subject: Help", fmt.Sprintf("Message-ID: <bulk%d@customer.test>", i)))
			ids = append(ids, res.TicketID)
		}
		t1, t2, t3 := ids[0], ids[1], ids[2]
		if _, err := e.svc.UpdateTicket(e.ctx, agent, t1, ticket.TicketUpdate{Tags: &[]string{"billing", "printer"}}); err != nil {
			t.Fatal(err)
		}
		// 50 tags: one more is refused for this ticket alone.
		full := make([]string, 50)
		for i := range full {
			full[i] = fmt.Sprintf("tag%02d", i)
		}
		if _, err := e.svc.UpdateTicket(e.ctx, agent, t3, ticket.TicketUpdate{Tags: &full}); err != nil {
			t.Fatal(err)
		}
		missing := t3 + 1000
		state := func() string {
			return e.state(t1) + " | " + e.state(t2) + " | " + strings.Split(e.state(t3), " [")[0]
		}
		steps := []struct {
			name    string
			in      ticket.BulkUpdate
			n       int
			skipped string
			state   string
		}{
			{"status, twice named, one missing", ticket.BulkUpdate{IDs: []int64{missing, t2, t1, t2}, Status: status(domain.StatusOpen)}, 2,
				fmt.Sprintf("%d:no such ticket", missing), "open normal a0 t0 [billing printer] | open normal a0 t0 [] | new normal a0 t0"},
			{"a ticket already so is not counted", ticket.BulkUpdate{IDs: []int64{t1, t2, t3}, Status: status(domain.StatusOpen)}, 1,
				"", "open normal a0 t0 [billing printer] | open normal a0 t0 [] | open normal a0 t0"},
			{"a move the rules refuse is skipped", ticket.BulkUpdate{IDs: []int64{t1, t2}, Status: status(domain.StatusClosed)}, 0,
				fmt.Sprintf("%d:%s; %d:%s", t1, "status: only a solved ticket can be closed (it is open)", t2, "status: only a solved ticket can be closed (it is open)"),
				"open normal a0 t0 [billing printer] | open normal a0 t0 [] | open normal a0 t0"},
			{"priority", ticket.BulkUpdate{IDs: []int64{t1, t2}, Priority: priority(domain.PriorityHigh)}, 2,
				"", "open high a0 t0 [billing printer] | open high a0 t0 [] | open normal a0 t0"},
			{"assignee", ticket.BulkUpdate{IDs: []int64{t1, t2}, AssigneeSet: true, AssigneeID: other.ID}, 2,
				"", fmt.Sprintf("open high a%d t0 [billing printer] | open high a%d t0 [] | open normal a0 t0", other.ID, other.ID)},
			{"unassigned", ticket.BulkUpdate{IDs: []int64{t2}, AssigneeSet: true}, 1,
				"", fmt.Sprintf("open high a%d t0 [billing printer] | open high a0 t0 [] | open normal a0 t0", other.ID)},
			{"team", ticket.BulkUpdate{IDs: []int64{t2}, TeamSet: true, TeamID: team.ID}, 1,
				"", fmt.Sprintf("open high a%d t0 [billing printer] | open high a0 t%d [] | open normal a0 t0", other.ID, team.ID)},
			{"no team", ticket.BulkUpdate{IDs: []int64{t2}, TeamSet: true}, 1,
				"", fmt.Sprintf("open high a%d t0 [billing printer] | open high a0 t0 [] | open normal a0 t0", other.ID)},
			{"tags added and removed", ticket.BulkUpdate{IDs: []int64{t1, t2}, TagsAdd: []string{"VIP"}, TagsRemove: []string{"billing"}}, 2,
				"", fmt.Sprintf("open high a%d t0 [printer vip] | open high a0 t0 [vip] | open normal a0 t0", other.ID)},
			{"tags removed alone", ticket.BulkUpdate{IDs: []int64{t1, t2}, TagsRemove: []string{"printer"}}, 1,
				"", fmt.Sprintf("open high a%d t0 [vip] | open high a0 t0 [vip] | open normal a0 t0", other.ID)},
			{"tags added alone", ticket.BulkUpdate{IDs: []int64{t1, t2}, TagsAdd: []string{"vip", "urgent"}}, 2,
				"", fmt.Sprintf("open high a%d t0 [urgent vip] | open high a0 t0 [urgent vip] | open normal a0 t0", other.ID)},
			{"a 51st tag is refused for that ticket", ticket.BulkUpdate{IDs: []int64{t3, t2}, TagsAdd: []string{"more"}}, 1,
				fmt.Sprintf("%d:tags: at most 50 tags", t3), fmt.Sprintf("open high a%d t0 [urgent vip] | open high a0 t0 [more urgent vip] | open normal a0 t0", other.ID)},
		}
		for _, s := range steps {
			n, skipped, err := e.svc.BulkUpdateTickets(e.ctx, agent, s.in)
			if err != nil || n != s.n || skippedList(skipped) != s.skipped {
				t.Fatalf("%s: %d %q %v, want %d %q", s.name, n, skippedList(skipped), err, s.n, s.skipped)
			}
			if got := state(); got != s.state {
				t.Fatalf("%s: %s\nwant %s", s.name, got, s.state)
			}
		}
		if got := len(e.ticket(t3).Tags); got != 50 {
			t.Fatalf("the full ticket has %d tags", got)
		}
	})
}

// TestBulkUpdateTicketsInChunks: the most tickets a bulk change takes, in
// chunks, every id answered once and in order.
func TestBulkUpdateTicketsInChunks(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		agent := e.agent()
		_, tk := e.newConversation()
		_, other := e.newConversationFrom("Carol <carol@customer.test>", "<carol@customer.test>")
		ids := []int64{tk.ID, other}
		for i := int64(1); len(ids) < ticket.MaxBulk; i++ {
			ids = append(ids, other+i*7) // none of these exist
		}
		slices.Reverse(ids)
		n, skipped, err := e.svc.BulkUpdateTickets(e.ctx, agent, ticket.BulkUpdate{IDs: ids, Status: status(domain.StatusPending)})
		if err != nil || n != 2 || len(skipped) != ticket.MaxBulk-2 {
			t.Fatalf("%d, %d skipped, %v", n, len(skipped), err)
		}
		for i, s := range skipped {
			if want := other + int64(i+1)*7; s.ID != want || s.Reason != "no such ticket" {
				t.Fatalf("skipped[%d] = %+v, want %d", i, s, want)
			}
		}
		if e.ticket(tk.ID).Status != domain.StatusPending || e.ticket(other).Status != domain.StatusPending {
			t.Fatal("the tickets did not change")
		}
	})
}
