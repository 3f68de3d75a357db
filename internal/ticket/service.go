// Package ticket is the domain: it turns received mail into tickets and
// messages (dedupe, threading, reopening, acknowledgements) and sends what
// Ticketer writes. Nothing here knows about HTTP or SMTP sessions.
package ticket

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/netguard"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// Enqueuer inserts a job in the caller's transaction.
type Enqueuer interface {
	Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error
}

// Config holds the service's dependencies and settings.
type Config struct {
	Store     *store.Store
	Blobs     *blob.Store
	Queue     Enqueuer
	Secrets   *secret.Box
	OutboxDir string
	Logger    *slog.Logger
	Now       func() time.Time
	// IngestBudget bounds the time one received message may take to ingest,
	// over all its attempts (default 2 minutes; see processInbound).
	IngestBudget time.Duration
	// AckPerHour caps acknowledgements per sender per hour whatever the headers say.
	AckPerHour int
	// SurveysPerWindow caps satisfaction surveys per address per
	// SurveyWindow (default 2; csat.go).
	SurveysPerWindow int
	// Transport picks how a mailbox sends (a provider API, or a test double);
	// when it is nil or answers nil, the mailbox's relay or the outbox is used.
	Transport func(mb store.Mailbox) (smtpout.Sender, error)
	// Events announces every committed change (ticket created or updated,
	// message added) to live clients; nil announces nothing.
	Events Publisher
	// Metrics counts ingestion and delivery outcomes; nil counts nothing.
	Metrics Metrics
	// Relay defaults: the CA file trusted besides the system's
	// (TICKETER_SMTP_CA_FILE; a relay URL's ?ca= wins), and the base URL
	// whose host is the EHLO name (else the mailbox's domain).
	RelayCAFile string
	BaseURL     string
	// Guard, when set, is the dialer of the relay "test connection": an
	// admin's test may not probe loopback or private ports unless the
	// operator allows them. Sends go to the configured relay directly (a
	// relay on the LAN or this host is ordinary).
	Guard *netguard.Guard
	// RelayTokens hands out the access token of the account connected to a
	// mailbox, for a relay URL with auth=oauth (*xoauth.Tokens); nil: such
	// a relay is refused as misconfigured.
	RelayTokens interface {
		Token(ctx context.Context, mailboxID int64) (string, error)
		Invalidate(mailboxID int64)
	}
	// Hooks run in the transaction of every ticket change, after the
	// built-in audit trail, by stage (see Stage).
	Hooks []Hook
}

// Publisher publishes a live event inside the transaction of the change it
// announces (*live.Broker). Service.change publishes for every ticket change.
type Publisher interface {
	PublishTx(ctx context.Context, tx *store.Tx, ev live.Event) error
}

// Metrics receives operational counts (*metrics.Metrics).
type Metrics interface {
	Ingested(outcome string)
	IngestFailed()
	Delivery(result string) // sent, deferred, failed, waiting
}

type noMetrics struct{}

func (noMetrics) Ingested(string) {}
func (noMetrics) IngestFailed()   {}
func (noMetrics) Delivery(string) {}

// Service is the ticket domain service.
type Service struct {
	cfg     Config
	store   *store.Store
	db      *store.DB
	log     *slog.Logger
	metrics Metrics
	hooks   []Hook // in the order they run
	rules   ruleCache
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.IngestBudget <= 0 {
		cfg.IngestBudget = 2 * time.Minute
	}
	if cfg.AckPerHour == 0 {
		cfg.AckPerHour = 3
	}
	if cfg.SurveysPerWindow == 0 {
		cfg.SurveysPerWindow = 2
	}
	m := cfg.Metrics
	if m == nil {
		m = noMetrics{}
	}
	s := &Service{cfg: cfg, store: cfg.Store, db: cfg.Store.DB(), log: cfg.Logger, metrics: m}
	s.hooks = orderHooks(s, cfg.Hooks)
	return s
}

// now is the service clock in UTC at the database's precision.
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Microsecond)
}
