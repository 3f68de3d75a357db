package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// BenchmarkTicketList measures the ticket list straight on the store, with
// TICKETER_BENCH_TICKETS tickets (default 20,000) of 3 messages each whose
// words follow a Zipf distribution, and prints p50/p99 per query shape:
//
//	TICKETER_BENCH_TICKETS=100000 go test ./internal/store -run '^$' -bench TicketList -benchtime 1x
func BenchmarkTicketList(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("TICKETER_BENCH_TICKETS")); err == nil && v > 0 {
		n = v
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			dsn := storetest.SQLiteURL(b)
			if engine == "postgres" {
				dsn = storetest.PostgresURL(b)
			}
			db := storetest.Open(b, dsn)
			s := store.New(db)
			ctx := context.Background()
			vocab := fill(b, s, ctx, n)
			shapes := []struct {
				name string
				f    store.TicketFilter
			}{
				{"first page", store.TicketFilter{Limit: 51}},
				{"status filter", store.TicketFilter{Limit: 51, Statuses: []string{"open"}}},
				{"search common word", store.TicketFilter{Limit: 51, Query: vocab[2]}},
				{"search medium word", store.TicketFilter{Limit: 51, Query: vocab[300]}},
				{"search rare word", store.TicketFilter{Limit: 51, Query: vocab[len(vocab)-1]}},
				{"search two words", store.TicketFilter{Limit: 51, Query: vocab[5] + " " + vocab[40]}},
				{"search no match", store.TicketFilter{Limit: 51, Query: "zzzznotthere"}},
			}
			b.ResetTimer()
			for range b.N {
				for _, sh := range shapes {
					var took []time.Duration
					var found int
					for range 100 {
						start := time.Now()
						list, err := s.ListTickets(ctx, sh.f)
						if err != nil {
							b.Fatal(err)
						}
						took = append(took, time.Since(start))
						found = len(list)
					}
					slices.Sort(took)
					b.Logf("%s %-20s %d tickets: p50 %6.2f ms  p99 %6.2f ms  (%d rows)", engine, sh.name, n,
						ms(took[len(took)/2]), ms(took[len(took)*99/100]), found)
				}
			}
		})
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fill writes n tickets with 3 messages each and returns the vocabulary,
// most frequent word first.
func fill(b *testing.B, s *store.Store, ctx context.Context, n int) []string {
	b.Helper()
	vocab := make([]string, 5000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx", i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rand.New(rand.NewPCG(3, 4)), 1.1, 1, uint64(len(vocab)-1))
	text := func(words int) string {
		var sb strings.Builder
		for i := range words {
			if i > 0 {
				sb.WriteByte(' ')
			}
			sb.WriteString(vocab[zipf.Uint64()])
		}
		return sb.String()
	}
	mb, contact := seed(b, s, ctx)
	statuses := domain.Statuses()
	start := time.Now()
	const batch = 2000
	for done := 0; done < n; done += batch {
		err := s.DB().InTx(ctx, func(tx *store.Tx) error {
			for i := done; i < min(done+batch, n); i++ {
				at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
				id, err := s.CreateTicket(ctx, tx, store.Ticket{Subject: text(6), Status: statuses[r.IntN(len(statuses))], Priority: "normal",
					RequesterID: contact, MailboxID: mb, CreatedAt: at})
				if err != nil {
					return err
				}
				for range 3 {
					if _, err := s.InsertMessage(ctx, tx, store.Message{TicketID: id, Kind: store.KindInbound, VisibleText: text(60), CreatedAt: at}); err != nil {
						return err
					}
				}
				if err := s.TouchTicket(ctx, tx, id, at, 3); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if s.DB().Dialect == store.Postgres {
		if _, err := s.DB().Exec(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("filled %d tickets, %d messages in %s", n, 3*n, time.Since(start).Round(time.Second))
	return vocab
}
