package store_test

import (
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store/storetest"
)

// One lease, steps in order: the supervisor tests (internal/mailbox) use
// leases too, but the store's own rules are checked here.
func TestLeases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		const ttl = 30 * time.Second
		for _, step := range []struct {
			name    string
			release bool // ReleaseLease instead of AcquireLease
			holder  string
			at      time.Duration // after t0
			want    bool
		}{
			{name: "free lease", holder: "a", at: 0, want: true},
			{name: "held by another", holder: "b", at: 10 * time.Second, want: false},
			{name: "renewed by its holder", holder: "a", at: 20 * time.Second, want: true},
			{name: "held until the renewed expiry", holder: "b", at: 49 * time.Second, want: false},
			{name: "expired at the renewed expiry", holder: "b", at: 50 * time.Second, want: true},
			{name: "a non-holder's release changes nothing", release: true, holder: "a"},
			{name: "still held", holder: "a", at: 51 * time.Second, want: false},
			{name: "the holder's release", release: true, holder: "b"},
			{name: "free at once", holder: "a", at: 52 * time.Second, want: true},
		} {
			if step.release {
				if err := s.ReleaseLease(ctx, "l", step.holder); err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
				continue
			}
			got, err := s.AcquireLease(ctx, "l", step.holder, t0.Add(step.at), ttl)
			if err != nil || got != step.want {
				t.Fatalf("%s: AcquireLease(%s, +%s) = %v, %v; want %v", step.name, step.holder, step.at, got, err, step.want)
			}
		}
	})
}
