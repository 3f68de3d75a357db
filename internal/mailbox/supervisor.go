package mailbox

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// Factory builds the connector of one mailbox from its stored settings.
type Factory func(ctx context.Context, c store.Connector, h *Host) (Connector, error)

// Config holds the supervisor's dependencies and settings.
type Config struct {
	Store     *store.Store
	Receiver  Receiver
	Secrets   *secret.Box
	Logger    *slog.Logger
	Factories map[string]Factory // by provider: imap, gmail, nylas
	Now       func() time.Time
	// After waits before a reconnect (time.After); tests pass a fake clock.
	After func(time.Duration) <-chan time.Time
	// LeaseTTL is how long the lease lasts without renewal
	// (DefaultLeaseTTL); it is renewed, and the mailbox list re-read, every
	// quarter of it, which is also how often a replica without it asks.
	LeaseTTL time.Duration
	// Tick waits between two lease rounds (time.After); tests pass a fake
	// clock.
	Tick func(time.Duration) <-chan time.Time
	// MinBackoff and MaxBackoff bound the wait before reconnecting a failed
	// mailbox (1s and 5m); the wait doubles on each failure in a row.
	MinBackoff, MaxBackoff time.Duration
	// Holder names this replica in the lease (host, pid and a random part).
	Holder string
	// Health checks the mailboxes' health (health.Monitor.Check) on the
	// replica holding the lease, every HealthEvery (DefaultHealthEvery);
	// nil: no check.
	Health      func(ctx context.Context) error
	HealthEvery time.Duration
}

// DefaultHealthEvery is how often the lease holder checks the mailboxes'
// health: an alert comes at most this late after its threshold.
const DefaultHealthEvery = time.Minute

// LeaseName is the lease that lets one replica run the connectors.
const LeaseName = "mailbox-connectors"

// DefaultLeaseTTL is how long the connector lease lasts unless renewed.
// With a renewal every quarter of it, a replica takes over from a dead one
// between 15 and 25 s after it died (issue 16 asks for 40 s), and a holder
// whose renewal is late by up to 15 s (a loaded machine) keeps it.
const DefaultLeaseTTL = 20 * time.Second

// renewEvery is how often the lease is renewed, or asked for.
func renewEvery(ttl time.Duration) time.Duration { return ttl / 4 }

// Supervisor runs the connector of every enabled mailbox on one replica at a
// time, reconnecting with exponential backoff after errors.
type Supervisor struct {
	cfg  Config
	log  *slog.Logger
	kick chan struct{}

	mu      sync.Mutex
	runners map[int64]*runner
}

type runner struct {
	fingerprint string
	cancel      context.CancelFunc
	done        chan struct{}
}

