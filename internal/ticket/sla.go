package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/sla"
	"github.com/ticketer/ticketer/internal/store"
)

// SLA policies (issue 13): the first policy whose conditions match a ticket
// gives it an SLA clock (sla.State), kept in step by the SLA stage of the
// change path; the breach pass (a maintenance job) records each missed
// target once.

// EventSLABreached: a target of the ticket's SLA was missed (NewValue the
// target: first_response, next_response or resolution).
const EventSLABreached EventKind = "sla_breached"

// slaHook is the built-in hook of the SLA stage.
func (s *Service) slaHook() Hook {
	return Hook{Stage: StageSLA, Name: "sla", Run: s.runSLA}
}

// slaPolicy is a stored policy made ready: its conditions compiled and its
// calendar parsed.
type slaPolicy struct {
	sla.Policy
	conds *rules.Compiled
}

func (s *Service) loadPolicy(ctx context.Context, q store.Querier, p store.SLAPolicy) (slaPolicy, error) {
	var conds []rules.Condition
	if err := json.Unmarshal([]byte(p.Conditions), &conds); err != nil {
		return slaPolicy{}, fmt.Errorf("sla policy %d conditions: %w", p.ID, err)
	}
	c, err := rules.CompileConditions(p.Match, conds)
	if err != nil {
		return slaPolicy{}, fmt.Errorf("sla policy %d: %w", p.ID, err)
	}
	out := slaPolicy{Policy: sla.Policy{ID: p.ID, Name: p.Name, FirstResponse: minutes(p.FirstResponseMin),
		NextResponse: minutes(p.NextResponseMin), Done: minutes(p.ResolveMin)}, conds: c}
	if p.BusinessHoursID != 0 {
		b, err := s.store.GetBusinessHours(ctx, q, p.BusinessHoursID)
		if err != nil {
			return out, err
		}
		if out.Hours, err = parseHours(b); err != nil {
			return out, fmt.Errorf("business hours %d: %w", b.ID, err)
		}
	}
	return out, nil
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

func parseHours(b store.BusinessHours) (*sla.Hours, error) {
	var week []sla.Period
	var holidays []string
	if err := json.Unmarshal([]byte(b.Week), &week); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(b.Holidays), &holidays); err != nil {
		return nil, err
	}
	return sla.Parse(b.Timezone, week, holidays)
}

// matchPolicy returns the first policy whose conditions hold for the
// ticket (seen with msg, the message that opened it, or 0); ok false: none.
func (s *Service) matchPolicy(ctx context.Context, tx *store.Tx, ticketID, msg int64, automatic bool) (slaPolicy, bool, error) {
	// Read once a transaction (a batch import makes many changes); no
	// transaction that edits policies runs ticket changes.
	pols, err := store.TxMemo(tx, slaPoliciesKey{}, func() ([]slaPolicy, error) { return s.loadPolicies(ctx, tx) })
	if err != nil || len(pols) == 0 {
		return slaPolicy{}, false, err
	}
	conds := make([]*rules.Compiled, len(pols))
	for i, pol := range pols {
		conds[i] = pol.conds
	}
	ev, err := s.ruleSubject(ctx, tx, ticketID, msg, nil, automatic, conds)
	if err != nil {
		return slaPolicy{}, false, err
	}
	for _, pol := range pols {
		if pol.conds.Matches(&ev.snap) {
			return pol, true, nil
		}
	}
	return slaPolicy{}, false, nil
}

// slaPoliciesKey memoizes the loaded policies in a transaction.
type slaPoliciesKey struct{}

// loadPolicies returns the policies, loaded, in the order they apply.
func (s *Service) loadPolicies(ctx context.Context, tx *store.Tx) ([]slaPolicy, error) {
	list, err := s.store.ListSLAPolicies(ctx, tx)
	if err != nil {
		return nil, err
	}
	var pols []slaPolicy
	for _, p := range list {
		pol, err := s.loadPolicy(ctx, tx, p)
		if err != nil {
			// A policy saved valid that no longer loads is left out, loudly.
			s.log.Error("sla policy left out", "policy", p.ID, "err", err)
			continue
		}
		pols = append(pols, pol)
	}
	return pols, nil
}

