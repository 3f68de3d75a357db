package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
)

type apiBulkResult struct {
	Updated int `json:"updated"`
	Skipped []struct {
		ID     int64  `json:"id"`
		Reason string `json:"reason"`
	} `json:"skipped"`
}

func (h *harness) ticket(id int64) apiTicket {
	h.t.Helper()
	var tk apiTicket
	h.bearer(h.agentToken).do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(h.t, 200).json(h.t, &tk)
	return tk
}

// TestBulkUpdate: each ticket changes whole through the same rules and
// audit trail as one PATCH; refused and missing tickets are skipped.
func TestBulkUpdate(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		a, b, c := h.newTicket(1, ""), h.newTicket(2, ""), h.newTicket(3, "")
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", c), map[string]any{"status": "solved", "tags": []string{"old", "keep"}}).must(t, 200)
		var r apiBulkResult
		agent.do("POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{a, b, c, 999999, a}, "status": "open", "priority": "high",
			"assignee_id": h.agent.ID, "tags_add": []string{"Bulk"}, "tags_remove": []string{"old"}}).must(t, 200).json(t, &r)
		if r.Updated != 3 || len(r.Skipped) != 1 || r.Skipped[0].ID != 999999 || r.Skipped[0].Reason != "no such ticket" {
			t.Fatalf("result %+v", r)
		}
		for _, id := range []int64{a, b} {
			tk := h.ticket(id)
			if tk.Status != "open" || tk.Priority != "high" || tk.Assignee == nil || tk.Assignee.ID != h.agent.ID || strings.Join(tk.Tags, ",") != "bulk" {
				t.Fatalf("ticket %d: %+v", id, tk)
			}
			h.on(t).wantAgentEvents(id, "status:new>open", "priority:normal>high", "assignee:>agent@acme.test", "tags:>bulk")
		}
		if tk := h.ticket(c); strings.Join(tk.Tags, ",") != "bulk,keep" || tk.Status != "open" {
			t.Fatalf("ticket %d: %+v", c, tk)
		}

		t.Run("a ticket the rules refuse is skipped, the others change", func(t *testing.T) {
			agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", a), map[string]any{"status": "solved"}).must(t, 200)
			agent.do("POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{a, b}, "status": "closed"}).must(t, 200).json(t, &r)
			if r.Updated != 1 || len(r.Skipped) != 1 || r.Skipped[0].ID != b || !strings.Contains(r.Skipped[0].Reason, "only a solved ticket can be closed") {
				t.Fatalf("result %+v", r)
			}
			if h.ticket(a).Status != "closed" || h.ticket(b).Status != "open" {
				t.Fatalf("statuses %s %s", h.ticket(a).Status, h.ticket(b).Status)
			}
		})
		t.Run("null unassigns; a ticket already so is not counted", func(t *testing.T) {
			agent.do("POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b}, "assignee_id": nil}).must(t, 200).json(t, &r)
			agent.do("POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{b}, "assignee_id": nil}).must(t, 200).json(t, &r)
			if r.Updated != 0 || len(r.Skipped) != 0 || h.ticket(b).Assignee != nil {
				t.Fatalf("result %+v, assignee %+v", r, h.ticket(b).Assignee)
			}
		})
	})
}

