package ticket_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/sla"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// breachLog records what the notifications stage is given for each breach:
// the target and who is to hear of it.
type breachLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *breachLog) hook() ticket.Hook {
	return ticket.Hook{Stage: ticket.StageNotifications, Name: "breach log", Run: func(_ context.Context, _ *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
		for _, e := range a.Events {
			if e.Kind == ticket.EventSLABreached {
				l.mu.Lock()
				l.seen = append(l.seen, fmt.Sprintf("%d:%s:%v", a.TicketID, e.NewValue, a.Notify))
				l.mu.Unlock()
			}
		}
		return nil, nil
	}}
}

func (l *breachLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.seen)
}

// newSLAEnv is newEnv with the breach log as a hook, starting on a Monday
// 10:00 UTC.
func newSLAEnv(t *testing.T, dsn string) (*env, *breachLog) {
	t.Helper()
	log := &breachLog{}
	e := newQuietEnv(t, dsn, mailboxtest.Options{Hooks: []ticket.Hook{log.hook()}})
	return e, log
}

func (e *env) policy(name string, conds []rules.Condition, first, next, done int, hours int64) {
	e.t.Helper()
	in := ticket.SLAPolicyInput{Name: &name, Conditions: &conds, FirstResponseMin: &first, NextResponseMin: &next, ResolveMin: &done}
	if hours != 0 {
		in.BusinessHoursID = &hours
	}
	if _, err := e.svc.SaveSLAPolicy(e.ctx, 0, in); err != nil {
		e.t.Fatalf("policy %s: %v", name, err)
	}
}

func (e *env) mail(from, subject string) int64 {
	e.t.Helper()
	res := e.receive(e.mb, msg("From: "+from, "To: support@acme.test", "Subject: "+subject,
		fmt.Sprintf("Message-ID: <%d.%s>", e.now.UnixNano(), from)))
	return res.TicketID
}

func (e *env) replyFrom(from string, ticketID int64) {
	e.t.Helper()
	tk := e.ticket(ticketID)
	e.receive(e.mb, msg("From: "+from, "To: support@acme.test", fmt.Sprintf("Subject: Re: %s [#%d]", tk.Subject, ticketID),
		fmt.Sprintf("Message-ID: <%d.r.%s>", e.now.UnixNano(), from)))
}

func (e *env) slaOf(id int64) store.TicketSLA {
	e.t.Helper()
	tk := e.ticket(id)
	if tk.SLA == nil {
		e.t.Fatalf("ticket %d has no SLA", id)
	}
	return *tk.SLA
}

func at(base time.Time, d time.Duration) time.Time { return base.Add(d) }

// TestSLAFirstMatchingPolicy: the first policy (by position) whose
// conditions match a new ticket gives it its due times; a policy without
// conditions matches every other ticket; with no policy at all a ticket
// has none.
func TestSLAFirstMatchingPolicy(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e, _ := newSLAEnv(t, dsn)
		none := e.mail("zed@customer.test", "Before any policy")
		e.policy("Urgent", []rules.Condition{{Field: "subject", Op: "contains", Value: "urgent"}}, 60, 0, 240, 0)
		e.policy("Default", nil, 480, 0, 0, 0)
		t0 := e.now
		urgent := e.mail("ann@customer.test", "URGENT: down")
		other := e.mail("bob@customer.test", "A question")
		if x := e.slaOf(urgent); x.PolicyName != "Urgent" || !x.FirstResponseDue.Equal(at(t0, time.Hour)) || !x.Done.Equal(at(t0, 4*time.Hour)) ||
			!x.DueAt.Equal(at(t0, time.Hour)) {
			t.Fatalf("urgent %+v", x)
		}
		if x := e.slaOf(other); x.PolicyName != "Default" || !x.FirstResponseDue.Equal(at(t0, 8*time.Hour)) || !x.Done.IsZero() {
			t.Fatalf("other %+v", x)
		}
		if tk := e.ticket(none); tk.SLA != nil {
			t.Fatalf("a ticket from before any policy has %+v", tk.SLA)
		}
	})
}

