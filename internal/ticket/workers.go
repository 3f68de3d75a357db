package ticket

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
)

// The ticket service's job kinds. Each is one args type and one worker,
// added to the queue's workers by AddWorkers.

// IngestArgs asks for a received raw message to be turned into ticket data.
type IngestArgs struct {
	InboundID int64 `json:"inbound_id"`
	// Large: over LargeMessageBytes, ingested on its own queue (one at a
	// time). Backlog: its mailbox already had BacklogMessages waiting, so it
	// yields to other mailboxes' mail (a lower River priority).
	Large   bool `json:"large,omitempty"`
	Backlog bool `json:"backlog,omitempty"`
}

// Fair ingestion. River fetches by priority, then age: mail of a mailbox
// with a backlog (a flood, a backfill) waits behind other mailboxes' new
// mail instead of in front of it, and large mail has a queue of its own.
const (
	LargeMessageBytes = 1 << 20
	BacklogMessages   = 20
)

// Kind implements river.JobArgs.
func (IngestArgs) Kind() string { return "ingest" }

// InsertOpts puts ingestion on its own queue. Several workers parse in
// parallel; the threading decision itself is serialised in the database (one
// writer on SQLite, a row lock on the mailbox on PostgreSQL), so a
// conversation is never split.
func (a IngestArgs) InsertOpts() river.InsertOpts {
	o := river.InsertOpts{Queue: jobs.QueueIngest, MaxAttempts: 20, Priority: 1}
	if a.Large {
		o.Queue = jobs.QueueIngestLarge
	}
	if a.Backlog {
		o.Priority = 2
	}
	return o
}

// IngestWorker runs ProcessInbound.
type IngestWorker struct {
	river.WorkerDefaults[IngestArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *IngestWorker) Work(ctx context.Context, j *river.Job[IngestArgs]) error {
	if j.Args.Large {
		// A large message grows the heap by several times its size for a
		// moment; hand that back to the system at once rather than over the
		// scavenger's minutes, so a burst of them does not leave the process
		// holding hundreds of megabytes (the abuse suite's peak memory).
		defer debug.FreeOSMemory()
	}
	return w.Service.processInbound(ctx, j.Args.InboundID, j.Attempt)
}

// SendArgs asks for an outbound message (acknowledgement or reply) to be sent.
type SendArgs struct {
	MessageID int64 `json:"message_id"`
}

// Kind implements river.JobArgs.
func (SendArgs) Kind() string { return "send_message" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueOutbound, MaxAttempts: 12}
}

// SendWorker runs SendMessage.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *SendWorker) Work(ctx context.Context, j *river.Job[SendArgs]) error {
	return w.Service.SendMessage(ctx, j.Args.MessageID, j.Attempt, j.MaxAttempts)
}

// NextRetry runs a failed attempt again at the time the message shows
// (SendRetryDelay), not River's jittered default.
func (w *SendWorker) NextRetry(j *river.Job[SendArgs]) time.Time {
	return w.Service.now().Add(SendRetryDelay(j.Attempt))
}

// AddWorkers adds the service's workers to a queue's workers: every process
// that inserts these jobs adds them (River checks an inserted kind has one),
// whether or not it works jobs.
func AddWorkers(w *river.Workers, s *Service) {
	river.AddWorker(w, &IngestWorker{Service: s})
	river.AddWorker(w, &SendWorker{Service: s})
	river.AddWorker(w, &SnoozeWorker{Service: s})
	river.AddWorker(w, &TimeRulesWorker{Service: s})
	river.AddWorker(w, &SLABreachWorker{Service: s})
}
