package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

var quiet = live.Options{Logger: slog.New(slog.DiscardHandler)}

func startBroker(t *testing.T, db *store.DB, opts live.Options) *live.Broker {
	t.Helper()
	b := live.New(db, opts)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	return b
}

// publish commits (or rolls back) a transaction that publishes ev.
func publish(t *testing.T, db *store.DB, b *live.Broker, ev live.Event, commit bool) {
	t.Helper()
	errRollback := errors.New("rollback")
	err := db.InTx(context.Background(), func(tx *store.Tx) error {
		if err := b.PublishTx(context.Background(), tx, ev); err != nil {
			return err
		}
		if !commit {
			return errRollback
		}
		return nil
	})
	if commit && err != nil || !commit && !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

func receive(t *testing.T, sub *live.Subscription) live.Event {
	t.Helper()
	select {
	case ev, ok := <-sub.Events():
		if !ok {
			t.Fatal("subscription closed")
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return live.Event{}
}

// TestPublishAfterCommitOnly: an event of a rolled-back transaction is never
// seen; a committed one is, in order. Both engines, one broker.
func TestPublishAfterCommitOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		db := storetest.Open(t, dsn)
		b := startBroker(t, db, quiet)
		sub := b.Subscribe()
		defer sub.Close()
		publish(t, db, b, live.Event{Type: live.TicketCreated, TicketID: 1}, false)
		publish(t, db, b, live.Event{Type: live.TicketCreated, TicketID: 2}, true)
		publish(t, db, b, live.Event{Type: live.MessageAdded, TicketID: 2, MessageID: 7}, true)
		if ev := receive(t, sub); ev != (live.Event{Type: live.TicketCreated, TicketID: 2}) {
			t.Fatalf("first event: %+v (the rolled-back one must never arrive)", ev)
		}
		if ev := receive(t, sub); ev != (live.Event{Type: live.MessageAdded, TicketID: 2, MessageID: 7}) {
			t.Fatalf("second event: %+v", ev)
		}
	})
}

// TestTwoReplicasOnPostgres: two brokers on one database stand for two
// replicas; what one publishes, the other's subscribers receive.
func TestTwoReplicasOnPostgres(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	dbA := storetest.Open(t, dsn)
	dbB, err := store.Open(context.Background(), dsn) // a second process's own pool
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dbB.Close)
	a, b := startBroker(t, dbA, quiet), startBroker(t, dbB, quiet)
	subA, subB := a.Subscribe(), b.Subscribe()
	defer subA.Close()
	defer subB.Close()

	publish(t, dbA, a, live.Event{Type: live.TicketUpdated, TicketID: 9}, false)
	publish(t, dbA, a, live.Event{Type: live.TicketUpdated, TicketID: 10}, true)
	publish(t, dbB, b, live.Event{Type: live.MessageAdded, TicketID: 10, MessageID: 3}, true)
	for name, sub := range map[string]*live.Subscription{"replica A": subA, "replica B": subB} {
		if ev := receive(t, sub); ev != (live.Event{Type: live.TicketUpdated, TicketID: 10}) {
			t.Fatalf("%s first: %+v", name, ev)
		}
		if ev := receive(t, sub); ev != (live.Event{Type: live.MessageAdded, TicketID: 10, MessageID: 3}) {
			t.Fatalf("%s second: %+v", name, ev)
		}
	}
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	db := storetest.Open(t, storetest.SQLiteURL(t))
	b := startBroker(t, db, live.Options{Buffer: 2, Logger: quiet.Logger})
	slow, fast := b.Subscribe(), b.Subscribe()
	defer fast.Close()
	for i := range 5 {
		ev := live.Event{Type: live.TicketUpdated, TicketID: int64(i + 1)}
		publish(t, db, b, ev, true) // returns although slow never reads
		if got := receive(t, fast); got != ev {
			t.Fatalf("fast subscriber: %+v, want %+v", got, ev)
		}
	}
	n := 0
	for range slow.Events() { // closed after its buffer filled
		n++
	}
	if n != 2 {
		t.Fatalf("slow subscriber got %d buffered events before being dropped, want 2", n)
	}
	if b.Subscribers() != 1 {
		t.Fatalf("subscribers: %d", b.Subscribers())
	}
}

// sseClient reads a real event stream line by line.
type sseClient struct {
	t      *testing.T
	resp   *http.Response
	lines  chan string
	cancel context.CancelFunc
}

func openStream(t *testing.T, url string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer good")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &sseClient{t: t, resp: resp, lines: make(chan string, 100), cancel: cancel}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return c
}

func (c *sseClient) next() string {
	c.t.Helper()
	select {
	case l, ok := <-c.lines:
		if !ok {
			c.t.Fatal("stream ended")
		}
		return l
	case <-time.After(10 * time.Second):
		c.t.Fatal("no line within 10s")
	}
	return ""
}

// block reads lines up to the blank line ending an SSE block.
func (c *sseClient) block() []string {
	c.t.Helper()
	var out []string
	for {
		l := c.next()
		if l == "" {
			return out
		}
		out = append(out, l)
	}
}

