package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// listAll pages through the ticket list f selects, f.Limit at a time, each
// page after the last one's cursor; it returns the ticket ids in order.
func listAll(t *testing.T, s *store.Store, ctx context.Context, f store.TicketFilter) []int64 {
	t.Helper()
	var got []int64
	for range 20 {
		list, err := s.ListTickets(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range list {
			got = append(got, tk.ID)
		}
		if len(list) < f.Limit {
			break
		}
		f.After = f.Sort.CursorOf(list[len(list)-1])
	}
	return got
}

// Every order of the ticket list, both ways, paged two by two: each page
// continues exactly where the last stopped (ties broken by id).
func TestTicketsListSorts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		q := s.DB().W()
		type row struct {
			subject  string
			status   domain.Status
			priority domain.Priority
			created  int // minutes after t0
			updated  int
			due      int // the SLA due time, minutes after t0; -1: none
		}
		rows := []row{
			{"beta", domain.StatusOpen, domain.PriorityUrgent, 0, 50, 30},
			{"Alpha", domain.StatusNew, domain.PriorityLow, 1, 50, -1},
			{"gamma", domain.StatusClosed, domain.PriorityHigh, 2, 10, 10},
			{"alpha", domain.StatusPending, domain.PriorityUrgent, 3, 40, 30},
			{"Delta", domain.StatusSolved, domain.PriorityNormal, 4, 30, -1},
			{"beta", domain.StatusOpen, domain.PriorityLow, 5, 20, 5},
			{strings.Repeat("z", 1300), domain.StatusNew, domain.PriorityHigh, 6, 60, -1},
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			id, err := s.CreateTicket(ctx, q, store.Ticket{Subject: r.subject, Status: r.status, Priority: r.priority,
				RequesterID: contact, MailboxID: mb, CreatedAt: t0.Add(time.Duration(r.created) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.TouchTicket(ctx, q, id, t0.Add(time.Duration(r.updated)*time.Minute), 0); err != nil {
				t.Fatal(err)
			}
			ids[i] = id
			if r.due >= 0 {
				due := t0.Add(time.Duration(r.due) * time.Minute)
				if err := s.DB().InTx(ctx, func(tx *store.Tx) error {
					return s.SetTicketSLA(ctx, tx, id, store.TicketSLA{PolicyID: 1, PolicyName: "p", Done: due, Breaches: "[]", DueAt: due, CheckAt: due})
				}); err != nil {
					t.Fatal(err)
				}
			}
		}
		prio := map[domain.Priority]int{domain.PriorityLow: 0, domain.PriorityNormal: 1, domain.PriorityHigh: 2, domain.PriorityUrgent: 3}
		status := map[domain.Status]int{domain.StatusNew: 0, domain.StatusOpen: 1, domain.StatusPending: 2, domain.StatusSolved: 3, domain.StatusClosed: 4}
		// key returns the comparison of rows i and j in ascending order.
		keys := map[store.TicketSortKey]func(i, j int) int{
			store.SortUpdated: func(i, j int) int { return rows[i].updated - rows[j].updated },
			store.SortCreated: func(i, j int) int { return rows[i].created - rows[j].created },
			store.SortPriority: func(i, j int) int {
				if d := prio[rows[i].priority] - prio[rows[j].priority]; d != 0 {
					return d
				}
				return rows[i].updated - rows[j].updated
			},
			store.SortStatus: func(i, j int) int {
				if d := status[rows[i].status] - status[rows[j].status]; d != 0 {
					return d
				}
				return rows[i].updated - rows[j].updated
			},
			store.SortSubject: func(i, j int) int {
				return strings.Compare(strings.ToLower(rows[i].subject), strings.ToLower(rows[j].subject))
			},
			// Tickets with a due time first, by it; the others by last activity.
			store.SortDue: func(i, j int) int {
				key := func(k int) (int, int) {
					if rows[k].due < 0 {
						return 1, rows[k].updated
					}
					return 0, rows[k].due
				}
				ri, vi := key(i)
				rj, vj := key(j)
				if ri != rj {
					return ri - rj
				}
				return vi - vj
			},
		}
		if len(keys) != len(store.TicketSortKeys()) {
			t.Fatalf("the test covers %d orders, the store has %d", len(keys), len(store.TicketSortKeys()))
		}
		for _, key := range store.TicketSortKeys() {
			for _, asc := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s asc=%v", key, asc), func(t *testing.T) {
					order := []int{0, 1, 2, 3, 4, 5, 6}
					slices.SortFunc(order, func(i, j int) int {
						d := keys[key](i, j)
						if d == 0 {
							d = int(ids[i] - ids[j])
						}
						if !asc {
							d = -d
						}
						return d
					})
					var want []int64
					for _, i := range order {
						want = append(want, ids[i])
					}
					got := listAll(t, s, ctx, store.TicketFilter{Limit: 2, Sort: store.TicketSort{Key: key, Asc: asc}})
					if fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("got %v want %v", got, want)
					}
				})
			}
		}
	})
}

// Each order of the ticket list, with and without a cursor, is read from an
// index in its order, never sorted: the first page of a million tickets
// stays as fast as of a hundred.
func TestTicketsListOrdersUseIndexes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		for _, key := range store.TicketSortKeys() {
			for _, asc := range []bool{true, false} {
				for _, after := range []bool{false, true} {
					f := store.TicketFilter{Sort: store.TicketSort{Key: key, Asc: asc}, Limit: 51}
					if after {
						f.After = store.TicketCursor{Rank: 1, Text: "m", Time: t0, ID: 42}
					}
					plan, err := s.ExplainTicketList(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					if strings.Contains(plan, "FOR ORDER BY") || strings.Contains(plan, "Sort") ||
						strings.Contains(plan, "Seq Scan on tickets") || strings.Contains(plan, "SCAN t\n") {
						t.Errorf("sort %s asc=%v cursor=%v is not read from an index:\n%s", key, asc, after, plan)
					}
				}
			}
		}
	})
}

// The operations backlog counts a retrying message as queued: it waits for
// another attempt.
func TestBacklogCountsRetryingAsQueued(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		q := s.DB().W()
		tid, err := s.CreateTicket(ctx, q, store.Ticket{Subject: "x", Status: domain.StatusNew, Priority: domain.PriorityNormal,
			RequesterID: contact, MailboxID: mb, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range []string{store.DeliveryQueued, store.DeliveryRetrying, store.DeliveryRetrying, store.DeliveryWaiting, store.DeliverySent} {
			id, err := s.InsertMessage(ctx, q, store.Message{TicketID: tid, Kind: store.KindOutbound, MessageID: fmt.Sprintf("b%d@x", i),
				DedupeKey: fmt.Sprintf("mid:b%d@x", i), CreatedAt: t0, DeliveryStatus: store.DeliveryQueued})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SetDelivery(ctx, q, id, st, "", 1, t0, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		b, err := s.Backlog(ctx)
		if err != nil || b.OutboundQueued != 3 || b.OutboundWaiting != 1 || b.OutboundSending != 0 {
			t.Fatalf("backlog %+v %v", b, err)
		}
	})
}