// NewSupervisor returns a supervisor; Run starts it.
func NewSupervisor(cfg Config) *Supervisor {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.After == nil {
		cfg.After = time.After
	}
	if cfg.Tick == nil {
		cfg.Tick = time.After
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.HealthEvery == 0 {
		cfg.HealthEvery = DefaultHealthEvery
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = 5 * time.Minute
	}
	if cfg.Holder == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = crand.Read(b)
		cfg.Holder = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	return &Supervisor{cfg: cfg, log: cfg.Logger, kick: make(chan struct{}, 1), runners: map[int64]*runner{}}
}

// Refresh makes the supervisor re-read the mailbox list now (after a mailbox
// was added, changed or connected) instead of at the next lease renewal.
func (s *Supervisor) Refresh() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Status reads a mailbox's connector status (for the API).
func (s *Supervisor) Status(ctx context.Context, mailboxID int64) (store.SyncStatus, error) {
	return s.cfg.Store.MailboxSyncStatus(ctx, mailboxID)
}

// Holder is this replica's name in the lease.
func (s *Supervisor) Holder() string { return s.cfg.Holder }

// Run supervises until ctx ends, then stops every connector and releases the
// lease so another replica takes over at once.
func (s *Supervisor) Run(ctx context.Context) error {
	var heldUntil, checked time.Time
	defer func() {
		s.stopAll()
		if !heldUntil.IsZero() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := s.cfg.Store.ReleaseLease(rctx, LeaseName, s.cfg.Holder); err != nil {
				s.log.Warn("release connector lease", "err", err)
			}
		}
	}()
	for {
		now := s.cfg.Now()
		ok, err := s.cfg.Store.AcquireLease(ctx, LeaseName, s.cfg.Holder, now, s.cfg.LeaseTTL)
		switch {
		case err != nil && ctx.Err() != nil:
			return nil
		case err != nil:
			s.log.Warn("connector lease", "err", err)
			// Keep running what we run until the lease we hold would expire.
			if !heldUntil.IsZero() && now.After(heldUntil) {
				s.stopAll()
				heldUntil = time.Time{}
			}
		case ok:
			if heldUntil.IsZero() {
				s.log.Info("this replica runs the mailbox connectors", "holder", s.cfg.Holder)
			}
			heldUntil = now.Add(s.cfg.LeaseTTL)
			if err := s.reconcile(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("mailbox connectors", "err", err)
			}
			if s.cfg.Health != nil && now.Sub(checked) >= s.cfg.HealthEvery {
				checked = now
				if err := s.cfg.Health(ctx); err != nil && ctx.Err() == nil {
					s.log.Warn("mailbox health", "err", err)
				}
			}
		default:
			if !heldUntil.IsZero() {
				s.log.Warn("lost the connector lease to another replica; stopping connectors")
				s.stopAll()
				heldUntil = time.Time{}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.cfg.Tick(renewEvery(s.cfg.LeaseTTL)):
		case <-s.kick:
		}
	}
}

// reconcile starts a runner per enabled connector mailbox, restarts those
// whose settings changed and stops those removed or disabled.
func (s *Supervisor) reconcile(ctx context.Context) error {
	mbs, err := s.cfg.Store.ConnectorMailboxes(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	want := map[int64]bool{}
	for _, c := range mbs {
		if _, ok := s.cfg.Factories[c.Provider]; !ok {
			continue
		}
		want[c.MailboxID] = true
		fp := c.Provider + "\x00" + c.IMAP + "\x00" + c.Credentials
		if r, ok := s.runners[c.MailboxID]; ok {
			if r.fingerprint == fp {
				continue
			}
			r.cancel()
			<-r.done
		}
		rctx, cancel := context.WithCancel(ctx)
		r := &runner{fingerprint: fp, cancel: cancel, done: make(chan struct{})}
		s.runners[c.MailboxID] = r
		go func() {
			defer close(r.done)
			s.runMailbox(rctx, c.MailboxID)
		}()
	}
	for id, r := range s.runners {
		if !want[id] {
			r.cancel()
			<-r.done
			delete(s.runners, id)
		}
	}
	return nil
}

func (s *Supervisor) stopAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.runners {
		r.cancel()
		<-r.done
		delete(s.runners, id)
	}
}

// runMailbox keeps one mailbox's connector running until ctx ends.
func (s *Supervisor) runMailbox(ctx context.Context, id int64) {
	backoff := s.cfg.MinBackoff
	for ctx.Err() == nil {
		healthy, err := s.runOnce(ctx, id)
		if ctx.Err() != nil {
			return
		}
		if healthy {
			backoff = s.cfg.MinBackoff
		}
		if err == nil {
			err = errors.New("connector stopped watching")
		}
		s.log.Error("mailbox connector failed; reconnecting", "mailbox", id, "err", err, "retry_in", backoff)
		if serr := s.cfg.Store.SetSyncError(ctx, id, err.Error(), s.cfg.Now()); serr != nil && ctx.Err() == nil {
			s.log.Warn("mailbox status", "mailbox", id, "err", serr)
		}
		// Jitter so many mailboxes of one failing server do not reconnect in step.
		wait := backoff/2 + rand.N(backoff/2+1)
		select {
		case <-ctx.Done():
			return
		case <-s.cfg.After(wait):
		}
		backoff = min(backoff*2, s.cfg.MaxBackoff)
	}
}

// runOnce connects, backfills if not done yet and watches. healthy says the
// connector reached a synced state (so the backoff starts over).
func (s *Supervisor) runOnce(ctx context.Context, id int64) (healthy bool, err error) {
	c, err := s.cfg.Store.GetConnector(ctx, id)
	if err != nil {
		return false, err
	}
	factory, ok := s.cfg.Factories[c.Provider]
	if !ok {
		return false, fmt.Errorf("no connector for provider %q", c.Provider)
	}
	var ok2 atomic.Bool
	h := NewHost(s.cfg.Store, s.cfg.Receiver, id, c.Address, s.log.With("mailbox", id, "provider", c.Provider))
	h.now = s.cfg.Now
	h.onIdle = func() { ok2.Store(true) }
	conn, err := factory(ctx, c, h)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	if c.BackfilledAt.IsZero() {
		s.log.Info("mailbox backfill", "mailbox", id, "since", c.BackfillSince)
		if err := conn.Backfill(ctx, c.BackfillSince); err != nil {
			return ok2.Load(), fmt.Errorf("backfill: %w", err)
		}
		if err := s.cfg.Store.SetBackfilled(ctx, id, s.cfg.Now()); err != nil {
			return true, err
		}
		ok2.Store(true)
	}
	err = conn.Watch(ctx)
	return ok2.Load(), err
}
