package ticket_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// BenchmarkMerge200 merges a ticket of 200 messages into another (target:
// under 500 ms), on both engines. Each merge gets fresh tickets, built with
// the timer stopped. TICKETER_BENCH_MERGE_MESSAGES changes the size.
func BenchmarkMerge200(b *testing.B) {
	n := 200
	if v, err := strconv.Atoi(os.Getenv("TICKETER_BENCH_MERGE_MESSAGES")); err == nil && v > 0 {
		n = v
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			dsn := storetest.SQLiteURL(b)
			if engine == "postgres" {
				dsn = storetest.PostgresURL(b)
			}
			e := mailboxtest.NewWith(b, dsn, mailboxtest.Options{Manual: true})
			mb := e.Mailbox("support@acme.test", "smtp")
			uid, err := e.Store.CreateUser(e.Ctx, store.User{Email: "agent@acme.test", Name: "A", Role: domain.RoleAgent, CreatedAt: time.Now()})
			if err != nil {
				b.Fatal(err)
			}
			agent := store.User{ID: uid, Email: "agent@acme.test"}
			var took []time.Duration
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				keep := conversationOf(b, e, mb, fmt.Sprintf("k%d", i), 1)
				dup := conversationOf(b, e, mb, fmt.Sprintf("d%d", i), n)
				b.StartTimer()
				start := time.Now()
				if _, err := e.Svc.Merge(e.Ctx, agent, dup, keep); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(start))
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "median-ms")
		})
	}
}

// conversationOf imports a conversation of n messages (one batch) and
// returns its ticket.
func conversationOf(b *testing.B, e *mailboxtest.Env, mb int64, tag string, n int) int64 {
	b.Helper()
	ctx := context.Background()
	items := make([]*ticket.ImportItem, n)
	for i := range n {
		h := []string{"From: Carol <carol@customer.test>", "To: support@acme.test", "Subject: Printer " + tag,
			fmt.Sprintf("Message-ID: <%s-%d@customer.test>", tag, i),
			fmt.Sprintf("BODY:Message %d of the printer saga: toner, paper jam, fuser, drum and tray %s.\r\n", i, tag)}
		if i > 0 {
			h = append(h, fmt.Sprintf("In-Reply-To: <%s-%d@customer.test>", tag, i-1))
		}
		items[i] = e.Svc.PrepareImport(ctx, mb, msg(h...))
	}
	res, errs := e.Svc.ImportBatch(ctx, items)
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	return res[0].TicketID
}
