package ticket_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

func (e *env) rule(name string, when rules.When, conds []rules.Condition, acts ...rules.Action) int64 {
	e.t.Helper()
	w := string(when)
	r, err := e.svc.CreateRule(e.ctx, ticket.RuleInput{Name: &name, When: &w, Conditions: &conds, Actions: &acts})
	if err != nil {
		e.t.Fatalf("rule %s: %v", name, err)
	}
	return r.ID
}

func withPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// TestRuleActsOnNewMail: a created rule sets priority and a tag on a new
// ticket whose subject matches, records that it fired by name, and leaves
// other mail alone.
func TestRuleActsOnNewMail(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		e.rule("Billing", rules.WhenCreated, []rules.Condition{{Field: "subject", Op: "contains", Value: "INVOICE"}},
			rules.Action{Type: "set_priority", Value: "high"}, rules.Action{Type: "add_tag", Value: "billing"})
		res := e.receive(e.mb, msg("From: ann@customer.test", "To: support@acme.test", "Subject: Invoice 42 is wrong", "Message-ID: <r1@customer.test>"))
		tk := e.ticket(res.TicketID)
		if tk.Priority != domain.PriorityHigh || !slices.Equal(tk.Tags, []string{"billing"}) {
			t.Fatalf("ticket %+v", tk)
		}
		if got := withPrefix(e.eventKinds(tk.ID), "rule_fired:"); !slices.Equal(got, []string{"rule_fired:Billing"}) {
			t.Fatalf("events %v", e.eventKinds(tk.ID))
		}
		other := e.receive(e.mb, msg("From: bob@customer.test", "To: support@acme.test", "Subject: Printer", "Message-ID: <r2@customer.test>"))
		if tk := e.ticket(other.TicketID); tk.Priority != domain.PriorityNormal || len(tk.Tags) != 0 {
			t.Fatalf("unmatched ticket %+v", tk)
		}
	})
}

// TestRuleSetsTeam: set_team puts a new ticket in a team, the team's
// automatic assignment follows in the same change, and a rule on the team
// field sees it (the assignment is an update); a team deleted since is a
// rule_failed entry, and the mail stays.
func TestRuleSetsTeam(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		admin, agent := e.agent(), e.agent()
		team, err := e.svc.CreateTeam(e.ctx, admin, ticket.TeamInput{Name: ptr("Billing"), MemberIDs: &[]int64{agent.ID}, Assignment: ptr("round_robin")})
		if err != nil {
			t.Fatal(err)
		}
		gone, err := e.svc.CreateTeam(e.ctx, admin, ticket.TeamInput{Name: ptr("Gone"), Assignment: ptr("manual")})
		if err != nil {
			t.Fatal(err)
		}
		e.rule("To billing", rules.WhenCreated, []rules.Condition{{Field: "subject", Op: "contains", Value: "invoice"}},
			rules.Action{Type: "set_team", Value: fmt.Sprint(team.ID)})
		e.rule("Billing tag", rules.WhenUpdated, []rules.Condition{{Field: "team", Op: "equals", Value: "BILLING"}},
			rules.Action{Type: "add_tag", Value: "billing"})
		e.rule("To gone", rules.WhenCreated, []rules.Condition{{Field: "subject", Op: "contains", Value: "refund"}},
			rules.Action{Type: "set_team", Value: fmt.Sprint(gone.ID)})
		if err := e.svc.DeleteTeam(e.ctx, admin, gone.ID); err != nil {
			t.Fatal(err)
		}

		res := e.receive(e.mb, msg("From: ann@customer.test", "To: support@acme.test", "Subject: Invoice 7", "Message-ID: <t1@customer.test>"))
		tk := e.ticket(res.TicketID)
		if tk.Team == nil || tk.Team.ID != team.ID || tk.Assignee == nil || tk.Assignee.ID != agent.ID || !slices.Equal(tk.Tags, []string{"billing"}) {
			t.Fatalf("ticket %+v (team %+v, assignee %+v)", tk, tk.Team, tk.Assignee)
		}

		res = e.receive(e.mb, msg("From: bob@customer.test", "To: support@acme.test", "Subject: Refund please", "Message-ID: <t2@customer.test>"))
		tk = e.ticket(res.TicketID)
		if tk.Team != nil || len(tk.Tags) != 0 {
			t.Fatalf("ticket %+v (team %+v)", tk, tk.Team)
		}
		if n := len(withPrefix(e.eventKinds(tk.ID), "rule_failed:To gone: ")); n != 1 {
			t.Fatalf("events %v", e.eventKinds(tk.ID))
		}
	})
}

