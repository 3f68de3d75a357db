package ticket

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/store"
)

// Snooze audit events: an agent snoozed (or unsnoozed) a ticket; a snoozed
// ticket's time came and it returned to open.
const (
	EventSnoozed    EventKind = "snoozed"
	EventSnoozeWoke EventKind = "snooze_woke"
)

// snoozePrecision is how finely a snooze time is kept: the wake job carries
// the time it was scheduled for and compares it with the stored one.
const snoozePrecision = time.Second

// changeSnooze applies a change's snooze to a.After (after its status):
// snoozing needs a pending ticket and a time to come, and schedules the
// wake job; a ticket that is not pending is not snoozed.
func (s *Service) changeSnooze(ctx context.Context, tx *store.Tx, a *Applied, now time.Time) error {
	if c := a.Change; c.Snooze != nil {
		until := c.Snooze.UTC().Truncate(snoozePrecision)
		if !until.IsZero() {
			if !until.After(now) {
				return domain.Invalid("snooze_until", "must be in the future")
			}
			if a.After.Status != domain.StatusPending {
				return domain.Invalid("snooze_until", "only a pending ticket can be snoozed (set status to pending)")
			}
		}
		if !until.Equal(a.After.SnoozeUntil) {
			a.Events = append(a.Events, Event{Kind: EventSnoozed, Field: "snooze_until",
				OldValue: snoozeText(a.After.SnoozeUntil), NewValue: snoozeText(until)})
			a.After.SnoozeUntil = until
			if !until.IsZero() && s.cfg.Queue != nil {
				if err := s.cfg.Queue.Enqueue(ctx, tx, SnoozeArgs{TicketID: a.TicketID, Until: until}); err != nil {
					return err
				}
			}
		}
	}
	if a.After.Status != domain.StatusPending {
		a.After.SnoozeUntil = time.Time{} // reopened, solved...: awake
	}
	return nil
}

func snoozeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// WakeSnoozed returns a ticket snoozed until until to open, with a
// snooze_woke event. A ticket no longer snoozed until then (woken by a
// reply, snoozed again, reopened) is left alone: the job is idempotent.
func (s *Service) WakeSnoozed(ctx context.Context, ticketID int64, until time.Time) (bool, error) {
	until = until.UTC().Truncate(snoozePrecision)
	woke := false
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockTicket(ctx, tx, ticketID); err != nil {
			return err
		}
		f, err := s.store.GetTicketFields(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if f.Status != domain.StatusPending || !f.SnoozeUntil.Equal(until) {
			return nil
		}
		open := domain.StatusOpen
		_, err = s.change(ctx, tx, Change{TicketID: ticketID, Actor: systemActor(), Status: &open, before: &f,
			Events: []Event{{Kind: EventSnoozeWoke, Field: "snooze_until", OldValue: snoozeText(until)}}})
		woke = err == nil
		return err
	})
	return woke, err
}

// SnoozeArgs asks for a snoozed ticket to wake at Until (the job is
// scheduled then; River's table keeps it over restarts).
type SnoozeArgs struct {
	TicketID int64     `json:"ticket_id"`
	Until    time.Time `json:"until"`
}

// Kind implements river.JobArgs.
func (SnoozeArgs) Kind() string { return "snooze_wake" }

// InsertOpts schedules the job at the snooze time, on the maintenance
// queue (a job naming no queue goes to River's default one, which nothing
// works).
func (a SnoozeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, ScheduledAt: a.Until, MaxAttempts: 20}
}

// SnoozeWorker runs WakeSnoozed.
type SnoozeWorker struct {
	river.WorkerDefaults[SnoozeArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *SnoozeWorker) Work(ctx context.Context, j *river.Job[SnoozeArgs]) error {
	_, err := w.Service.WakeSnoozed(ctx, j.Args.TicketID, j.Args.Until)
	return err
}