func TestSSEHandler(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		db := storetest.Open(t, dsn)
		b := startBroker(t, db, quiet)
		h := b.Handler(live.HandlerConfig{
			Authenticate: func(r *http.Request) (int64, bool) { return 5, r.Header.Get("Authorization") == "Bearer good" },
			// Per-event filter: this user may not see ticket 666.
			Allow:     func(r *http.Request, userID int64, ev live.Event) bool { return userID == 5 && ev.TicketID != 666 },
			Heartbeat: 20 * time.Millisecond,
			Retry:     1500 * time.Millisecond,
		})
		srv := httptest.NewServer(h)
		defer srv.Close()

		// Anonymous: 401 with the API's error shape.
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if resp.StatusCode != http.StatusUnauthorized || json.Unmarshal(body, &e) != nil || e.Error.Code != "unauthorized" || e.Error.Message == "" {
			t.Fatalf("anonymous: %d %s", resp.StatusCode, body)
		}

		c := openStream(t, srv.URL)
		if ct := c.resp.Header.Get("Content-Type"); c.resp.StatusCode != 200 || ct != "text/event-stream" {
			t.Fatalf("stream: %d %q", c.resp.StatusCode, ct)
		}
		if first := c.block(); len(first) == 0 || first[0] != "retry: 1500" {
			t.Fatalf("opening block: %q", first)
		}
		publish(t, db, b, live.Event{Type: live.TicketCreated, TicketID: 666}, true)
		publish(t, db, b, live.Event{Type: live.NotificationAdded, TicketID: 42, UserID: 6}, true) // another user's
		publish(t, db, b, live.Event{Type: live.MessageAdded, TicketID: 42, MessageID: 4242}, true)
		publish(t, db, b, live.Event{Type: live.NotificationAdded, TicketID: 42, UserID: 5}, true)
		var events [][]string
		heartbeats := 0
		for len(events) < 2 || heartbeats < 1 {
			blk := c.block()
			if len(blk) == 1 && blk[0] == ": heartbeat" {
				heartbeats++
				continue
			}
			events = append(events, blk)
		}
		want := []string{"event: message.added", `data: {"type":"message.added","ticket_id":42,"message_id":4242}`}
		if strings.Join(events[0], "\n") != strings.Join(want, "\n") {
			t.Fatalf("event block: %q, want %q (ticket 666 and user 6's notification must be filtered out)", events[0], want)
		}
		want = []string{"event: notification.added", `data: {"type":"notification.added","ticket_id":42,"user_id":5}`}
		if strings.Join(events[1], "\n") != strings.Join(want, "\n") {
			t.Fatalf("second event block: %q, want %q (the user's own notification)", events[1], want)
		}

		// The client goes away: its subscription ends.
		c.cancel()
		deadline := time.Now().Add(10 * time.Second)
		for b.Subscribers() != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("subscription not released after the client left: %d", b.Subscribers())
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestListenerReconnects: when the database drops the listening connection,
// current streams end (their clients reconnect and refetch) and the broker
// listens again, so later events arrive.
func TestListenerReconnects(t *testing.T) {
	dsn := storetest.PostgresURL(t)
	db := storetest.Open(t, dsn)
	b := startBroker(t, db, quiet)
	old := b.Subscribe()
	n, err := db.Exec(context.Background(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`)
	if err != nil || n != 1 {
		t.Fatalf("terminate the listener: %d %v", n, err)
	}
	select {
	case _, open := <-old.Events():
		if open {
			t.Fatal("an event arrived instead of the end of the stream")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the subscription did not end when the listener was lost")
	}
	fresh := b.Subscribe()
	defer fresh.Close()
	// Publish until the new listener is in place and one comes through.
	deadline := time.Now().Add(20 * time.Second)
	for i := int64(1); ; i++ {
		publish(t, db, b, live.Event{Type: live.TicketUpdated, TicketID: i}, true)
		select {
		case ev, open := <-fresh.Events():
			if !open {
				t.Fatal("the new subscription was dropped")
			}
			if ev.Type != live.TicketUpdated {
				t.Fatalf("event %+v", ev)
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no event after the listener was lost: it did not reconnect")
		}
	}
}

// TestStreamEndsWhenCredentialsDo: once StillValid says no (a revoked
// token, an ended session), the stream ends at the next heartbeat.
func TestStreamEndsWhenCredentialsDo(t *testing.T) {
	db := storetest.Open(t, storetest.SQLiteURL(t))
	b := startBroker(t, db, quiet)
	var valid atomic.Bool
	valid.Store(true)
	h := b.Handler(live.HandlerConfig{
		Authenticate: func(r *http.Request) (int64, bool) { return 5, true },
		StillValid:   func(r *http.Request, userID int64) bool { return userID == 5 && valid.Load() },
		Heartbeat:    20 * time.Millisecond,
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := openStream(t, srv.URL)
	c.block()
	if blk := c.block(); len(blk) != 1 || blk[0] != ": heartbeat" {
		t.Fatalf("while valid: %q", blk)
	}
	valid.Store(false)
	for {
		select {
		case _, open := <-c.lines:
			if !open {
				return
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the stream outlived its credentials")
		}
	}
}
