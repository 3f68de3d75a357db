package ticket_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/sla"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestBusinessHoursAdmin: a calendar needs a name, a time zone and a week,
// each checked, on creation and on every change; one an SLA policy uses
// cannot be deleted.
func TestBusinessHoursAdmin(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		week := []sla.Period{{Day: 1, Start: "09:00", End: "17:00"}}
		for _, c := range []struct {
			in    ticket.BusinessHoursInput
			field string
		}{
			{ticket.BusinessHoursInput{Timezone: ptr("UTC"), Week: &week}, "name"},
			{ticket.BusinessHoursInput{Name: ptr("Office"), Week: &week}, "timezone"},
			{ticket.BusinessHoursInput{Name: ptr("Office"), Timezone: ptr("UTC")}, "week"},
			{ticket.BusinessHoursInput{Name: ptr(" "), Timezone: ptr("UTC"), Week: &week}, "name"},
			{ticket.BusinessHoursInput{Name: ptr(strings.Repeat("x", 101)), Timezone: ptr("UTC"), Week: &week}, "name"},
			{ticket.BusinessHoursInput{Name: ptr("Office"), Timezone: ptr("Mars/Base"), Week: &week}, "timezone"},
			{ticket.BusinessHoursInput{Name: ptr("Office"), Timezone: ptr("UTC"), Week: &[]sla.Period{}}, "week"},
			{ticket.BusinessHoursInput{Name: ptr("Office"), Timezone: ptr("UTC"), Week: &week, Holidays: &[]string{"soon"}}, "holidays[0]"},
		} {
			if _, err := e.svc.SaveBusinessHours(e.ctx, 0, c.in); !isField(err, domain.KindInvalid, c.field) {
				t.Errorf("%+v: %v, want refused on %s", c.in, err, c.field)
			}
		}
		long := strings.Repeat("x", 100)
		bh, err := e.svc.SaveBusinessHours(e.ctx, 0, ticket.BusinessHoursInput{Name: ptr(" " + long + " "), Timezone: ptr(" Europe/Paris "), Week: &week})
		if err != nil || bh.ID == 0 || bh.Name != long || bh.Timezone != "Europe/Paris" || len(bh.Week) != 1 || bh.Holidays == nil || len(bh.Holidays) != 0 {
			t.Fatalf("created %+v %v", bh, err)
		}
		if _, err := e.svc.SaveBusinessHours(e.ctx, 0, ticket.BusinessHoursInput{Name: ptr(long), Timezone: ptr("UTC"), Week: &week}); !isKind(err, domain.KindConflict) {
			t.Fatalf("the same name again: %v", err)
		}
		// A change names only what changes; the rest is kept and checked.
		bh, err = e.svc.SaveBusinessHours(e.ctx, bh.ID, ticket.BusinessHoursInput{Name: ptr("Paris"), Holidays: &[]string{"2026-12-25"}})
		if err != nil || bh.Name != "Paris" || bh.Timezone != "Europe/Paris" || len(bh.Week) != 1 || len(bh.Holidays) != 1 {
			t.Fatalf("changed %+v %v", bh, err)
		}
		if _, err := e.svc.SaveBusinessHours(e.ctx, bh.ID, ticket.BusinessHoursInput{Timezone: ptr("Nowhere")}); !isField(err, domain.KindInvalid, "timezone") {
			t.Fatalf("a bad time zone on a change: %v", err)
		}
		if _, err := e.svc.SaveBusinessHours(e.ctx, bh.ID+100, ticket.BusinessHoursInput{Name: ptr("Gone")}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("changing a calendar that does not exist: %v", err)
		}
		spare, err := e.svc.SaveBusinessHours(e.ctx, 0, ticket.BusinessHoursInput{Name: ptr("Spare"), Timezone: ptr("UTC"), Week: &week})
		if err != nil {
			t.Fatal(err)
		}
		e.policy("Office", nil, 60, 0, 0, bh.ID)
		if err := e.svc.DeleteBusinessHours(e.ctx, bh.ID); !isKind(err, domain.KindConflict) || !strings.Contains(err.Error(), "1 SLA policies") {
			t.Fatalf("deleting a calendar in use: %v", err)
		}
		if err := e.svc.DeleteBusinessHours(e.ctx, spare.ID); err != nil {
			t.Fatalf("deleting a calendar no policy uses: %v", err)
		}
		list, err := e.svc.ListBusinessHours(e.ctx)
		if err != nil || len(list) != 1 || list[0].ID != bh.ID || list[0].Holidays[0] != "2026-12-25" {
			t.Fatalf("listed %+v %v", list, err)
		}
	})
}

