package jobs_test

import (
	"context"
	"errors"
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
