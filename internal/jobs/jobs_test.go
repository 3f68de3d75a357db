package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// Two job kinds of the test's own, one per queue (each package registers
// its real ones).
type ingestArgs struct{}

func (ingestArgs) Kind() string                 { return "ingest" }
func (ingestArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueIngest} }

type sendArgs struct{}

func (sendArgs) Kind() string                 { return "send_message" }
func (sendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: jobs.QueueOutbound} }

type observed struct {
	kind string
	err  error
}

// TestObserveReportsEveryJob: the observer (metrics) hears of each job
// worked, with its kind and result, on both engines.
func TestObserveReportsEveryJob(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := storetest.Open(t, dsn)
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		seen := make(chan observed, 10)
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[ingestArgs]) error { return nil }))
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[sendArgs]) error {
			return errors.New("relay down")
		}))
		q, err := jobs.New(db, workers, jobs.Options{Work: true, PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
			Observe: func(kind string, took time.Duration, err error) { seen <- observed{kind, err} }})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(stop)
		})
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if err := q.Enqueue(ctx, tx, ingestArgs{}); err != nil {
				return err
			}
			return q.Enqueue(ctx, tx, sendArgs{})
		})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]error{}
		for len(got) < 2 {
			select {
			case o := <-seen:
				if _, dup := got[o.kind]; !dup {
					got[o.kind] = o.err
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("observed %v, want both jobs", got)
			}
		}
		if got["ingest"] != nil || got["send_message"] == nil || got["send_message"].Error() != "relay down" {
			t.Fatalf("observed %v", got)
		}
	})
}

type strayArgs struct{}

func (strayArgs) Kind() string { return "nobody_works_this" }

// TestEnqueueWithTheTransaction: a transaction's jobs are inserted with it,
// all of them in the order enqueued, when it commits; none when it rolls
// back; and a job no worker takes fails the commit, leaving nothing of the
// transaction behind.
func TestEnqueueWithTheTransaction(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := storetest.Open(t, dsn)
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[ingestArgs]) error { return nil }))
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[sendArgs]) error { return nil }))
		q, err := jobs.New(db, workers, jobs.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		kinds := func() []string {
			t.Helper()
			var out []string
			rows, err := db.Query(ctx, `SELECT kind FROM river_job ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					t.Fatal(err)
				}
				out = append(out, k)
			}
			return out
		}
		enqueue := func(args ...river.JobArgs) func(tx *store.Tx) error {
			return func(tx *store.Tx) error {
				for _, a := range args {
					if err := q.Enqueue(ctx, tx, a); err != nil {
						return err
					}
				}
				return nil
			}
		}
		rollback := errors.New("roll back")
		if err := db.InTx(ctx, func(tx *store.Tx) error { _ = enqueue(ingestArgs{})(tx); return rollback }); !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		if got := kinds(); len(got) != 0 {
			t.Fatalf("after a rollback: %v", got)
		}
		if err := db.InTx(ctx, enqueue(sendArgs{}, ingestArgs{}, sendArgs{})); err != nil {
			t.Fatal(err)
		}
		want := "[send_message ingest send_message]"
		if got := kinds(); fmt.Sprint(got) != want {
			t.Fatalf("committed %v, want %s", got, want)
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `CREATE TABLE marker (x INTEGER)`); err != nil {
				return err
			}
			return enqueue(ingestArgs{}, strayArgs{})(tx)
		})
		if err == nil {
			t.Fatal("a job nobody works was committed")
		}
		if got := kinds(); fmt.Sprint(got) != want {
			t.Fatalf("after the failed commit %v, want %s", got, want)
		}
		if _, err := db.Exec(ctx, `SELECT count(*) FROM marker`); err == nil {
			t.Fatal("the failed transaction's own writes were kept")
		}
	})
}