// TestSLAPauseWhilePending: an agent's reply meets the first response; the
// clock stands still while the ticket is pending and restarts, with the
// working time that was left, on the customer's reply, which also starts
// the next-response clock; solving meets every target.
func TestSLAPauseWhilePending(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e, _ := newSLAEnv(t, dsn)
		e.policy("Std", nil, 60, 30, 240, 0)
		agent := e.agent()
		t0 := e.now
		id := e.mail("ann@customer.test", "Help")
		e.now = at(t0, 30*time.Minute)
		if _, err := e.svc.Reply(e.ctx, agent, id, ticket.ReplyInput{Body: "On it"}); err != nil {
			t.Fatal(err)
		}
		if x := e.slaOf(id); !x.FirstResponseDue.IsZero() || !x.DueAt.Equal(at(t0, 4*time.Hour)) {
			t.Fatalf("after the reply %+v", x)
		}
		e.now = at(t0, time.Hour) // 3 hours of resolution left
		pending := domain.StatusPending
		if _, err := e.svc.UpdateTicket(e.ctx, agent, id, ticket.TicketUpdate{Status: &pending}); err != nil {
			t.Fatal(err)
		}
		if x := e.slaOf(id); x.PausedAt.IsZero() || !x.DueAt.IsZero() || !x.CheckAt.IsZero() {
			t.Fatalf("pending %+v", x)
		}
		e.now = at(t0, 10*time.Hour) // past the old due time: paused, nothing is breached
		if n, err := e.svc.RunSLABreaches(e.ctx); err != nil || n != 0 {
			t.Fatalf("breaches while paused: %d %v", n, err)
		}
		e.replyFrom("ann@customer.test", id)
		tk := e.ticket(id)
		if tk.Status != domain.StatusOpen || tk.SLA == nil {
			t.Fatalf("after the customer's reply %+v", tk)
		}
		if x := *tk.SLA; !x.PausedAt.IsZero() || !x.Done.Equal(at(t0, 13*time.Hour)) || !x.NextResponseDue.Equal(at(t0, 10*time.Hour+30*time.Minute)) ||
			!x.DueAt.Equal(at(t0, 10*time.Hour+30*time.Minute)) {
			t.Fatalf("restarted %+v", x)
		}
		solved := domain.StatusSolved
		if _, err := e.svc.UpdateTicket(e.ctx, agent, id, ticket.TicketUpdate{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if x := e.slaOf(id); !x.DueAt.IsZero() || !x.Done.IsZero() || !x.NextResponseDue.IsZero() {
			t.Fatalf("solved %+v", x)
		}
	})
}

// TestSLABusinessHoursOnTickets: a policy on business hours counts only
// working time (the Monday 10:00 UTC mail in New York, 05:00 there, is due
// at 09:00 + 2 hours).
func TestSLABusinessHoursOnTickets(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e, _ := newSLAEnv(t, dsn)
		var week []sla.Period
		for d := 1; d <= 5; d++ {
			week = append(week, sla.Period{Day: d, Start: "09:00", End: "17:00"})
		}
		bh, err := e.svc.SaveBusinessHours(e.ctx, 0, ticket.BusinessHoursInput{Name: ptr("New York"), Timezone: ptr("America/New_York"), Week: &week})
		if err != nil {
			t.Fatal(err)
		}
		e.policy("Office", nil, 120, 0, 0, bh.ID)
		id := e.mail("ann@customer.test", "Hello")
		if x := e.slaOf(id); !x.FirstResponseDue.Equal(time.Date(2026, 11, 2, 16, 0, 0, 0, time.UTC)) {
			t.Fatalf("due %v", x.FirstResponseDue)
		}
		if de, ok := domain.As(e.svc.DeleteBusinessHours(e.ctx, bh.ID)); !ok || de.Kind != domain.KindConflict {
			t.Fatalf("deleting business hours in use: %v", de)
		}
	})
}

