package ticket

import (
	"testing"

	"github.com/ticketer/ticketer/internal/store"
)

func TestRenderMacro(t *testing.T) {
	t.Parallel()
	tk := store.Ticket{ID: 42, Subject: "Broken printer", Requester: store.Address{Name: "Carol Ann Customer", Email: "carol@x.test"}}
	agent := store.User{Name: "Al Agent", Email: "al@acme.test"}
	cases := []struct {
		name, body, want string
		ticket           store.Ticket
		agent            store.User
	}{
		{"every placeholder", "{{ticket.id}} {{ticket.subject}} {{requester.name}} {{requester.first_name}} {{agent.name}}", "42 Broken printer Carol Ann Customer Carol Al Agent", tk, agent},
		{"spaces inside the braces", "Hi {{ requester.first_name }}", "Hi Carol", tk, agent},
		{"no requester name", "Hello {{requester.first_name}}, {{requester.name}}", "Hello there, there", store.Ticket{ID: 1}, agent},
		{"agent without a name", "{{agent.name}}", "al@acme.test", tk, store.User{Email: "al@acme.test"}},
		{"unknown left as it is", "{{nope}}", "{{nope}}", tk, agent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := RenderMacro(c.body, c.ticket, c.agent); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestCountFromCounts(t *testing.T) {
	t.Parallel()
	work := []store.TicketCount{
		{Status: "new", AssigneeID: 0, MailboxID: 1, N: 5},
		{Status: "open", AssigneeID: 7, MailboxID: 1, TeamID: 3, N: 3},
		{Status: "pending", AssigneeID: 7, MailboxID: 2, N: 2},
		{Status: "solved", AssigneeID: 0, MailboxID: 1, TeamID: 3, N: 4},
	}
	// A tag's counts (TicketTagCounts), as ViewCounts hands them on for a
	// view with that tag.
	vip := []store.TicketCount{
		{Tag: "vip", Status: "open", AssigneeID: 7, MailboxID: 1, TeamID: 3, N: 2},
		{Tag: "vip", Status: "new", MailboxID: 2, N: 1},
	}
	cases := []struct {
		name string
		f    store.TicketFilter
		want int
		kept bool
	}{
		{"all work", store.TicketFilter{Statuses: []string{"new", "open", "pending"}}, 10, true},
		{"mine", store.TicketFilter{Statuses: []string{"open", "pending"}, AssigneeID: 7}, 5, true},
		{"unassigned in mailbox 1", store.TicketFilter{Statuses: []string{"new", "open"}, Unassigned: true, MailboxID: 1}, 5, true},
		{"mailbox 2", store.TicketFilter{Statuses: []string{"pending"}, MailboxID: 2}, 2, true},
		{"open and solved", store.TicketFilter{Statuses: []string{"open", "solved"}}, 7, true},
		{"no status: every ticket", store.TicketFilter{}, 14, true},
		{"a team", store.TicketFilter{TeamID: 3}, 7, true},
		{"a team's open tickets", store.TicketFilter{Statuses: []string{"new", "open"}, TeamID: 3}, 3, true},
		{"another team", store.TicketFilter{TeamID: 4}, 0, true},
		{"a tag", store.TicketFilter{Tag: "vip"}, 3, true},
		{"a tag and a status", store.TicketFilter{Statuses: []string{"open"}, Tag: "vip"}, 2, true},
		{"a tag and a mailbox", store.TicketFilter{Tag: "vip", MailboxID: 2}, 1, true},
		{"a tag in a team", store.TicketFilter{Tag: "vip", TeamID: 3, AssigneeID: 7}, 2, true},
		{"another tag's counts are not this one's", store.TicketFilter{Tag: "bug"}, 0, true},
		{"a search needs the tickets", store.TicketFilter{Statuses: []string{"open"}, Query: "x"}, 0, false},
		{"a requester needs the tickets", store.TicketFilter{Statuses: []string{"open"}, Requester: "a@b.test"}, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			counts := work
			if c.f.Tag != "" {
				counts = vip
			}
			n, ok := countFromCounts(counts, c.f)
			if n != c.want || ok != c.kept {
				t.Fatalf("got %d %v, want %d %v", n, ok, c.want, c.kept)
			}
		})
	}
}
