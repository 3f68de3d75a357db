package live_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// fakeClock is a clock tests move by hand (the sweeper reads it too).
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func viewers(vs ...live.Viewer) *live.Presence {
	return &live.Presence{Viewers: append([]live.Viewer{}, vs...)}
}

func wantPresence(t *testing.T, sub *live.Subscription, ticketID int64, want *live.Presence) {
	t.Helper()
	ev := receive(t, sub)
	for ev.TicketID != ticketID && ev.TicketID > 1000 { // waitSeen's markers
		ev = receive(t, sub)
	}
	if ev.Type != live.PresenceChanged || ev.TicketID != ticketID || !reflect.DeepEqual(ev.Presence, want) {
		t.Fatalf("event %+v %+v, want %d %+v", ev, ev.Presence, ticketID, want)
	}
}

// TestPresenceArrivesTypesLeavesAndExpires: browsers hear of an arrival,
// typing, a leave and a viewer silent for 30 s (PresenceTTL), never of a
// heartbeat that changes nothing. Both engines, one replica.
func TestPresenceArrivesTypesLeavesAndExpires(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		db := storetest.Open(t, dsn)
		clock := newFakeClock()
		o := quiet
		o.Now = clock.Now
		b := startBroker(t, db, o)
		sub := b.Subscribe()
		defer sub.Close()
		ctx := context.Background()
		alice, bob := live.Viewer{UserID: 1, Name: "Alice"}, live.Viewer{UserID: 2, Name: "Bob"}

		others, err := b.Announce(ctx, 7, alice)
		if err != nil || len(others) != 0 {
			t.Fatalf("first on the ticket: %v %v", others, err)
		}
		wantPresence(t, sub, 7, viewers(alice))
		if _, err := b.Announce(ctx, 7, alice); err != nil { // a heartbeat: nothing to tell
			t.Fatal(err)
		}
		aliceTyping := alice
		aliceTyping.Typing = true
		if _, err := b.Announce(ctx, 7, aliceTyping); err != nil {
			t.Fatal(err)
		}
		wantPresence(t, sub, 7, viewers(aliceTyping))
		if _, err := b.Announce(ctx, 7, bob); err != nil {
			t.Fatal(err)
		}
		wantPresence(t, sub, 7, viewers(aliceTyping, bob))
		if got := waitViewers(t, b, 7, 2); !reflect.DeepEqual(got, []live.Viewer{aliceTyping, bob}) {
			t.Fatalf("viewers %+v", got)
		}

		// Bob keeps announcing; Alice goes silent: at 29 s she is there, at 30 s gone.
		clock.advance(20 * time.Second)
		if _, err := b.Announce(ctx, 7, bob); err != nil {
			t.Fatal(err)
		}
		waitSeen(t, b, 7, bob) // on PostgreSQL the heartbeat comes back through LISTEN
		clock.advance(9 * time.Second)
		b.SweepPresence()
		if got := b.Viewers(7); len(got) != 2 {
			t.Fatalf("at 29 s: %+v", got)
		}
		clock.advance(time.Second)
		b.SweepPresence()
		wantPresence(t, sub, 7, viewers(bob))

		if err := b.Leave(ctx, 7, bob.UserID); err != nil {
			t.Fatal(err)
		}
		wantPresence(t, sub, 7, viewers())
	})
}

// waitViewers waits until the replica knows n viewers of the ticket.
func waitViewers(t *testing.T, b *live.Broker, ticketID int64, n int) []live.Viewer {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := b.Viewers(ticketID)
		if len(got) == n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitSeen lets a heartbeat that changes nothing arrive: announcing and
// leaving a marker viewer after it, in order, proves it was applied.
func waitSeen(t *testing.T, b *live.Broker, ticketID int64, v live.Viewer) {
	t.Helper()
	ctx := context.Background()
	marker := live.Viewer{UserID: 999, Name: "marker"}
	if _, err := b.Announce(ctx, ticketID+1000, marker); err != nil {
		t.Fatal(err)
	}
	if got := waitViewers(t, b, ticketID+1000, 1); len(got) != 1 {
		t.Fatalf("marker never arrived: %+v", got)
	}
	if err := b.Leave(ctx, ticketID+1000, marker.UserID); err != nil {
		t.Fatal(err)
	}
	waitViewers(t, b, ticketID+1000, 0)
}

// TestPresenceAcrossReplicas: an agent announced on one replica is seen by
// the browsers of another, which also lists them (PostgreSQL).
func TestPresenceAcrossReplicas(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	dbA := storetest.Open(t, dsn)
	dbB, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dbB.Close)
	a, b := startBroker(t, dbA, quiet), startBroker(t, dbB, quiet)
	subB := b.Subscribe()
	defer subB.Close()
	alice := live.Viewer{UserID: 1, Name: "Alice", Typing: true}
	if _, err := a.Announce(context.Background(), 3, alice); err != nil {
		t.Fatal(err)
	}
	wantPresence(t, subB, 3, viewers(alice))
	others, err := b.Announce(context.Background(), 3, live.Viewer{UserID: 2, Name: "Bob"})
	if err != nil || !reflect.DeepEqual(others, []live.Viewer{alice}) {
		t.Fatalf("Bob on replica B sees %+v %v", others, err)
	}
	wantPresence(t, subB, 3, viewers(alice, live.Viewer{UserID: 2, Name: "Bob"}))
	if err := a.Leave(context.Background(), 3, alice.UserID); err != nil {
		t.Fatal(err)
	}
	wantPresence(t, subB, 3, viewers(live.Viewer{UserID: 2, Name: "Bob"}))
	if err := b.Leave(context.Background(), 3, 2); err != nil {
		t.Fatal(err)
	}
	wantPresence(t, subB, 3, viewers())
}