// TestFailingRuleKeepsMail: a rule whose actions cannot be done (an agent
// since disabled, a status the status rules refuse, a deleted macro) records
// rule_failed, and the message and the rest of the rule's actions stay.
func TestFailingRuleKeepsMail(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		agent := e.agent()
		owner := e.agent()
		mac, err := e.svc.CreateMacro(e.ctx, owner, ticket.MacroInput{Name: ptr("m"), Body: ptr("Hi"), Shared: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		e.rule("Broken", rules.WhenCreated, nil,
			rules.Action{Type: "assign_agent", Value: fmt.Sprint(agent.ID)}, rules.Action{Type: "set_status", Value: "closed"},
			rules.Action{Type: "reply_macro", Value: fmt.Sprint(mac.ID)}, rules.Action{Type: "add_tag", Value: "seen"})
		if _, err := e.st.DB().Exec(e.ctx, `UPDATE users SET disabled = TRUE WHERE id = $1`, agent.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteMacro(e.ctx, owner, mac.ID); err != nil {
			t.Fatal(err)
		}
		res := e.receive(e.mb, msg("From: ann@customer.test", "To: support@acme.test", "Subject: Hello", "Message-ID: <f1@customer.test>"))
		tk := e.ticket(res.TicketID)
		if tk.Status != domain.StatusNew || tk.Assignee != nil || !slices.Equal(tk.Tags, []string{"seen"}) {
			t.Fatalf("ticket %+v", tk)
		}
		if n := len(withPrefix(e.eventKinds(tk.ID), "rule_failed:Broken: ")); n != 3 {
			t.Fatalf("want 3 rule_failed events: %v", e.eventKinds(tk.ID))
		}
		if len(e.messages(tk.ID)) == 0 {
			t.Fatal("the message is lost")
		}
	})
}

// TestRuleChainStops: rules triggering each other stop after maxRuleDepth
// rules (3): created adds t1; updated rules add t2 on t1, t3 on t2, t4 on t3.
func TestRuleChainStops(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		e.rule("r1", rules.WhenCreated, nil, rules.Action{Type: "add_tag", Value: "t1"})
		for i := 2; i <= 5; i++ {
			e.rule(fmt.Sprintf("r%d", i), rules.WhenUpdated, []rules.Condition{{Field: "tag", Op: "equals", Value: fmt.Sprintf("t%d", i-1)},
				{Field: "tag", Op: "not_equals", Value: fmt.Sprintf("t%d", i)}}, rules.Action{Type: "add_tag", Value: fmt.Sprintf("t%d", i)})
		}
		res := e.receive(e.mb, msg("From: ann@customer.test", "To: support@acme.test", "Subject: Hello", "Message-ID: <c1@customer.test>"))
		tk := e.ticket(res.TicketID)
		if want := []string{"t1", "t2", "t3"}; !slices.Equal(tk.Tags, want) {
			t.Fatalf("tags %v, want %v (a chain of 3 rules)", tk.Tags, want)
		}
	})
}

// TestRuleNeverRetriggersItself: an updated rule that matches every change
// fires once on an agent's change, not again on its own.
func TestRuleNeverRetriggersItself(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		e.rule("Echo", rules.WhenUpdated, nil, rules.Action{Type: "add_note", Value: "changed"})
		high := domain.PriorityHigh
		if _, err := e.svc.UpdateTicket(e.ctx, e.agent(), tk.ID, ticket.TicketUpdate{Priority: &high}); err != nil {
			t.Fatal(err)
		}
		if n := len(withPrefix(e.eventKinds(tk.ID), "rule_fired:")); n != 1 {
			t.Fatalf("fired %d times: %v", n, e.eventKinds(tk.ID))
		}
	})
}

