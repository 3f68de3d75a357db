package httpapi

import (
	"slices"
	"testing"

	"github.com/ticketer/ticketer/internal/rules"
)

// TestRuleSpecEnums: the spec lists exactly the fields, operators, actions
// and triggers the rules package knows.
func TestRuleSpecEnums(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	enum := func(schema, prop string) []string {
		s := doc.Components.Schemas[schema].Value
		if prop != "" {
			s = s.Properties[prop].Value
		}
		var out []string
		for _, v := range s.Enum {
			out = append(out, v.(string))
		}
		return out
	}
	cases := []struct {
		name      string
		spec, got []string
	}{
		{"when", enum("RuleWhen", ""), enumStrings(rules.Whens())},
		{"field", enum("RuleCondition", "field"), enumStrings(rules.Fields())},
		{"op", enum("RuleCondition", "op"), enumStrings(rules.Ops())},
		{"action", enum("RuleAction", "type"), enumStrings(rules.ActionTypes())},
	}
	for _, c := range cases {
		if !slices.Equal(c.spec, c.got) {
			t.Errorf("%s: spec %v, Go %v", c.name, c.spec, c.got)
		}
	}
}