// TestSLABreachJobOnce: the pass records each missed target once, with an
// sla_breached event and its audience (the assignee, else the team's
// members), however often it runs; the job is on the maintenance queue.
func TestSLABreachJobOnce(t *testing.T) {
	t.Parallel()
	if o := (ticket.SLABreachArgs{}).InsertOpts(); o.Queue != jobs.QueueMaintenance || o.MaxAttempts != 1 {
		t.Fatalf("insert options %+v", o)
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e, log := newSLAEnv(t, dsn)
		e.policy("Std", nil, 60, 0, 120, 0)
		admin, ann, bob := e.agent(), e.agent(), e.agent()
		team, err := e.svc.CreateTeam(e.ctx, admin, ticket.TeamInput{Name: ptr("Support"), MemberIDs: &[]int64{ann.ID, bob.ID}})
		if err != nil {
			t.Fatal(err)
		}
		t0 := e.now
		assigned := e.mail("x@customer.test", "One")
		teamOnly := e.mail("y@customer.test", "Two")
		if _, err := e.svc.UpdateTicket(e.ctx, admin, assigned, ticket.TicketUpdate{AssigneeSet: true, AssigneeID: ann.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateTicket(e.ctx, admin, teamOnly, ticket.TicketUpdate{TeamSet: true, TeamID: team.ID}); err != nil {
			t.Fatal(err)
		}
		run := func(now time.Time) int {
			t.Helper()
			e.now = now
			n, err := e.svc.RunSLABreaches(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := run(at(t0, 59*time.Minute)); n != 0 {
			t.Fatalf("early: %d", n)
		}
		if n := run(at(t0, time.Hour)); n != 2 {
			t.Fatalf("at the first response due time: %d breaches", n)
		}
		if n := run(at(t0, 90*time.Minute)); n != 0 {
			t.Fatalf("again: %d breaches", n)
		}
		if n := run(at(t0, 3*time.Hour)); n != 2 {
			t.Fatalf("resolution: %d breaches", n)
		}
		if n := run(at(t0, 4*time.Hour)); n != 0 {
			t.Fatalf("after all: %d breaches", n)
		}
		want := []string{
			fmt.Sprintf("%d:first_response:[%d]", assigned, ann.ID), fmt.Sprintf("%d:first_response:[%d %d]", teamOnly, ann.ID, bob.ID),
			fmt.Sprintf("%d:resolution:[%d]", assigned, ann.ID), fmt.Sprintf("%d:resolution:[%d %d]", teamOnly, ann.ID, bob.ID),
		}
		if got := log.list(); !slices.Equal(got, want) {
			t.Fatalf("breaches seen %v, want %v", got, want)
		}
		if got := withPrefix(e.eventKinds(assigned), "sla_breached:"); !slices.Equal(got, []string{"sla_breached:first_response", "sla_breached:resolution"}) {
			t.Fatalf("events %v", got)
		}
		if x := e.slaOf(assigned); x.Breaches == "[]" || !x.CheckAt.IsZero() || !x.DueAt.Equal(at(t0, time.Hour)) {
			t.Fatalf("after the breaches %+v", x)
		}
	})
}

// TestSortDue: sort=due lists the soonest (or most overdue) due time first,
// tickets without a running clock after, and pages on without loss.
func TestSortDue(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e, _ := newSLAEnv(t, dsn)
		plain := e.mail("p@customer.test", "No policy yet")
		e.policy("Slow", []rules.Condition{{Field: "subject", Op: "contains", Value: "slow"}}, 600, 0, 0, 0)
		e.policy("Fast", []rules.Condition{{Field: "subject", Op: "contains", Value: "fast"}}, 30, 0, 0, 0)
		slow := e.mail("s@customer.test", "slow one")
		e.now = e.now.Add(time.Minute)
		fast := e.mail("f@customer.test", "fast one")
		e.now = e.now.Add(time.Minute)
		fast2 := e.mail("g@customer.test", "fast two")
		order := storeSort(store.SortDue)
		var got []int64
		var after store.TicketCursor
		for {
			page := e.list(store.TicketFilter{Sort: order, After: after, Limit: 2})
			for _, tk := range page {
				got = append(got, tk.ID)
			}
			if len(page) < 2 {
				break
			}
			after = order.CursorOf(page[len(page)-1])
		}
		if want := []int64{fast, fast2, slow, plain}; !slices.Equal(got, want) {
			t.Fatalf("sort=due %v, want %v", got, want)
		}
	})
}

func storeSort(k store.TicketSortKey) store.TicketSort { return store.TicketSort{Key: k, Asc: true} }

// TestSLABreachPassesAtOnce: two breach passes running at once (two
// replicas) over a burst of tickets due together, more than one chunk,
// record each breach exactly once between them: one sla_breached event
// per ticket, one call of the later stages each. On PostgreSQL a ticket
// another transaction holds is skipped, not waited for, and recorded by
// the next pass.
func TestSLABreachPassesAtOnce(t *testing.T) {
	t.Parallel()
	const burst = ticket.SLABreachChunk + 100
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e, log := newSLAEnv(t, dsn)
		e.policy("Std", nil, 60, 0, 0, 0)
		t0 := e.now
		var ids []int64
		for i := range burst {
			ids = append(ids, e.mail(fmt.Sprintf("c%d@customer.test", i), fmt.Sprintf("Burst %d", i)))
		}
		e.now = at(t0, time.Hour)
		var wg sync.WaitGroup
		counts := make([]int, 2)
		errs := make([]error, 2)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], errs[i] = e.svc.RunSLABreaches(e.ctx)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if counts[0]+counts[1] != burst {
			t.Fatalf("the passes recorded %v breaches, want %d in all", counts, burst)
		}
		seen := map[string]int{}
		for _, s := range log.list() {
			seen[s]++
		}
		for _, id := range ids {
			if k := fmt.Sprintf("%d:first_response:[]", id); seen[k] != 1 {
				t.Fatalf("ticket %d: the later stages saw its breach %d times (%d in all)", id, seen[k], len(log.list()))
			}
			if got := withPrefix(e.eventKinds(id), "sla_breached:"); len(got) != 1 {
				t.Fatalf("ticket %d events %v", id, got)
			}
		}
		if n, err := e.svc.RunSLABreaches(e.ctx); err != nil || n != 0 {
			t.Fatalf("a pass after both: %d, %v", n, err)
		}
		if e.st.DB().Dialect != store.Postgres {
			return
		}
		// A ticket held by another transaction (an agent's change) is skipped.
		e.now = at(t0, 2*time.Hour)
		held := e.mail("held@customer.test", "Held")
		free := e.mail("free@customer.test", "Free")
		e.now = at(t0, 3*time.Hour)
		locked, release := make(chan struct{}), make(chan struct{})
		done := make(chan error)
		go func() {
			done <- e.st.DB().InTx(e.ctx, func(tx *store.Tx) error {
				if err := e.st.LockTicket(e.ctx, tx, held); err != nil {
					return err
				}
				close(locked)
				<-release
				return nil
			})
		}()
		<-locked
		// Bounded: a pass that waited for the held ticket would wait forever.
		ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
		n, err := e.svc.RunSLABreaches(ctx)
		cancel()
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err != nil || n != 1 || len(withPrefix(e.eventKinds(free), "sla_breached:")) != 1 || len(withPrefix(e.eventKinds(held), "sla_breached:")) != 0 {
			t.Fatalf("with ticket %d held: %d breaches, %v", held, n, err)
		}
		if n, err := e.svc.RunSLABreaches(e.ctx); err != nil || n != 1 || len(withPrefix(e.eventKinds(held), "sla_breached:")) != 1 {
			t.Fatalf("once released: %d breaches, %v", n, err)
		}
	})
}