// TestRuleReplyOncePerTicket: a customer_replied rule answers with a macro
// once per ticket, and never automatic mail.
func TestRuleReplyOncePerTicket(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		mac, err := e.svc.CreateMacro(e.ctx, e.agent(), ticket.MacroInput{Name: ptr("thanks"), Body: ptr("Thanks {{requester.first_name}}, ticket {{ticket.id}}."), Shared: ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		_, tk := e.newConversation()
		e.rule("Thank", rules.WhenCustomerReplied, nil, rules.Action{Type: "reply_macro", Value: fmt.Sprint(mac.ID)})
		auto := e.receive(e.mb, msg("From: alice@customer.test", "Subject: Out of office", "Auto-Submitted: auto-replied",
			"Message-ID: <o1@customer.test>", "In-Reply-To: <m1@customer.test>"))
		if auto.TicketID != tk.ID {
			t.Fatalf("the automatic reply went to %+v", auto)
		}
		replies := func() []store.Message {
			var out []store.Message
			for _, m := range e.messages(tk.ID) {
				if m.AutoReason == "rule" {
					out = append(out, m)
				}
			}
			return out
		}
		if n := len(replies()); n != 0 {
			t.Fatalf("replied %d times to automatic mail", n)
		}
		for i := range 2 {
			e.receive(e.mb, msg("From: alice@customer.test", "To: support@acme.test", "Subject: Re: Printer on fire",
				fmt.Sprintf("Message-ID: <re%d@customer.test>", i), "In-Reply-To: <m1@customer.test>"))
		}
		got := replies()
		if len(got) != 1 || !strings.Contains(got[0].Text, fmt.Sprintf("ticket %d.", tk.ID)) || got[0].To[0].Email != "alice@customer.test" {
			t.Fatalf("rule replies %+v", got)
		}
	})
}

// TestTimeRule: "pending for 7 days -> solved" acts only once the time has
// passed (a controllable clock), once, on the tickets of that status.
func TestTimeRule(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		_, other := e.newConversationFrom("carl@customer.test", "<other@customer.test>")
		pending := domain.StatusPending
		if _, err := e.svc.UpdateTicket(e.ctx, e.agent(), tk.ID, ticket.TicketUpdate{Status: &pending}); err != nil {
			t.Fatal(err)
		}
		e.rule("Close quiet", rules.WhenTime, []rules.Condition{{Field: "status", Op: "equals", Value: "pending"},
			{Field: "hours_since_updated", Op: "gt", Value: "168"}}, rules.Action{Type: "set_status", Value: "solved"})
		run := func() int {
			t.Helper()
			n, err := e.svc.RunTimeRules(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		e.now = e.now.Add(100 * time.Hour)
		if n := run(); n != 0 || e.ticket(tk.ID).Status != domain.StatusPending {
			t.Fatalf("fired %d times after 100 hours", n)
		}
		e.now = e.now.Add(70 * time.Hour)
		if n := run(); n != 1 || e.ticket(tk.ID).Status != domain.StatusSolved {
			t.Fatalf("fired %d times after 170 hours; ticket %s", n, e.ticket(tk.ID).Status)
		}
		if n := run(); n != 0 {
			t.Fatalf("fired again: %d", n)
		}
		if e.ticket(other).Status == domain.StatusSolved {
			t.Fatal("a ticket of another status was solved")
		}
	})
}

// TestRuleSaveRefuses: unknown fields, ops and actions, and actions naming
// a disabled agent or a personal macro are refused with the field named.
func TestRuleSaveRefuses(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		owner := e.agent()
		personal, err := e.svc.CreateMacro(e.ctx, owner, ticket.MacroInput{Name: ptr("mine"), Body: ptr("Hi")})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name  string
			conds []rules.Condition
			acts  []rules.Action
			field string
		}{
			{"unknown field", []rules.Condition{{Field: "shoe_size", Op: "equals", Value: "x"}}, []rules.Action{{Type: "add_tag", Value: "x"}}, "conditions[0].field"},
			{"bad regexp", []rules.Condition{{Field: "subject", Op: "matches", Value: "("}}, []rules.Action{{Type: "add_tag", Value: "x"}}, "conditions[0].value"},
			{"unknown action", nil, []rules.Action{{Type: "set_group", Value: "1"}}, "actions[0].type"},
			{"no such agent", nil, []rules.Action{{Type: "assign_agent", Value: "999999"}}, "actions[0].value"},
			{"personal macro", nil, []rules.Action{{Type: "add_tag", Value: "x"}, {Type: "reply_macro", Value: fmt.Sprint(personal.ID)}}, "actions[1].value"},
			{"no such webhook", nil, []rules.Action{{Type: "add_tag", Value: "x"}, {Type: "webhook", Value: "999999"}}, "actions[1].value"},
		}
		for _, tc := range cases {
			w := "created"
			_, err := e.svc.CreateRule(e.ctx, ticket.RuleInput{Name: ptr(tc.name), When: &w, Conditions: &tc.conds, Actions: &tc.acts})
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Field != tc.field {
				t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
			}
		}
		if list, _ := e.svc.Rules(e.ctx); len(list) != 0 {
			t.Fatalf("saved %d rules", len(list))
		}
	})
}