func stateOf(x store.TicketSLA) (sla.State, error) {
	st := sla.State{PolicyID: x.PolicyID, PolicyName: x.PolicyName, PausedAt: x.PausedAt, Due: map[sla.Target]time.Time{}}
	for t, due := range map[sla.Target]time.Time{sla.FirstResponse: x.FirstResponseDue, sla.NextResponse: x.NextResponseDue, sla.Resolution: x.Done} {
		if !due.IsZero() {
			st.Due[t] = due
		}
	}
	if err := json.Unmarshal([]byte(x.Breaches), &st.Breaches); err != nil {
		return st, fmt.Errorf("sla breaches: %w", err)
	}
	return st, nil
}

func storedOf(st sla.State) (store.TicketSLA, error) {
	b, err := json.Marshal(st.Breaches)
	if err != nil {
		return store.TicketSLA{}, err
	}
	if st.Breaches == nil {
		b = []byte("[]")
	}
	return store.TicketSLA{PolicyID: st.PolicyID, PolicyName: st.PolicyName, FirstResponseDue: st.Due[sla.FirstResponse],
		NextResponseDue: st.Due[sla.NextResponse], Done: st.Due[sla.Resolution], PausedAt: st.PausedAt, Breaches: string(b),
		DueAt: st.DueAt(), CheckAt: st.CheckAt()}, nil
}

func finished(st domain.Status) bool { return st == domain.StatusSolved || st == domain.StatusClosed }

// runSLA keeps the ticket's clock in step with the change: a ticket opened
// or changed (priority, team, tags...) gets the first matching policy's
// clock; an agent's reply meets the response targets; a customer's message
// restarts a paused clock and starts the next-response one; pending pauses,
// solved or closed meets every target, and reopening starts the resolution
// clock again.
func (s *Service) runSLA(ctx context.Context, tx *store.Tx, a Applied) ([]Change, error) {
	fields := !a.Created && (a.After != a.Before || a.fieldEvents())
	if !a.Created && !fields && a.MessageAdded == 0 {
		return nil, nil
	}
	if a.Created {
		// A ticket opened in this transaction has a clock only if a policy
		// matched it here (a rule's change runs this hook first): with no
		// policy there is none, and no clock to read (a statement a new
		// conversation of an import).
		pols, err := store.TxMemo(tx, slaPoliciesKey{}, func() ([]slaPolicy, error) { return s.loadPolicies(ctx, tx) })
		if err != nil || len(pols) == 0 {
			return nil, err
		}
	}
	cur, has, err := s.store.GetTicketSLA(ctx, tx, a.TicketID)
	if err != nil {
		return nil, err
	}
	var st sla.State
	var pol slaPolicy
	switch {
	case a.Created || (fields && !finished(a.After.Status)):
		match, ok, err := s.matchPolicy(ctx, tx, a.TicketID, a.MessageAdded, a.Automatic != "")
		if err != nil {
			return nil, err
		}
		if !ok {
			if has {
				return nil, s.store.DeleteTicketSLA(ctx, tx, a.TicketID)
			}
			return nil, nil
		}
		pol = match
		if st, err = s.clockFor(ctx, tx, a, cur, has, pol); err != nil {
			return nil, err
		}
	case !has:
		return nil, nil
	default:
		if st, err = stateOf(cur); err != nil {
			return nil, err
		}
		if pol, err = s.policyOf(ctx, tx, st.PolicyID); err != nil {
			return nil, err
		}
	}
	if err := s.stepSLA(ctx, tx, a, &st, pol.Policy); err != nil {
		return nil, err
	}
	x, err := storedOf(st)
	if err != nil {
		return nil, err
	}
	return nil, s.store.SetTicketSLA(ctx, tx, a.TicketID, x)
}