// TestSLAPolicyAdmin: a policy's name, position, targets (0 to a year) and
// calendar are checked on creation and on every change.
func TestSLAPolicyAdmin(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		const year = 366 * 24 * 60
		bh, err := e.svc.SaveBusinessHours(e.ctx, 0, ticket.BusinessHoursInput{Name: ptr("Office"), Timezone: ptr("UTC"),
			Week: &[]sla.Period{{Day: 1, Start: "09:00", End: "17:00"}}})
		if err != nil {
			t.Fatal(err)
		}
		name := ptr("Std")
		for _, c := range []struct {
			in    ticket.SLAPolicyInput
			field string
		}{
			{ticket.SLAPolicyInput{}, "name"},
			{ticket.SLAPolicyInput{Name: ptr(" ")}, "name"},
			{ticket.SLAPolicyInput{Name: ptr(strings.Repeat("é", 101))}, "name"},
			{ticket.SLAPolicyInput{Name: name, Position: ptr(-1)}, "position"},
			{ticket.SLAPolicyInput{Name: name, FirstResponseMin: ptr(-1)}, "first_response_minutes"},
			{ticket.SLAPolicyInput{Name: name, NextResponseMin: ptr(year + 1)}, "next_response_minutes"},
			{ticket.SLAPolicyInput{Name: name, ResolveMin: ptr(-1)}, "resolution_minutes"},
			{ticket.SLAPolicyInput{Name: name, BusinessHoursID: ptr(int64(-1))}, "business_hours_id"},
			{ticket.SLAPolicyInput{Name: name, BusinessHoursID: ptr(bh.ID + 100)}, "business_hours_id"},
		} {
			if _, err := e.svc.SaveSLAPolicy(e.ctx, 0, c.in); !isField(err, domain.KindInvalid, c.field) {
				t.Errorf("%+v: %v, want refused on %s", c.in, err, c.field)
			}
		}
		if _, err := e.svc.SaveSLAPolicy(e.ctx, 0, ticket.SLAPolicyInput{Name: name, Conditions: &[]rules.Condition{{Field: "nothing", Op: "is", Value: "x"}}}); err == nil {
			t.Fatal("a condition on no field was saved")
		}
		long := strings.Repeat("é", 100)
		p, err := e.svc.SaveSLAPolicy(e.ctx, 0, ticket.SLAPolicyInput{Name: ptr(" " + long + " "), Position: ptr(0),
			FirstResponseMin: ptr(0), NextResponseMin: ptr(year), ResolveMin: ptr(600), BusinessHoursID: ptr(bh.ID)})
		if err != nil || p.Name != long || p.Position != 1 || p.FirstResponseMin != 0 || p.NextResponseMin != year || p.ResolveMin != 600 ||
			p.BusinessHoursID != bh.ID || p.Match != rules.MatchAll || p.Conditions == nil || len(p.Conditions) != 0 {
			t.Fatalf("created %+v %v", p, err)
		}
		if _, err := e.svc.SaveSLAPolicy(e.ctx, 0, ticket.SLAPolicyInput{Name: ptr(long)}); !isKind(err, domain.KindConflict) {
			t.Fatalf("the same name again: %v", err)
		}
		conds := []rules.Condition{{Field: "subject", Op: "contains", Value: "printer"}}
		p, err = e.svc.SaveSLAPolicy(e.ctx, p.ID, ticket.SLAPolicyInput{Position: ptr(3), Conditions: &conds, BusinessHoursID: ptr(int64(0))})
		if err != nil || p.Name != long || p.NextResponseMin != year || p.BusinessHoursID != 0 || len(p.Conditions) != 1 {
			t.Fatalf("changed %+v %v", p, err)
		}
		if _, err := e.svc.SaveSLAPolicy(e.ctx, p.ID, ticket.SLAPolicyInput{ResolveMin: ptr(year + 1)}); !isField(err, domain.KindInvalid, "resolution_minutes") {
			t.Fatalf("a target over a year on a change: %v", err)
		}
		if _, err := e.svc.SaveSLAPolicy(e.ctx, p.ID+100, ticket.SLAPolicyInput{Name: ptr("Gone")}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("changing a policy that does not exist: %v", err)
		}
		list, err := e.svc.ListSLAPolicies(e.ctx)
		if err != nil || len(list) != 1 || list[0].ID != p.ID || list[0].Conditions[0].Value != "printer" {
			t.Fatalf("listed %+v %v", list, err)
		}
		if err := e.svc.DeleteSLAPolicy(e.ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if list, err := e.svc.ListSLAPolicies(e.ctx); err != nil || len(list) != 0 {
			t.Fatalf("after deleting: %+v %v", list, err)
		}
	})
}

func isField(err error, k domain.Kind, field string) bool {
	de, ok := domain.As(err)
	return ok && de.Kind == k && de.Field == field
}
