package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
)

type apiMacro struct {
	ID      int64          `json:"id"`
	Name    string         `json:"name"`
	Body    string         `json:"body"`
	Shared  bool           `json:"shared"`
	Actions map[string]any `json:"actions"`
}

// TestMacroReply: a reply naming a macro and no body sends the macro's body
// rendered for the ticket, and applies its actions with the reply.
func TestMacroReply(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		id := h.newTicket(1, "")
		var m apiMacro
		agent.do("POST", "/api/v1/macros", map[string]any{"name": "Refund", "shared": true,
			"body":    "Hello {{requester.first_name}},\n\nabout #{{ticket.id}} ({{ticket.subject}}): refunded.\n\n{{ agent.name }}",
			"actions": map[string]any{"status": "pending", "priority": "high", "tags_add": []string{"Refund", "billing"}, "assignee_id": h.agent.ID}}).must(t, 201).json(t, &m)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), map[string]any{"tags": []string{"billing", "vip"}}).must(t, 200)

		var msg apiMessage
		agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/replies", id), map[string]any{"macro_id": m.ID}).must(t, 202).json(t, &msg)
		want := fmt.Sprintf("Hello Carol,\n\nabout #%d (Printer 1 is on fire): refunded.\n\nAl Agent\n", id)
		if msg.Text != want {
			t.Fatalf("text %q, want %q", msg.Text, want)
		}
		var tk apiTicket
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &tk)
		if tk.Status != "pending" || tk.Priority != "high" || tk.Assignee == nil || tk.Assignee.ID != h.agent.ID ||
			strings.Join(tk.Tags, ",") != "billing,refund,vip" {
			t.Fatalf("ticket after the macro reply %+v", tk)
		}
		kinds := map[string]bool{}
		for _, e := range h.events(id) {
			kinds[e.Kind] = true
		}
		for _, k := range []string{"reply_queued", "status_changed", "priority_changed", "assignee_changed", "tags_changed"} {
			if !kinds[k] {
				t.Fatalf("no %s event: %v", k, kinds)
			}
		}
		t.Run("a body given is sent as it is, the actions still applied", func(t *testing.T) {
			id := h.newTicket(2, "")
			agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/replies", id), map[string]any{"macro_id": m.ID, "body": "Edited by hand"}).must(t, 202).json(t, &msg)
			agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &tk)
			if msg.Text != "Edited by hand\n" || tk.Status != "pending" {
				t.Fatalf("text %q, status %s", msg.Text, tk.Status)
			}
		})
	})
}

// TestMacroReplyIsOneTransaction: when an action is refused, no reply is
// stored or queued either.
func TestMacroReplyIsOneTransaction(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		id := h.newTicket(1, "")
		var m apiMacro
		// Closing is refused from new: only a solved ticket can be closed.
		agent.do("POST", "/api/v1/macros", map[string]any{"name": "Close", "body": "Bye", "actions": map[string]any{"status": "closed"}}).must(t, 201).json(t, &m)
		agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/replies", id), map[string]any{"macro_id": m.ID}).must(t, 409)
		var list struct{ Items []apiMessage }
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages", id), nil).must(t, 200).json(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("%d messages, want the customer's alone", len(list.Items))
		}
	})
}

// TestMacros: who sees and changes which macro, and what a macro may say.
func TestMacros(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent, admin := h.bearer(h.agentToken), h.bearer(h.adminToken)
		_, otherToken := h.user("other@acme.test", "Otto Other", domain.RoleAgent, "other-password-1")
		other := h.bearer(otherToken)
		var personal, shared apiMacro
		agent.do("POST", "/api/v1/macros", map[string]any{"name": "Mine", "body": "Hi"}).must(t, 201).json(t, &personal)
		agent.do("POST", "/api/v1/macros", map[string]any{"name": "Ours", "body": "Hello", "shared": true}).must(t, 201).json(t, &shared)
		var l struct{ Items []apiMacro }
		other.do("GET", "/api/v1/macros", nil).must(t, 200).json(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != shared.ID {
			t.Fatalf("another agent sees %+v", l.Items)
		}
		t.Run("another's personal macro cannot be used", func(t *testing.T) {
			id := h.newTicket(1, "")
			_, field := other.do("POST", fmt.Sprintf("/api/v1/tickets/%d/replies", id), map[string]any{"macro_id": personal.ID}).must(t, 422).errorOf(t)
			if field != "macro_id" {
				t.Fatalf("field %q", field)
			}
			other.do("PATCH", fmt.Sprintf("/api/v1/macros/%d", personal.ID), map[string]any{"name": "x"}).must(t, 404)
		})
		t.Run("a shared macro: only its owner or an admin changes it", func(t *testing.T) {
			other.do("DELETE", fmt.Sprintf("/api/v1/macros/%d", shared.ID), nil).must(t, 403)
			var m apiMacro
			admin.do("PATCH", fmt.Sprintf("/api/v1/macros/%d", shared.ID), map[string]any{"body": "Hello {{requester.name}}", "actions": map[string]any{"priority": "low"}}).must(t, 200).json(t, &m)
			if m.Body != "Hello {{requester.name}}" || m.Name != "Ours" || m.Actions["priority"] != "low" {
				t.Fatalf("updated %+v", m)
			}
			agent.do("DELETE", fmt.Sprintf("/api/v1/macros/%d", shared.ID), nil).must(t, 204)
		})
		bad := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"unknown placeholder", map[string]any{"name": "x", "body": "Hi {{customer.name}}"}, "body"},
			{"no name", map[string]any{"name": "", "body": "Hi"}, "name"},
			{"bad status", map[string]any{"name": "x", "body": "Hi", "actions": map[string]any{"status": "later"}}, "actions.status"},
			{"bad tag", map[string]any{"name": "x", "body": "Hi", "actions": map[string]any{"tags_add": []string{"two words"}}}, "actions.tags_add"},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				_, field := agent.do("POST", "/api/v1/macros", c.body).must(t, 422).errorOf(t)
				if field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
	})
}
