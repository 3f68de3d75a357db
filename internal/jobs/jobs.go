// Package jobs runs Ticketer's durable background work on River, over the same
// database as everything else: SQLite (riversqlite) or PostgreSQL (riverpgxv5).
// Every job is inserted in the transaction of the write that causes it, and
// every worker is idempotent: River may run a job again after a crash.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/ticketer/ticketer/internal/store"
)

// Queue names.
const (
	QueueIngest = "ingest"
	// QueueIngestLarge holds the ingestion of large messages, one at a time:
	// a few attackers' 20 MB mails neither take every ingest worker from
	// ordinary mail nor multiply the memory a large message needs.
	QueueIngestLarge = "ingest_large"
	QueueOutbound    = "outbound"
	// QueueMaintenance holds periodic passes (time rules), one at a time.
	QueueMaintenance = "maintenance"
	// QueueWebhooks holds outgoing webhook deliveries: a slow receiver
	// holds up no mail.
	QueueWebhooks = "webhooks"
)

// workedQueues: the queues a working Queue takes jobs from, with their
// workers. A job on any other queue (River's "default" among them) is never
// run: every JobArgs names one of these (Worked).
func workedQueues() map[string]river.QueueConfig {
	return map[string]river.QueueConfig{
		QueueIngest:      {MaxWorkers: 4},
		QueueIngestLarge: {MaxWorkers: 1},
		QueueOutbound:    {MaxWorkers: 4},
		QueueMaintenance: {MaxWorkers: 1},
		QueueWebhooks:    {MaxWorkers: 4},
	}
}

// Worked tells whether a working Queue takes jobs from the named queue.
func Worked(queue string) bool {
	_, ok := workedQueues()[queue]
	return ok
}

// Queue inserts and (when started) works jobs.
type Queue struct {
	sqlite *river.Client[*sql.Tx]
	pg     *river.Client[pgx.Tx]
}

// Options tune the queue.
type Options struct {
	Work         bool // false: insert-only (CLI commands)
	PollInterval time.Duration
	Logger       *slog.Logger
	// Observe, when set, is told about every job worked: its kind, how long
	// it took and its error (nil on success). (*metrics.Metrics).JobDone fits.
	Observe func(kind string, took time.Duration, err error)
	// Periodic jobs are inserted on their schedule by the leader (one
	// replica) while the queue works.
	Periodic []*river.PeriodicJob
}

