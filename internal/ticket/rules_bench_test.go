package ticket_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// BenchmarkIngestRules imports new conversations one by one on SQLite with
// 0 and with 100 enabled rules (subject, body, sender, pattern conditions;
// one in 25 matches and tags): the difference per message is what rules
// cost in the ingest transaction. Run the two side by side on a loaded
// machine: go test ./internal/ticket -run '^$' -bench IngestRules
func BenchmarkIngestRules(b *testing.B) {
	for _, n := range []int{0, 100} {
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			m, mb := withRules(b, n)
			b.ResetTimer()
			statements := m.Store.DB().Statements()
			for i := range b.N {
				if _, err := m.Svc.Import(m.Ctx, mb, benchMsg(i)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			b.ReportMetric(float64(m.Store.DB().Statements()-statements)/float64(b.N), "statements/msg")
		})
	}
}

// BenchmarkImportBatchWriter times only what an import's one writer does
// (ImportBatch, 100 messages a transaction, 100 rules): the messages are
// prepared beforehand, as the import's workers do. The writer is the
// import's critical path, so this is its ceiling in msgs/s on one core.
func BenchmarkImportBatchWriter(b *testing.B) {
	m, mb := withRules(b, 100)
	items := make([]*ticket.ImportItem, b.N)
	for i := range b.N {
		items[i] = m.Svc.PrepareImport(m.Ctx, mb, benchMsg(i))
	}
	b.ResetTimer()
	for len(items) > 0 {
		n := min(100, len(items))
		_, errs := m.Svc.ImportBatch(m.Ctx, items[:n])
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		items = items[n:]
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

func benchMsg(i int) []byte {
	return msg(fmt.Sprintf("From: customer%d@example.org", i), "To: support@acme.test", fmt.Sprintf("Subject: Order %d is late", i),
		fmt.Sprintf("Message-ID: <bench-%d@example.org>", i))
}

// withRules is a SQLite install with a mailbox and n enabled rules.
func withRules(b *testing.B, n int) (*mailboxtest.Env, int64) {
	m := mailboxtest.NewWith(b, storetest.SQLiteURL(b), mailboxtest.Options{Manual: true})
	mb, err := m.Store.CreateMailbox(m.Ctx, store.Mailbox{Name: "Support", Address: "support@acme.test", CreatedAt: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	conds := [][]rules.Condition{
		{{Field: "subject", Op: "contains", Value: "word%d"}},
		{{Field: "body", Op: "contains", Value: "no such phrase %d"}},
		{{Field: "from_domain", Op: "equals", Value: "example%d.test"}, {Field: "automatic", Op: "equals", Value: "false"}},
		{{Field: "subject", Op: "matches", Value: "^(re: )?order [0-9]+x%d$"}},
		{{Field: "to", Op: "starts_with", Value: "nobody%d@"}, {Field: "priority", Op: "equals", Value: "normal"}},
	}
	for i := range n {
		c := conds[i%len(conds)]
		cs := make([]rules.Condition, len(c))
		for k, x := range c {
			cs[k] = x
			if k == 0 {
				cs[k].Value = fmt.Sprintf(x.Value, i)
			}
		}
		acts := []rules.Action{{Type: "set_priority", Value: "high"}}
		if i%25 == 0 {
			cs, acts = []rules.Condition{{Field: "subject", Op: "contains", Value: "e"}}, []rules.Action{{Type: "add_tag", Value: fmt.Sprintf("rule%d", i)}}
		}
		name, when := fmt.Sprintf("rule %d", i), []string{"created", "customer_replied"}[i%2]
		if _, err := m.Svc.CreateRule(m.Ctx, ticket.RuleInput{Name: &name, When: &when, Conditions: &cs, Actions: &acts}); err != nil {
			b.Fatal(err)
		}
	}
	return m, mb
}
