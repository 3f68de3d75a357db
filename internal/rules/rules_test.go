package rules

import (
	"errors"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
)

func snap() *Snapshot {
	s := Snapshot{From: "Ann@Example.COM", To: []string{"Support@Acme.test", "billing@acme.test"}, Mailbox: []string{"Support", "support@acme.test"},
		Subject: "Invoice 42 overdue", Body: "Hello, my INVOICE is wrong.", Tags: []string{"vip", "billing"}, Status: "open", Priority: "high",
		Assignee: "bob@acme.test", Team: "Billing", Organisation: "Acme Corp", HoursSinceCreated: 10, HoursSinceUpdated: 2, HoursSinceCustomer: 5}.Normalize()
	return &s
}

func TestConditions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field Field
		op    Op
		value string
		want  bool
	}{
		{FieldFrom, OpEquals, "ann@example.com", true},
		{FieldFrom, OpEquals, "ANN@EXAMPLE.COM", true}, // case ignored on both sides
		{FieldFrom, OpNotEquals, "ann@example.com", false},
		{FieldFrom, OpContains, "EXAMPLE", true},
		{FieldFrom, OpNotContains, "example", false},
		{FieldFrom, OpStartsWith, "ann@", true},
		{FieldFrom, OpStartsWith, "bob@", false},
		{FieldFrom, OpMatches, `^ann@.*\.com$`, true},
		{FieldFromDomain, OpEquals, "example.com", true},
		{FieldFromDomain, OpEquals, "acme.test", false},
		{FieldTo, OpEquals, "BILLING@acme.test", true},
		{FieldTo, OpNotEquals, "billing@acme.test", false},
		{FieldTo, OpNotEquals, "sales@acme.test", true},
		{FieldTo, OpContains, "billing", true},
		{FieldTo, OpNotContains, "sales", true},
		{FieldMailbox, OpEquals, "support", true},
		{FieldMailbox, OpStartsWith, "supp", true},
		{FieldSubject, OpContains, "invoice", true},
		{FieldSubject, OpContains, "refund", false},
		{FieldSubject, OpNotContains, "refund", true},
		{FieldSubject, OpStartsWith, "INVOICE", true},
		{FieldSubject, OpMatches, `invoice \d+`, true},
		{FieldSubject, OpMatches, `^overdue`, false},
		{FieldBody, OpContains, "invoice is wrong", true},
		{FieldTag, OpEquals, "VIP", true},
		{FieldTag, OpEquals, "spam", false},
		{FieldTag, OpNotEquals, "spam", true},
		{FieldTag, OpNotEquals, "vip", false},
		{FieldStatus, OpEquals, "open", true},
		{FieldStatus, OpNotEquals, "open", false},
		{FieldPriority, OpEquals, "HIGH", true},
		{FieldAssignee, OpEquals, "bob@acme.test", true},
		{FieldAssignee, OpEquals, "", false},
		{FieldTeam, OpEquals, "BILLING", true},
		{FieldTeam, OpNotEquals, "billing", false},
		{FieldTeam, OpEquals, "", false},
		{FieldOrganisation, OpEquals, "acme corp", true},
		{FieldOrganisation, OpStartsWith, "Globex", false},
		{FieldOrganisation, OpEquals, "", false},
		{FieldHoursSinceCreated, OpGt, "9.5", true},
		{FieldHoursSinceCreated, OpLt, "10", false},
		{FieldHoursSinceCreated, OpEquals, "10", true},
		{FieldHoursSinceUpdated, OpLt, "3", true},
		{FieldHoursSinceUpdated, OpNotEquals, "2", false},
		{FieldHoursSinceCustomer, OpGt, "4", true},
		{FieldAutomatic, OpEquals, "false", true},
		{FieldAutomatic, OpNotEquals, "false", false},
	}
	seenField, seenOp := map[Field]bool{}, map[Op]bool{}
	for _, tc := range cases {
		seenField[tc.field], seenOp[tc.op] = true, true
		t.Run(string(tc.field)+"_"+string(tc.op)+"_"+tc.value, func(t *testing.T) {
			t.Parallel()
			c, err := Compile(Rule{Name: "r", When: WhenCreated, Conditions: []Condition{{tc.field, tc.op, tc.value}},
				Actions: []Action{{ActionAddTag, "x"}}})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Matches(snap()); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	for _, f := range Fields() {
		if !seenField[f] {
			t.Errorf("field %s has no case", f)
		}
	}
	for _, op := range Ops() {
		if !seenOp[op] {
			t.Errorf("op %s has no case", op)
		}
	}
}

func TestNoCustomerMessageNeverCompares(t *testing.T) {
	t.Parallel()
	s := snap()
	s.HoursSinceCustomer = -1
	for _, op := range []Op{OpGt, OpLt, OpEquals, OpNotEquals} {
		c, err := Compile(Rule{Name: "r", When: WhenTime, Conditions: []Condition{{FieldStatus, OpEquals, "open"}, {FieldHoursSinceCustomer, op, "1"}},
			Actions: []Action{{ActionAddTag, "x"}}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Matches(s) {
			t.Errorf("%s matched a ticket with no customer message", op)
		}
	}
}

func TestMatchAllAny(t *testing.T) {
	t.Parallel()
	conds := []Condition{{FieldSubject, OpContains, "invoice"}, {FieldPriority, OpEquals, "low"}}
	for _, tc := range []struct {
		match string
		conds []Condition
		want  bool
	}{
		{MatchAll, conds, false},
		{MatchAny, conds, true},
		{"", conds, false}, // all by default
		{MatchAny, conds[1:], false},
		{MatchAll, nil, true}, // no condition: every ticket
		{MatchAny, nil, true},
	} {
		c, err := Compile(Rule{Name: "r", When: WhenCreated, Match: tc.match, Conditions: tc.conds, Actions: []Action{{ActionAddTag, "x"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Matches(snap()); got != tc.want {
			t.Errorf("match %q with %d conditions: got %v, want %v", tc.match, len(tc.conds), got, tc.want)
		}
	}
}

func TestCompileRefuses(t *testing.T) {
	t.Parallel()
	ok := Rule{Name: "r", When: WhenCreated, Conditions: []Condition{{FieldSubject, OpContains, "x"}}, Actions: []Action{{ActionAddTag, "x"}}}
	long := strings.Repeat("a", MaxPatternLen+1)
	cases := []struct {
		name  string
		edit  func(r *Rule)
		field string
	}{
		{"no name", func(r *Rule) { r.Name = " " }, "name"},
		{"long name", func(r *Rule) { r.Name = strings.Repeat("n", MaxNameLen+1) }, "name"},
		{"unknown when", func(r *Rule) { r.When = "sometimes" }, "when"},
		{"unknown match", func(r *Rule) { r.Match = "most" }, "match"},
		{"unknown field", func(r *Rule) { r.Conditions[0].Field = "shoe_size" }, "conditions[0].field"},
		{"unknown op", func(r *Rule) { r.Conditions[0].Op = "like" }, "conditions[0].op"},
		{"op not for field", func(r *Rule) { r.Conditions[0] = Condition{FieldStatus, OpContains, "open"} }, "conditions[0].op"},
		{"gt on text", func(r *Rule) { r.Conditions[0].Op = OpGt }, "conditions[0].op"},
		{"bad regexp", func(r *Rule) { r.Conditions[0] = Condition{FieldSubject, OpMatches, "(unclosed"} }, "conditions[0].value"},
		{"long regexp", func(r *Rule) { r.Conditions[0] = Condition{FieldSubject, OpMatches, long} }, "conditions[0].value"},
		{"long value", func(r *Rule) { r.Conditions[0].Value = strings.Repeat("v", MaxValueLen+1) }, "conditions[0].value"},
		{"bad number", func(r *Rule) { r.Conditions[0] = Condition{FieldHoursSinceCreated, OpGt, "soon"} }, "conditions[0].value"},
		{"negative number", func(r *Rule) { r.Conditions[0] = Condition{FieldHoursSinceCreated, OpGt, "-1"} }, "conditions[0].value"},
		{"bad bool", func(r *Rule) { r.Conditions[0] = Condition{FieldAutomatic, OpEquals, "yes"} }, "conditions[0].value"},
		{"bad status", func(r *Rule) { r.Conditions[0] = Condition{FieldStatus, OpEquals, "done"} }, "conditions[0].value"},
		{"bad priority", func(r *Rule) { r.Conditions[0] = Condition{FieldPriority, OpEquals, "meh"} }, "conditions[0].value"},
		{"too many conditions", func(r *Rule) { r.Conditions = make([]Condition, MaxConditions+1) }, "conditions"},
		{"no action", func(r *Rule) { r.Actions = nil }, "actions"},
		{"too many actions", func(r *Rule) { r.Actions = make([]Action, MaxActions+1) }, "actions"},
		{"unknown action", func(r *Rule) { r.Actions[0].Type = "set_group" }, "actions[0].type"},
		{"bad team id", func(r *Rule) { r.Actions[0] = Action{ActionSetTeam, "billing"} }, "actions[0].value"},
		{"bad agent id", func(r *Rule) { r.Actions[0] = Action{ActionAssignAgent, "bob"} }, "actions[0].value"},
		{"bad macro id", func(r *Rule) { r.Actions[0] = Action{ActionReplyMacro, "0"} }, "actions[0].value"},
		{"bad notify id", func(r *Rule) { r.Actions[0] = Action{ActionNotify, ""} }, "actions[0].value"},
		{"bad webhook id", func(r *Rule) { r.Actions[0] = Action{ActionWebhook, "https://example.test/hook"} }, "actions[0].value"},
		{"bad priority action", func(r *Rule) { r.Actions[0] = Action{ActionSetPriority, "urgentest"} }, "actions[0].value"},
		{"status new", func(r *Rule) { r.Actions[0] = Action{ActionSetStatus, "new"} }, "actions[0].value"},
		{"tag with space", func(r *Rule) { r.Actions[0] = Action{ActionAddTag, "a b"} }, "actions[0].value"},
		{"empty remove tag", func(r *Rule) { r.Actions[0] = Action{ActionRemoveTag, ""} }, "actions[0].value"},
		{"empty note", func(r *Rule) { r.Actions[0] = Action{ActionAddNote, ""} }, "actions[0].value"},
		{"long note", func(r *Rule) { r.Actions[0] = Action{ActionAddNote, strings.Repeat("n", MaxNoteLen+1)} }, "actions[0].value"},
		{"time rule without condition", func(r *Rule) { r.When, r.Conditions = WhenTime, nil }, "conditions"},
		{"time rule without status", func(r *Rule) { r.When = WhenTime }, "conditions"},
		{"time rule matching any", func(r *Rule) {
			r.When, r.Match, r.Conditions = WhenTime, MatchAny, []Condition{{FieldStatus, OpEquals, "pending"}}
		}, "conditions"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := ok
			r.Conditions = append([]Condition(nil), ok.Conditions...)
			r.Actions = append([]Action(nil), ok.Actions...)
			tc.edit(&r)
			_, err := Compile(r)
			var de *domain.Error
			if !errors.As(err, &de) || de.Field != tc.field {
				t.Fatalf("got %v, want an invalid %s", err, tc.field)
			}
		})
	}
}

func TestPatternLimit(t *testing.T) {
	t.Parallel()
	at := strings.Repeat("a", MaxPatternLen)
	if _, err := Compile(Rule{Name: "r", When: WhenCreated, Conditions: []Condition{{FieldSubject, OpMatches, at}}, Actions: []Action{{ActionAddTag, "x"}}}); err != nil {
		t.Fatalf("a pattern of %d bytes: %v", MaxPatternLen, err)
	}
	if MaxPatternLen != 256 {
		t.Errorf("MaxPatternLen = %d; the API documents 256", MaxPatternLen)
	}
}

func TestActionsNormalized(t *testing.T) {
	t.Parallel()
	c, err := Compile(Rule{Name: " r ", When: WhenCreated, Actions: []Action{{ActionSetPriority, " HIGH "}, {ActionAddTag, "Billing"}, {ActionAssignAgent, "7"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "r" || c.Actions[0].Value != "high" || c.Actions[1].Value != "billing" || c.Actions[2].ID() != 7 || c.Match != MatchAll {
		t.Errorf("got %+v", c.Rule)
	}
}

func TestUses(t *testing.T) {
	t.Parallel()
	c, err := Compile(Rule{Name: "r", When: WhenCreated, Conditions: []Condition{{FieldBody, OpContains, "x"}}, Actions: []Action{{ActionAddTag, "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Uses(FieldBody) || c.Uses(FieldHoursSinceCustomer) {
		t.Error("Uses is wrong")
	}
}

func TestTimeCandidates(t *testing.T) {
	t.Parallel()
	conds := []Condition{{FieldStatus, OpEquals, " Pending "}, {FieldHoursSinceUpdated, OpGt, "24"}, {FieldHoursSinceUpdated, OpGt, "168"}}
	if got := TimeStatus(conds); got != "pending" {
		t.Errorf("TimeStatus = %q", got)
	}
	if got := QuietHours(conds); got != 168 {
		t.Errorf("QuietHours = %v", got)
	}
	if TimeStatus(conds[1:]) != "" || QuietHours(conds[:1]) != 0 {
		t.Error("no status or no quiet hours named")
	}
}
