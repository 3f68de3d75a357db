package ticket

import (
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// TestChooseAgent pins the choice of each assignment mode: the turn starts
// after the member given the previous ticket and wraps around, the cap
// skips a member, load balancing takes the fewest open tickets (the first
// in turn among equals).
func TestChooseAgent(t *testing.T) {
	t.Parallel()
	members := func(open ...int) []store.MemberLoad {
		out := make([]store.MemberLoad, len(open))
		for i, n := range open {
			out[i] = store.MemberLoad{UserID: int64(10 * (i + 1)), Open: n}
		}
		return out
	}
	cases := []struct {
		name    string
		how     Assignment
		cap     int
		last    int64
		members []store.MemberLoad
		want    int64
	}{
		{"round robin starts with the first", AssignRoundRobin, 0, 0, members(5, 0, 0), 10},
		{"round robin takes the next after the last", AssignRoundRobin, 0, 10, members(5, 0, 0), 20},
		{"round robin wraps around", AssignRoundRobin, 0, 30, members(0, 0, 0), 10},
		{"round robin: a last member who left still moves the turn on", AssignRoundRobin, 0, 15, members(0, 0, 0), 20},
		{"round robin skips a member at the cap", AssignRoundRobin, 2, 10, members(0, 2, 1), 30},
		{"round robin: everyone at the cap is nobody", AssignRoundRobin, 1, 0, members(1, 1, 3), 0},
		{"load balanced takes the fewest", AssignLoadBalanced, 0, 0, members(3, 1, 2), 20},
		{"load balanced: equals go in turn", AssignLoadBalanced, 0, 20, members(1, 1, 1), 30},
		{"load balanced: equals wrap around", AssignLoadBalanced, 0, 30, members(1, 1, 1), 10},
		{"load balanced never above the cap", AssignLoadBalanced, 1, 0, members(1, 1, 0), 30},
		{"load balanced: everyone at the cap is nobody", AssignLoadBalanced, 2, 0, members(2, 2), 0},
		{"no members", AssignRoundRobin, 0, 0, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := chooseAgent(c.how, c.cap, c.last, c.members); got != c.want {
				t.Fatalf("chooseAgent = %d, want %d", got, c.want)
			}
		})
	}
}

// TestWantsAgent: which changes make a team's unassigned ticket look for
// an agent.
func TestWantsAgent(t *testing.T) {
	t.Parallel()
	f := func(status string, team, assignee int64) store.TicketFields {
		return store.TicketFields{Status: domainStatus(status), TeamID: team, AssigneeID: assignee}
	}
	cases := []struct {
		name          string
		created       bool
		before, after store.TicketFields
		want          bool
	}{
		{"a new ticket of a team", true, store.TicketFields{}, f("new", 1, 0), true},
		{"a new ticket of no team", true, store.TicketFields{}, f("new", 0, 0), false},
		{"moved to a team", false, f("open", 0, 0), f("open", 1, 0), true},
		{"moved between teams", false, f("open", 1, 0), f("open", 2, 0), true},
		{"reopened from solved", false, f("solved", 1, 0), f("open", 1, 0), true},
		{"reopened from closed", false, f("closed", 1, 0), f("open", 1, 0), true},
		{"woken from pending", false, f("pending", 1, 0), f("open", 1, 0), true},
		{"already assigned", false, f("solved", 1, 5), f("open", 1, 5), false},
		{"unassigned by an agent", false, f("open", 1, 5), f("open", 1, 0), false},
		{"solved", false, f("open", 0, 0), f("solved", 1, 0), false},
		{"pending", false, f("open", 0, 0), f("pending", 1, 0), false},
		{"new to open, nothing else", false, f("new", 1, 0), f("open", 1, 0), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := Applied{Before: c.before, After: c.after, Created: c.created}
			if got := wantsAgent(a); got != c.want {
				t.Fatalf("wantsAgent = %v, want %v", got, c.want)
			}
		})
	}
}

func domainStatus(s string) domain.Status { return domain.Status(s) }