// TestRuleTest: "test this rule" names the latest tickets the rule matches
// and changes nothing.
func TestRuleTest(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		e.newConversationFrom("carl@customer.test", "<other@customer.test>")
		w := "created"
		conds := []rules.Condition{{Field: "from_domain", Op: "equals", Value: "customer.test"}, {Field: "body", Op: "contains", Value: "ON FIRE"},
			{Field: "from", Op: "starts_with", Value: "alice"}}
		acts := []rules.Action{{Type: "set_priority", Value: "urgent"}}
		matched, checked, err := e.svc.TestRule(e.ctx, ticket.RuleInput{Name: ptr("t"), When: &w, Conditions: &conds, Actions: &acts})
		if err != nil {
			t.Fatal(err)
		}
		if checked != 2 || len(matched) != 1 || matched[0].ID != tk.ID {
			t.Fatalf("checked %d, matched %+v", checked, matched)
		}
		if e.ticket(tk.ID).Priority != domain.PriorityNormal {
			t.Fatal("testing a rule changed the ticket")
		}
	})
}

// TestRuleTestSize: the test looks at the last 100 tickets.
func TestRuleTestSize(t *testing.T) {
	t.Parallel()
	if ticket.RuleTestSize != 100 {
		t.Fatalf("RuleTestSize = %d; the issue and the UI say the last 100 tickets", ticket.RuleTestSize)
	}
}

func ptr[T any](v T) *T { return &v }

// TestTimeRulesJob: the pass is a periodic job every 5 minutes on the
// maintenance queue, tried once (the next pass is its retry), and its
// worker runs RunTimeRules, logging a pass that fired rules (with their
// number) and staying quiet about one that fired none.
func TestTimeRulesJob(t *testing.T) {
	t.Parallel()
	if ticket.TimeRulesInterval != 5*time.Minute {
		t.Fatalf("TimeRulesInterval = %v; the README and the UI say every 5 minutes", ticket.TimeRulesInterval)
	}
	if o := (ticket.TimeRulesArgs{}).InsertOpts(); o.Queue != jobs.QueueMaintenance || o.MaxAttempts != 1 {
		t.Fatalf("insert options %+v", o)
	}
	if ticket.RuleTimeBatch != 500 {
		t.Fatalf("RuleTimeBatch = %d; the README says 500 per rule per pass", ticket.RuleTimeBatch)
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		var out syncBuffer
		e := newEnvWith(t, dsn, mailboxtest.Options{Log: slog.New(slog.NewTextHandler(&out, nil))})
		_, tk := e.newConversation()
		e.rule("Old new tickets", rules.WhenTime, []rules.Condition{{Field: "status", Op: "equals", Value: "new"},
			{Field: "hours_since_created", Op: "gt", Value: "1"}}, rules.Action{Type: "add_tag", Value: "stale"})
		w := &ticket.TimeRulesWorker{Service: e.svc}
		if err := w.Work(e.ctx, &river.Job[ticket.TimeRulesArgs]{}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), "time rules") {
			t.Fatalf("a pass that fired no rule logged: %s", out.String())
		}
		e.now = e.now.Add(2 * time.Hour)
		if err := w.Work(e.ctx, &river.Job[ticket.TimeRulesArgs]{}); err != nil {
			t.Fatal(err)
		}
		if tags := e.ticket(tk.ID).Tags; !slices.Equal(tags, []string{"stale"}) {
			t.Fatalf("tags %v", tags)
		}
		if !strings.Contains(out.String(), `msg="time rules" fired=1`) {
			t.Fatalf("the pass that fired a rule logged %q", out.String())
		}
	})
}

