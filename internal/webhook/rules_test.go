package webhook_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

// rule saves a rule through the ticket service, as the API does.
func (b *bundle) rule(name string, when rules.When, conds []rules.Condition, acts ...rules.Action) (int64, error) {
	w := string(when)
	r, err := b.e.Svc.CreateRule(b.e.Ctx, ticket.RuleInput{Name: &name, When: &w, Conditions: &conds, Actions: &acts})
	return r.ID, err
}

func sendTo(id int64) rules.Action {
	return rules.Action{Type: rules.ActionWebhook, Value: strconv.FormatInt(id, 10)}
}

// ruleFired returns the ticket.rule_fired requests the receiver got.
func (b *bundle) ruleFired() []received {
	var out []received
	for _, r := range b.recv.requests() {
		if r.Event == webhook.EventTicketRuleFired {
			out = append(out, r)
		}
	}
	return out
}

// TestRuleWebhookAction: a rule's webhook action queues one signed
// ticket.rule_fired delivery, in the change's transaction, to a webhook
// that subscribes to other events only, carrying the ticket after the
// rule's changes and the rule's id and name; a disabled webhook gets none.
func TestRuleWebhookAction(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{})
		on := b.hook("rule-secret", webhook.EventTicketCreated)
		off := b.hook("other", webhook.EventTicketCreated)
		no := false
		if _, err := b.s.Update(b.e.Ctx, b.admin, off.ID, webhook.Input{Enabled: &no}); err != nil {
			t.Fatal(err)
		}
		ruleID, err := b.rule("Escalate", rules.WhenCreated, []rules.Condition{{Field: rules.FieldSubject, Op: rules.OpContains, Value: "urgent"}},
			rules.Action{Type: rules.ActionSetPriority, Value: "high"}, sendTo(on.ID), sendTo(off.ID))
		if err != nil {
			t.Fatal(err)
		}
		id := b.newTicket("Urgent printer")
		b.newTicket("Calm printer")
		list := b.settled(on.ID)
		var events []string
		for _, d := range list {
			events = append(events, d.Event)
			if d.Status != store.HookDelivered {
				t.Fatalf("delivery %+v", d)
			}
		}
		slices.Sort(events)
		if want := []string{"ticket.created", "ticket.created", "ticket.rule_fired"}; !slices.Equal(events, want) {
			t.Fatalf("deliveries %v, want %v", events, want)
		}
		got := b.ruleFired()
		if len(got) != 1 {
			t.Fatalf("%d ticket.rule_fired requests", len(got))
		}
		r := got[0]
		if r.Signature != webhook.Sign("rule-secret", r.Body) {
			t.Fatalf("signature %s does not match the body", r.Signature)
		}
		body := decode(t, r.Body)
		rule, _ := body["rule"].(map[string]any)
		tk, _ := body["ticket"].(map[string]any)
		if body["event"] != "ticket.rule_fired" || body["ticket_id"] != float64(id) || rule["id"] != float64(ruleID) || rule["name"] != "Escalate" {
			t.Fatalf("body %v", body)
		}
		if tk["id"] != float64(id) || tk["priority"] != "high" || body["message"] != nil {
			t.Fatalf("the ticket as the rule left it: %v", tk)
		}
		if n := len(b.deliveries(off.ID)); n != 0 {
			t.Fatalf("%d deliveries to a disabled webhook", n)
		}
	})
}

// TestRuleWebhookSaveAndDelete: a rule naming no webhook is refused (422 on
// the action's value); a webhook deleted after the rule was saved makes
// the rule fail (a rule_failed entry), the rest of the rule is done and the
// mail is kept.
func TestRuleWebhookSaveAndDelete(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{})
		w := b.hook("k", webhook.EventTicketUpdated)
		_, err := b.rule("Ghost", rules.WhenCreated, nil, rules.Action{Type: rules.ActionAddTag, Value: "x"}, sendTo(w.ID+1000))
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Field != "actions[1].value" {
			t.Fatalf("an unknown webhook: %v", err)
		}
		if _, err := b.rule("Tell", rules.WhenCreated, nil, rules.Action{Type: rules.ActionAddTag, Value: "told"}, sendTo(w.ID)); err != nil {
			t.Fatal(err)
		}
		if err := b.s.Delete(b.e.Ctx, b.admin, w.ID); err != nil {
			t.Fatal(err)
		}
		id := b.newTicket("After the delete")
		tk, err := b.e.Store.GetTicket(b.e.Ctx, b.e.Store.DB(), id)
		if err != nil || !slices.Equal(tk.Tags, []string{"told"}) {
			t.Fatalf("ticket %+v (%v)", tk, err)
		}
		evs, err := b.e.Store.ListEvents(b.e.Ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("Tell: webhook %d does not exist", w.ID)
		if !slices.ContainsFunc(evs, func(e store.Event) bool { return e.Kind == string(ticket.EventRuleFailed) && e.NewValue == want }) {
			t.Fatalf("no rule_failed %q in %+v", want, evs)
		}
		if n := b.e.Count(`SELECT count(*) FROM webhook_deliveries`); n != 0 {
			t.Fatalf("%d deliveries to a deleted webhook", n)
		}
	})
}

