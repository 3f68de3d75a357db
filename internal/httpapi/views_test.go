package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
)

type apiViewCounts struct {
	Counts map[string]int `json:"counts"`
	Cap    int            `json:"cap"`
}

type apiView struct {
	ID      int64          `json:"id"`
	Name    string         `json:"name"`
	Shared  bool           `json:"shared"`
	OwnerID int64          `json:"owner_id"`
	Filters map[string]any `json:"filters"`
}

func (h *harness) counts(c *client) apiViewCounts {
	h.t.Helper()
	var out apiViewCounts
	c.do("GET", "/api/v1/views/counts", nil).must(h.t, 200).json(h.t, &out)
	return out
}

// TestViewCounts: every sidebar view's count, for the agent who asks
// ("mine" is theirs), each saved view counted with its own filter.
func TestViewCounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent, admin := h.bearer(h.agentToken), h.bearer(h.adminToken)
		ids := []int64{h.newTicket(1, ""), h.newTicket(2, ""), h.newTicket(3, ""), h.newTicket(4, "")}
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", ids[0]), map[string]any{"assignee_id": h.agent.ID, "status": "open", "tags": []string{"vip"}}).must(t, 200)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", ids[1]), map[string]any{"status": "pending"}).must(t, 200)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", ids[2]), map[string]any{"status": "solved", "tags": []string{"vip"}}).must(t, 200)
		var tag, solvedMine, openMine apiView
		agent.do("POST", "/api/v1/views", map[string]any{"name": "VIP", "filters": map[string]any{"tag": "vip"}}).must(t, 201).json(t, &tag)
		agent.do("POST", "/api/v1/views", map[string]any{"name": "Solved", "filters": map[string]any{"status": "solved,closed"}}).must(t, 201).json(t, &solvedMine)
		agent.do("POST", "/api/v1/views", map[string]any{"name": "My work", "shared": true, "filters": map[string]any{"status": "new,open,pending", "assignee": "me"}}).must(t, 201).json(t, &openMine)

		got := h.counts(agent)
		mb := fmt.Sprintf("mailbox:%d", h.mailbox)
		want := map[string]int{"mine": 1, "unassigned": 2, "open": 3, "status:new": 1, "status:open": 1, "status:pending": 1,
			"status:solved": 1, "status:closed": 0, mb: 3,
			fmt.Sprintf("view:%d", tag.ID): 2, fmt.Sprintf("view:%d", solvedMine.ID): 1, fmt.Sprintf("view:%d", openMine.ID): 1}
		for k, v := range want {
			t.Run(k, func(t *testing.T) {
				if got.Counts[k] != v {
					t.Fatalf("%s = %d, want %d (all: %v)", k, got.Counts[k], v, got.Counts)
				}
			})
		}
		if len(got.Counts) != len(want) || got.Cap != 10000 {
			t.Fatalf("counts %v cap %d, want exactly %v and cap 10000", got.Counts, got.Cap, want)
		}
		// A ticket marked as spam leaves every list, and so every count;
		// taken back out of spam, it counts again.
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", ids[3]), map[string]any{"tags": []string{"vip"}}).must(t, 200)
		agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/spam", ids[3]), nil).must(t, 200)
		spam := h.counts(agent)
		for k, v := range map[string]int{"unassigned": 1, "open": 2, "status:new": 0, mb: 2, fmt.Sprintf("view:%d", tag.ID): 2} {
			if spam.Counts[k] != v {
				t.Fatalf("with a ticket in spam %s = %d, want %d (all: %v)", k, spam.Counts[k], v, spam.Counts)
			}
		}
		agent.do("DELETE", fmt.Sprintf("/api/v1/tickets/%d/spam", ids[3]), nil).must(t, 200)
		if back := h.counts(agent); back.Counts["unassigned"] != 2 || back.Counts[fmt.Sprintf("view:%d", tag.ID)] != 3 {
			t.Fatalf("out of spam again: %v", back.Counts)
		}
		// The admin holds nothing; the shared "My work" is theirs (empty),
		// the agent's personal views are not in their sidebar.
		a := h.counts(admin)
		if a.Counts["mine"] != 0 || a.Counts[fmt.Sprintf("view:%d", openMine.ID)] != 0 || len(a.Counts) != len(want)-2 {
			t.Fatalf("admin's counts %v", a.Counts)
		}
	})
}

