package mailbox_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

func TestLease(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		st := store.New(storetest.Open(t, dsn))
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		steps := []struct {
			holder string
			at     time.Duration
			want   bool
		}{
			{"a", 0, true},                 // free
			{"b", 10 * time.Second, false}, // held by a
			{"a", 20 * time.Second, true},  // renewed until 50s
			{"b", 45 * time.Second, false}, // still held
			{"b", 51 * time.Second, true},  // expired: taken over
			{"a", 52 * time.Second, false},
		}
		for i, s := range steps {
			got, err := st.AcquireLease(ctx, "l", s.holder, now.Add(s.at), 30*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if got != s.want {
				t.Fatalf("step %d: %s at %v got %v", i, s.holder, s.at, got)
			}
		}
		if err := st.ReleaseLease(ctx, "l", "b"); err != nil {
			t.Fatal(err)
		}
		if got, err := st.AcquireLease(ctx, "l", "a", now.Add(53*time.Second), 30*time.Second); err != nil || !got {
			t.Fatal("a released lease must be free at once", err)
		}
	})
}

// fakeConn is a connector that only records that it runs (the supervisor's
// test double; the real connectors are tested in their packages).
type fakeConn struct {
	active *atomic.Int32
	max    *atomic.Int32
}

func (f fakeConn) Test(context.Context) error                           { return nil }
func (f fakeConn) Backfill(context.Context, time.Time) error            { return nil }
func (f fakeConn) Sync(context.Context) error                           { return nil }
func (f fakeConn) Send(context.Context, string, []string, []byte) error { return nil }
func (f fakeConn) Close() error                                         { return nil }
func (f fakeConn) Watch(ctx context.Context) error {
	n := f.active.Add(1)
	for {
		m := f.max.Load()
		if n <= m || f.max.CompareAndSwap(m, n) {
			break
		}
	}
	<-ctx.Done()
	f.active.Add(-1)
	return nil
}

type nopReceiver struct{}

func (nopReceiver) Receive(context.Context, ticket.Received) (int64, error) { return 0, nil }

// Two replicas: only the lease holder runs the mailbox; when it stops, the
// other takes over.
func TestOneReplicaRunsTheConnectors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		st := store.New(storetest.Open(t, dsn))
		ctx := context.Background()
		id, err := st.CreateMailbox(ctx, store.Mailbox{Name: "S", Address: "s@acme.test", Provider: "fake", CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		var active, maxActive atomic.Int32
		var runsA, runsB atomic.Int32
		var triesB atomic.Int32 // b's reads of the clock: one per lease attempt
		newSup := func(holder string, runs, tries *atomic.Int32) *mailbox.Supervisor {
			return mailbox.NewSupervisor(mailbox.Config{Store: st, Receiver: nopReceiver{}, Logger: slog.New(slog.DiscardHandler), Holder: holder,
				LeaseTTL: 600 * time.Millisecond,
				Now:      func() time.Time { tries.Add(1); return time.Now() },
				Factories: map[string]mailbox.Factory{"fake": func(context.Context, store.Connector, *mailbox.Host) (mailbox.Connector, error) {
					runs.Add(1)
					return fakeConn{active: &active, max: &maxActive}, nil
				}}})
		}
		ctxA, stopA := context.WithCancel(ctx)
		doneA := make(chan struct{})
		var triesA atomic.Int32
		go func() { defer close(doneA); _ = newSup("a", &runsA, &triesA).Run(ctxA) }()
		waitUntil(t, func() bool { return active.Load() == 1 })
		ctxB, stopB := context.WithCancel(ctx)
		defer stopB()
		doneB := make(chan struct{})
		go func() { defer close(doneB); _ = newSup("b", &runsB, &triesB).Run(ctxB) }()
		// b tries the lease (every 150ms) while a holds it: after three tries
		// it must still not have run the mailbox.
		waitUntil(t, func() bool { return triesB.Load() >= 3 })
		if runsB.Load() != 0 {
			t.Fatal("the second replica ran the mailbox while the first held the lease")
		}
		stopA()
		<-doneA
		waitUntil(t, func() bool { return runsB.Load() == 1 && active.Load() == 1 })
		if maxActive.Load() != 1 {
			t.Fatalf("at most one connector may run at a time, saw %d", maxActive.Load())
		}
		st2, err := st.MailboxSyncStatus(ctx, id)
		if err != nil || st2.Provider != "fake" {
			t.Fatalf("status %+v %v", st2, err)
		}
		stopB()
		<-doneB
	})
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHealthChecksOnTheLeaseHolderEveryInterval: the health check runs on
// the replica holding the lease, once per HealthEvery however often the
// lease rounds go, and never on a replica without the lease.
func TestHealthChecksOnTheLeaseHolderEveryInterval(t *testing.T) {
	st := store.New(storetest.Open(t, storetest.SQLiteURL(t)))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base := time.Now()
	var rounds, checks, otherChecks atomic.Int32
	ticks := make(chan time.Time)
	sup := mailbox.NewSupervisor(mailbox.Config{Store: st, Receiver: nopReceiver{}, Logger: slog.New(slog.DiscardHandler), Holder: "a",
		// Each round reads the clock once: 20 s later each time.
		Now:         func() time.Time { return base.Add(time.Duration(rounds.Add(1)-1) * 20 * time.Second) },
		Tick:        func(time.Duration) <-chan time.Time { return ticks },
		HealthEvery: time.Minute,
		Health:      func(context.Context) error { checks.Add(1); return nil },
	})
	done := make(chan struct{})
	go func() { defer close(done); _ = sup.Run(ctx) }()
	other := mailbox.NewSupervisor(mailbox.Config{Store: st, Receiver: nopReceiver{}, Logger: slog.New(slog.DiscardHandler), Holder: "b",
		Now:    func() time.Time { return base },
		Tick:   func(time.Duration) <-chan time.Time { return make(chan time.Time) },
		Health: func(context.Context) error { otherChecks.Add(1); return nil },
	})
	waitUntil(t, func() bool { return checks.Load() == 1 })
	octx, ostop := context.WithCancel(ctx)
	odone := make(chan struct{})
	go func() { defer close(odone); _ = other.Run(octx) }()
	for range 6 {
		ticks <- time.Now()
	}
	// Rounds at 0, 20, ..., 120 s: checks at 0, 60 and 120 s.
	waitUntil(t, func() bool { return rounds.Load() == 7 && checks.Load() == 3 })
	ostop()
	<-odone
	cancel()
	<-done
	if checks.Load() != 3 || otherChecks.Load() != 0 {
		t.Fatalf("checks %d (want 3), on the replica without the lease %d", checks.Load(), otherChecks.Load())
	}
}
