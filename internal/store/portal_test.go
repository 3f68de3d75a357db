package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestPortalLinkIsUsedOnce: of parallel uses of one link exactly one gets
// the address; an expired link is not found.
func TestPortalLinkIsUsedOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		if err := s.CreatePortalLink(ctx, "Carol@Example.org", "h1", t0, t0.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var got []string
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				email, err := s.UsePortalLink(ctx, "h1", t0.Add(time.Minute))
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					t.Error(err)
				}
				if err == nil {
					mu.Lock()
					got = append(got, email)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(got) != 1 || got[0] != "carol@example.org" {
			t.Fatalf("uses %v, want one for carol@example.org", got)
		}
		if err := s.CreatePortalLink(ctx, "carol@example.org", "h2", t0, t0.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UsePortalLink(ctx, "h2", t0.Add(15*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired link: %v", err)
		}
	})
}
