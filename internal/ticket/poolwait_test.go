package ticket_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestManyConcurrentIngestionsOnPostgres: an ingestion reads everything
// through its own transaction. Reading through the pool inside it takes a
// second connection while holding one; with as many ingestions of one
// mailbox as the pool has connections (eight), the first waits for a
// connection while the others hold theirs waiting for its mailbox lock, for
// ever (it happened with eight imports at once). Twice the pool's size, alone
// and in import batches, must all finish.
func TestManyConcurrentIngestionsOnPostgres(t *testing.T) {
	e := mailboxtest.NewWith(t, storetest.PostgresURL(t), mailboxtest.Options{Manual: true})
	mb := e.Mailbox("support@acme.test", "smtp")
	ctx, cancel := context.WithTimeout(e.Ctx, 90*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 16 {
		raw := func(k string) []byte {
			return msg(fmt.Sprintf("From: customer%d@customer.test", i), "To: support@acme.test", fmt.Sprintf("Subject: %s %d", k, i),
				fmt.Sprintf("Message-ID: <%s-%d@customer.test>", k, i))
		}
		wg.Go(func() {
			if _, err := e.Svc.Import(ctx, mb, raw("alone")); err != nil {
				errs <- fmt.Errorf("import %d: %w", i, err)
			}
		})
		wg.Go(func() {
			it := e.Svc.PrepareImport(ctx, mb, raw("batch"))
			if _, es := e.Svc.ImportBatch(ctx, []*ticket.ImportItem{it}); es[0] != nil {
				errs <- fmt.Errorf("import batch %d: %w", i, es[0])
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.Count(`SELECT count(*) FROM tickets`); n != 32 {
		t.Fatalf("%d tickets, want 32", n)
	}
}