// TestTimeRulesReadOnlyQuietTickets: a time rule's pass reads only the
// tickets quiet for its hours (the index's window), so a ticket updated since
// costs the pass no statement. Each ticket read is a transaction of its own:
// a wider window shows in the count even though the rule's conditions still
// refuse those tickets.
func TestTimeRulesReadOnlyQuietTickets(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		e.rule("Quiet for a day", rules.WhenTime, []rules.Condition{{Field: "status", Op: "equals", Value: "new"},
			{Field: "hours_since_updated", Op: "gt", Value: "24"}}, rules.Action{Type: "add_tag", Value: "quiet"})
		db := e.st.DB()
		pass := func() int64 {
			t.Helper()
			before := db.Statements()
			if n, err := e.svc.RunTimeRules(e.ctx); err != nil || n != 0 {
				t.Fatalf("pass: %d fired, %v", n, err)
			}
			return db.Statements() - before
		}
		pass() // what a pass reads once
		empty := pass()
		e.newConversation()
		e.now = e.now.Add(23 * time.Hour)
		if got := pass(); got != empty {
			t.Fatalf("a pass made %d statements with a ticket updated 23 hours ago, %d with none: it read the ticket", got, empty)
		}
	})
}

// TestFiredRulesMakeOneChange: the rules that fire on one change make their
// changes as one (the hooks run once for them) while each keeps its audit
// entries under its own name; a rule that notifies keeps a change of its
// own (the notification names it), and an updated rule runs once on the
// joined change.
func TestFiredRulesMakeOneChange(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		var mu sync.Mutex
		var seen []string // the rule changes the hooks ran for: their rule_fired entries
		count := ticket.Hook{Stage: ticket.StageWebhooks, Name: "count", Run: func(_ context.Context, _ *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
			if a.Rule != nil {
				mu.Lock()
				seen = append(seen, strings.Join(withPrefix(kindsOf(a.Events), "rule_fired:"), "+"))
				mu.Unlock()
			}
			return nil, nil
		}}
		e := newQuietEnv(t, dsn, mailboxtest.Options{Hooks: []ticket.Hook{count}})
		agent := e.agent()
		e.rule("A", rules.WhenCreated, nil, rules.Action{Type: "add_tag", Value: "a"})
		e.rule("B", rules.WhenCreated, nil, rules.Action{Type: "add_tag", Value: "b"}, rules.Action{Type: "set_priority", Value: "high"})
		e.rule("Tell", rules.WhenCreated, nil, rules.Action{Type: "notify", Value: fmt.Sprint(agent.ID)}, rules.Action{Type: "add_tag", Value: "t"})
		e.rule("C", rules.WhenCreated, nil, rules.Action{Type: "add_tag", Value: "c"})
		e.rule("D", rules.WhenUpdated, []rules.Condition{{Field: "tag", Op: "equals", Value: "a"}}, rules.Action{Type: "add_tag", Value: "d"})

		res := e.receive(e.mb, msg("From: ann@customer.test", "To: support@acme.test", "Subject: Hello", "Message-ID: <one@customer.test>"))
		tk := e.ticket(res.TicketID)
		if want := []string{"a", "b", "c", "d", "t"}; !slices.Equal(tk.Tags, want) || tk.Priority != domain.PriorityHigh {
			t.Fatalf("tags %v priority %s, want %v high", tk.Tags, tk.Priority, want)
		}
		mu.Lock()
		got := slices.Clone(seen)
		mu.Unlock()
		// The hooks see a change once its own hooks' changes are made: D's
		// comes before the change it ran on. D runs once on A and B's change
		// (it ran once on each before), and again on Tell's and C's.
		if want := []string{"rule_fired:D", "rule_fired:A+rule_fired:B", "rule_fired:D", "rule_fired:Tell", "rule_fired:D", "rule_fired:C"}; !slices.Equal(got, want) {
			t.Fatalf("rule changes %q, want %q", got, want)
		}
		evs, err := e.st.ListEvents(e.ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var trail []string
		for _, ev := range evs {
			if strings.HasPrefix(ev.Actor, "rule: ") {
				trail = append(trail, ev.Actor+" "+ev.Kind+":"+ev.NewValue)
			}
		}
		want := []string{"rule: A rule_fired:A", "rule: A tags_changed:a",
			"rule: B rule_fired:B", "rule: B priority_changed:high", "rule: B tags_changed:a,b",
			"rule: D rule_fired:D", "rule: D tags_changed:a,b,d",
			"rule: Tell rule_fired:Tell", "rule: Tell tags_changed:a,b,d,t", "rule: D rule_fired:D",
			"rule: C rule_fired:C", "rule: C tags_changed:a,b,c,d,t", "rule: D rule_fired:D"}
		if !slices.Equal(trail, want) {
			t.Fatalf("audit trail\n%q\nwant\n%q", trail, want)
		}
	})
}