// TestSLAClockFollowsPolicyChange: a change that makes another policy the
// first to match gives the ticket that policy's clock, counted from when
// the ticket was opened, keeping what is known: a first response given
// stays given, and a next response running restarts from the change under
// the new policy's target (none when the new policy has none).
func TestSLAClockFollowsPolicyChange(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e, _ := newSLAEnv(t, dsn)
		e.policy("Fast", []rules.Condition{{Field: "priority", Op: "equals", Value: "high"}}, 60, 30, 240, 0)
		e.policy("No next", []rules.Condition{{Field: "priority", Op: "equals", Value: "low"}}, 60, 0, 300, 0)
		e.policy("Std", nil, 120, 60, 480, 0)
		agent := e.agent()
		t0 := e.now
		id := e.mail("ann@customer.test", "Help")
		e.now = at(t0, 10*time.Minute)
		if _, err := e.svc.Reply(e.ctx, agent, id, ticket.ReplyInput{Body: "On it"}); err != nil {
			t.Fatal(err)
		}
		e.now = at(t0, 20*time.Minute)
		e.replyFrom("ann@customer.test", id)
		if x := e.slaOf(id); x.PolicyName != "Std" || !x.FirstResponseDue.IsZero() || !x.NextResponseDue.Equal(at(t0, 80*time.Minute)) {
			t.Fatalf("before any policy change %+v", x)
		}
		for _, step := range []struct {
			at       time.Duration
			priority domain.Priority
			policy   string
			next     time.Duration // 0: no next-response clock
			done     time.Duration
		}{
			{30 * time.Minute, domain.PriorityHigh, "Fast", 60 * time.Minute, 240 * time.Minute},
			{40 * time.Minute, domain.PriorityLow, "No next", 0, 300 * time.Minute},
		} {
			e.now = at(t0, step.at)
			if _, err := e.svc.UpdateTicket(e.ctx, agent, id, ticket.TicketUpdate{Priority: priority(step.priority)}); err != nil {
				t.Fatal(err)
			}
			x := e.slaOf(id)
			wantNext := time.Time{}
			if step.next != 0 {
				wantNext = at(t0, step.next)
			}
			if x.PolicyName != step.policy || !x.FirstResponseDue.IsZero() || !x.NextResponseDue.Equal(wantNext) || !x.Done.Equal(at(t0, step.done)) {
				t.Fatalf("priority %s: %+v, want %s with next response due %v, resolution %v", step.priority, x, step.policy, wantNext, at(t0, step.done))
			}
		}
	})
}

