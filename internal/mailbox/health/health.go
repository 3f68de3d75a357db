// Package health notices a broken mailbox (issue 15): a connector in error
// for longer than a grace period, credentials the provider refused, or a
// mailbox silent for far longer than its history allows. Each outage opens
// one alert (a row of mailbox_alerts; the UI shows it as a banner) and mails
// every admin once, through another mailbox that works, else to the outbox
// folder; when the mailbox works again the alert closes and a recovery mail
// follows. The connector supervisor runs Check on the replica that holds
// the connector lease.
package health

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/store"
)

// Defaults of Config, documented where they are used.
const (
	// DefaultErrorGrace: a connector failing this long raises an alert
	// (issue 15: "more than 10 minutes"); shorter failures are reconnects.
	DefaultErrorGrace = 10 * time.Minute
	// DefaultQuietMin: a silence shorter than this is never unusual.
	DefaultQuietMin = 6 * time.Hour
	// DefaultQuietFactor: a silence this many times the longest one of the
	// history is unusual (the longest one includes the weekends).
	DefaultQuietFactor = 2
	// DefaultQuietWindow: the history is the mail of this long before the
	// last message.
	DefaultQuietWindow = 28 * 24 * time.Hour
	// DefaultQuietMinMessages: with fewer messages in the history there is
	// no judging what is unusual.
	DefaultQuietMinMessages = 20
	// DefaultHistoryEvery: a mailbox's history is re-read this often (the
	// newest arrival every round).
	DefaultHistoryEvery = time.Hour
)

// Enqueuer inserts a job in a transaction (*jobs.Queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error
}

// Config holds the monitor's dependencies and thresholds (zero: default).
type Config struct {
	Store  *store.Store
	Queue  Enqueuer
	Logger *slog.Logger
	Now    func() time.Time

	ErrorGrace       time.Duration
	QuietMin         time.Duration
	QuietFactor      int
	QuietWindow      time.Duration
	QuietMinMessages int
	HistoryEvery     time.Duration
}

// Monitor raises and resolves mailbox alerts.
type Monitor struct {
	cfg Config
	log *slog.Logger

	mu      sync.Mutex
	history map[int64]history // by mailbox
}

// history is a mailbox's mail history as last read.
type history struct {
	read       time.Time
	count      int
	longestGap time.Duration
	last       time.Time // the last arrival it was read up to
}

// New returns a Monitor.
func New(cfg Config) *Monitor {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ErrorGrace == 0 {
		cfg.ErrorGrace = DefaultErrorGrace
	}
	if cfg.QuietMin == 0 {
		cfg.QuietMin = DefaultQuietMin
	}
	if cfg.QuietFactor == 0 {
		cfg.QuietFactor = DefaultQuietFactor
	}
	if cfg.QuietWindow == 0 {
		cfg.QuietWindow = DefaultQuietWindow
	}
	if cfg.QuietMinMessages == 0 {
		cfg.QuietMinMessages = DefaultQuietMinMessages
	}
	if cfg.HistoryEvery == 0 {
		cfg.HistoryEvery = DefaultHistoryEvery
	}
	return &Monitor{cfg: cfg, log: cfg.Logger, history: map[int64]history{}}
}

// Problem is what is wrong with a mailbox.
type Problem struct {
	Reason string // store.AlertError, AlertAuth, AlertQuiet
	Detail string
	Since  time.Time
}

// Quiet is a mailbox's mail history for the quiet rule.
type Quiet struct {
	Count      int           // messages in the history
	LongestGap time.Duration // the longest silence between two of them
	Last       time.Time     // the newest message (zero: none)
}

// Assess says what is wrong with a mailbox at now, if anything. The rules,
// strongest first: refused credentials at once; a connector failing for
// longer than the grace; a silence longer than QuietFactor times the
// longest of its history (and QuietMin), once it has a history.
func (m *Monitor) Assess(h store.MailboxHealth, q Quiet, now time.Time) (Problem, bool) {
	if !h.Enabled {
		return Problem{}, false
	}
	// A refused OAuth refresh of an SMTP relay marks a mailbox without a
	// connector refused too (xoauth.Tokens).
	if (h.Connector() || h.AuthRefused) && h.Status == store.SyncError {
		since := h.ErrorSince
		if since.IsZero() {
			since = now
		}
		if h.AuthRefused {
			return Problem{store.AlertAuth, h.LastError, since}, true
		}
		if now.Sub(since) > m.cfg.ErrorGrace {
			return Problem{store.AlertError, h.LastError, since}, true
		}
	}
	if q.Count >= m.cfg.QuietMinMessages && !q.Last.IsZero() {
		limit := max(m.cfg.QuietMin, time.Duration(m.cfg.QuietFactor)*q.LongestGap)
		if silence := now.Sub(q.Last); silence > limit {
			return Problem{store.AlertQuiet, fmt.Sprintf("no mail for %s; the longest silence in the %d messages before was %s",
				round(silence), q.Count, round(q.LongestGap)), q.Last}, true
		}
	}
	return Problem{}, false
}

