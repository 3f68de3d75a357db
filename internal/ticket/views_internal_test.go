package ticket

import (
	"fmt"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// TestViewFiltersFilter: each saved filter value as the ticket list reads
// it, and each value refused with the field it names.
func TestViewFiltersFilter(t *testing.T) {
	t.Parallel()
	viewer := store.User{ID: 42}
	for _, c := range []struct {
		in      ViewFilters
		want    string // fmt of the fields that matter
		refused string // the field of the refusal
	}{
		{in: ViewFilters{}, want: "[] 0 0 false 0 || || ||"},
		{in: ViewFilters{Mailbox: 3, Team: 5, Tag: " VIP ", Requester: " a@b.test ", Q: " fire "}, want: "[] 3 0 false 5 |vip| |a@b.test| |fire|"},
		{in: ViewFilters{Mailbox: -1}, refused: "filters.mailbox"},
		{in: ViewFilters{Team: -1}, refused: "filters.team"},
		{in: ViewFilters{Status: " "}, want: "[] 0 0 false 0 || || ||"},
		{in: ViewFilters{Status: "new, open,pending"}, want: "[new open pending] 0 0 false 0 || || ||"},
		{in: ViewFilters{Status: "solved"}, want: "[solved] 0 0 false 0 || || ||"},
		{in: ViewFilters{Status: "open,bogus"}, refused: "filters.status"},
		{in: ViewFilters{Assignee: " me "}, want: "[] 0 42 false 0 || || ||"},
		{in: ViewFilters{Assignee: "none"}, want: "[] 0 0 true 0 || || ||"},
		{in: ViewFilters{Assignee: "7"}, want: "[] 0 7 false 0 || || ||"},
		{in: ViewFilters{Assignee: "1"}, want: "[] 0 1 false 0 || || ||"},
		{in: ViewFilters{Assignee: "0"}, refused: "filters.assignee"},
		{in: ViewFilters{Assignee: "-3"}, refused: "filters.assignee"},
		{in: ViewFilters{Assignee: "someone"}, refused: "filters.assignee"},
	} {
		f, err := c.in.filter(viewer)
		if c.refused != "" {
			if de, ok := domain.As(err); !ok || de.Kind != domain.KindInvalid || de.Field != c.refused {
				t.Errorf("%+v: %v, want refused on %s", c.in, err, c.refused)
			}
			continue
		}
		got := fmt.Sprintf("%v %d %d %v %d |%s| |%s| |%s|", f.Statuses, f.MailboxID, f.AssigneeID, f.Unassigned, f.TeamID, f.Tag, f.Requester, f.Query)
		if err != nil || got != c.want {
			t.Errorf("%+v: %q %v, want %q", c.in, got, err, c.want)
		}
	}
}