// New builds a queue over db that works the jobs of workers. Each package
// that owns a job kind adds its worker to workers (river.AddWorker, e.g.
// ticket.AddWorkers) before the queue starts or inserts that kind; River
// refuses to insert a kind nobody works.
func New(db *store.DB, workers *river.Workers, opts Options) (*Queue, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	cfg := &river.Config{
		Workers: workers,
		Logger:  logger.With("component", "river"),
	}
	if opts.Observe != nil {
		cfg.Middleware = []rivertype.Middleware{observer(opts.Observe)}
	}
	if opts.Work {
		cfg.Queues = workedQueues()
		cfg.PeriodicJobs = opts.Periodic
		cfg.JobTimeout = 2 * time.Minute
		// A job still "running" this long after its timeout belonged to a
		// process that died: River runs it again (our jobs are idempotent).
		cfg.RescueStuckJobsAfter = 3 * time.Minute
		if opts.PollInterval > 0 {
			cfg.FetchPollInterval = opts.PollInterval
			cfg.FetchCooldown = min(opts.PollInterval, 20*time.Millisecond)
		}
	}
	q := &Queue{}
	var err error
	if db.Dialect == store.Postgres {
		if opts.Work && opts.PollInterval == 0 {
			// LISTEN/NOTIFY wakes workers on insert, but notifications are
			// rate limited per queue: a short poll keeps new mail within a
			// fraction of a second in every case.
			cfg.FetchPollInterval = 100 * time.Millisecond
			cfg.FetchCooldown = 10 * time.Millisecond
		}
		q.pg, err = river.NewClient(riverpgxv5.New(db.Pool), cfg)
	} else {
		if opts.Work && opts.PollInterval == 0 {
			// SQLite has no LISTEN/NOTIFY: poll often, it is a cheap local query.
			cfg.FetchPollInterval = 50 * time.Millisecond
			cfg.FetchCooldown = 10 * time.Millisecond
		}
		q.sqlite, err = river.NewClient(riversqlite.New(db.Writer), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return q, nil
}

// observer tells observe about every job worked, whatever its kind.
func observer(observe func(kind string, took time.Duration, err error)) rivertype.Middleware {
	return river.WorkerMiddlewareFunc(func(ctx context.Context, job *rivertype.JobRow, doInner func(ctx context.Context) error) error {
		start := time.Now()
		err := doInner(ctx)
		observe(job.Kind, time.Since(start), err)
		return err
	})
}

// Enqueue inserts a job in tx, so it exists if and only if tx commits. The
// jobs of one transaction are inserted together just before it commits,
// in the order enqueued: one statement for a chunk of many ticket changes
// (the SLA breach pass) instead of one round trip per job. An invalid job
// (a kind nobody works) fails the commit.
func (q *Queue) Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error {
	pending, err := store.TxMemo(tx, pendingJobs{q}, func() (*[]river.InsertManyParams, error) {
		list := &[]river.InsertManyParams{}
		tx.BeforeCommit(func(ctx context.Context) error { return q.insert(ctx, tx, *list) })
		return list, nil
	})
	if err != nil {
		return err
	}
	*pending = append(*pending, river.InsertManyParams{Args: args})
	return nil
}

// pendingJobs keys the jobs a transaction enqueued on q.
type pendingJobs struct{ q *Queue }

// insert writes a transaction's jobs.
func (q *Queue) insert(ctx context.Context, tx *store.Tx, list []river.InsertManyParams) error {
	if len(list) == 0 {
		return nil
	}
	// River writes through the driver's transaction: what we deferred goes first.
	err := tx.Flush(ctx)
	if err == nil {
		switch native := tx.Native().(type) {
		case pgx.Tx:
			_, err = q.pg.InsertManyTx(ctx, native, list)
		case *sql.Tx:
			_, err = q.sqlite.InsertManyTx(ctx, native, list)
		default:
			err = fmt.Errorf("unknown transaction type %T", native)
		}
	}
	if err != nil {
		return fmt.Errorf("enqueue %d jobs (%s first): %w", len(list), list[0].Args.Kind(), err)
	}
	return nil
}

// Start begins working jobs.
func (q *Queue) Start(ctx context.Context) error {
	if q.pg != nil {
		return q.pg.Start(ctx)
	}
	return q.sqlite.Start(ctx)
}

// Stop waits for running jobs to finish (bounded by ctx); jobs cut off are
// retried by River after a restart.
func (q *Queue) Stop(ctx context.Context) error {
	if q.pg != nil {
		return q.pg.Stop(ctx)
	}
	return q.sqlite.Stop(ctx)
}

// RecoverAfterCrash makes jobs left "running" by a dead process available
// again at once. Only for SQLite, where a lock on the data dir guarantees this
// is the only process working jobs; on PostgreSQL other replicas may be
// running them, and River's rescuer handles dead ones after a timeout.
func RecoverAfterCrash(ctx context.Context, db *store.DB) (int64, error) {
	if db.Dialect != store.SQLite {
		return 0, nil
	}
	n, err := db.Exec(ctx, `UPDATE river_job SET state = 'available' WHERE state = 'running'`)
	if err != nil {
		return 0, fmt.Errorf("recover running jobs: %w", err)
	}
	return n, nil
}

// Migrate applies River's own migrations.
func Migrate(ctx context.Context, db *store.DB) error {
	var err error
	if db.Dialect == store.Postgres {
		var m *rivermigrate.Migrator[pgx.Tx]
		if m, err = rivermigrate.New(riverpgxv5.New(db.Pool), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	} else {
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(db.Writer), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}
