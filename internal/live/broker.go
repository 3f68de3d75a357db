// Package live pushes ticket changes to browsers as Server-Sent Events.
//
// Writers publish an Event inside the transaction of the change they announce
// (PublishTx), so nobody hears of a change that then rolls back or reads it
// before it is visible. On PostgreSQL the event goes out with pg_notify on the
// ticketer_events channel: PostgreSQL delivers it after commit to every
// replica's Broker, which LISTENs on that channel, so an agent connected to
// one replica sees what another replica wrote. On SQLite (a single process)
// the event is handed to local subscribers right after commit.
//
// Events carry only ids: a client refetches what it shows. Events are not
// stored; a client that was disconnected refetches its view on reconnect.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketer/ticketer/internal/store"
)

// Channel is the PostgreSQL NOTIFY channel events travel on.
const Channel = "ticketer_events"

// Event types.
const (
	TicketCreated = "ticket.created"
	TicketUpdated = "ticket.updated" // status, assignee, tags... or an outbound message's delivery state (MessageID set)
	MessageAdded  = "message.added"
	// NotificationAdded tells one agent (UserID) a notification of theirs
	// was stored; other users' streams do not carry it.
	NotificationAdded = "notification.added"
)

// Event is one change, as sent to clients.
type Event struct {
	Type      string `json:"type"`
	TicketID  int64  `json:"ticket_id"`
	MessageID int64  `json:"message_id,omitempty"`
	UserID    int64  `json:"user_id,omitempty"` // set: the event is for this user alone
	// Presence is the ticket's viewers (PresenceChanged).
	Presence *Presence `json:"presence,omitempty"`
	// Announce is one viewer's announcement between replicas (presence.go).
	Announce *Announcement `json:"announce,omitempty"`
}

// Broker fans events out to subscribers of this process.
type Broker struct {
	db      *store.DB
	log     *slog.Logger
	bufSize int

	mu   sync.Mutex
	subs map[*Subscription]struct{}

	now      func() time.Time
	pmu      sync.Mutex
	presence map[int64]map[int64]*presenceEntry // ticket -> user -> entry

	stop      context.CancelFunc
	done      chan struct{}
	stopSweep context.CancelFunc
	swept     chan struct{}
}

// Options tune a Broker.
type Options struct {
	// Buffer is how many events a subscriber may have unread before it is
	// dropped (its stream ends and the browser reconnects). Default 64.
	Buffer int
	Logger *slog.Logger
	// Now is the clock presence expiry reads (default time.Now).
	Now func() time.Time
}