// clockFor is the ticket's clock under pol: the current one when pol is
// its policy already; else a new one counted from when the ticket was
// opened, keeping what is known (a first response given, a pause, the
// breaches recorded).
func (s *Service) clockFor(ctx context.Context, tx *store.Tx, a Applied, cur store.TicketSLA, has bool, pol slaPolicy) (sla.State, error) {
	if has && cur.PolicyID == pol.ID {
		return stateOf(cur)
	}
	t, err := s.store.GetTicket(ctx, tx, a.TicketID)
	if err != nil {
		return sla.State{}, err
	}
	st := sla.Start(pol.Policy, t.CreatedAt)
	if !has {
		if !t.FirstResponseAt.IsZero() {
			st.AgentReplied()
		}
		return st, nil
	}
	old, err := stateOf(cur)
	if err != nil {
		return st, err
	}
	if _, running := old.Due[sla.FirstResponse]; !running {
		delete(st.Due, sla.FirstResponse)
	}
	if _, running := old.Due[sla.NextResponse]; running && pol.NextResponse > 0 {
		if due, ok := pol.Hours.Add(a.At, pol.NextResponse); ok {
			st.Due[sla.NextResponse] = due
		}
	}
	st.PausedAt, st.Breaches = old.PausedAt, old.Breaches
	return st, nil
}

// policyOf loads a ticket's policy; one deleted since promises nothing
// more (the clock keeps its due times, nothing is started again).
func (s *Service) policyOf(ctx context.Context, tx *store.Tx, id int64) (slaPolicy, error) {
	p, err := s.store.GetSLAPolicy(ctx, tx, id)
	if errors.Is(err, store.ErrNotFound) {
		return slaPolicy{Policy: sla.Policy{ID: id}}, nil
	}
	if err != nil {
		return slaPolicy{}, err
	}
	return s.loadPolicy(ctx, tx, p)
}

// stepSLA applies what the change did to the clock: its message first (a
// customer's restarts the clock), then its status.
func (s *Service) stepSLA(ctx context.Context, tx *store.Tx, a Applied, st *sla.State, p sla.Policy) error {
	if a.MessageAdded != 0 && !a.Created {
		switch {
		case a.Actor.UserID != 0 && slices.ContainsFunc(a.Events, func(e Event) bool { return e.Kind == EventReplyQueued }):
			st.AgentReplied()
		case a.Actor.UserID == 0 && a.Rule == nil && a.Automatic == "" && a.Actor.Name != systemActor().Name:
			m, err := s.store.GetMessage(ctx, tx, a.MessageAdded)
			if err != nil {
				return err
			}
			if m.Kind == store.KindInbound {
				st.Resume(p, a.At)
				st.CustomerReplied(p, a.At)
			}
		}
	}
	if a.Before.Status == a.After.Status || a.Created {
		return nil
	}
	switch {
	case finished(a.After.Status):
		st.Resolved()
	case finished(a.Before.Status):
		st.Reopened(p, a.At)
		if a.After.Status == domain.StatusPending {
			st.Pause(a.At)
		}
	case a.After.Status == domain.StatusPending:
		st.Pause(a.At)
	case a.Before.Status == domain.StatusPending:
		st.Resume(p, a.At)
	}
	return nil
}

// SLABreachChunk is how many tickets one transaction of the breach pass
// takes (their rows stay locked until it commits, so a chunk is kept
// short, as bulk changes do); SLABreachMaxChunks bounds the chunks of one
// pass (the rest is the next pass's work).
const (
	SLABreachChunk     = 200
	SLABreachMaxChunks = 50
)

// RunSLABreaches is one pass of the breach job: it reads only the tickets
// whose next due time has come (tickets_sla_check), and records each
// target missed once: the clock's breach list, an sla_breached audit event
// (which the webhooks stage sends as ticket.sla_breached) and a
// notification to the assignee, or to the team's members when nobody is
// assigned. It works in chunks of SLABreachChunk tickets, one transaction
// each, every breach through the change path. Passes may run at once (two
// replicas): each locks the tickets it takes and skips those another
// holds, and each reads a ticket's clock only once it has its lock. It
// returns how many breaches it recorded.
func (s *Service) RunSLABreaches(ctx context.Context) (int, error) {
	total := 0
	for range SLABreachMaxChunks {
		var n, seen int
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			n, seen, err = s.breachChunk(ctx, tx, s.now())
			return err
		})
		if err != nil {
			return total, fmt.Errorf("sla breach pass (%d recorded before this chunk): %w", total, err)
		}
		total += n
		if seen < SLABreachChunk {
			break
		}
	}
	return total, nil
}