func kindsOf(evs []ticket.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = string(e.Kind) + ":" + e.NewValue
	}
	return out
}

// TestRuleReadsWhatItUses: a rule on the hours since the customer's last
// message reads it when the change brings no message (an agent's update),
// and a rule on the mailbox reads the ticket's; each fires only on the
// tickets it matches.
func TestRuleReadsWhatItUses(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		agent := e.agent()
		e.rule("Waiting", rules.WhenUpdated, []rules.Condition{{Field: "hours_since_customer_message", Op: "gt", Value: "4"}},
			rules.Action{Type: "add_tag", Value: "waiting"})
		e.rule("Sales", rules.WhenCreated, []rules.Condition{{Field: "mailbox", Op: "equals", Value: "Acme Sales"}},
			rules.Action{Type: "add_tag", Value: "sales"})
		t0 := e.now
		old := e.receive(e.mb, msg("From: ann@customer.test", "To: support@acme.test", "Subject: Old", "Message-ID: <old@customer.test>")).TicketID
		e.now = at(t0, 5*time.Hour)
		recent := e.receive(e.mb, msg("From: bob@customer.test", "To: support@acme.test", "Subject: Recent", "Message-ID: <recent@customer.test>")).TicketID
		sales := e.receive(e.mb2, msg("From: carl@customer.test", "To: sales@acme.test", "Subject: Quote", "Message-ID: <quote@customer.test>")).TicketID
		for _, c := range []struct {
			name string
			id   int64
			want []string
		}{
			{"customer silent 5 hours", old, []string{"waiting"}},
			{"customer wrote just now", recent, nil},
			{"mail to sales", sales, []string{"sales"}},
		} {
			if _, err := e.svc.UpdateTicket(e.ctx, agent, c.id, ticket.TicketUpdate{Priority: priority(domain.PriorityHigh)}); err != nil {
				t.Fatal(err)
			}
			if got := e.ticket(c.id).Tags; !slices.Equal(got, c.want) && len(got)+len(c.want) > 0 {
				t.Errorf("%s: tags %v, want %v", c.name, got, c.want)
			}
		}
	})
}

// TestRuleTagPastLimit: a rule's tag that would be one too many is the
// rule's failure, recorded; the agent's change that triggered it stays.
func TestRuleTagPastLimit(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		agent := e.agent()
		e.rule("Overflow", rules.WhenUpdated, []rules.Condition{{Field: "priority", Op: "equals", Value: "high"}},
			rules.Action{Type: "add_tag", Value: "one-more"})
		_, tk := e.newConversation()
		full := make([]string, 50)
		for i := range full {
			full[i] = fmt.Sprintf("tag%02d", i)
		}
		if _, err := e.svc.UpdateTicket(e.ctx, agent, tk.ID, ticket.TicketUpdate{Tags: &full, Priority: priority(domain.PriorityHigh)}); err != nil {
			t.Fatalf("the agent's change failed with the rule's: %v", err)
		}
		if got := e.ticket(tk.ID); got.Priority != domain.PriorityHigh || !slices.Equal(got.Tags, full) {
			t.Fatalf("ticket %s %v", got.Priority, got.Tags)
		}
		if got := withPrefix(e.eventKinds(tk.ID), "rule_failed:"); !slices.Equal(got, []string{"rule_failed:Overflow: tags: at most 50 tags"}) {
			t.Fatalf("events %v", e.eventKinds(tk.ID))
		}
	})
}

// TestUpdateRule: an update changes what it names and keeps the rest; the
// list shows the rule as changed, and it acts so from the next change.
func TestUpdateRule(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		id := e.rule("Tag", rules.WhenCreated, nil, rules.Action{Type: "add_tag", Value: "one"})
		acts := []rules.Action{{Type: "add_tag", Value: "two"}}
		got, err := e.svc.UpdateRule(e.ctx, id, ticket.RuleInput{Name: ptr("Tag two"), Actions: &acts})
		if err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Rules(e.ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("rules %v %v", list, err)
		}
		for _, r := range []ticket.StoredRule{got, list[0]} {
			if r.ID != id || r.Name != "Tag two" || r.When != rules.WhenCreated || !slices.Equal(r.Actions, acts) {
				t.Fatalf("rule %+v", r.Rule)
			}
		}
		_, tk := e.newConversation()
		if !slices.Equal(tk.Tags, []string{"two"}) {
			t.Fatalf("tags %v", tk.Tags)
		}
	})
}

