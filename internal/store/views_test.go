package store_test

import (
	"context"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func countsOf(t *testing.T, s *store.Store, ctx context.Context) map[store.TicketCount]bool {
	t.Helper()
	list, err := s.TicketCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[store.TicketCount]bool{}
	for _, c := range list {
		out[c] = true
	}
	return out
}

// TestTicketCountsFollowTickets: the kept counts follow every insert,
// change of status, assignee or mailbox, and delete, and a rebuild finds
// the same.
func TestTicketCountsFollowTickets(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		mb, c := seed(t, s, ctx)
		uid, err := s.CreateUser(ctx, store.User{Email: "a@x.test", Name: "A", Role: domain.RoleAgent, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, st := range []domain.Status{"new", "new", "open", "solved"} {
			id, err := s.CreateTicket(ctx, s.DB().W(), store.Ticket{Subject: "t", Status: st, Priority: "normal", RequesterID: c, MailboxID: mb, CreatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		want := func(step string, w ...store.TicketCount) {
			t.Helper()
			got := countsOf(t, s, ctx)
			if len(got) != len(w) {
				t.Fatalf("%s: counts %v, want %v", step, got, w)
			}
			for _, c := range w {
				if !got[c] {
					t.Fatalf("%s: counts %v, want %v", step, got, w)
				}
			}
		}
		want("inserted", store.TicketCount{Status: "new", MailboxID: mb, N: 2}, store.TicketCount{Status: "open", MailboxID: mb, N: 1},
			store.TicketCount{Status: "solved", MailboxID: mb, N: 1})
		if err := s.UpdateTicketFields(ctx, s.DB().W(), ids[0], store.TicketFields{Status: "open", Priority: "high", AssigneeID: uid}, t0); err != nil {
			t.Fatal(err)
		}
		// Priority alone changes no count.
		if err := s.UpdateTicketFields(ctx, s.DB().W(), ids[1], store.TicketFields{Status: "new", Priority: "high"}, t0); err != nil {
			t.Fatal(err)
		}
		want("updated", store.TicketCount{Status: "new", MailboxID: mb, N: 1}, store.TicketCount{Status: "open", MailboxID: mb, N: 1},
			store.TicketCount{Status: "open", AssigneeID: uid, MailboxID: mb, N: 1}, store.TicketCount{Status: "solved", MailboxID: mb, N: 1})
		if _, err := s.DB().Exec(ctx, `DELETE FROM tickets WHERE id = $1`, ids[3]); err != nil {
			t.Fatal(err)
		}
		after := []store.TicketCount{{Status: "new", MailboxID: mb, N: 1}, {Status: "open", MailboxID: mb, N: 1}, {Status: "open", AssigneeID: uid, MailboxID: mb, N: 1}}
		want("deleted", after...)
		if err := s.RebuildTicketCounts(ctx); err != nil {
			t.Fatal(err)
		}
		want("rebuilt", after...)
	})
}

// TestCountTicketsStopsAtLimit: a count of the tickets themselves stops at
// its limit (the sidebar's cap).
func TestCountTicketsStopsAtLimit(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		mb, c := seed(t, s, ctx)
		for i, st := range []domain.Status{"new", "solved", "solved", "solved", "closed"} {
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
	})
}
