package httpapi_test

import (
	"fmt"
	"testing"
	"time"
)

type apiBusinessHours struct {
	ID       int64
	Name     string
	Timezone string
	Week     []map[string]any
	Holidays []string
}

type apiTicketSLA struct {
	ID  int64
	SLA *struct {
		Policy             string
		FirstResponseDueAt *time.Time `json:"first_response_due_at"`
		ResolutionDueAt    *time.Time `json:"resolution_due_at"`
		DueAt              *time.Time `json:"due_at"`
		Breached           []string
		Paused             bool
	}
}

// TestSLAAPI: admins keep business hours and policies (agents read them);
// a refused one names its field; a new ticket carries its SLA, and the
// list sorts by due time.
func TestSLAAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent, admin := h.bearer(h.agentToken), h.bearer(h.adminToken)
		hours := map[string]any{"name": "Paris office", "timezone": "Europe/Paris",
			"week": []map[string]any{{"day": 1, "start": "09:00", "end": "17:00"}, {"day": 2, "start": "09:00", "end": "24:00"}}, "holidays": []string{"2026-12-25"}}
		agent.do("POST", "/api/v1/business-hours", hours).must(t, 403)
		var bh apiBusinessHours
		admin.do("POST", "/api/v1/business-hours", hours).must(t, 201).json(t, &bh)
		if bh.Timezone != "Europe/Paris" || len(bh.Week) != 2 || bh.Week[1]["end"] != "24:00" || len(bh.Holidays) != 1 {
			t.Fatalf("created %+v", bh)
		}
		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no working period", map[string]any{"name": "x", "timezone": "UTC", "week": []any{}}, "week"},
			{"unknown zone", map[string]any{"name": "x", "timezone": "Paris", "week": hours["week"]}, "timezone"},
			{"end past 24:00", map[string]any{"name": "x", "timezone": "UTC", "week": []map[string]any{{"day": 1, "start": "09:00", "end": "25:00"}}}, "week[0].end"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				if _, field := admin.do("POST", "/api/v1/business-hours", c.body).must(t, 422).errorOf(t); field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
		admin.do("PATCH", fmt.Sprintf("/api/v1/business-hours/%d", bh.ID), map[string]any{"name": "Paris"}).must(t, 200).json(t, &bh)
		if bh.Name != "Paris" || len(bh.Week) != 2 {
			t.Fatalf("updated %+v", bh)
		}
		var list struct{ Items []apiBusinessHours }
		agent.do("GET", "/api/v1/business-hours", nil).must(t, 200).json(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("listed %+v", list)
		}

		policy := map[string]any{"name": "Printers", "conditions": []map[string]string{{"field": "subject", "op": "contains", "value": "printer"}},
			"first_response_minutes": 60, "resolution_minutes": 480, "business_hours_id": bh.ID}
		agent.do("POST", "/api/v1/sla-policies", policy).must(t, 403)
		var p struct {
			ID              int64
			BusinessHoursID *int64 `json:"business_hours_id"`
		}
		admin.do("POST", "/api/v1/sla-policies", policy).must(t, 201).json(t, &p)
		if p.BusinessHoursID == nil || *p.BusinessHoursID != bh.ID {
			t.Fatalf("policy %+v", p)
		}
		if _, field := admin.do("POST", "/api/v1/sla-policies", map[string]any{"name": "x", "resolution_minutes": -1}).must(t, 422).errorOf(t); field != "resolution_minutes" {
			t.Fatalf("field %q", field)
		}
		if _, field := admin.do("POST", "/api/v1/sla-policies", map[string]any{"name": "x", "business_hours_id": 999999}).must(t, 422).errorOf(t); field != "business_hours_id" {
			t.Fatalf("field %q", field)
		}
		admin.do("DELETE", fmt.Sprintf("/api/v1/business-hours/%d", bh.ID), nil).must(t, 409)

		plain := h.importMail("From: dan@customer.test\nTo: support@acme.test\nSubject: Hello\nMessage-ID: <plain@customer.test>\n\nHi.\n")
		id := h.newTicket(1, "")
		var tk apiTicketSLA
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &tk)
		if tk.SLA == nil || tk.SLA.Policy != "Printers" || tk.SLA.FirstResponseDueAt == nil || tk.SLA.DueAt == nil || tk.SLA.Breached == nil {
			t.Fatalf("ticket sla %+v", tk.SLA)
		}
		var page struct{ Items []apiTicketSLA }
		agent.do("GET", "/api/v1/tickets?sort=due", nil).must(t, 200).json(t, &page)
		if len(page.Items) < 2 || page.Items[0].ID != id || page.Items[len(page.Items)-1].SLA != nil {
			t.Fatalf("sort=due %+v (plain %d)", page.Items, plain)
		}
		admin.do("DELETE", fmt.Sprintf("/api/v1/sla-policies/%d", p.ID), nil).must(t, 204)
		admin.do("DELETE", fmt.Sprintf("/api/v1/business-hours/%d", bh.ID), nil).must(t, 204)
	})
}