// TestBulkUpdateRefusals: bad requests change nothing at all.
func TestBulkUpdateRefusals(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		id := h.newTicket(1, "")
		off, _ := h.user("off@acme.test", "Off", domain.RoleAgent, "off-password-1")
		h.bearer(h.adminToken).do("PATCH", fmt.Sprintf("/api/v1/users/%d", off.ID), map[string]any{"disabled": true}).must(t, 200)
		many := make([]int64, 1001)
		for i := range many {
			many[i] = int64(i + 1)
		}
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no ids", map[string]any{"ids": []int64{}, "status": "open"}, "ids"},
			{"too many ids", map[string]any{"ids": many, "status": "open"}, "ids"},
			{"nothing to change", map[string]any{"ids": []int64{id}}, "ids"},
			{"bad status", map[string]any{"ids": []int64{id}, "status": "later"}, "status"},
			{"bad tag", map[string]any{"ids": []int64{id}, "tags_add": []string{"a b"}}, "tags_add"},
			{"disabled assignee", map[string]any{"ids": []int64{id}, "assignee_id": off.ID}, "assignee_id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := agent.do("POST", "/api/v1/tickets/bulk", c.body)
				if r.status != 422 && r.status != 400 {
					t.Fatalf("status %d: %s", r.status, r.body)
				}
				if _, field := r.errorOf(t); field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
		if tk := h.ticket(id); tk.Status != "new" || tk.Assignee != nil {
			t.Fatalf("ticket changed: %+v", tk)
		}
	})
}

// TestBulkSetTeam: team_id moves each ticket to a team through the change
// path, as one PATCH does: a team_changed entry by the agent, and the
// team's automatic assignment for an unassigned ticket (not for an
// assigned one); null or 0 removes the team and keeps the assignee.
func TestBulkSetTeam(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent, admin := h.bearer(h.agentToken), h.bearer(h.adminToken)
		var team struct {
			ID int64 `json:"id"`
		}
		admin.do("POST", "/api/v1/teams", map[string]any{"name": "Billing", "member_ids": []int64{h.agent.ID}, "assignment": "round_robin"}).
			must(t, 201).json(t, &team)
		free, taken := h.newTicket(1, ""), h.newTicket(2, "")
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", taken), map[string]any{"assignee_id": h.admin.ID}).must(t, 200)
		teamOf := func(id int64) (string, int64) {
			var tk struct {
				Team *struct {
					Name string `json:"name"`
				} `json:"team"`
				Assignee *struct {
					ID int64 `json:"id"`
				} `json:"assignee"`
			}
			agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &tk)
			name, who := "", int64(0)
			if tk.Team != nil {
				name = tk.Team.Name
			}
			if tk.Assignee != nil {
				who = tk.Assignee.ID
			}
			return name, who
		}
		var r apiBulkResult
		agent.do("POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{free, taken}, "team_id": team.ID}).must(t, 200).json(t, &r)
		if r.Updated != 2 || len(r.Skipped) != 0 {
			t.Fatalf("result %+v", r)
		}
		if name, who := teamOf(free); name != "Billing" || who != h.agent.ID {
			t.Fatalf("unassigned ticket: team %q, assignee %d (want Billing, auto-assigned %d)", name, who, h.agent.ID)
		}
		if name, who := teamOf(taken); name != "Billing" || who != h.admin.ID {
			t.Fatalf("assigned ticket: team %q, assignee %d (want Billing, kept %d)", name, who, h.admin.ID)
		}
		h.on(t).wantAgentEvents(taken, "assignee:>admin@acme.test", "team:>Billing")
		var kinds []string
		for _, e := range h.events(free) {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, " "); !strings.HasSuffix(got, "team_changed auto_assigned assignee_changed") {
			t.Fatalf("events of the unassigned ticket: %s", got)
		}

		for _, none := range []any{0, nil} {
			agent.do("POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{free, taken}, "team_id": none}).must(t, 200).json(t, &r)
			want := 2
			if none == nil {
				want = 0 // already without a team: nothing changes
			}
			if r.Updated != want {
				t.Fatalf("team_id %v: result %+v", none, r)
			}
			if name, who := teamOf(free); name != "" || who != h.agent.ID {
				t.Fatalf("team_id %v: team %q, assignee %d", none, name, who)
			}
		}
		for _, bad := range []any{999999, -1} {
			res := agent.do("POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{free}, "team_id": bad})
			if _, field := res.errorOf(t); res.status != 422 || field != "team_id" {
				t.Fatalf("team_id %v: %d %s", bad, res.status, res.body)
			}
		}
		if name, _ := teamOf(free); name != "" {
			t.Fatalf("a refused bulk change moved the ticket to %q", name)
		}
	})
}
