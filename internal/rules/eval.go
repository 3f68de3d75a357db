package rules

import (
	"strconv"
	"strings"
)

// Snapshot is what conditions are evaluated over: a ticket and, when a
// message triggered the rule, that message. NewSnapshot lower-cases the text
// once, so that a hundred rules do not each lower-case the body.
type Snapshot struct {
	From     string   // the message's sender; "" when no message triggered
	To       []string // the addresses it arrived on
	Mailbox  []string // the mailbox's name and address
	Subject  string
	Body     string
	Tags     []string
	Status   string
	Priority string
	Assignee string // the assignee's address, "" when unassigned
	Team     string // the team's name, "" without one
	// Organisation is the requester's organisation's name, "" without one.
	Organisation string
	Automatic    bool
	// Hours since the ticket was created, updated, and since the last
	// customer message (-1 when the ticket has none).
	HoursSinceCreated, HoursSinceUpdated, HoursSinceCustomer float64
}

// Normalize lower-cases the snapshot's text; Eval expects it done.
func (s Snapshot) Normalize() Snapshot {
	low := func(list []string) []string {
		out := make([]string, len(list))
		for i, v := range list {
			out[i] = strings.ToLower(v)
		}
		return out
	}
	s.From, s.Subject, s.Body = strings.ToLower(s.From), strings.ToLower(s.Subject), strings.ToLower(s.Body)
	s.Status, s.Priority, s.Assignee, s.Team = strings.ToLower(s.Status), strings.ToLower(s.Priority), strings.ToLower(s.Assignee), strings.ToLower(s.Team)
	s.To, s.Mailbox, s.Tags = low(s.To), low(s.Mailbox), low(s.Tags)
	s.Organisation = strings.ToLower(s.Organisation)
	return s
}

// Matches tells whether the rule's conditions hold for a normalized
// snapshot: all of them (match all) or at least one (match any). A rule
// with no condition matches every ticket.
func (c *Compiled) Matches(s *Snapshot) bool {
	if len(c.conds) == 0 {
		return true
	}
	any := c.Match == MatchAny
	for _, cc := range c.conds {
		ok := cc.eval(s)
		if any && ok {
			return true
		}
		if !any && !ok {
			return false
		}
	}
	return !any
}

func (cc compiledCond) eval(s *Snapshot) bool {
	switch cc.field {
	case FieldFrom:
		return cc.text1(s.From)
	case FieldFromDomain:
		_, domain, _ := strings.Cut(s.From, "@")
		return cc.text1(domain)
	case FieldTo:
		return cc.textN(s.To)
	case FieldMailbox:
		return cc.textN(s.Mailbox)
	case FieldSubject:
		return cc.text1(s.Subject)
	case FieldBody:
		return cc.text1(s.Body)
	case FieldTag:
		return cc.textN(s.Tags)
	case FieldStatus:
		return cc.text1(s.Status)
	case FieldPriority:
		return cc.text1(s.Priority)
	case FieldAssignee:
		return cc.text1(s.Assignee)
	case FieldTeam:
		return cc.text1(s.Team)
	case FieldOrganisation:
		return cc.text1(s.Organisation)
	case FieldAutomatic:
		return cc.text1(strconv.FormatBool(s.Automatic))
	case FieldHoursSinceCreated:
		return cc.number(s.HoursSinceCreated)
	case FieldHoursSinceUpdated:
		return cc.number(s.HoursSinceUpdated)
	case FieldHoursSinceCustomer:
		if s.HoursSinceCustomer < 0 {
			return false // no customer message: no "hours since" to compare
		}
		return cc.number(s.HoursSinceCustomer)
	}
	return false
}

// text1 compares one lower-cased value.
func (cc compiledCond) text1(v string) bool {
	switch cc.op {
	case OpEquals:
		return v == cc.text
	case OpNotEquals:
		return v != cc.text
	case OpContains:
		return strings.Contains(v, cc.text)
	case OpNotContains:
		return !strings.Contains(v, cc.text)
	case OpStartsWith:
		return strings.HasPrefix(v, cc.text)
	case OpMatches:
		return cc.re.MatchString(v)
	}
	return false
}

// textN compares a list (addresses, tags): a positive operator holds when
// one value satisfies it, a negative one (not_equals, not_contains) when no
// value satisfies its positive form.
func (cc compiledCond) textN(list []string) bool {
	neg := cc.op == OpNotEquals || cc.op == OpNotContains
	pos := cc
	switch cc.op {
	case OpNotEquals:
		pos.op = OpEquals
	case OpNotContains:
		pos.op = OpContains
	}
	for _, v := range list {
		if pos.text1(v) {
			return !neg
		}
	}
	return neg
}

func (cc compiledCond) number(v float64) bool {
	switch cc.op {
	case OpEquals:
		return v == cc.num
	case OpNotEquals:
		return v != cc.num
	case OpGt:
		return v > cc.num
	case OpLt:
		return v < cc.num
	}
	return false
}