// breachChunk locks up to SLABreachChunk due tickets and records their
// breaches: their clocks, fields and teams are read in a few statements for
// the chunk, the clocks written back deferred (one round trip for all), and
// each ticket with a missed target changed through the change path (its
// audit event, notifications and webhooks). It returns the breaches
// recorded and how many tickets it took.
func (s *Service) breachChunk(ctx context.Context, tx *store.Tx, now time.Time) (int, int, error) {
	ids, err := s.store.LockTicketsToCheck(ctx, tx, now, SLABreachChunk)
	if err != nil || len(ids) == 0 {
		return 0, 0, err
	}
	clocks, err := s.store.TicketSLAsByID(ctx, tx, ids)
	if err != nil {
		return 0, 0, err
	}
	fields, err := s.store.TicketFieldsByID(ctx, tx, ids)
	if err != nil {
		return 0, 0, err
	}
	teams := map[int64][]int64{}
	n := 0
	for _, id := range ids {
		cur, has := clocks[id]
		if !has {
			// A check time without a clock would be read by every pass: clear it.
			if err := s.store.DeleteTicketSLA(ctx, tx, id); err != nil {
				return 0, 0, err
			}
			continue
		}
		st, err := stateOf(cur)
		if err != nil {
			return 0, 0, fmt.Errorf("ticket %d: %w", id, err)
		}
		missed := st.Breach(now) // under the ticket's lock: once, whoever runs the pass
		x, err := storedOf(st)
		if err != nil {
			return 0, 0, err
		}
		if err := s.store.SetTicketSLA(ctx, tx, id, x); err != nil {
			return 0, 0, err
		}
		if len(missed) == 0 {
			continue
		}
		before := fields[id]
		c := Change{TicketID: id, Actor: systemActor(), before: &before}
		for _, t := range missed {
			c.Events = append(c.Events, Event{Kind: EventSLABreached, Field: "sla", NewValue: string(t)})
		}
		if c.Notify, err = s.breachAudience(ctx, tx, before, teams); err != nil {
			return 0, 0, err
		}
		if _, err := s.change(ctx, tx, c); err != nil {
			return 0, 0, fmt.Errorf("ticket %d: %w", id, err)
		}
		n += len(missed)
	}
	return n, len(ids), nil
}

// breachAudience is who hears of a breach: the assignee, else the team's
// members (teams holds the members of the teams read so far in the chunk).
func (s *Service) breachAudience(ctx context.Context, tx *store.Tx, f store.TicketFields, teams map[int64][]int64) ([]int64, error) {
	if f.AssigneeID != 0 {
		return []int64{f.AssigneeID}, nil
	}
	if f.TeamID == 0 {
		return nil, nil
	}
	if members, ok := teams[f.TeamID]; ok {
		return members, nil
	}
	team, err := s.store.GetTeam(ctx, tx, f.TeamID, false)
	if errors.Is(err, store.ErrNotFound) {
		teams[f.TeamID] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	teams[f.TeamID] = team.MemberIDs
	return team.MemberIDs, nil
}

// SLABreachInterval is how often the breach pass runs.
const SLABreachInterval = time.Minute

// SLABreachArgs asks for one pass of the breach job.
type SLABreachArgs struct{}

// Kind implements river.JobArgs.
func (SLABreachArgs) Kind() string { return "sla_breaches" }

// InsertOpts puts the pass on the maintenance queue; a pass that fails is
// the next one's work.
func (SLABreachArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, MaxAttempts: 1}
}

// SLABreachWorker runs a pass of the breach job.
type SLABreachWorker struct {
	river.WorkerDefaults[SLABreachArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *SLABreachWorker) Work(ctx context.Context, _ *river.Job[SLABreachArgs]) error {
	n, err := w.Service.RunSLABreaches(ctx)
	if n > 0 {
		w.Service.log.Info("sla breaches", "recorded", n)
	}
	return err
}

// SLABreachPeriodic schedules the breach pass every SLABreachInterval (on
// the leader only: one pass for all replicas).
func SLABreachPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(SLABreachInterval),
		func() (river.JobArgs, *river.InsertOpts) { return SLABreachArgs{}, nil }, nil)
}
