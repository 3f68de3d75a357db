package app

import (
	"fmt"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// The pipeline reports every message once, in archive order, however small
// its memory budget: a tiny one makes Add wait on nearly every message, and
// the writer must then commit what it has instead of waiting for a batch.
func TestImportPipeKeepsOrderUnderMemoryLimit(t *testing.T) {
	for _, maxBytes := range []int{1, 2000, 32 << 20} {
		t.Run(fmt.Sprint(maxBytes), func(t *testing.T) {
			e := mailboxtest.New(t, storetest.SQLiteURL(t))
			ctx, svc, mb := e.Ctx, e.Svc, e.Mailbox("support@acme.test", "smtp")

			var got []string
			var results []ticket.Result
			p := newImportPipe(ctx, svc, func(source string, res ticket.Result, err error) {
				got = append(got, source)
				if source != "unreadable" && err != nil {
					t.Errorf("%s: %v", source, err)
				}
				results = append(results, res)
			})
			p.maxBytes = maxBytes
			const n = 250
			for i := range n {
				if i == 100 {
					p.Failed("unreadable", fmt.Errorf("broken archive"))
				}
				// Every third message answers the one before it.
				raw := fmt.Sprintf("From: c%d@customer.test\r\nSubject: question %d\r\nMessage-ID: <m%d@customer.test>\r\n", i, i, i)
				if i%3 == 1 {
					raw += fmt.Sprintf("In-Reply-To: <m%d@customer.test>\r\n", i-1)
				}
				raw += "\r\nHello.\r\n"
				p.Add(fmt.Sprint(i), mb, []byte(raw))
			}
			p.Close()

			if len(got) != n+1 {
				t.Fatalf("%d results, want %d", len(got), n+1)
			}
			for i, source := range got {
				want := fmt.Sprint(i)
				switch {
				case i == 100:
					want = "unreadable"
				case i > 100:
					want = fmt.Sprint(i - 1)
				}
				if source != want {
					t.Fatalf("result %d is %q, want %q: out of order", i, source, want)
				}
			}
			ticketOf := map[string]int64{}
			for i, res := range results {
				ticketOf[got[i]] = res.TicketID
			}
			for m := 1; m < n; m += 3 {
				if reply, parent := ticketOf[fmt.Sprint(m)], ticketOf[fmt.Sprint(m-1)]; reply != parent || reply == 0 {
					t.Errorf("reply %d on ticket %d, its parent on %d", m, reply, parent)
				}
			}
			if p.inFlight != 0 {
				t.Errorf("%d bytes still counted in flight", p.inFlight)
			}
		})
	}
}
