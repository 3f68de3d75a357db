package store_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// ReceivedProviderIDs answers per source, across mailboxes, over more ids
// than one query takes.
func TestReceivedProviderIDs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, _ := seed(t, s, ctx)
		for _, in := range []store.Inbound{
			{MailboxID: mb, Source: "gmail", ProviderID: "gmail:a"},
			{MailboxID: mb, Source: "gmail", ProviderID: "gmail:a"}, // received twice
			{MailboxID: mb, Source: "gmail", ProviderID: "gmail:b"},
			{MailboxID: mb, Source: "nylas", ProviderID: "gmail:c"}, // another source
		} {
			in.RawKey, in.SHA256, in.Status, in.ReceivedAt = "raw/x", "x", store.InboundPending, t0
			if _, err := s.InsertInbound(ctx, s.DB().W(), in); err != nil {
				t.Fatal(err)
			}
		}
		ids := []string{"gmail:c"}
		for i := range 1200 {
			ids = append(ids, fmt.Sprintf("gmail:unknown%d", i))
		}
		ids = append(ids, "gmail:b", "gmail:a")
		got, err := s.ReceivedProviderIDs(ctx, "gmail", ids)
		if err != nil {
			t.Fatal(err)
		}
		if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, []string{"gmail:a", "gmail:b"}) {
			t.Fatalf("received %v", keys)
		}
	})
}