// TestRuleWebhookAction: a rule's webhook action puts the webhook on the
// rule's change once (a disabled one too: the webhooks hook skips it), a
// webhook deleted since the rule was saved is the rule's failure, and any
// other error reading the webhook fails the change instead of dropping or
// sending the webhook unread.
func TestRuleWebhookAction(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		var mu sync.Mutex
		var seen [][]int64 // the webhooks of each rule change, as the hooks see them
		record := ticket.Hook{Stage: ticket.StageWebhooks, Name: "record", Run: func(_ context.Context, _ *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
			if a.Rule != nil {
				mu.Lock()
				seen = append(seen, slices.Clone(a.Webhooks))
				mu.Unlock()
			}
			return nil, nil
		}}
		e := newQuietEnv(t, dsn, mailboxtest.Options{Hooks: []ticket.Hook{record}})
		hook := func(enabled bool) int64 {
			t.Helper()
			id, err := e.st.CreateWebhook(e.ctx, e.st.DB().W(), store.Webhook{URL: "https://hooks.example.test/x", Events: []string{"ticket.rule_fired"}, Enabled: enabled, CreatedAt: e.now})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		on, off, gone := hook(true), hook(false), hook(true)
		webhook := func(id int64) rules.Action { return rules.Action{Type: "webhook", Value: fmt.Sprint(id)} }
		id := e.rule("Hook", rules.WhenUpdated, nil, webhook(on), webhook(gone), webhook(on), webhook(off), rules.Action{Type: "add_tag", Value: "hooked"})
		if err := e.st.DeleteWebhook(e.ctx, e.st.DB().W(), gone); err != nil {
			t.Fatal(err)
		}
		agent := e.agent()
		_, tk := e.newConversation()
		if _, err := e.svc.UpdateTicket(e.ctx, agent, tk.ID, ticket.TicketUpdate{Priority: priority(domain.PriorityHigh)}); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := slices.Clone(seen)
		mu.Unlock()
		if want := [][]int64{{on, off}}; !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("rule changes' webhooks %v, want %v", got, want)
		}
		if tags := e.ticket(tk.ID).Tags; !slices.Equal(tags, []string{"hooked"}) {
			t.Fatalf("tags %v", tags)
		}
		want := fmt.Sprintf("rule_failed:Hook: webhook %d does not exist", gone)
		if got := withPrefix(e.eventKinds(tk.ID), "rule_failed:"); !slices.Equal(got, []string{want}) {
			t.Fatalf("events %v, want one %q", e.eventKinds(tk.ID), want)
		}

		// The table gone: reading a webhook fails, and not as "not found".
		if _, err := e.st.DB().W().Exec(e.ctx, `ALTER TABLE webhooks RENAME TO webhooks_moved`); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.UpdateTicket(e.ctx, agent, tk.ID, ticket.TicketUpdate{Priority: priority(domain.PriorityUrgent)})
		if want := fmt.Sprintf("rule %d (Hook): webhook %d: ", id, on); err == nil || errors.Is(err, store.ErrNotFound) || !strings.Contains(err.Error(), want) {
			t.Fatalf("update with the webhooks unreadable: %v, want the store's error after %q", err, want)
		}
		if p := e.ticket(tk.ID).Priority; p != domain.PriorityHigh {
			t.Fatalf("priority %s: the failed change was kept", p)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != 1 {
			t.Fatalf("rule changes' webhooks %v: the failed change ran its hooks", seen)
		}
	})
}

