package ticket_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

func (e *env) view(owner store.User, name string, shared bool, f ticket.ViewFilters) ticket.View {
	e.t.Helper()
	v, err := e.svc.CreateView(e.ctx, owner, ticket.ViewInput{Name: &name, Shared: &shared, Filters: &f})
	if err != nil {
		e.t.Fatalf("view %s: %v", name, err)
	}
	return v
}

// TestViewCounts: the sidebar's counts, summed from the kept counts (the
// built-in views, each status and mailbox, saved views by status, assignee,
// mailbox and tag) or counted (a saved view by requester), for the viewer.
func TestViewCounts(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		viewer, other := e.agent(), e.agent()
		newTicket := func(mailbox int64, from string, in ticket.TicketUpdate) int64 {
			res := e.importMsg(mailbox, msg("From: "+from, "Subject: Help", "Message-ID: <"+from+">"))
			if _, err := e.svc.UpdateTicket(e.ctx, viewer, res.TicketID, in); err != nil {
				t.Fatal(err)
			}
			return res.TicketID
		}
		vip := &[]string{"vip"}
		newTicket(e.mb, "a@customer.test", ticket.TicketUpdate{Status: status(domain.StatusOpen), AssigneeSet: true, AssigneeID: viewer.ID, Tags: vip})
		newTicket(e.mb, "b@customer.test", ticket.TicketUpdate{Status: status(domain.StatusPending)})
		newTicket(e.mb2, "c@customer.test", ticket.TicketUpdate{Status: status(domain.StatusSolved), Tags: vip})
		newTicket(e.mb2, "carol@customer.test", ticket.TicketUpdate{Tags: &[]string{"bug"}})
		newTicket(e.mb, "d@customer.test", ticket.TicketUpdate{Status: status(domain.StatusOpen), AssigneeSet: true, AssigneeID: other.ID})

		views := map[string]int{
			"view:" + fmt.Sprint(e.view(viewer, "VIP", false, ticket.ViewFilters{Tag: "VIP"}).ID):                         2,
			"view:" + fmt.Sprint(e.view(viewer, "VIP again", false, ticket.ViewFilters{Tag: "vip", Status: "open"}).ID):   1,
			"view:" + fmt.Sprint(e.view(viewer, "Bugs", false, ticket.ViewFilters{Tag: "bug"}).ID):                        1,
			"view:" + fmt.Sprint(e.view(viewer, "Done", false, ticket.ViewFilters{Status: "solved,closed"}).ID):           1,
			"view:" + fmt.Sprint(e.view(viewer, "Nobody's", false, ticket.ViewFilters{Assignee: "none"}).ID):              3,
			"view:" + fmt.Sprint(e.view(viewer, "Sales", false, ticket.ViewFilters{Mailbox: e.mb2}).ID):                   2,
			"view:" + fmt.Sprint(e.view(viewer, "Carol", false, ticket.ViewFilters{Requester: "carol@customer.test"}).ID): 1,
			"view:" + fmt.Sprint(e.view(viewer, "Fire", false, ticket.ViewFilters{Q: "printer", Mailbox: e.mb}).ID):       3,
			"view:" + fmt.Sprint(e.view(other, "My work", true, ticket.ViewFilters{Assignee: "me", Status: "open"}).ID):   1,
		}
		e.view(other, "Private", false, ticket.ViewFilters{})
		want := map[string]int{"mine": 1, "unassigned": 2, "open": 4,
			"status:new": 1, "status:open": 2, "status:pending": 1, "status:solved": 1, "status:closed": 0,
			fmt.Sprintf("mailbox:%d", e.mb): 3, fmt.Sprintf("mailbox:%d", e.mb2): 1}
		for k, v := range views {
			want[k] = v
		}
		got, err := e.svc.ViewCounts(e.ctx, viewer)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("counts\n%v\nwant\n%v", got, want)
		}
	})
}

