// Package rules holds automation rules (triggers): what a rule is, how it is
// checked when saved, and how its conditions are evaluated over a snapshot of
// a ticket. It is pure: no SQL and no clock; the ticket service gathers the
// snapshot and turns the actions into changes.
package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/domain"
)

// When is what makes a rule run.
type When string

// Triggers.
const (
	WhenCreated         When = "created"          // a new ticket's first message
	WhenCustomerReplied When = "customer_replied" // a customer's message on a ticket
	WhenUpdated         When = "updated"          // a ticket's status, priority, assignee or tags changed
	WhenTime            When = "time"             // the periodic pass over candidate tickets
)

// Whens lists the triggers.
func Whens() []When { return []When{WhenCreated, WhenCustomerReplied, WhenUpdated, WhenTime} }

// Field is what a condition looks at.
type Field string

// Condition fields.
const (
	FieldFrom       Field = "from"        // the message's sender address
	FieldFromDomain Field = "from_domain" // the part after @
	FieldTo         Field = "to"          // the addresses it arrived on (To and Cc)
	FieldMailbox    Field = "mailbox"     // the mailbox's name or address
	FieldSubject    Field = "subject"
	FieldBody       Field = "body"
	FieldTag        Field = "tag"
	FieldStatus     Field = "status"
	FieldPriority   Field = "priority"
	FieldAssignee   Field = "assignee" // the assignee's address, "" when unassigned
	FieldTeam       Field = "team"     // the team's name, "" without one
	// FieldOrganisation: the requester's organisation's name, "" without one.
	FieldOrganisation      Field = "organisation"
	FieldHoursSinceCreated Field = "hours_since_created"
	FieldHoursSinceUpdated Field = "hours_since_updated"
	// FieldHoursSinceCustomer: hours since the last customer message.
	FieldHoursSinceCustomer Field = "hours_since_customer_message"
	FieldAutomatic          Field = "automatic" // "true" for automatic mail, as classified on ingest
)

// Fields lists the condition fields.
func Fields() []Field {
	return []Field{FieldFrom, FieldFromDomain, FieldTo, FieldMailbox, FieldSubject, FieldBody, FieldTag, FieldStatus,
		FieldPriority, FieldAssignee, FieldTeam, FieldOrganisation, FieldHoursSinceCreated, FieldHoursSinceUpdated, FieldHoursSinceCustomer, FieldAutomatic}
}

// Op compares a field with a condition's value.
type Op string

// Operators.
const (
	OpEquals      Op = "equals"
	OpNotEquals   Op = "not_equals"
	OpContains    Op = "contains"
	OpNotContains Op = "not_contains"
	OpStartsWith  Op = "starts_with"
	OpMatches     Op = "matches" // RE2, at most MaxPatternLen bytes
	OpGt          Op = "gt"
	OpLt          Op = "lt"
)

// Ops lists the operators.
func Ops() []Op {
	return []Op{OpEquals, OpNotEquals, OpContains, OpNotContains, OpStartsWith, OpMatches, OpGt, OpLt}
}

// kind is a field's value type; it decides which operators apply.
type kind int

const (
	kindText kind = iota
	kindEnum      // status, priority: equals or not
	kindNumber
	kindBool
)

func kindOf(f Field) kind {
	switch f {
	case FieldStatus, FieldPriority:
		return kindEnum
	case FieldHoursSinceCreated, FieldHoursSinceUpdated, FieldHoursSinceCustomer:
		return kindNumber
	case FieldAutomatic:
		return kindBool
	}
	return kindText
}

// OpsFor lists the operators a field takes (the UI offers these).
func OpsFor(f Field) []Op {
	switch kindOf(f) {
	case kindEnum, kindBool:
		return []Op{OpEquals, OpNotEquals}
	case kindNumber:
		return []Op{OpEquals, OpNotEquals, OpGt, OpLt}
	}
	return []Op{OpEquals, OpNotEquals, OpContains, OpNotContains, OpStartsWith, OpMatches}
}

// ActionType is what an action does.
type ActionType string

// Action types.
const (
	ActionAssignAgent ActionType = "assign_agent" // value: a user id
	ActionSetTeam     ActionType = "set_team"     // value: a team id (automatic assignment follows)
	ActionSetPriority ActionType = "set_priority"
	ActionSetStatus   ActionType = "set_status"
	ActionAddTag      ActionType = "add_tag"
	ActionRemoveTag   ActionType = "remove_tag"
	// ActionReplyMacro replies with a macro (value: its id), never to
	// automatic mail and at most once per ticket per rule.
	ActionReplyMacro ActionType = "reply_macro"
	ActionAddNote    ActionType = "add_note" // value: the note's text
	ActionNotify     ActionType = "notify"   // value: a user id
	// ActionWebhook sends one ticket.rule_fired delivery to an outgoing
	// webhook (value: its id), whatever events that webhook subscribes to:
	// the rule is the subscription. Never to a disabled webhook.
	ActionWebhook ActionType = "webhook"
)

