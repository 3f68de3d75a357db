package httpapi

import (
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ticketer/ticketer/api"
	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/notify"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// The spec's enums are what the TS client is generated from: they must list
// exactly the values the Go code accepts, in the same order.
func TestSpecEnumsMatchGo(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	cases := []struct {
		schema string
		goList []string
	}{
		{"Status", enumStrings(domain.Statuses())},
		{"Priority", enumStrings(domain.Priorities())},
		{"Role", enumStrings(domain.Roles())},
		{"EventKind", enumStrings(ticket.EventKinds())},
		{"ThreadedBy", enumStrings(ticket.ThreadedByValues())},
		{"NotificationKind", enumStrings(notify.Kinds())},
		{"TicketSort", ticketSorts()},
		{"TokenScope", auth.TokenScopes()},
		{"WebhookEvent", webhook.AllEvents()},
	}
	for _, c := range cases {
		t.Run(c.schema, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, v := range doc.Components.Schemas[c.schema].Value.Enum {
				got = append(got, v.(string))
			}
			if !slices.Equal(got, c.goList) {
				t.Fatalf("spec %s enum %v, Go has %v", c.schema, got, c.goList)
			}
		})
	}
}

// ticketSorts lists the ticket list's orders as the sort parameter takes them.
func ticketSorts() []string {
	var out []string
	for _, k := range store.TicketSortKeys() {
		out = append(out, sortName(store.TicketSort{Key: k, Asc: true}), sortName(store.TicketSort{Key: k}))
	}
	return out
}

// The spec's limit parameters state the page sizes params.go enforces.
func TestSpecPageLimitsMatchGo(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	seen := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value.Name != "limit" {
					continue
				}
				seen++
				s := p.Value.Schema.Value
				dflt := defaultPageSize
				if path == "/api/v1/tickets/{id}/messages" {
					dflt = defaultMessagesPage
				}
				if s.Min == nil || *s.Min != 1 || s.Max == nil || *s.Max != maxPageSize || s.Default != float64(dflt) {
					t.Errorf("%s %s: limit schema min %v max %v default %v, want 1, %d, %d", method, path, s.Min, s.Max, s.Default, maxPageSize, dflt)
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("no limit parameter in the spec")
	}
}