// TestRuleWebhookChains: a rule's webhook action does not change how rules
// chain: a rule never runs on its own change (one delivery, not a loop),
// and a chain of rules stops after three, each sending its own event.
func TestRuleWebhookChains(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{})
		w := b.hook("k", webhook.EventTicketCreated)
		r1, err := b.rule("r1", rules.WhenCreated, nil, rules.Action{Type: rules.ActionAddTag, Value: "t1"}, sendTo(w.ID))
		if err != nil {
			t.Fatal(err)
		}
		for i := 2; i <= 5; i++ {
			if _, err := b.rule(fmt.Sprintf("r%d", i), rules.WhenUpdated, []rules.Condition{{Field: rules.FieldTag, Op: rules.OpEquals, Value: fmt.Sprintf("t%d", i-1)},
				{Field: rules.FieldTag, Op: rules.OpNotEquals, Value: fmt.Sprintf("t%d", i)}},
				rules.Action{Type: rules.ActionAddTag, Value: fmt.Sprintf("t%d", i)}, sendTo(w.ID)); err != nil {
				t.Fatal(err)
			}
		}
		id := b.newTicket("Chain")
		b.settled(w.ID)
		var names []string
		for _, r := range b.ruleFired() {
			rule, _ := decode(t, r.Body)["rule"].(map[string]any)
			names = append(names, fmt.Sprint(rule["name"]))
		}
		// Sorted: a change's hooks run its nested changes first, so the last
		// rule of the chain queues its event first (as ticket.updated too).
		slices.Sort(names)
		if want := []string{"r1", "r2", "r3"}; !slices.Equal(names, want) {
			t.Fatalf("ticket.rule_fired from %v, want %v (a chain of 3 rules)", names, want)
		}

		// An updated rule matching every change of its tickets, whose own
		// change is an update: it fires once on the agent's change.
		if err := b.e.Svc.DeleteRule(b.e.Ctx, r1); err != nil {
			t.Fatal(err)
		}
		if _, err := b.rule("Echo", rules.WhenUpdated, []rules.Condition{{Field: rules.FieldSubject, Op: rules.OpEquals, Value: "echo"}},
			rules.Action{Type: rules.ActionAddTag, Value: "echoed"}, sendTo(w.ID)); err != nil {
			t.Fatal(err)
		}
		echo := b.newTicket("Echo")
		if err := b.setPriority(echo, domain.PriorityHigh); err != nil {
			t.Fatal(err)
		}
		b.settled(w.ID)
		n := 0
		for _, r := range b.ruleFired() {
			if body := decode(t, r.Body); body["ticket_id"] == float64(echo) {
				n++
				if rule, _ := body["rule"].(map[string]any); rule["name"] != "Echo" {
					t.Fatalf("rule %v fired on the echo ticket", rule)
				}
			}
		}
		if n != 1 || echo == id {
			t.Fatalf("Echo sent %d ticket.rule_fired", n)
		}
	})
}

// TestRuleFiredIsNoSubscription: ticket.rule_fired is sent only where a
// rule names the webhook; a webhook cannot subscribe to it.
func TestRuleFiredIsNoSubscription(t *testing.T) {
	t.Parallel()
	if slices.Contains(webhook.Events(), webhook.EventTicketRuleFired) || !slices.Contains(webhook.AllEvents(), webhook.EventTicketRuleFired) {
		t.Fatalf("Events %v, AllEvents %v", webhook.Events(), webhook.AllEvents())
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{})
		u, events := b.recv.srv.URL+"/x", []string{webhook.EventTicketRuleFired}
		if _, err := b.s.Create(b.e.Ctx, b.admin, webhook.Input{URL: &u, Events: &events}); err == nil || !strings.Contains(err.Error(), "ticket.rule_fired") {
			t.Fatalf("subscribed to ticket.rule_fired: %v", err)
		}
	})
}