// TestCustomerRepliedRuleKinds: a customer_replied rule runs on what the
// customer's side sent (a reply, an automatic reply, which the rule sees as
// automatic), not on our own answer written from another mail client; the
// hours since the customer's message, on an automatic reply, count from the
// customer's last message, not from the automatic one.
func TestCustomerRepliedRuleKinds(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		e.rule("Spoke", rules.WhenCustomerReplied, nil, rules.Action{Type: "add_note", Value: "the customer's side wrote"})
		e.rule("Automatic", rules.WhenCustomerReplied, []rules.Condition{{Field: "automatic", Op: "equals", Value: "true"}},
			rules.Action{Type: "add_note", Value: "automatic"})
		e.rule("Waited", rules.WhenCustomerReplied, []rules.Condition{{Field: "hours_since_customer_message", Op: "gt", Value: "4"}},
			rules.Action{Type: "add_note", Value: "waited"})
		e.now = at(e.now, 5*time.Hour)
		steps := []struct {
			name string
			mail []byte
			want []string // the rules fired by the end of the step
		}{
			{"our answer from another mail client", msg("From: Support <support@acme.test>", "To: alice@customer.test", "Subject: Re: Printer on fire",
				"Message-ID: <outlook-1@acme.test>", "In-Reply-To: <m1@customer.test>"), nil},
			{"an automatic reply", msg("From: alice@customer.test", "To: support@acme.test", "Subject: Out of office", "Auto-Submitted: auto-replied",
				"Message-ID: <ooo@customer.test>", "In-Reply-To: <m1@customer.test>"), []string{"rule_fired:Spoke", "rule_fired:Automatic", "rule_fired:Waited"}},
			{"the customer's reply", msg("From: alice@customer.test", "To: support@acme.test", "Subject: Re: Printer on fire",
				"Message-ID: <re1@customer.test>", "In-Reply-To: <m1@customer.test>"), []string{"rule_fired:Spoke", "rule_fired:Automatic", "rule_fired:Waited", "rule_fired:Spoke"}},
		}
		for _, s := range steps {
			if res := e.receive(e.mb, s.mail); res.TicketID != tk.ID {
				t.Fatalf("%s: went to %+v, want ticket %d", s.name, res, tk.ID)
			}
			if got := withPrefix(e.eventKinds(tk.ID), "rule_fired:"); !slices.Equal(got, s.want) {
				t.Fatalf("%s: fired %v, want %v", s.name, got, s.want)
			}
		}
	})
}

// TestRuleReplyMacroActions: a rule's reply with a macro answers the
// triggering message (In-Reply-To, References), is recorded as reply_queued
// on the rule's change, and brings the macro's actions, the rule's own
// fields first (its priority stays).
func TestRuleReplyMacroActions(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e := newEnv(t, dsn)
		agent := e.agent()
		pending, high := domain.StatusPending, domain.PriorityHigh
		mac, err := e.svc.CreateMacro(e.ctx, e.agent(), ticket.MacroInput{Name: ptr("thanks"), Body: ptr("Thanks."), Shared: ptr(true),
			Actions: &ticket.MacroActions{Status: &pending, Priority: &high, TagsAdd: []string{"answered"}, AssigneeID: agent.ID}})
		if err != nil {
			t.Fatal(err)
		}
		_, tk := e.newConversation()
		e.rule("Thank", rules.WhenCustomerReplied, nil, rules.Action{Type: "set_priority", Value: "low"},
			rules.Action{Type: "reply_macro", Value: fmt.Sprint(mac.ID)})
		e.receive(e.mb, msg("From: alice@customer.test", "To: support@acme.test", "Subject: Re: Printer on fire",
			"Message-ID: <re1@customer.test>", "In-Reply-To: <m1@customer.test>", "References: <m1@customer.test>"))
		var reply *store.Message
		for _, m := range e.messages(tk.ID) {
			if m.AutoReason == "rule" {
				reply = &m
			}
		}
		if reply == nil || reply.InReplyTo != "re1@customer.test" || !slices.Contains(reply.References, "m1@customer.test") {
			t.Fatalf("rule reply %+v", reply)
		}
		got := e.ticket(tk.ID)
		if got.Status != domain.StatusPending || got.Priority != domain.PriorityLow || got.Assignee == nil || got.Assignee.ID != agent.ID ||
			!slices.Equal(got.Tags, []string{"answered"}) {
			t.Fatalf("ticket %s %s %+v %v, want pending, low (the rule's), the macro's agent and tag", got.Status, got.Priority, got.Assignee, got.Tags)
		}
		if queued := withPrefix(e.eventKinds(tk.ID), "reply_queued:"); !slices.Equal(queued, []string{fmt.Sprintf("reply_queued:%d", reply.ID)}) {
			t.Fatalf("events %v", e.eventKinds(tk.ID))
		}
	})
}