// ActionTypes lists the action types.
func ActionTypes() []ActionType {
	return []ActionType{ActionAssignAgent, ActionSetTeam, ActionSetPriority, ActionSetStatus, ActionAddTag, ActionRemoveTag,
		ActionReplyMacro, ActionAddNote, ActionNotify, ActionWebhook}
}

// Limits on what a rule may hold, so that evaluating 100 rules on every
// message stays cheap and a pattern cannot be made expensive to compile.
const (
	MaxPatternLen = 256
	MaxValueLen   = 1000
	MaxNoteLen    = 10000
	MaxConditions = 30
	MaxActions    = 20
	MaxNameLen    = 200
)

// Condition is one test of a rule.
type Condition struct {
	Field Field  `json:"field"`
	Op    Op     `json:"op"`
	Value string `json:"value"`
}

// Action is one thing a rule does.
type Action struct {
	Type  ActionType `json:"type"`
	Value string     `json:"value"`
}

// Rule is a rule as saved.
type Rule struct {
	ID         int64
	Name       string
	Enabled    bool
	When       When
	Match      string // "all" or "any"
	Conditions []Condition
	Actions    []Action
	Position   int
}

// Match modes.
const (
	MatchAll = "all"
	MatchAny = "any"
)

// Compiled is a checked rule ready to evaluate: values lower-cased and
// patterns compiled once, when the rule is saved or loaded.
type Compiled struct {
	Rule
	conds []compiledCond
}

type compiledCond struct {
	field Field
	op    Op
	text  string         // lower-cased
	num   float64        // numeric fields
	re    *regexp.Regexp // matches
}

// Compile checks a rule and prepares it for evaluation. Its errors are
// domain.Invalid naming the offending field ("conditions[2].value").
func Compile(r Rule) (*Compiled, error) {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || utf8.RuneCountInString(r.Name) > MaxNameLen {
		return nil, domain.Invalid("name", fmt.Sprintf("must be 1 to %d characters", MaxNameLen))
	}
	if !slices.Contains(Whens(), r.When) {
		return nil, domain.Invalid("when", "must be one of "+domain.Join(Whens()))
	}
	if r.Match == "" {
		r.Match = MatchAll
	}
	if r.Match != MatchAll && r.Match != MatchAny {
		return nil, domain.Invalid("match", "must be all or any")
	}
	if len(r.Conditions) > MaxConditions {
		return nil, domain.Invalid("conditions", fmt.Sprintf("at most %d", MaxConditions))
	}
	if len(r.Actions) == 0 || len(r.Actions) > MaxActions {
		return nil, domain.Invalid("actions", fmt.Sprintf("1 to %d actions", MaxActions))
	}
	if r.When == WhenTime && (r.Match != MatchAll || TimeStatus(r.Conditions) == "") {
		// A time rule looks only at the tickets of one status (by the
		// index on status and last update), never at every ticket.
		return nil, domain.Invalid("conditions", "a time rule matches all of its conditions, one of them status equals ...")
	}
	c := &Compiled{Rule: r}
	for i, cond := range r.Conditions {
		cc, err := compileCond(cond)
		if err != nil {
			return nil, domain.Invalid(fmt.Sprintf("conditions[%d].%s", i, err.field), err.msg)
		}
		c.conds = append(c.conds, cc)
	}
	for i := range r.Actions {
		a := &c.Rule.Actions[i]
		if err := checkAction(a); err != nil {
			return nil, domain.Invalid(fmt.Sprintf("actions[%d].%s", i, err.field), err.msg)
		}
	}
	c.Rule.Conditions = slices.Clone(r.Conditions)
	return c, nil
}

type fieldErr struct{ field, msg string }

func compileCond(cond Condition) (compiledCond, *fieldErr) {
	if !slices.Contains(Fields(), cond.Field) {
		return compiledCond{}, &fieldErr{"field", fmt.Sprintf("unknown field %q (one of %s)", cond.Field, domain.Join(Fields()))}
	}
	if !slices.Contains(OpsFor(cond.Field), cond.Op) {
		return compiledCond{}, &fieldErr{"op", fmt.Sprintf("%q does not apply to %s (one of %s)", cond.Op, cond.Field, domain.Join(OpsFor(cond.Field)))}
	}
	if len(cond.Value) > MaxValueLen {
		return compiledCond{}, &fieldErr{"value", fmt.Sprintf("at most %d bytes", MaxValueLen)}
	}
	cc := compiledCond{field: cond.Field, op: cond.Op, text: strings.ToLower(strings.TrimSpace(cond.Value))}
	switch kindOf(cond.Field) {
	case kindNumber:
		n, err := strconv.ParseFloat(cc.text, 64)
		if err != nil || n < 0 {
			return cc, &fieldErr{"value", "must be a number of hours, 0 or more"}
		}
		cc.num = n
	case kindBool:
		if cc.text != "true" && cc.text != "false" {
			return cc, &fieldErr{"value", "must be true or false"}
		}
	case kindEnum:
		ok := cond.Field == FieldStatus && slices.Contains(domain.Statuses(), domain.Status(cc.text)) ||
			cond.Field == FieldPriority && slices.Contains(domain.Priorities(), domain.Priority(cc.text))
		if !ok {
			list := domain.Join(domain.Statuses())
			if cond.Field == FieldPriority {
				list = domain.Join(domain.Priorities())
			}
			return cc, &fieldErr{"value", "must be one of " + list}
		}
	}
	if cond.Op == OpMatches {
		if len(cond.Value) > MaxPatternLen {
			return cc, &fieldErr{"value", fmt.Sprintf("a pattern is at most %d bytes", MaxPatternLen)}
		}
		re, err := regexp.Compile("(?i)" + cond.Value)
		if err != nil {
			return cc, &fieldErr{"value", "not a valid RE2 pattern: " + err.Error()}
		}
		cc.re = re
	}
	return cc, nil
}