// New returns a Broker over db. On PostgreSQL call Start before serving, so
// events from every replica arrive.
func New(db *store.DB, opts Options) *Broker {
	if opts.Buffer <= 0 {
		opts.Buffer = 64
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Broker{db: db, log: opts.Logger, bufSize: opts.Buffer, subs: map[*Subscription]struct{}{},
		now: opts.Now, presence: map[int64]map[int64]*presenceEntry{}}
}

// Subscription receives events until it is closed or dropped.
type Subscription struct {
	b    *Broker
	ch   chan Event
	once sync.Once
}

// Events delivers the events; it is closed when the subscription ends (the
// subscriber fell behind, the broker lost its database listener, or Close).
func (s *Subscription) Events() <-chan Event { return s.ch }

// Close ends the subscription.
func (s *Subscription) Close() { s.b.drop(s) }

// Subscribe registers a new subscriber.
func (b *Broker) Subscribe() *Subscription {
	s := &Subscription{b: b, ch: make(chan Event, b.bufSize)}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// Subscribers counts the current subscribers.
func (b *Broker) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

func (b *Broker) drop(s *Subscription) {
	s.once.Do(func() {
		b.mu.Lock()
		delete(b.subs, s)
		b.mu.Unlock()
		close(s.ch)
	})
}

// dispatch hands ev to every local subscriber without ever blocking: one that
// has a full buffer is dropped, so a slow client cannot hold up writers.
func (b *Broker) dispatch(ev Event) {
	b.mu.Lock()
	var slow []*Subscription
	for s := range b.subs {
		select {
		case s.ch <- ev:
		default:
			slow = append(slow, s)
		}
	}
	b.mu.Unlock()
	for _, s := range slow {
		b.log.Warn("live: dropping a subscriber that fell behind")
		b.drop(s)
	}
}

// dropAll ends every subscription (their clients reconnect and refetch).
func (b *Broker) dropAll() {
	b.mu.Lock()
	all := make([]*Subscription, 0, len(b.subs))
	for s := range b.subs {
		all = append(all, s)
	}
	b.mu.Unlock()
	for _, s := range all {
		b.drop(s)
	}
}

// PublishTx publishes ev as part of tx: it is delivered only if and after tx
// commits. A nil Broker publishes nothing.
func (b *Broker) PublishTx(ctx context.Context, tx *store.Tx, ev Event) error {
	if b == nil {
		return nil
	}
	if tx.Dialect == store.Postgres {
		payload, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("live event: %w", err)
		}
		if err := tx.Defer(ctx, `SELECT pg_notify($1, $2)`, Channel, string(payload)); err != nil {
			return fmt.Errorf("publish live event: %w", err)
		}
		return nil
	}
	tx.AfterCommit(func() { b.dispatch(ev) })
	return nil
}

// Start begins listening for events of every replica (PostgreSQL). It
// returns once the listener is in place, so an event committed after Start
// returns is received. It also starts forgetting viewers who went silent
// (presence.go), on both engines. Stop ends both.
func (b *Broker) Start(ctx context.Context) error {
	if b.stopSweep == nil {
		var sweepCtx context.Context
		sweepCtx, b.stopSweep = context.WithCancel(context.WithoutCancel(ctx))
		b.swept = make(chan struct{})
		go b.sweep(sweepCtx, b.swept)
	}
	if b.db.Dialect != store.Postgres {
		return nil
	}
	conn, err := b.listen(ctx)
	if err != nil {
		return err
	}
	ctx, b.stop = context.WithCancel(context.WithoutCancel(ctx))
	b.done = make(chan struct{})
	go b.run(ctx, conn)
	return nil
}

// Stop ends the listener and every subscription.
func (b *Broker) Stop() {
	if b.stop != nil {
		b.stop()
		<-b.done
	}
	if b.stopSweep != nil {
		b.stopSweep()
		<-b.swept
	}
	b.dropAll()
}

// listen opens a dedicated connection (not from the pool: it stays busy
// waiting for notifications) and LISTENs on the channel.
func (b *Broker) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, b.db.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("live: connect listener: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("live: LISTEN: %w", err)
	}
	return conn, nil
}

// run receives notifications until ctx ends, reconnecting after a failure.
// Events sent while the listener was down are lost, so on every loss all
// subscriptions end: clients reconnect and refetch rather than miss a change.
func (b *Broker) run(ctx context.Context, conn *pgx.Conn) {
	defer close(b.done)
	backoff := 100 * time.Millisecond
	for {
		for conn != nil {
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				_ = conn.Close(context.WithoutCancel(ctx))
				conn = nil
				if ctx.Err() != nil {
					return
				}
				b.log.Warn("live: lost the event listener; reconnecting", "err", err)
				b.dropAll()
				break
			}
			backoff = 100 * time.Millisecond
			var ev Event
			if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil || ev.Type == "" {
				b.log.Warn("live: ignoring a malformed event", "payload", n.Payload)
				continue
			}
			if ev.Type == presenceAnnounce {
				if ev.Announce != nil {
					b.applyPresence(ev.TicketID, *ev.Announce)
				}
				continue
			}
			b.dispatch(ev)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
		c, err := b.listen(ctx)
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				b.log.Warn("live: reconnect failed", "err", err)
			}
			continue
		}
		conn = c
	}
}
