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

// The lease lasts 30s by default: taken at the fake clock's now, another
// replica cannot have it a millisecond before now+30s and can at now+30s.
func TestLeaseDefaultsToThirtySeconds(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		st := store.New(storetest.Open(t, dsn))
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		var took atomic.Bool
		sup := mailbox.NewSupervisor(mailbox.Config{Store: st, Receiver: nopReceiver{}, Logger: slog.New(slog.DiscardHandler), Holder: "a",
			Now: func() time.Time { took.Store(true); return now }})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { defer close(done); _ = sup.Run(ctx) }()
		// Wait until "a" holds the lease: "b" probing a minute in the past is
		// refused. A probe that wins expires before a's now, so "a" still
		// takes the lease.
		waitUntil(t, func() bool {
			if !took.Load() {
				return false
			}
			ok, err := st.AcquireLease(t.Context(), mailbox.LeaseName, "b", now.Add(-time.Minute), time.Millisecond)
			return err == nil && !ok
		})
		if ok, err := st.AcquireLease(t.Context(), mailbox.LeaseName, "b", now.Add(30*time.Second-time.Millisecond), time.Second); err != nil || ok {
			t.Fatalf("lease taken before 30s: %v %v", ok, err)
		}
		ok, err := st.AcquireLease(t.Context(), mailbox.LeaseName, "b", now.Add(30*time.Second), time.Second)
		cancel()
		<-done
		if err != nil || !ok {
			t.Fatalf("lease not free at 30s: %v %v", ok, err)
		}
	})
}
