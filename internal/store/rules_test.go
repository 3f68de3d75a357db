package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestRulesStore: rules are created last in order, listed by position,
// changed, stamped on every write, and deleted; enabledOnly leaves out the
// disabled ones.
func TestRulesStore(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		q := s.DB().W()
		stamp := func() string {
			t.Helper()
			v, err := s.RulesStamp(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		empty := stamp()
		r := store.Rule{Name: "a", Enabled: true, When: "created", Match: "all", Conditions: `[]`, Actions: `[{"type":"add_tag","value":"x"}]`, CreatedAt: t0}
		a, err := s.CreateRule(ctx, q, r)
		if err != nil {
			t.Fatal(err)
		}
		r.Name, r.Enabled, r.CreatedAt = "b", false, t0.Add(time.Second)
		b, err := s.CreateRule(ctx, q, r)
		if err != nil {
			t.Fatal(err)
		}
		created := stamp()
		if created == empty {
			t.Error("the stamp did not change on create")
		}
		all, err := s.ListRules(ctx, q, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 2 || all[0].ID != a || all[1].ID != b || all[0].Position != 1 || all[1].Position != 2 {
			t.Fatalf("rules %+v", all)
		}
		if all[0].Actions != r.Actions || all[0].When != "created" || !all[0].CreatedAt.Equal(t0) {
			t.Errorf("rule read back %+v", all[0])
		}
		on, err := s.ListRules(ctx, q, true)
		if err != nil || len(on) != 1 || on[0].ID != a {
			t.Fatalf("enabled rules %+v, %v", on, err)
		}
		x := all[1]
		x.Position, x.Enabled, x.UpdatedAt = 0, true, t0.Add(time.Hour)
		if err := s.UpdateRule(ctx, q, x); err != nil {
			t.Fatal(err)
		}
		if stamp() == created {
			t.Error("the stamp did not change on update")
		}
		all, _ = s.ListRules(ctx, q, true)
		if len(all) != 2 || all[0].ID != b {
			t.Fatalf("after moving b first: %+v", all)
		}
		before := stamp()
		if err := s.DeleteRule(ctx, q, a); err != nil {
			t.Fatal(err)
		}
		if stamp() == before {
			t.Error("the stamp did not change on delete")
		}
		if _, err := s.GetRule(ctx, q, a); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted rule: %v", err)
		}
		if err := s.DeleteRule(ctx, q, a); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleting twice: %v", err)
		}
		x.ID = a
		if err := s.UpdateRule(ctx, q, x); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("updating a deleted rule: %v", err)
		}
	})
}

// TestRuleRunsOnce: a rule's run on a ticket is recorded once; the second
// mark reports it was already there.
func TestRuleRunsOnce(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		q := s.DB().W()
		mb, c := seed(t, s, ctx)
		tid, err := s.CreateTicket(ctx, q, store.Ticket{Subject: "t", Status: "new", Priority: "normal", RequesterID: c, MailboxID: mb, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		rid, err := s.CreateRule(ctx, q, store.Rule{Name: "r", Enabled: true, When: "created", Match: "all", Conditions: "[]", Actions: "[]", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []bool{true, false} {
			ok, err := s.MarkRuleRun(ctx, q, rid, tid, "reply_macro", t0)
			if err != nil || ok != want {
				t.Fatalf("mark %d: %v, %v; want %v", i, ok, err, want)
			}
		}
		if ok, err := s.MarkRuleRun(ctx, q, rid, tid, "time", t0); err != nil || !ok {
			t.Fatalf("another action: %v, %v", ok, err)
		}
		_, last, err := s.LastCustomerMessage(ctx, q, tid)
		if err != nil || !last.IsZero() {
			t.Fatalf("no message yet: %v, %v", last, err)
		}
		ids, err := s.TicketsUpdatedBefore(ctx, q, []string{"new", "pending"}, t0.Add(time.Minute), 10)
		if err != nil || len(ids) != 1 || ids[0] != tid {
			t.Fatalf("candidates %v, %v", ids, err)
		}
		if ids, _ := s.TicketsUpdatedBefore(ctx, q, []string{"new"}, t0, 10); len(ids) != 0 {
			t.Fatalf("updated at t0 is not before t0: %v", ids)
		}
		recent, err := s.RecentTicketIDs(ctx, q, 100)
		if err != nil || len(recent) != 1 {
			t.Fatalf("recent %v, %v", recent, err)
		}
	})
}
