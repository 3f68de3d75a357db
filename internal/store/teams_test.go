package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestTeams: teams with their members, the ticket's team in the list and
// its filter, the members who may take tickets with their load, and what a
// deleted team leaves behind; on both engines.
func TestTeams(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		mb, c := seed(t, s, ctx)
		var users []int64
		for _, email := range []string{"a@x.test", "b@x.test", "c@x.test", "d@x.test"} {
			id, err := s.CreateUser(ctx, store.User{Email: email, Name: email, Role: domain.RoleAgent, CreatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			users = append(users, id)
		}
		var team int64
		err := s.DB().InTx(ctx, func(tx *store.Tx) error {
			var err error
			team, err = s.CreateTeam(ctx, tx, store.Team{Name: "Billing", Assignment: "round_robin", MaxOpenPerAgent: 3, MemberIDs: users[:3], CreatedAt: t0})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.DB().InTx(ctx, func(tx *store.Tx) error {
			_, err := s.CreateTeam(ctx, tx, store.Team{Name: "Billing", Assignment: "manual", CreatedAt: t0})
			return err
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("a second team named Billing: %v, want ErrConflict", err)
		}
		// Agent b is away, agent c disabled; a holds two open tickets and a
		// solved one, b one new ticket of the team.
		if err := s.SetUserAvailable(ctx, users[1], false); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().Exec(ctx, `UPDATE users SET disabled = TRUE WHERE id = $1`, users[2]); err != nil {
			t.Fatal(err)
		}
		ticket := func(status domain.Status, assignee, teamID int64) int64 {
			id, err := s.CreateTicket(ctx, s.DB().W(), store.Ticket{Subject: "t", Status: status, Priority: "normal", RequesterID: c, MailboxID: mb, CreatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.UpdateTicketFields(ctx, s.DB().W(), id, store.TicketFields{Status: status, Priority: "normal", AssigneeID: assignee, TeamID: teamID}, t0); err != nil {
				t.Fatal(err)
			}
			return id
		}
		ticket("open", users[0], 0)
		ticket("pending", users[0], 0)
		ticket("solved", users[0], team)
		teamTicket := ticket("new", users[1], team)

		cases := []struct {
			name string
			run  func(t *testing.T)
		}{
			{"the team with its members", func(t *testing.T) {
				got, err := s.GetTeam(ctx, s.DB(), team, false)
				if err != nil {
					t.Fatal(err)
				}
				if got.Name != "Billing" || got.Assignment != "round_robin" || got.MaxOpenPerAgent != 3 || !slices.Equal(got.MemberIDs, users[:3]) {
					t.Fatalf("team %+v", got)
				}
				list, err := s.ListTeams(ctx, s.DB())
				if err != nil || len(list) != 1 {
					t.Fatalf("teams %+v (%v)", list, err)
				}
				for _, tm := range []store.Team{got, list[0]} {
					if !slices.Equal(tm.AwayIDs, users[1:2]) || !slices.Equal(tm.MemberIDs, users[:3]) {
						t.Fatalf("away %v of members %v, want b (%d) away", tm.AwayIDs, tm.MemberIDs, users[1])
					}
				}
			}},
			{"available members with their work tickets", func(t *testing.T) {
				got, err := s.AvailableMembers(ctx, s.DB(), team, []domain.Status{"new", "open", "pending"})
				if err != nil {
					t.Fatal(err)
				}
				if want := []store.MemberLoad{{UserID: users[0], Open: 2}}; !slices.Equal(got, want) {
					t.Fatalf("available members %+v, want %+v (b away, c disabled, d no member)", got, want)
				}
			}},
			{"the ticket's team", func(t *testing.T) {
				tk, err := s.GetTicket(ctx, s.DB(), teamTicket)
				if err != nil {
					t.Fatal(err)
				}
				if tk.Team == nil || tk.Team.ID != team || tk.Team.Name != "Billing" {
					t.Fatalf("team %+v", tk.Team)
				}
				f, err := s.GetTicketFields(ctx, s.DB(), teamTicket)
				if err != nil || f.TeamID != team {
					t.Fatalf("fields %+v, %v", f, err)
				}
			}},
			{"the list filters by team", func(t *testing.T) {
				list, err := s.ListTickets(ctx, store.TicketFilter{TeamID: team})
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != 2 {
					t.Fatalf("%d tickets of the team, want 2", len(list))
				}
				n, err := s.CountTickets(ctx, store.TicketFilter{TeamID: team, Statuses: []string{"new"}}, 100)
				if err != nil || n != 1 {
					t.Fatalf("count %d, %v; want 1", n, err)
				}
			}},
			{"the mailbox's team", func(t *testing.T) {
				if err := s.SetMailboxTeam(ctx, mb, team); err != nil {
					t.Fatal(err)
				}
				got, err := s.MailboxTeam(ctx, s.DB(), mb)
				if err != nil || got != team {
					t.Fatalf("mailbox team %d, %v", got, err)
				}
			}},
			{"the cursor moves", func(t *testing.T) {
				err := s.DB().InTx(ctx, func(tx *store.Tx) error {
					if _, err := s.GetTeam(ctx, tx, team, true); err != nil {
						return err
					}
					return s.SetTeamCursor(ctx, tx, team, users[0])
				})
				if err != nil {
					t.Fatal(err)
				}
				got, _ := s.GetTeam(ctx, s.DB(), team, false)
				if got.LastAssigneeID != users[0] {
					t.Fatalf("cursor %d, want %d", got.LastAssigneeID, users[0])
				}
			}},
		}
		for _, c := range cases {
			t.Run(c.name, c.run)
		}

		// Deleting the team leaves its tickets and mailbox without one.
		if err := s.DB().InTx(ctx, func(tx *store.Tx) error { return s.DeleteTeam(ctx, tx, team) }); err != nil {
			t.Fatal(err)
		}
		if tk, err := s.GetTicket(ctx, s.DB(), teamTicket); err != nil || tk.Team != nil {
			t.Fatalf("after delete: team %+v, %v", tk.Team, err)
		}
		if got, err := s.MailboxTeam(ctx, s.DB(), mb); err != nil || got != 0 {
			t.Fatalf("after delete: mailbox team %d, %v", got, err)
		}
		if err := s.DB().InTx(ctx, func(tx *store.Tx) error { return s.DeleteTeam(ctx, tx, team) }); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting again: %v", err)
		}
	})
}
