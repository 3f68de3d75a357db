package webhook_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/webhook"
)

// BenchmarkDeliveryLatency measures how long after a ticket change
// (PATCH priority, committed) its ticket.updated event reaches a receiver,
// with the real queue and workers; it reports the median and p90.
// go test -run '^$' -bench DeliveryLatency ./internal/webhook/
func BenchmarkDeliveryLatency(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			dsn := storetest.SQLiteURL(b)
			if engine == "postgres" {
				dsn = storetest.PostgresURL(b)
			}
			bb := setup(b, dsn, options{})
			arrived := make(chan time.Time, 16)
			bb.recv.answer = func(_ int, r received) int {
				if r.Event == webhook.EventTicketUpdated {
					arrived <- time.Now()
				}
				return 200
			}
			bb.hook("k", webhook.EventTicketUpdated)
			id := bb.newTicket("Latency")
			prio := []domain.Priority{domain.PriorityHigh, domain.PriorityNormal}
			var took []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				if err := bb.setPriority(id, prio[i%2]); err != nil {
					b.Fatal(err)
				}
				select {
				case at := <-arrived:
					took = append(took, at.Sub(start))
				case <-time.After(30 * time.Second):
					b.Fatal("no delivery within 30 s")
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-median")
			b.ReportMetric(float64(took[len(took)*9/10].Microseconds())/1000, "ms-p90")
		})
	}
}