func checkAction(a *Action) *fieldErr {
	if !slices.Contains(ActionTypes(), a.Type) {
		return &fieldErr{"type", fmt.Sprintf("unknown action %q (one of %s)", a.Type, domain.Join(ActionTypes()))}
	}
	a.Value = strings.TrimSpace(a.Value)
	switch a.Type {
	case ActionAssignAgent, ActionSetTeam, ActionNotify, ActionReplyMacro, ActionWebhook:
		if n, err := strconv.ParseInt(a.Value, 10, 64); err != nil || n <= 0 {
			return &fieldErr{"value", "must be an id"}
		}
	case ActionSetPriority:
		a.Value = strings.ToLower(a.Value)
		if !slices.Contains(domain.Priorities(), domain.Priority(a.Value)) {
			return &fieldErr{"value", "must be one of " + domain.Join(domain.Priorities())}
		}
	case ActionSetStatus:
		a.Value = strings.ToLower(a.Value)
		if !slices.Contains(domain.Statuses(), domain.Status(a.Value)) || a.Value == string(domain.StatusNew) {
			return &fieldErr{"value", "must be one of open, pending, solved, closed"}
		}
	case ActionAddTag, ActionRemoveTag:
		a.Value = strings.ToLower(a.Value)
		if a.Value == "" || len(a.Value) > 64 || strings.ContainsAny(a.Value, " \t\r\n,") {
			return &fieldErr{"value", "a tag is 1 to 64 characters without spaces or commas"}
		}
	case ActionAddNote:
		if a.Value == "" || len(a.Value) > MaxNoteLen {
			return &fieldErr{"value", fmt.Sprintf("a note is 1 to %d bytes", MaxNoteLen)}
		}
	}
	return nil
}

// ID returns an action's value as an id (assign_agent, set_team, notify, reply_macro, webhook);
// Compile has checked it.
func (a Action) ID() int64 {
	n, _ := strconv.ParseInt(a.Value, 10, 64)
	return n
}

// Uses tells whether any condition of the rule looks at f (so that the
// caller reads what is costly to read only when a rule needs it).
func (c *Compiled) Uses(f Field) bool {
	return slices.ContainsFunc(c.conds, func(cc compiledCond) bool { return cc.field == f })
}

// TimeStatus is the status a time rule's "status equals" condition names,
// "" when it has none: the time pass reads only the tickets of that status.
func TimeStatus(conds []Condition) string {
	for _, c := range conds {
		if c.Field == FieldStatus && c.Op == OpEquals {
			return strings.ToLower(strings.TrimSpace(c.Value))
		}
	}
	return ""
}

// QuietHours is the least number of hours since the last update a time
// rule's "hours_since_updated gt N" condition asks for (0 when none): the
// time pass reads only tickets not updated since.
func QuietHours(conds []Condition) float64 {
	h := 0.0
	for _, c := range conds {
		if c.Field == FieldHoursSinceUpdated && c.Op == OpGt {
			if n, err := strconv.ParseFloat(strings.TrimSpace(c.Value), 64); err == nil && n > h {
				h = n
			}
		}
	}
	return h
}

// CompileConditions checks and prepares conditions alone, as an SLA policy
// holds them (match all or any; none matches every ticket). Its errors name
// the field as Compile's do ("conditions[2].value").
func CompileConditions(match string, conds []Condition) (*Compiled, error) {
	if match == "" {
		match = MatchAll
	}
	if match != MatchAll && match != MatchAny {
		return nil, domain.Invalid("match", "must be all or any")
	}
	if len(conds) > MaxConditions {
		return nil, domain.Invalid("conditions", fmt.Sprintf("at most %d", MaxConditions))
	}
	c := &Compiled{Rule: Rule{Match: match, Conditions: slices.Clone(conds)}}
	for i, cond := range conds {
		cc, err := compileCond(cond)
		if err != nil {
			return nil, domain.Invalid(fmt.Sprintf("conditions[%d].%s", i, err.field), err.msg)
		}
		c.conds = append(c.conds, cc)
	}
	return c, nil
}
