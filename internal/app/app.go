// Package app wires Ticketer together: config -> store -> services -> HTTP
// server, SMTP listener and workers; and the command line around them.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/config"
	"github.com/ticketer/ticketer/internal/httpapi"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/graph"
	"github.com/ticketer/ticketer/internal/mailbox/health"
	"github.com/ticketer/ticketer/internal/mailbox/nylas"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
	"github.com/ticketer/ticketer/internal/metrics"
	"github.com/ticketer/ticketer/internal/netguard"
	"github.com/ticketer/ticketer/internal/notify"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

// App is an opened Ticketer: database, blob store, jobs and services.
type App struct {
	Cfg     config.Config
	Log     *slog.Logger
	DB      *store.DB
	Store   *store.Store
	Blobs   *blob.Store
	Secrets *secret.Box
	Queue   *jobs.Queue
	Tickets *ticket.Service
	Notify  *notify.Service // notifications to agents (a hook on ticket changes, and their mail)
	// Webhooks sends ticket events to the admins' URLs (a hook on ticket
	// changes, and the delivery jobs).
	Webhooks *webhook.Service
	// Live fans ticket changes out to event streams (Live.Handler serves
	// GET /api/v1/events/stream); Metrics backs GET /metrics.
	Live    *live.Broker
	Metrics *metrics.Metrics
	// Connectors runs the IMAP, Gmail and Nylas mailboxes; its Status method
	// reads a mailbox's sync status for the API.
	Connectors *mailbox.Supervisor
	// Health raises and resolves the mailbox alerts (run by Connectors).
	Health *health.Monitor
	// userHTTP is the HTTP client of connections made to URLs users give
	// (the Nylas API base) or that talk to mail APIs: it reaches no
	// loopback or private address unless TICKETER_ALLOW_PRIVATE_TARGETS
	// allows it (internal/netguard).
	userHTTP *http.Client
	// The job workers of the mail API connectors, built in Open: their
	// configs copy userHTTP, so they must be built after it.
	nylasFetch    *nylas.FetchWorker
	microsoftSync *graph.SyncWorker
	// MailTokens hands out the access tokens of the accounts connected to
	// IMAP and SMTP-relay mailboxes (auth=oauth).
	MailTokens *xoauth.Tokens
}

