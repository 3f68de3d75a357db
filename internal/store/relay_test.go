package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestRelayErrorKeepsItsFirstTime(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, _ := seed(t, s, ctx)
		q := s.DB().W()
		if err := s.SetRelayError(ctx, q, mb, "certificate not trusted", t0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetRelayError(ctx, q, mb, "AUTH PLAIN refused", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetMailbox(ctx, q, mb)
		if err != nil || got.RelayError != "AUTH PLAIN refused" || !got.RelayErrorSince.Equal(t0) {
			t.Fatalf("after two errors: %q since %v (%v)", got.RelayError, got.RelayErrorSince, err)
		}
		if err := s.ClearRelayError(ctx, q, mb); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetMailbox(ctx, q, mb); got.RelayError != "" || !got.RelayErrorSince.IsZero() {
			t.Fatalf("after clear: %q since %v", got.RelayError, got.RelayErrorSince)
		}
		warning := "insecure=1"
		if err := s.UpdateMailbox(ctx, mb, store.MailboxChange{RelayWarning: &warning}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetMailbox(ctx, q, mb); got.RelayWarning != warning {
			t.Fatalf("warning %q", got.RelayWarning)
		}
	})
}

// TestResumeWaiting: only the waiting messages of that mailbox are queued
// again; "waiting" is a valid delivery state and others are still refused.
func TestResumeWaiting(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		other, err := s.CreateMailbox(ctx, store.Mailbox{Name: "Sales", Address: "sales@example.com", Provider: "smtp", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		q := s.DB().W()
		msg := func(mailbox int64, status string) int64 {
			t.Helper()
			tid, err := s.CreateTicket(ctx, q, store.Ticket{Subject: "x", Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mailbox, CreatedAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			mid := fmt.Sprintf("%d-%s@example.com", tid, status)
			id, err := s.InsertMessage(ctx, q, store.Message{TicketID: tid, Kind: store.KindOutbound, MessageID: mid, DedupeKey: "mid:" + mid,
				CreatedAt: t0, SentAt: t0, DeliveryStatus: status})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		w1, w2 := msg(mb, store.DeliveryWaiting), msg(mb, store.DeliveryWaiting)
		failed, otherWaiting := msg(mb, store.DeliveryFailed), msg(other, store.DeliveryWaiting)
		var ids []int64
		err = s.DB().InTx(ctx, func(tx *store.Tx) error {
			refs, err := s.ResumeWaiting(ctx, tx, mb)
			for _, r := range refs {
				if m, err := s.GetMessage(ctx, tx, r.ID); err != nil || m.TicketID != r.TicketID {
					t.Errorf("message %d: ticket %d, want %d (%v)", r.ID, r.TicketID, m.TicketID, err)
				}
				ids = append(ids, r.ID)
			}
			return err
		})
		slices.Sort(ids)
		if err != nil || !slices.Equal(ids, []int64{w1, w2}) {
			t.Fatalf("resumed %v (%v), want %v", ids, err, []int64{w1, w2})
		}
		for id, want := range map[int64]string{w1: store.DeliveryQueued, w2: store.DeliveryQueued, failed: store.DeliveryFailed, otherWaiting: store.DeliveryWaiting} {
			if m, err := s.GetMessage(ctx, q, id); err != nil || m.DeliveryStatus != want {
				t.Fatalf("message %d: %q (%v), want %q", id, m.DeliveryStatus, err, want)
			}
		}
		if err := s.SetDelivery(ctx, q, failed, "bogus", "", 0, t0, time.Time{}); err == nil {
			t.Fatal("an unknown delivery state was stored")
		}
	})
}
