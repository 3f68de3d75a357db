package store_test

import (
	"fmt"
	"testing"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestManyRowsFitInStatements: the multi-row writes take any number of
// rows (10,000 attachments of 8 columns are 80,000 parameters, beyond both
// engines' limit for one statement).
func TestManyRowsFitInStatements(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		db := s.DB()
		const nAtts, nPeople, nKeys = 10000, 3000, 2500
		err := db.InTx(ctx, func(tx *store.Tx) error {
			ticketID, err := s.CreateTicket(ctx, tx, store.Ticket{Subject: "Big", Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mb, CreatedAt: t0})
			if err != nil {
				return err
			}
			msgID, err := s.InsertMessage(ctx, tx, store.Message{TicketID: ticketID, Kind: store.KindInbound, DedupeKey: "mid:big", CreatedAt: t0})
			if err != nil {
				return err
			}
			atts := make([]store.Attachment, nAtts)
			for i := range atts {
				atts[i] = store.Attachment{MessageID: msgID, Filename: fmt.Sprintf("f%d", i), ContentType: "text/plain", Size: 1, SHA256: "s", BlobKey: "att/s"}
			}
			if err := s.AddAttachments(ctx, tx, atts); err != nil {
				return err
			}
			people := make([]store.Address, nPeople)
			for i := range people {
				people[i] = store.Address{Email: fmt.Sprintf("p%d@example.org", i)}
			}
			if err := s.AddParticipants(ctx, tx, ticketID, people, t0); err != nil {
				return err
			}
			ids, err := s.UpsertContacts(ctx, tx, people, t0)
			if err != nil {
				return err
			}
			if len(ids) != nPeople {
				t.Errorf("upserted %d contacts, want %d", len(ids), nPeople)
			}
			keys := make([]string, nKeys)
			for i := range keys {
				keys[i] = fmt.Sprintf("ref%d@example.org", i)
			}
			return s.AddThreadKeys(ctx, tx, ticketID, keys)
		})
		if err != nil {
			t.Fatal(err)
		}
		for table, want := range map[string]int{"attachments": nAtts, "ticket_participants": nPeople, "thread_keys": nKeys} {
			var n int
			if err := db.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil || n != want {
				t.Errorf("%s: %d rows (%v), want %d", table, n, err, want)
			}
		}
	})
}
