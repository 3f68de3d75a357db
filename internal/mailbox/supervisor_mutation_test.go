package mailbox_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// fakeWaits is the supervisor's clock for reconnect waits: it records each
// wait asked for and fires at once, until it has seen limit waits; then it
// ends the run.
type fakeWaits struct {
	mu    sync.Mutex
	waits []time.Duration
	limit int
	stop  context.CancelFunc
}

func (f *fakeWaits) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	if len(f.waits) >= f.limit {
		f.stop()
		return make(chan time.Time) // never fires: the run is ending
	}
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

func (f *fakeWaits) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// healthyConn backfills and then fails its watch at once: a run that
// reached a synced state, so the supervisor's backoff starts over.
type healthyConn struct{ fakeConn }

func (healthyConn) Watch(context.Context) error { return errors.New("server closed the connection") }

// runFailing runs a supervisor with default settings (zero Config values)
// over one mailbox whose connector factory is connect, until limit reconnect
// waits were asked for, and returns them.
func runFailing(t *testing.T, dsn string, limit int, connect func(run int) (mailbox.Connector, error)) []time.Duration {
	t.Helper()
	st := store.New(storetest.Open(t, dsn))
	if _, err := st.CreateMailbox(t.Context(), store.Mailbox{Name: "S", Address: "s@acme.test", Provider: "fake", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	clock := &fakeWaits{limit: limit, stop: cancel}
	var runs atomic.Int32
	sup := mailbox.NewSupervisor(mailbox.Config{Store: st, Receiver: nopReceiver{}, Logger: slog.New(slog.DiscardHandler), Holder: "a",
		Now:   func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) },
		After: clock.After,
		Factories: map[string]mailbox.Factory{"fake": func(context.Context, store.Connector, *mailbox.Host) (mailbox.Connector, error) {
			return connect(int(runs.Add(1)))
		}}})
	if err := sup.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return clock.recorded()
}

// checkWaits asserts that each wait lies in [b/2, b] (the jitter) for the
// backoff b expected at that step.
func checkWaits(t *testing.T, got, backoffs []time.Duration) {
	t.Helper()
	if len(got) != len(backoffs) {
		t.Fatalf("got %d waits %v, want %d", len(got), got, len(backoffs))
	}
	for i, b := range backoffs {
		if got[i] < b/2 || got[i] > b {
			t.Errorf("wait %d is %v, want within [%v, %v] (backoff %v); all: %v", i, got[i], b/2, b, b, got)
		}
	}
}

// The reconnect backoff starts at 1s, doubles on each failure in a row and
// stops at 5 minutes.
func TestReconnectBackoffDoublesFromOneSecondToFiveMinutes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		got := runFailing(t, dsn, 12, func(int) (mailbox.Connector, error) { return nil, errors.New("connection refused") })
		s := time.Second
		checkWaits(t, got, []time.Duration{s, 2 * s, 4 * s, 8 * s, 16 * s, 32 * s, 64 * s, 128 * s, 256 * s,
			5 * time.Minute, 5 * time.Minute, 5 * time.Minute})
	})
}

// A run that reached a synced state resets the backoff to 1s.
func TestReconnectBackoffStartsOverAfterAHealthyRun(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		var active, maxActive atomic.Int32
		got := runFailing(t, dsn, 5, func(run int) (mailbox.Connector, error) {
			if run == 4 {
				return healthyConn{fakeConn{active: &active, max: &maxActive}}, nil
			}
			return nil, errors.New("connection refused")
		})
		s := time.Second
		checkWaits(t, got, []time.Duration{s, 2 * s, 4 * s, s, 2 * s})
	})
}

// The lease lasts 20s by default and is renewed every 5s: taken at the fake
// clock's now, another replica cannot have it a millisecond before now+20s;
// the supervisor waits 5s between rounds, and a round at now+15s (a
// renewal) makes it last to now+35s exactly.
func TestLeaseDefaultsToTwentySecondsRenewedEveryFive(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		st := store.New(storetest.Open(t, dsn))
		start := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		var now atomic.Pointer[time.Time]
		now.Store(&start)
		rounds := make(chan time.Duration, 10) // the waits asked for
		fire := make(chan time.Time)
		sup := mailbox.NewSupervisor(mailbox.Config{Store: st, Receiver: nopReceiver{}, Logger: slog.New(slog.DiscardHandler), Holder: "a",
			Now:  func() time.Time { return *now.Load() },
			Tick: func(d time.Duration) <-chan time.Time { rounds <- d; return fire }})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); _ = sup.Run(ctx) }()
		defer func() { cancel(); <-done }()
		next := func() time.Duration {
			t.Helper()
			select {
			case d := <-rounds:
				return d
			case <-time.After(30 * time.Second):
				t.Fatal("the supervisor asked for no wait after a lease round")
				return 0
			}
		}
		// The first wait is asked for once "a" holds the lease.
		if d := next(); d != 5*time.Second {
			t.Fatalf("waits %v between lease rounds, want 5s", d)
		}
		free := func(at time.Time) bool {
			t.Helper()
			ok, err := st.AcquireLease(t.Context(), mailbox.LeaseName, "b", at, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if free(start.Add(20*time.Second - time.Millisecond)) {
			t.Fatal("lease taken before 20s")
		}
		renewal := start.Add(15 * time.Second)
		now.Store(&renewal)
		fire <- renewal
		if d := next(); d != 5*time.Second {
			t.Fatalf("waits %v between lease rounds, want 5s", d)
		}
		if free(start.Add(35*time.Second - time.Millisecond)) {
			t.Fatal("a renewal at 15s did not keep the lease to 35s")
		}
		if !free(start.Add(35 * time.Second)) {
			t.Fatal("lease renewed at 15s not free at 35s")
		}
	})
}
