package ticket_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestMacroAdmin: a macro's name, body (its size and placeholders) and
// actions are checked; a personal macro is its owner's alone, a shared one
// everyone uses and only its owner or an admin changes.
func TestMacroAdmin(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		owner, agent := e.agent(), e.agent()
		admin := e.agent()
		admin.Role = domain.RoleAdmin
		body := ptr("Hello {{ requester.first_name }}")
		for _, c := range []struct {
			in    ticket.MacroInput
			field string
		}{
			{ticket.MacroInput{Body: body}, "name"},
			{ticket.MacroInput{Name: ptr("Hi")}, "body"},
			{ticket.MacroInput{Name: ptr(" "), Body: body}, "name"},
			{ticket.MacroInput{Name: ptr(strings.Repeat("é", 101)), Body: body}, "name"},
			{ticket.MacroInput{Name: ptr("Hi"), Body: ptr(strings.Repeat("x", 64<<10+1))}, "body"},
			{ticket.MacroInput{Name: ptr("Hi"), Body: ptr("Dear {{ customer }}")}, "body"},
			{ticket.MacroInput{Name: ptr("Hi"), Body: body, Actions: &ticket.MacroActions{Status: status("lost")}}, "actions.status"},
			{ticket.MacroInput{Name: ptr("Hi"), Body: body, Actions: &ticket.MacroActions{Priority: ptr(domain.Priority("meh"))}}, "actions.priority"},
			{ticket.MacroInput{Name: ptr("Hi"), Body: body, Actions: &ticket.MacroActions{AssigneeID: -1}}, "actions.assignee_id"},
			{ticket.MacroInput{Name: ptr("Hi"), Body: body, Actions: &ticket.MacroActions{TagsAdd: []string{"a b"}}}, "actions.tags_add"},
		} {
			if _, err := e.svc.CreateMacro(e.ctx, owner, c.in); !isField(err, domain.KindInvalid, c.field) {
				t.Errorf("%+v: %v, want refused on %s", c.in, err, c.field)
			}
		}
		long := strings.Repeat("é", 100)
		big := strings.Repeat("x", 64<<10)
		mine, err := e.svc.CreateMacro(e.ctx, owner, ticket.MacroInput{Name: ptr(" " + long + " "), Body: &big,
			Actions: &ticket.MacroActions{AssigneeID: 0, TagsAdd: []string{" VIP", "vip", "Billing"}}})
		if err != nil || mine.Name != long || mine.Body != big || mine.Shared || strings.Join(mine.Actions.TagsAdd, ",") != "billing,vip" {
			t.Fatalf("created %+v %v", mine.Actions, err)
		}
		shared, err := e.svc.CreateMacro(e.ctx, owner, ticket.MacroInput{Name: ptr("Thanks"), Body: body, Shared: ptr(true)})
		if err != nil || !shared.Shared {
			t.Fatalf("shared %+v %v", shared, err)
		}
		names := func(u store.User) string {
			list, err := e.svc.Macros(e.ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range list {
				out = append(out, m.Name)
			}
			return strings.Join(out, ",")
		}
		if got := names(agent); got != "Thanks" {
			t.Fatalf("the agent sees %q", got)
		}
		if got := names(owner); !strings.Contains(got, long) || !strings.Contains(got, "Thanks") {
			t.Fatalf("the owner sees %q", got)
		}
		rename := ticket.MacroInput{Name: ptr("Renamed")}
		if _, err := e.svc.UpdateMacro(e.ctx, agent, mine.ID, rename); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another agent's personal macro: %v", err)
		}
		if _, err := e.svc.UpdateMacro(e.ctx, agent, shared.ID, rename); !isKind(err, domain.KindForbidden) {
			t.Fatalf("another agent's shared macro: %v", err)
		}
		if err := e.svc.DeleteMacro(e.ctx, agent, shared.ID); !isKind(err, domain.KindForbidden) {
			t.Fatalf("deleting another agent's shared macro: %v", err)
		}
		if err := e.svc.DeleteMacro(e.ctx, agent, mine.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting another agent's personal macro: %v", err)
		}
		if _, err := e.svc.UpdateMacro(e.ctx, owner, mine.ID, ticket.MacroInput{Body: ptr("{{ nope }}")}); !isField(err, domain.KindInvalid, "body") {
			t.Fatalf("a bad body on a change: %v", err)
		}
		m, err := e.svc.UpdateMacro(e.ctx, admin, shared.ID, ticket.MacroInput{Name: ptr("Renamed"), Actions: &ticket.MacroActions{Status: status(domain.StatusPending)}})
		if err != nil || m.Name != "Renamed" || m.Body != *body || m.Actions.Status == nil || *m.Actions.Status != domain.StatusPending {
			t.Fatalf("the admin's change: %+v %v", m, err)
		}
		if err := e.svc.DeleteMacro(e.ctx, owner, mine.ID); err != nil {
			t.Fatal(err)
		}
		if got := names(owner); got != "Renamed" {
			t.Fatalf("after deleting: %q", got)
		}
	})
}

// TestReplyWithMacro: a reply naming a macro sends its rendered body when it
// has none and applies its actions; an action the macro does not name
// leaves the ticket alone; another agent's personal macro does not exist.
func TestReplyWithMacro(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		me, other := e.agent(), e.agent()
		_, tk := e.newConversation()
		if _, err := e.svc.UpdateTicket(e.ctx, me, tk.ID, ticket.TicketUpdate{AssigneeSet: true, AssigneeID: other.ID, Tags: &[]string{"printer"}}); err != nil {
			t.Fatal(err)
		}
		theirs, err := e.svc.CreateMacro(e.ctx, other, ticket.MacroInput{Name: ptr("Theirs"), Body: ptr("x")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Reply(e.ctx, me, tk.ID, ticket.ReplyInput{MacroID: theirs.ID}); !isField(err, domain.KindInvalid, "macro_id") {
			t.Fatalf("another agent's personal macro: %v", err)
		}
		plain, err := e.svc.CreateMacro(e.ctx, me, ticket.MacroInput{Name: ptr("Plain"), Body: ptr("Hello {{requester.first_name}}, about #{{ ticket.id }}.")})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := e.svc.Reply(e.ctx, me, tk.ID, ticket.ReplyInput{MacroID: plain.ID})
		if err != nil || !strings.HasPrefix(msg.Text, "Hello Alice, about #"+itoa(tk.ID)+".") {
			t.Fatalf("reply %q %v", msg.Text, err)
		}
		if got, want := e.state(tk.ID), "open normal a"+itoa(other.ID)+" t0 [printer]"; got != want {
			t.Fatalf("after a macro without actions: %s, want %s", got, want)
		}
		acts, err := e.svc.CreateMacro(e.ctx, me, ticket.MacroInput{Name: ptr("Acts"), Body: ptr("Done."),
			Actions: &ticket.MacroActions{Status: status(domain.StatusPending), Priority: ptr(domain.PriorityHigh), AssigneeID: me.ID, TagsAdd: []string{"waiting"}}})
		if err != nil {
			t.Fatal(err)
		}
		if msg, err := e.svc.Reply(e.ctx, me, tk.ID, ticket.ReplyInput{Body: "Our own words.", MacroID: acts.ID}); err != nil || !strings.HasPrefix(msg.Text, "Our own words.") {
			t.Fatalf("reply %q %v", msg.Text, err)
		}
		if got, want := e.state(tk.ID), "pending high a"+itoa(me.ID)+" t0 [printer waiting]"; got != want {
			t.Fatalf("after a macro with actions: %s, want %s", got, want)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
