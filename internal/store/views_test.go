package store_test

import (
	"context"
	"slices"
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

// countsSetup opens a store with a mailbox, an agent and one ticket of
// each status given, in order.
func countsSetup(t *testing.T, dsn string, statuses ...domain.Status) (s *store.Store, ctx context.Context, mb, agent int64, ids []int64) {
	t.Helper()
	s, ctx = open(t, dsn)
	mb, c := seed(t, s, ctx)
	agent, err := s.CreateUser(ctx, store.User{Email: "a@x.test", Name: "A", Role: domain.RoleAgent, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range statuses {
		id, err := s.CreateTicket(ctx, s.DB().W(), store.Ticket{Subject: "t", Status: st, Priority: "normal", RequesterID: c, MailboxID: mb, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return s, ctx, mb, agent, ids
}

// TestTicketCountsFollowTickets: the kept counts follow every insert,
// change of status, assignee or mailbox, and delete, and a rebuild finds
// the same.
func TestTicketCountsFollowTickets(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx, mb, uid, ids := countsSetup(t, dsn, "new", "new", "open", "solved")
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

// TestTagAndTeamCountsFollowTickets: the kept counts by team and by tag
// (migration 0150) equal a count of the tickets themselves after every kind
// of change: tags added and removed, status, assignee, team and mailbox
// changed, marked as spam and back (spam is never counted), deleted with
// its tags; and a rebuild finds the same.
func TestTagAndTeamCountsFollowTickets(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx, _, uid, ids := countsSetup(t, dsn, "new", "open", "open", "solved", "pending")
		var team int64
		if err := s.DB().InTx(ctx, func(tx *store.Tx) error {
			var err error
			team, err = s.CreateTeam(ctx, tx, store.Team{Name: "Billing", Assignment: "manual", CreatedAt: t0})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := s.DB().Exec(ctx, q, args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// What the tickets themselves say: per tag, and (Tag "") per ticket.
		truth := func() map[store.TicketCount]bool {
			out := map[store.TicketCount]bool{}
			err := func() error {
				rows, err := s.DB().Query(ctx, `SELECT g.tag, t.status, COALESCE(t.assignee_id, 0), t.mailbox_id, COALESCE(t.team_id, 0), count(*)
					FROM tickets t JOIN ticket_tags g ON g.ticket_id = t.id WHERE t.spam_at IS NULL GROUP BY 1, 2, 3, 4, 5`)
				if err != nil {
					return err
				}
				defer rows.Close()
				for rows.Next() {
					var k store.TicketCount
					if err := rows.Scan(&k.Tag, &k.Status, &k.AssigneeID, &k.MailboxID, &k.TeamID, &k.N); err != nil {
						return err
					}
					out[k] = true
				}
				return rows.Err()
			}()
			if err != nil {
				t.Fatal(err)
			}
			// Untagged rows: the per-ticket counts, without tags.
			rows, err := s.DB().Query(ctx, `SELECT t.status, COALESCE(t.assignee_id, 0), t.mailbox_id, COALESCE(t.team_id, 0), count(*)
				FROM tickets t WHERE t.spam_at IS NULL GROUP BY 1, 2, 3, 4`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k store.TicketCount
				if err := rows.Scan(&k.Status, &k.AssigneeID, &k.MailboxID, &k.TeamID, &k.N); err != nil {
					t.Fatal(err)
				}
				out[k] = true
			}
			return out
		}
		kept := func() map[store.TicketCount]bool {
			out := countsOf(t, s, ctx)
			tagged, err := s.TicketTagCounts(ctx, []string{"vip", "bug", "late"})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range tagged {
				out[c] = true
			}
			return out
		}
		steps := []struct {
			name string
			do   func()
		}{
			{"tags added", func() {
				for i, id := range ids {
					if err := s.SetTicketTags(ctx, s.DB().W(), id, []string{"vip", "bug"}[:1+i%2]); err != nil {
						t.Fatal(err)
					}
				}
			}},
			{"status changed", func() { exec(`UPDATE tickets SET status = 'closed' WHERE id = $1`, ids[0]) }},
			{"assigned", func() { exec(`UPDATE tickets SET assignee_id = $2 WHERE id = $1`, ids[1], uid) }},
			{"team set", func() { exec(`UPDATE tickets SET team_id = $2 WHERE id IN ($1, $3)`, ids[1], team, ids[2]) }},
			{"team and status at once", func() { exec(`UPDATE tickets SET team_id = NULL, status = 'solved' WHERE id = $1`, ids[2]) }},
			{"marked as spam", func() { exec(`UPDATE tickets SET spam_at = $2 WHERE id = $1`, ids[3], t0) }},
			{"spam ticket changed and tagged", func() {
				exec(`UPDATE tickets SET status = 'open' WHERE id = $1`, ids[3])
				exec(`INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, 'late')`, ids[3])
			}},
			{"back from spam", func() { exec(`UPDATE tickets SET spam_at = NULL WHERE id = $1`, ids[3]) }},
			{"tags replaced", func() {
				if err := s.SetTicketTags(ctx, s.DB().W(), ids[1], []string{"late"}); err != nil {
					t.Fatal(err)
				}
			}},
			{"tags changed: some added, some removed", func() {
				// In a transaction: on PostgreSQL the statements are deferred.
				err := s.DB().InTx(ctx, func(tx *store.Tx) error {
					return s.ChangeTicketTags(ctx, tx, ids[2], []string{"bug", "late"}, []string{"vip"})
				})
				if err != nil {
					t.Fatal(err)
				}
				if tags, err := s.TicketTags(ctx, s.DB().W(), ids[2]); err != nil || !slices.Equal(tags, []string{"bug", "late"}) {
					t.Fatalf("tags %v (%v), want bug, late", tags, err)
				}
			}},
			{"tagged ticket deleted", func() { exec(`DELETE FROM tickets WHERE id = $1`, ids[4]) }},
			{"spam tagged ticket deleted", func() {
				exec(`UPDATE tickets SET spam_at = $2 WHERE id = $1`, ids[3], t0)
				exec(`DELETE FROM tickets WHERE id = $1`, ids[3])
			}},
			{"rebuilt", func() {
				if err := s.RebuildTicketCounts(ctx); err != nil {
					t.Fatal(err)
				}
			}},
		}
		for _, st := range steps {
			st.do()
			got, want := kept(), truth()
			if len(got) != len(want) {
				t.Fatalf("%s: kept %v, tickets say %v", st.name, got, want)
			}
			for k := range want {
				if !got[k] {
					t.Fatalf("%s: kept %v, tickets say %v (missing %v)", st.name, got, want, k)
				}
			}
		}
	})
}
