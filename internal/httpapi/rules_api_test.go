package httpapi_test

import (
	"fmt"
	"slices"
	"testing"
)

type apiRule struct {
	ID         int64
	Name       string
	Enabled    bool
	When       string
	Match      string
	Position   int
	Conditions []map[string]string
	Actions    []map[string]string
}

// TestRulesAPI: admins create, list, reorder, test and delete rules; agents
// read them only; a refused rule names its field.
func TestRulesAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent, admin := h.bearer(h.agentToken), h.bearer(h.adminToken)
		body := map[string]any{"name": "Billing", "when": "created",
			"conditions": []map[string]string{{"field": "subject", "op": "contains", "value": "invoice"}},
			"actions":    []map[string]string{{"type": "set_priority", "value": "high"}, {"type": "add_tag", "value": "billing"}}}
		agent.do("POST", "/api/v1/rules", body).must(t, 403)
		var a, b apiRule
		admin.do("POST", "/api/v1/rules", body).must(t, 201).json(t, &a)
		if a.Name != "Billing" || !a.Enabled || a.Match != "all" || a.Position != 1 || len(a.Actions) != 2 || a.Conditions[0]["op"] != "contains" {
			t.Fatalf("created %+v", a)
		}
		body["name"] = "Second"
		admin.do("POST", "/api/v1/rules", body).must(t, 201).json(t, &b)
		admin.do("PATCH", fmt.Sprintf("/api/v1/rules/%d", b.ID), map[string]any{"position": 0, "enabled": false}).must(t, 200).json(t, &b)
		if b.Enabled || b.Position != 0 || b.Name != "Second" {
			t.Fatalf("updated %+v", b)
		}
		var l struct{ Items []apiRule }
		agent.do("GET", "/api/v1/rules", nil).must(t, 200).json(t, &l)
		if len(l.Items) != 2 || l.Items[0].ID != b.ID || l.Items[1].ID != a.ID {
			t.Fatalf("listed %+v", l.Items)
		}
		var res struct {
			Items   []struct{ ID int64 }
			Checked int
		}
		id := h.newTicket(1, "")
		admin.do("POST", "/api/v1/rules/test", body).must(t, 200).json(t, &res)
		if res.Checked < 1 || slices.ContainsFunc(res.Items, func(x struct{ ID int64 }) bool { return x.ID == id }) {
			t.Fatalf("test %+v (ticket %d has no invoice)", res, id)
		}
		agent.do("POST", "/api/v1/rules/test", body).must(t, 403)
		bad := []struct {
			name  string
			edit  func(m map[string]any)
			field string
		}{
			{"bad pattern", func(m map[string]any) {
				m["conditions"] = []map[string]string{{"field": "subject", "op": "matches", "value": "(x"}}
			}, "conditions[0].value"},
			{"unknown field", func(m map[string]any) {
				m["conditions"] = []map[string]string{{"field": "shoe_size", "op": "equals", "value": "x"}}
			}, "conditions[0].field"},
			{"unknown action", func(m map[string]any) { m["actions"] = []map[string]string{{"type": "set_group", "value": "1"}} }, "actions[0].type"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				m := map[string]any{"name": "x", "when": "created", "actions": body["actions"], "conditions": body["conditions"]}
				c.edit(m)
				_, field := admin.do("POST", "/api/v1/rules", m).must(t, 422).errorOf(t)
				if field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
		agent.do("DELETE", fmt.Sprintf("/api/v1/rules/%d", a.ID), nil).must(t, 403)
		admin.do("DELETE", fmt.Sprintf("/api/v1/rules/%d", a.ID), nil).must(t, 204)
		admin.do("DELETE", fmt.Sprintf("/api/v1/rules/%d", a.ID), nil).must(t, 404)
	})
}