// Open connects everything and applies migrations. work=true gives a queue
// that works jobs once started (serve); otherwise it only inserts them.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, work bool) (*App, error) {
	// Owner only, whatever the umask: it holds the mail, the database
	// and the key file.
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir %s: %w", cfg.DataDir, err)
	}
	if err := os.Chmod(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", cfg.DataDir, err)
	}
	keys := cfg.EncryptionKey
	if keys == "" {
		var err error
		if keys, err = secret.LoadOrCreateKeyFile(cfg.KeyFile()); err != nil {
			return nil, err
		}
	}
	box, err := secret.ParseKeys(keys)
	if err != nil {
		return nil, fmt.Errorf("TICKETER_ENCRYPTION_KEY_BASE64: %w", err)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: db, Store: store.New(db), Secrets: box}
	if err := a.migrate(ctx); err != nil {
		a.Close()
		return nil, err
	}
	// Finish a key rotation: values sealed with an older key move to the first.
	if n, err := a.Store.ResealMailboxSecrets(ctx, box.Reseal); err != nil {
		log.Warn("re-sealing mailbox credentials", "err", err)
	} else if n > 0 {
		log.Info("re-sealed mailbox credentials under the current key", "mailboxes", n)
	}
	if n, err := a.Store.ResealTOTPSecrets(ctx, box.Reseal); err != nil {
		log.Warn("re-sealing two-factor secrets", "err", err)
	} else if n > 0 {
		log.Info("re-sealed two-factor secrets under the current key", "users", n)
	}
	if a.Blobs, err = blob.Open(ctx, cfg.BlobURL); err != nil {
		a.Close()
		return nil, err
	}
	a.Live = live.New(db, live.Options{Logger: log})
	a.Metrics = metrics.New(metrics.Options{Backlog: a.Store.Backlog, Mailboxes: a.Store.MailboxesHealth, Logger: log})
	// Connections to URLs users give go through the guard; set before the
	// workers below, whose configs copy the client.
	guard := &netguard.Guard{Allow: cfg.AllowPrivateTargets}
	a.userHTTP = guard.HTTPClient(60 * time.Second)
	// Each package that owns job kinds adds its workers before the queue
	// inserts or works any job.
	workers := river.NewWorkers()
	a.nylasFetch = a.nylasFetchWorker()
	a.nylasFetch.Register(workers)
	a.microsoftSync = a.microsoftSyncWorker()
	a.microsoftSync.Register(workers)
	a.Queue, err = jobs.New(db, workers, jobs.Options{Work: work, Logger: log, Observe: a.Metrics.JobDone,
		Periodic: []*river.PeriodicJob{ticket.TimeRulesPeriodic(), ticket.SLABreachPeriodic()}})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Notify = notify.New(notify.Config{Store: a.Store, Queue: a.Queue, Events: a.Live, BaseURL: cfg.BaseURL, Logger: log})
	a.Webhooks = webhook.New(webhook.Config{Store: a.Store, Queue: a.Queue, Secrets: box, Render: httpapi.WebhookRenderer(),
		Guard: *guard, AllowPrivate: cfg.WebhookAllowPrivate, Logger: log})
	a.MailTokens = &xoauth.Tokens{Store: a.Store, Secrets: box, Apps: a.mailOAuthApps(), HTTPClient: a.userHTTP,
		Log: log.With("component", "mail-oauth")}
	a.Tickets = ticket.New(ticket.Config{RelayTokens: a.MailTokens, Guard: guard, Store: a.Store, Blobs: a.Blobs, Queue: a.Queue, Secrets: box, OutboxDir: cfg.OutboxDir(), Logger: log,
		Events: a.Live, Metrics: a.Metrics, Transport: a.transport, RelayCAFile: cfg.SMTPCAFile, BaseURL: cfg.BaseURL,
		Hooks: []ticket.Hook{a.Notify.Hook(), a.Webhooks.Hook()}})
	ticket.AddWorkers(workers, a.Tickets)
	notify.AddWorkers(workers, a.Notify, a.Tickets)
	health.AddWorkers(workers, &health.Mailer{Store: a.Store, Sender: a.Tickets, Outbox: smtpout.NewOutbox(cfg.OutboxDir()),
		ProviderSenders: providerSenders(), BaseURL: cfg.BaseURL})
	a.Health = health.New(health.Config{Store: a.Store, Queue: a.Queue, Logger: log.With("component", "mailbox-health")})
	webhook.AddWorkers(workers, a.Webhooks)
	a.nylasFetch.Receiver = a.Tickets
	a.microsoftSync.Receiver = a.Tickets
	a.Connectors = a.newConnectors()
	return a, nil
}

func (a *App) migrate(ctx context.Context) error { return migrateAll(ctx, a.DB) }

// Close releases everything.
func (a *App) Close() {
	if a.Blobs != nil {
		_ = a.Blobs.Close()
	}
	if a.DB != nil {
		a.DB.Close()
	}
}

// NewLogger builds the slog logger the config asks for.
func NewLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(strings.ToUpper(level)))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// ensureDefaultMailbox gives a fresh install one mailbox, so mail sent to the
// SMTP port with no setup at all becomes a ticket.
func (a *App) ensureDefaultMailbox(ctx context.Context) error {
	mbs, err := a.Store.ListMailboxes(ctx)
	if err != nil {
		return err
	}
	if len(mbs) > 0 {
		return nil
	}
	_, err = a.Store.CreateMailbox(ctx, store.Mailbox{Name: "Support", Address: DefaultMailboxAddress, Provider: "smtp", AckEnabled: true, CreatedAt: time.Now()})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	if err == nil {
		a.Log.Info("created the default mailbox; send mail to it on the SMTP port", "address", DefaultMailboxAddress)
	}
	return err
}

// DefaultMailboxAddress is the mailbox a fresh install creates.
const DefaultMailboxAddress = "support@localhost"
