// Package ticket is the domain: it turns received mail into tickets and
// messages (dedupe, threading, reopening, acknowledgements) and sends what
// Ticketer writes. Nothing here knows about HTTP or SMTP sessions.
package ticket

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
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
	// AckPerHour caps acknowledgements per sender per hour whatever the headers say.
	AckPerHour int
	// Transport overrides how a mailbox sends (tests); nil uses its relay or the outbox.
	Transport func(mb store.Mailbox) (smtpout.Sender, error)
}

// Service is the ticket domain service.
type Service struct {
	cfg   Config
	store *store.Store
	db    *store.DB
	log   *slog.Logger
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.AckPerHour == 0 {
		cfg.AckPerHour = 3
	}
	return &Service{cfg: cfg, store: cfg.Store, db: cfg.Store.DB(), log: cfg.Logger}
}

// now is the service clock in UTC at the database's precision.
func (s *Service) now() time.Time {
	return s.cfg.Now().UTC().Truncate(time.Microsecond)
}

// baseAddress strips a plus tag: "support+t42@x" -> "support@x".
func baseAddress(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "@" + domain
}

// plusAddress is the reply address that carries the ticket token.
func plusAddress(mailboxAddr string, ticketID int64) string {
	local, domain, ok := strings.Cut(mailboxAddr, "@")
	if !ok {
		return mailboxAddr
	}
	return fmt.Sprintf("%s+t%d@%s", local, ticketID, domain)
}

func domainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}