// TestSavedViews: personal views are their owner's alone; shared ones
// everyone sees, and only their owner or an admin changes.
func TestSavedViews(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent, admin := h.bearer(h.agentToken), h.bearer(h.adminToken)
		_, otherToken := h.user("other@acme.test", "Otto Other", domain.RoleAgent, "other-password-1")
		other := h.bearer(otherToken)
		var mine, team apiView
		agent.do("POST", "/api/v1/views", map[string]any{"name": " Mine urgent ", "filters": map[string]any{"assignee": "me", "q": "printer"}}).must(t, 201).json(t, &mine)
		agent.do("POST", "/api/v1/views", map[string]any{"name": "Team", "shared": true, "filters": map[string]any{"mailbox": h.mailbox}}).must(t, 201).json(t, &team)
		if mine.Name != "Mine urgent" || mine.Shared || mine.OwnerID != h.agent.ID || mine.Filters["assignee"] != "me" || mine.Filters["q"] != "printer" {
			t.Fatalf("created %+v", mine)
		}
		list := func(c *client) []string {
			var l struct{ Items []apiView }
			c.do("GET", "/api/v1/views", nil).must(t, 200).json(t, &l)
			var names []string
			for _, v := range l.Items {
				names = append(names, v.Name)
			}
			return names
		}
		t.Run("who sees what", func(t *testing.T) {
			if got := fmt.Sprint(list(agent)); got != "[Mine urgent Team]" {
				t.Fatalf("agent sees %s", got)
			}
			if got := fmt.Sprint(list(other)); got != "[Team]" {
				t.Fatalf("other agent sees %s", got)
			}
		})
		t.Run("another's personal view does not exist for them", func(t *testing.T) {
			other.do("PATCH", fmt.Sprintf("/api/v1/views/%d", mine.ID), map[string]any{"name": "x"}).must(t, 404)
			admin.do("DELETE", fmt.Sprintf("/api/v1/views/%d", mine.ID), nil).must(t, 404)
		})
		t.Run("a shared view: another agent may not change it, an admin may", func(t *testing.T) {
			other.do("PATCH", fmt.Sprintf("/api/v1/views/%d", team.ID), map[string]any{"name": "x"}).must(t, 403)
			var v apiView
			admin.do("PATCH", fmt.Sprintf("/api/v1/views/%d", team.ID), map[string]any{"name": "Team queue", "filters": map[string]any{"status": "new"}}).must(t, 200).json(t, &v)
			if v.Name != "Team queue" || v.Filters["status"] != "new" || v.Filters["mailbox"] != nil || !v.Shared {
				t.Fatalf("updated %+v", v)
			}
		})
		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"no name", map[string]any{"name": " ", "filters": map[string]any{}}, "name"},
			{"bad status", map[string]any{"name": "x", "filters": map[string]any{"status": "open,later"}}, "filters.status"},
			{"bad assignee", map[string]any{"name": "x", "filters": map[string]any{"assignee": "someone"}}, "filters.assignee"},
			{"bad mailbox", map[string]any{"name": "x", "filters": map[string]any{"mailbox": -1}}, "filters.mailbox"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				_, field := agent.do("POST", "/api/v1/views", c.body).must(t, 422).errorOf(t)
				if field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
		t.Run("delete", func(t *testing.T) {
			agent.do("DELETE", fmt.Sprintf("/api/v1/views/%d", mine.ID), nil).must(t, 204)
			agent.do("DELETE", fmt.Sprintf("/api/v1/views/%d", mine.ID), nil).must(t, 404)
		})
	})
}
