package ticket_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// snoozeJobs lists the wake jobs queued, oldest first.
func (e *env) snoozeJobs(dsn string) []ticket.SnoozeArgs {
	e.t.Helper()
	asText := "json(args)" // River's SQLite driver stores JSONB
	if strings.HasPrefix(dsn, "postgres") {
		asText = "args::text"
	}
	rows, err := e.st.DB().Query(e.ctx, `SELECT `+asText+` FROM river_job WHERE kind = 'snooze_wake' ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []ticket.SnoozeArgs
	for rows.Next() {
		var s string
		var a ticket.SnoozeArgs
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// runSnooze runs a wake job as River would once its time came.
func (e *env) runSnooze(a ticket.SnoozeArgs) {
	e.t.Helper()
	e.now = a.Until
	w := &ticket.SnoozeWorker{Service: e.svc}
	if err := w.Work(e.ctx, &river.Job[ticket.SnoozeArgs]{Args: a}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) snooze(id int64, status *domain.Status, until time.Time) error {
	_, err := e.svc.UpdateTicket(e.ctx, e.agent(), id, ticket.TicketUpdate{Status: status, Snooze: &until})
	return err
}

func countKind(kinds []string, kind string) int {
	n := 0
	for _, k := range kinds {
		if strings.HasPrefix(k, kind+":") {
			n++
		}
	}
	return n
}

// TestSnoozeWakes: a snoozed ticket shows its time, a job is scheduled at
// that time, and the job reopens it with a snooze_woke event; run again it
// does nothing.
func TestSnoozeWakes(t *testing.T) {
	t.Parallel()
	if o := (ticket.SnoozeArgs{Until: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)}).InsertOpts(); !o.ScheduledAt.Equal(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("the wake job is scheduled at %v", o.ScheduledAt)
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		pending := domain.StatusPending
		until := e.now.Add(23 * time.Hour)
		if err := e.snooze(tk.ID, &pending, until); err != nil {
			t.Fatal(err)
		}
		got := e.ticket(tk.ID)
		if got.Status != domain.StatusPending || !got.SnoozeUntil.Equal(until) {
			t.Fatalf("snoozed ticket %s until %v, want pending until %v", got.Status, got.SnoozeUntil, until)
		}
		jobs := e.snoozeJobs(dsn)
		if len(jobs) != 1 || jobs[0].TicketID != tk.ID || !jobs[0].Until.Equal(until) {
			t.Fatalf("wake jobs %+v", jobs)
		}
		e.runSnooze(jobs[0])
		got = e.ticket(tk.ID)
		if got.Status != domain.StatusOpen || !got.SnoozeUntil.IsZero() {
			t.Fatalf("after its time the ticket is %s, snoozed until %v", got.Status, got.SnoozeUntil)
		}
		kinds := e.eventKinds(tk.ID)
		if countKind(kinds, string(ticket.EventSnoozeWoke)) != 1 || !slices.Contains(kinds, "status_changed:open") {
			t.Fatalf("events %v", kinds)
		}
		e.runSnooze(jobs[0])
		if n := countKind(e.eventKinds(tk.ID), "snooze_woke"); n != 1 {
			t.Fatalf("the job run twice woke the ticket %d times", n)
		}
	})
}

// TestSnoozeCustomerReplyWakesEarly: the reply reopens the ticket and
// clears the snooze; the job at the time then does nothing.
func TestSnoozeCustomerReplyWakesEarly(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		pending := domain.StatusPending
		if err := e.snooze(tk.ID, &pending, e.now.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		e.receive(e.mb, msg("From: alice@customer.test", "To: support@acme.test", "Subject: Re: Printer on fire",
			"Message-ID: <m2@customer.test>", "In-Reply-To: <m1@customer.test>"))
		got := e.ticket(tk.ID)
		if got.Status != domain.StatusOpen || !got.SnoozeUntil.IsZero() {
			t.Fatalf("after the reply the ticket is %s, snoozed until %v", got.Status, got.SnoozeUntil)
		}
		before := len(e.eventKinds(tk.ID))
		e.runSnooze(e.snoozeJobs(dsn)[0])
		if kinds := e.eventKinds(tk.ID); len(kinds) != before || countKind(kinds, "snooze_woke") != 0 {
			t.Fatalf("the job after an early wake recorded %v", kinds[before:])
		}
	})
}

// TestSnoozeAgainSupersedes: the first job finds the ticket snoozed until a
// later time and does nothing; the second wakes it.
func TestSnoozeAgainSupersedes(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		pending := domain.StatusPending
		if err := e.snooze(tk.ID, &pending, e.now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		later := e.now.Add(72 * time.Hour)
		if err := e.snooze(tk.ID, nil, later); err != nil {
			t.Fatal(err)
		}
		jobs := e.snoozeJobs(dsn)
		if len(jobs) != 2 {
			t.Fatalf("wake jobs %+v, want two", jobs)
		}
		e.runSnooze(jobs[0])
		if got := e.ticket(tk.ID); got.Status != domain.StatusPending || !got.SnoozeUntil.Equal(later) {
			t.Fatalf("the superseded job left the ticket %s until %v", got.Status, got.SnoozeUntil)
		}
		e.runSnooze(jobs[1])
		if got := e.ticket(tk.ID); got.Status != domain.StatusOpen || countKind(e.eventKinds(tk.ID), "snooze_woke") != 1 {
			t.Fatalf("the second job left the ticket %s, events %v", got.Status, e.eventKinds(tk.ID))
		}
	})
}

// TestSnoozeRefusals: a time past, or a ticket that is not pending, is
// invalid input (422) and changes nothing.
func TestSnoozeRefusals(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		pending, open := domain.StatusPending, domain.StatusOpen
		for _, c := range []struct {
			name   string
			status *domain.Status
			until  time.Time
		}{
			{"past", &pending, e.now.Add(-time.Minute)},
			{"now", &pending, e.now},
			{"not pending", nil, e.now.Add(time.Hour)},
			{"open", &open, e.now.Add(time.Hour)},
		} {
			t.Run(c.name, func(t *testing.T) {
				err := e.snooze(tk.ID, c.status, c.until)
				var de *domain.Error
				if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Field != "snooze_until" {
					t.Fatalf("got %v, want snooze_until invalid", err)
				}
			})
		}
		if got := e.ticket(tk.ID); got.Status == domain.StatusPending || !got.SnoozeUntil.IsZero() || len(e.snoozeJobs(dsn)) != 0 {
			t.Fatalf("refused snoozes changed the ticket: %s until %v", got.Status, got.SnoozeUntil)
		}
	})
}
