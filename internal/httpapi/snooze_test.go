package httpapi_test

import (
	"fmt"
	"testing"
)

// TestSnoozeAndSignatureAPI: PATCH snooze_until on a pending ticket shows
// it; a past time or a ticket left open is a 422; PATCH /me sets my
// signature, which GET /me returns; a bad placeholder is a 422.
func TestSnoozeAndSignatureAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		id := h.newTicket(1, "")
		path := fmt.Sprintf("/api/v1/tickets/%d", id)
		agent.do("PATCH", path, map[string]any{"snooze_until": "2099-01-02T09:00:00Z"}).must(t, 422)
		agent.do("PATCH", path, map[string]any{"status": "pending", "snooze_until": "2001-01-02T09:00:00Z"}).must(t, 422)
		var tk struct {
			Status      string  `json:"status"`
			SnoozeUntil *string `json:"snooze_until"`
		}
		agent.do("PATCH", path, map[string]any{"status": "pending", "snooze_until": "2099-01-02T09:00:00Z"}).must(t, 200).json(t, &tk)
		if tk.Status != "pending" || tk.SnoozeUntil == nil || *tk.SnoozeUntil != "2099-01-02T09:00:00Z" {
			t.Fatalf("snoozed ticket %+v", tk)
		}
		agent.do("PATCH", path, map[string]any{"snooze_until": nil}).must(t, 200).json(t, &tk)
		if tk.SnoozeUntil != nil {
			t.Fatalf("unsnoozed ticket still until %s", *tk.SnoozeUntil)
		}

		var me struct {
			Signature *string `json:"signature"`
		}
		agent.do("PATCH", "/api/v1/me", map[string]any{"signature": "{{agent.nmae}}"}).must(t, 422)
		agent.do("PATCH", "/api/v1/me", map[string]any{"signature": "Bo, {{agent.name}}"}).must(t, 200)
		agent.do("GET", "/api/v1/me", nil).must(t, 200).json(t, &me)
		if me.Signature == nil || *me.Signature != "Bo, {{agent.name}}" {
			t.Fatalf("GET /me signature %v", me.Signature)
		}
	})
}
