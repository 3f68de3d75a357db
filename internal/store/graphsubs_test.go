package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestGraphSubscriptions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		mb, err := s.CreateMailbox(ctx, store.Mailbox{Name: "M", Address: "m@contoso.test", Provider: "microsoft", CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.GraphSubscriptionOf(ctx, mb, "inbox"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("none yet: %v", err)
		}
		in := store.GraphSubscription{MailboxID: mb, Folder: "inbox", SubscriptionID: "sub-1", ClientStateHash: "h1",
			NotificationURL: "https://help.example.com/api/v1/mailboxes/microsoft/notifications", ExpiresAt: now.Add(7 * 24 * time.Hour)}
		sent := in
		sent.Folder, sent.SubscriptionID, sent.ClientStateHash = "sentitems", "sub-2", "h2"
		for _, g := range []store.GraphSubscription{in, sent} {
			if err := s.SaveGraphSubscription(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		if g, err := s.GraphSubscriptionByID(ctx, "sub-2"); err != nil || g != sent {
			t.Fatalf("by id: %+v %v", g, err)
		}
		// A new subscription of the folder replaces the old one.
		in.SubscriptionID, in.ClientStateHash = "sub-3", "h3"
		if err := s.SaveGraphSubscription(ctx, in); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GraphSubscriptionByID(ctx, "sub-1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("replaced subscription still found: %v", err)
		}
		later := now.Add(8 * 24 * time.Hour)
		if err := s.RenewedGraphSubscription(ctx, "sub-3", later); err != nil {
			t.Fatal(err)
		}
		if g, err := s.GraphSubscriptionOf(ctx, mb, "inbox"); err != nil || g.SubscriptionID != "sub-3" || g.ClientStateHash != "h3" || !g.ExpiresAt.Equal(later) {
			t.Fatalf("renewed: %+v %v", g, err)
		}
		if err := s.DeleteGraphSubscription(ctx, "sub-3"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GraphSubscriptionOf(ctx, mb, "inbox"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted: %v", err)
		}
		if _, err := s.GraphSubscriptionOf(ctx, mb, "sentitems"); err != nil {
			t.Fatalf("the other folder's went too: %v", err)
		}
	})
}
