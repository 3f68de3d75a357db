package rules

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkMatch100Rules evaluates 100 rules (subject, body, sender,
// patterns) on one message with a 4 KB body: the evaluator's share of what
// rules add to a message (the hook also reads the ticket and the message).
func BenchmarkMatch100Rules(b *testing.B) {
	conds := []Condition{
		{FieldSubject, OpContains, "word%d"},
		{FieldBody, OpContains, "no such phrase %d"},
		{FieldFromDomain, OpEquals, "example%d.test"},
		{FieldSubject, OpMatches, "^(re: )?order [0-9]+x%d$"},
		{FieldTo, OpStartsWith, "nobody%d@"},
	}
	var list []*Compiled
	for i := range 100 {
		c := conds[i%len(conds)]
		c.Value = fmt.Sprintf(c.Value, i)
		r, err := Compile(Rule{Name: "r", When: WhenCreated, Conditions: []Condition{c, {FieldAutomatic, OpEquals, "false"}}, Actions: []Action{{ActionAddTag, "x"}}})
		if err != nil {
			b.Fatal(err)
		}
		list = append(list, r)
	}
	body := strings.Repeat("Where is my order? It has been a week. ", 100)
	b.ResetTimer()
	for i := range b.N {
		s := Snapshot{From: "customer@example.org", To: []string{"help@example.com"}, Subject: fmt.Sprintf("Order %d is late", i), Body: body,
			Status: "new", Priority: "normal"}.Normalize()
		n := 0
		for _, r := range list {
			if r.Matches(&s) {
				n++
			}
		}
		if n != 0 {
			b.Fatalf("%d rules matched", n)
		}
	}
}