func round(d time.Duration) time.Duration {
	if d > time.Hour {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}

// Check assesses every mailbox once: it raises an alert for each newly
// broken one and resolves the alert of each that works again, each in one
// transaction with its mails to the admins.
func (m *Monitor) Check(ctx context.Context) error {
	list, err := m.cfg.Store.MailboxesHealth(ctx)
	if err != nil {
		return err
	}
	now := m.cfg.Now()
	var firstErr error
	for _, h := range list {
		q, err := m.quiet(ctx, h, now)
		if err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		p, broken := m.Assess(h, q, now)
		switch {
		case broken && h.Alert == nil:
			err = m.raise(ctx, h, p, now)
		case !broken && h.Alert != nil:
			err = m.resolve(ctx, h, now)
		}
		firstErr = cmpErr(firstErr, err)
	}
	return firstErr
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// quiet reads the mailbox's newest arrival every round, and its history
// when it is older than HistoryEvery or new mail came since.
func (m *Monitor) quiet(ctx context.Context, h store.MailboxHealth, now time.Time) (Quiet, error) {
	if !h.Enabled {
		return Quiet{}, nil
	}
	last, err := m.cfg.Store.LastArrival(ctx, h.MailboxID)
	if err != nil || last.IsZero() {
		return Quiet{}, err
	}
	m.mu.Lock()
	c, ok := m.history[h.MailboxID]
	m.mu.Unlock()
	if !ok || now.Sub(c.read) >= m.cfg.HistoryEvery || !c.last.Equal(last) {
		n, gap, err := m.cfg.Store.ArrivalHistory(ctx, h.MailboxID, last.Add(-m.cfg.QuietWindow))
		if err != nil {
			return Quiet{}, err
		}
		c = history{read: now, count: n, longestGap: gap, last: last}
		m.mu.Lock()
		m.history[h.MailboxID] = c
		m.mu.Unlock()
	}
	return Quiet{Count: c.count, LongestGap: c.longestGap, Last: last}, nil
}

func (m *Monitor) raise(ctx context.Context, h store.MailboxHealth, p Problem, now time.Time) error {
	admins, err := m.cfg.Store.EnabledAdmins(ctx)
	if err != nil {
		return err
	}
	return m.cfg.Store.DB().InTx(ctx, func(tx *store.Tx) error {
		id, err := m.cfg.Store.RaiseAlert(ctx, tx, store.MailboxAlert{MailboxID: h.MailboxID, Reason: p.Reason, Detail: p.Detail,
			Since: p.Since, RaisedAt: now})
		if err != nil || id == 0 {
			return err
		}
		m.log.Error("MAILBOX BROKEN: admins are being told", "mailbox", h.Address, "reason", p.Reason, "detail", p.Detail, "since", p.Since)
		for _, u := range admins {
			if err := m.cfg.Queue.Enqueue(ctx, tx, MailArgs{AlertID: id, UserID: u.ID}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (m *Monitor) resolve(ctx context.Context, h store.MailboxHealth, now time.Time) error {
	admins, err := m.cfg.Store.EnabledAdmins(ctx)
	if err != nil {
		return err
	}
	return m.cfg.Store.DB().InTx(ctx, func(tx *store.Tx) error {
		done, err := m.cfg.Store.ResolveAlert(ctx, tx, h.MailboxID, now)
		if err != nil || !done {
			return err
		}
		m.log.Info("mailbox works again", "mailbox", h.Address, "reason", h.Alert.Reason, "since", h.Alert.Since)
		for _, u := range admins {
			if err := m.cfg.Queue.Enqueue(ctx, tx, MailArgs{AlertID: h.Alert.ID, UserID: u.ID, Recovered: true}); err != nil {
				return err
			}
		}
		return nil
	})
}
