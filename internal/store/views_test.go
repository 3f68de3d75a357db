package store_test

import (
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestCountTicketsStopsAtLimit: a count stops at its limit (the sidebar's
// cap), and WorkCounts groups only new, open and pending tickets.
func TestCountTicketsStopsAtLimit(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		mb, c := seed(t, s, ctx)
		for i, st := range []domain.Status{"new", "new", "open", "solved", "solved", "solved", "closed"} {
			if _, err := s.CreateTicket(ctx, s.DB().W(), store.Ticket{Subject: "t", Status: st, Priority: "normal", RequesterID: c, MailboxID: mb, CreatedAt: t0}); err != nil {
				t.Fatal(i, err)
			}
		}
		solved := store.TicketFilter{Statuses: []string{"solved"}}
		for _, c := range []struct{ limit, want int }{{10, 3}, {3, 3}, {2, 2}} {
			n, err := s.CountTickets(ctx, solved, c.limit)
			if err != nil || n != c.want {
				t.Fatalf("limit %d: %d %v, want %d", c.limit, n, err, c.want)
			}
		}
		work, err := s.WorkCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[domain.Status]int{}
		for _, w := range work {
			if w.MailboxID != mb || w.AssigneeID != 0 {
				t.Fatalf("work count %+v", w)
			}
			got[w.Status] += w.N
		}
		if len(got) != 2 || got["new"] != 2 || got["open"] != 1 {
			t.Fatalf("work counts %v", got)
		}
	})
}