// TestSLAReopened: a solved ticket reopened starts its resolution clock
// again, paused when it is reopened as pending.
func TestSLAReopened(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		e, _ := newSLAEnv(t, dsn)
		e.policy("Std", nil, 60, 0, 240, 0)
		agent := e.agent()
		t0 := e.now
		for i, c := range []struct {
			to     domain.Status
			paused bool
		}{
			{domain.StatusPending, true},
			{domain.StatusOpen, false},
		} {
			e.now = t0
			id := e.mail(fmt.Sprintf("c%d@customer.test", i), "Help")
			e.now = at(t0, 10*time.Minute)
			if _, err := e.svc.UpdateTicket(e.ctx, agent, id, ticket.TicketUpdate{Status: status(domain.StatusSolved)}); err != nil {
				t.Fatal(err)
			}
			if x := e.slaOf(id); !x.Done.IsZero() || !x.DueAt.IsZero() {
				t.Fatalf("solved %+v", x)
			}
			e.now = at(t0, time.Hour)
			if _, err := e.svc.UpdateTicket(e.ctx, agent, id, ticket.TicketUpdate{Status: status(c.to)}); err != nil {
				t.Fatal(err)
			}
			x := e.slaOf(id)
			if x.Done.IsZero() || x.PausedAt.IsZero() != !c.paused || x.DueAt.IsZero() != c.paused {
				t.Fatalf("reopened as %s: %+v, want paused %v", c.to, x, c.paused)
			}
		}
	})
}

// syncBuffer is a log destination a test reads while services write.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSLABreachWorkerLogs: the job logs a pass that recorded breaches,
// with their number, and stays quiet about a pass that recorded none.
func TestSLABreachWorkerLogs(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		var out syncBuffer
		e := newQuietEnv(t, dsn, mailboxtest.Options{Log: slog.New(slog.NewTextHandler(&out, nil))})
		e.policy("Std", nil, 60, 0, 0, 0)
		t0 := e.now
		e.mail("ann@customer.test", "Help")
		w := &ticket.SLABreachWorker{Service: e.svc}
		for _, c := range []struct {
			at   time.Duration
			want string // the log line's tail, "" for none
		}{
			{30 * time.Minute, ""},
			{time.Hour, `msg="sla breaches" recorded=1`},
		} {
			e.now = at(t0, c.at)
			if err := w.Work(e.ctx, nil); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range strings.Split(out.String(), "\n") {
				if strings.Contains(l, `msg="sla breaches"`) {
					got = append(got, l[strings.Index(l, "msg="):])
				}
			}
			var want []string
			if c.want != "" {
				want = []string{c.want}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("after the pass at +%v the log says %q, want %q", c.at, got, want)
			}
		}
	})
}