// TestSavedViewRules: names and filters are checked; a personal view is its
// owner's alone, a shared one everyone sees and only its owner or an admin
// changes.
func TestSavedViewRules(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		owner, agent := e.agent(), e.agent()
		admin := e.agent()
		admin.Role = domain.RoleAdmin
		for _, c := range []struct {
			name  *string
			f     *ticket.ViewFilters
			field string
		}{
			{nil, nil, "name"},
			{ptr(" "), nil, "name"},
			{ptr(strings.Repeat("é", 101)), nil, "name"},
			{ptr("Bad"), &ticket.ViewFilters{Status: "lost"}, "filters.status"},
			{ptr("Bad"), &ticket.ViewFilters{Assignee: "0"}, "filters.assignee"},
		} {
			_, err := e.svc.CreateView(e.ctx, owner, ticket.ViewInput{Name: c.name, Filters: c.f})
			if de, ok := domain.As(err); !ok || de.Kind != domain.KindInvalid || de.Field != c.field {
				t.Errorf("%v %+v: %v, want refused on %s", c.name, c.f, err, c.field)
			}
		}
		longest := strings.Repeat("é", 100)
		mine, err := e.svc.CreateView(e.ctx, owner, ticket.ViewInput{Name: ptr(" " + longest + " ")})
		if err != nil || mine.Name != longest || mine.Shared || mine.OwnerID != owner.ID || mine.Filters != (ticket.ViewFilters{}) {
			t.Fatalf("%+v %v", mine, err)
		}
		shared := e.view(owner, "Team", true, ticket.ViewFilters{Status: "open", Assignee: "me"})
		names := func(u store.User) string {
			list, err := e.svc.Views(e.ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, v := range list {
				out = append(out, fmt.Sprintf("%s:%s:%s", v.Name, v.Filters.Status, v.Filters.Assignee))
			}
			return strings.Join(out, " ")
		}
		if got, want := names(agent), "Team:open:me"; got != want {
			t.Fatalf("the agent sees %q, want %q", got, want)
		}
		if got := names(owner); !strings.Contains(got, longest+"::") || !strings.Contains(got, "Team:open:me") {
			t.Fatalf("the owner sees %q", got)
		}

		rename := ticket.ViewInput{Name: ptr("Renamed")}
		if _, err := e.svc.UpdateView(e.ctx, agent, mine.ID, rename); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another agent's personal view: %v", err)
		}
		if err := e.svc.DeleteView(e.ctx, agent, mine.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting another agent's personal view: %v", err)
		}
		if _, err := e.svc.UpdateView(e.ctx, admin, mine.ID, rename); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an admin and a personal view: %v", err)
		}
		if _, err := e.svc.UpdateView(e.ctx, agent, shared.ID, rename); !isKind(err, domain.KindForbidden) {
			t.Fatalf("another agent's shared view: %v", err)
		}
		if err := e.svc.DeleteView(e.ctx, agent, shared.ID); !isKind(err, domain.KindForbidden) {
			t.Fatalf("deleting another agent's shared view: %v", err)
		}
		if _, err := e.svc.UpdateView(e.ctx, owner, mine.ID, ticket.ViewInput{Filters: &ticket.ViewFilters{Team: -1}}); !isKind(err, domain.KindInvalid) {
			t.Fatalf("a bad filter: %v", err)
		}
		v, err := e.svc.UpdateView(e.ctx, owner, mine.ID, ticket.ViewInput{Shared: ptr(true), Filters: &ticket.ViewFilters{Tag: "vip"}})
		if err != nil || v.Name != longest || !v.Shared || v.Filters.Tag != "vip" {
			t.Fatalf("the owner's change: %+v %v", v, err)
		}
		if v, err = e.svc.UpdateView(e.ctx, admin, shared.ID, rename); err != nil || v.Name != "Renamed" || v.Filters.Assignee != "me" {
			t.Fatalf("the admin's change: %+v %v", v, err)
		}
		if err := e.svc.DeleteView(e.ctx, admin, shared.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteView(e.ctx, owner, mine.ID); err != nil {
			t.Fatal(err)
		}
		if got := names(owner); got != "" {
			t.Fatalf("after deleting: %q", got)
		}
	})
}
