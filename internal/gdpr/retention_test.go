package gdpr_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/gdpr"
	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestRetentionErasesOnlyExpiredClosedTickets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true})
		kept := e.Mailbox("kept@acme.test", "imap")
		ruled := e.Mailbox("ruled@acme.test", "imap")
		now := time.Now()
		ticket := func(mb int64, n int, status string, age time.Duration) int64 {
			t.Helper()
			raw := fmt.Sprintf("From: c%d@customer.test\r\nTo: x@acme.test\r\nSubject: Case %d\r\nMessage-ID: <ret-%d@customer.test>\r\n\r\nSecret body %d.\r\n", n, n, n, n)
			if err := e.Host(mb, "x@acme.test").Deliver(e.Ctx, mailbox.Message{ProviderID: fmt.Sprintf("imap:1:%d", n), Source: "imap", Raw: []byte(raw)}); err != nil {
				t.Fatal(err)
			}
			var in int64
			if err := e.DB.W().QueryRow(e.Ctx, `SELECT max(id) FROM inbound`).Scan(&in); err != nil {
				t.Fatal(err)
			}
			if err := e.Svc.ProcessInbound(e.Ctx, in); err != nil {
				t.Fatal(err)
			}
			var id int64
			if err := e.DB.W().QueryRow(e.Ctx, `SELECT max(id) FROM tickets`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := e.DB.W().Exec(e.Ctx, `UPDATE tickets SET status = $1, updated_at = $2 WHERE id = $3`, status, now.Add(-age).UTC(), id); err != nil {
				t.Fatal(err)
			}
			return id
		}
		const day = 24 * time.Hour
		expired := ticket(ruled, 1, "closed", 31*day)
		recent := ticket(ruled, 2, "closed", 29*day)
		open := ticket(ruled, 3, "open", 90*day)
		other := ticket(kept, 4, "closed", 90*day)
		if err := e.Store.SetRetention(e.Ctx, ruled, 30); err != nil {
			t.Fatal(err)
		}
		var rawKey string
		if err := e.DB.W().QueryRow(e.Ctx, `SELECT raw_key FROM messages WHERE ticket_id = $1 AND kind = 'inbound'`, expired).Scan(&rawKey); err != nil {
			t.Fatal(err)
		}
		svc := &gdpr.Service{Store: e.Store, Blobs: e.Blobs, Now: func() time.Time { return now }}
		n, err := svc.ApplyRetention(e.Ctx)
		if err != nil || n != 1 {
			t.Fatalf("retention erased %d tickets, %v; want 1", n, err)
		}
		for id, wantErased := range map[int64]bool{expired: true, recent: false, open: false, other: false} {
			tk, err := e.Store.GetTicket(e.Ctx, e.DB.W(), id)
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := e.Store.ListMessages(e.Ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			erased := tk.Subject == "[erased]" && msgs[0].Text == "" && msgs[0].RawKey == ""
			if erased != wantErased || len(msgs) == 0 {
				t.Errorf("ticket %d: erased %v, want %v (%q, %d messages)", id, erased, wantErased, tk.Subject, len(msgs))
			}
		}
		if _, err := e.Blobs.Get(e.Ctx, rawKey); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("the expired ticket's raw mail: %v, want not found", err)
		}
		if n, err := svc.ApplyRetention(e.Ctx); err != nil || n != 0 {
			t.Fatalf("a second run erased %d, %v; want nothing", n, err)
		}
		if got := e.Count(`SELECT count(*) FROM ticket_events WHERE kind = 'retention_erased' AND ticket_id = $1`, expired); got != 1 {
			t.Fatalf("%d retention events, want 1", got)
		}
	})
}
