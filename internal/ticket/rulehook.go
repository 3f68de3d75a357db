package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/store"
)

// Automation rules run in the rules stage of the change path: a change that
// triggers them (a new ticket's first message, a customer's message, a
// field changed) is evaluated against the enabled rules of that trigger, in
// order, and each rule that matches returns its actions as changes, made at
// once in the same transaction (so in the ingest transaction for mail).

// RuleRef names the rule that makes a change, and the rules whose changes
// led to it (a rule never runs on a change it caused, however far down).
type RuleRef struct {
	ID   int64
	Name string
	// Chain also holds the other rules whose changes were made as one
	// with this rule's (asOne).
	Chain []int64
}

// maxRuleDepth is how many rules deep a chain may go (a rule's change
// triggering another's): past it, rules are not evaluated. It is below
// maxHookDepth so that a chain of rules stops instead of failing the change.
const maxRuleDepth = 3

// ruleSet is the enabled rules, compiled, by trigger.
type ruleSet struct {
	stamp  string
	byWhen map[rules.When][]*rules.Compiled
}

// ruleCache keeps the compiled rules until the stamp of the rules table
// changes (another replica's edit included).
type ruleCache struct {
	mu  sync.Mutex
	set *ruleSet
}

func (s *Service) rulesHook() Hook {
	return Hook{Stage: StageRules, Name: "rules", Run: s.runRules}
}

// ruleSetFor returns the enabled rules, compiled once per edit of the rules.
func (s *Service) ruleSetFor(ctx context.Context, q store.Querier) (*ruleSet, error) {
	stamp, err := s.store.RulesStamp(ctx, q)
	if err != nil {
		return nil, err
	}
	s.rules.mu.Lock()
	defer s.rules.mu.Unlock()
	if s.rules.set != nil && s.rules.set.stamp == stamp {
		return s.rules.set, nil
	}
	list, err := s.store.ListRules(ctx, q, true)
	if err != nil {
		return nil, err
	}
	set := &ruleSet{stamp: stamp, byWhen: map[rules.When][]*rules.Compiled{}}
	for _, r := range list {
		c, err := compileStored(r)
		if err != nil {
			// Saved rules were valid when saved; one that no longer is (a
			// newer version's stricter check) is left out, loudly.
			s.log.Error("rule left out", "rule", r.ID, "name", r.Name, "err", err)
			continue
		}
		set.byWhen[c.When] = append(set.byWhen[c.When], c)
	}
	s.rules.set = set
	return set, nil
}

func compileStored(r store.Rule) (*rules.Compiled, error) {
	x, err := fromStored(r)
	if err != nil {
		return nil, err
	}
	return rules.Compile(x)
}

// triggerOf says which rules a change may trigger: the first message of a
// new ticket (created), a customer's message on a ticket (customer_replied,
// confirmed once the message is read), or a change of status, priority,
// assignee or tags (updated).
func triggerOf(a Applied) (rules.When, bool) {
	switch {
	case a.MessageAdded != 0 && a.Counted && a.Rule == nil:
		return rules.WhenCreated, true
	case a.MessageAdded != 0 && a.Rule == nil && a.Actor.UserID == 0 && a.Actor.Name != systemActor().Name:
		return rules.WhenCustomerReplied, true
	case !a.Created && (a.After != a.Before || a.fieldEvents()):
		return rules.WhenUpdated, true
	}
	return "", false
}

func (s *Service) runRules(ctx context.Context, tx *store.Tx, a Applied) ([]Change, error) {
	if a.Depth >= maxRuleDepth {
		return nil, nil
	}
	when, ok := triggerOf(a)
	if !ok {
		return nil, nil
	}
	// Read once a transaction: a batch import makes many changes, and no
	// transaction that edits rules runs them.
	set, err := store.TxMemo(tx, ruleSetKey{}, func() (*ruleSet, error) { return s.ruleSetFor(ctx, tx) })
	if err != nil {
		return nil, err
	}
	list := set.byWhen[when]
	if len(list) == 0 {
		return nil, nil
	}
	var known *store.Message
	if a.added != nil {
		m := a.added.AsRead(tx.Dialect)
		known = &m
	}
	ev, err := s.ruleSubject(ctx, tx, a.TicketID, a.MessageAdded, known, a.Automatic != "", list)
	if err != nil {
		return nil, err
	}
	if when == rules.WhenCustomerReplied && (ev.msg == nil || (ev.msg.Kind != store.KindInbound && ev.msg.Kind != store.KindAutoReply)) {
		return nil, nil // an outbound copy or a note: no customer spoke
	}
	var chain []int64
	if a.Rule != nil {
		chain = append(slices.Clone(a.Rule.Chain), a.Rule.ID)
	}
	var out, group []Change
	flush := func() {
		if len(group) > 0 {
			out = append(out, asOne(group))
			group = nil
		}
	}
	for _, r := range list {
		if slices.Contains(chain, r.ID) || !r.Matches(&ev.snap) {
			continue
		}
		more, err := s.ruleChanges(ctx, tx, r, chain, ev)
		if err != nil {
			return nil, fmt.Errorf("rule %d (%s): %w", r.ID, r.Name, err)
		}
		if c := more[0]; !joinable(c) {
			flush()
			out = append(out, more...)
			continue
		}
		group = append(group, more[0])
		if len(more) > 1 {
			// The messages a rule adds stay after its change, in order.
			flush()
			out = append(out, more[1:]...)
		}
	}
	flush()
	if len(out) > 0 {
		// The first change starts from the ticket the rules just read (the
		// rules' own inserts change neither its fields nor its tags).
		f := fieldsOf(ev.ticket)
		out[0].before, out[0].knownTags = &f, slices.Sorted(slices.Values(ev.ticket.Tags))
	}
	return out, nil
}

// fieldsOf is a ticket's fields as a change reads them.
func fieldsOf(t store.Ticket) store.TicketFields {
	f := store.TicketFields{Status: t.Status, Priority: t.Priority, SolvedAt: t.SolvedAt, SnoozeUntil: t.SnoozeUntil}
	if t.Assignee != nil {
		f.AssigneeID = t.Assignee.ID
	}
	if t.Team != nil {
		f.TeamID = t.Team.ID
	}
	return f
}

// ruleSetKey memoizes the rule set in a transaction (store.TxMemo).
type ruleSetKey struct{}

// joinable tells whether a rule's change may be made as one with the next
// rules' (asOne): what its hooks report per rule (agents to notify, the
// rule's webhooks, an assignee "by" the rule) keeps it a change of its own.
func joinable(c Change) bool {
	return len(c.Notify) == 0 && len(c.Webhooks) == 0 && c.Assignee == nil
}

// asOne makes the changes of rules that fired on one change as one: each
// rule's fields and tags apply in order, with its own audit entries under
// its name (rule_fired first), but the ticket is written once and the hooks
// run once (one SLA recompute, one search document, one ticket.updated), so
// each rule that fires costs its audit entries, not a change. The rules
// that fired all make the change: none of them runs on it (Rule.Chain).
func asOne(group []Change) Change {
	if len(group) == 1 {
		return group[0]
	}
	first := group[0]
	ref := *first.Rule
	ref.Chain = slices.Clone(ref.Chain)
	for _, c := range group[1:] {
		ref.Chain = append(ref.Chain, c.Rule.ID)
	}
	return Change{TicketID: first.TicketID, Actor: first.Actor, Rule: &ref, parts: group}
}

// ruleEvent is what rules are evaluated over: the ticket, the message that
// triggered them (nil for none) and the snapshot of both.
type ruleEvent struct {
	ticket    store.Ticket
	msg       *store.Message
	automatic bool
	snap      rules.Snapshot
}

// ruleSubject reads the ticket (and the message, when one triggered the
// rules, unless known is it as stored) into a snapshot; what only some rules
// look at (the mailbox, the last customer message) is read only when one of
// them does.
func (s *Service) ruleSubject(ctx context.Context, q store.Querier, ticketID, messageID int64, known *store.Message, automatic bool,
	list []*rules.Compiled) (ruleEvent, error) {
	uses := func(f rules.Field) bool {
		return slices.ContainsFunc(list, func(c *rules.Compiled) bool { return c.Uses(f) })
	}
	t, err := s.store.GetTicket(ctx, q, ticketID)
	if err != nil {
		return ruleEvent{}, err
	}
	now := s.now()
	ev := ruleEvent{ticket: t, automatic: automatic}
	snap := rules.Snapshot{From: t.Requester.Email, Subject: t.Subject, Tags: t.Tags, Status: string(t.Status), Priority: string(t.Priority),
		HoursSinceCreated: now.Sub(t.CreatedAt).Hours(), HoursSinceUpdated: now.Sub(t.UpdatedAt).Hours(), HoursSinceCustomer: -1}
	if t.Assignee != nil {
		snap.Assignee = t.Assignee.Email
	}
	if t.Team != nil {
		snap.Team = t.Team.Name
	}
	if messageID != 0 {
		if known != nil && known.ID == messageID {
			// Just inserted in this transaction: reading it back would cost
			// two statements (the row, its attachments) a message.
			ev.msg = known
		} else {
			m, err := s.store.GetMessage(ctx, q, messageID)
			if err != nil {
				return ruleEvent{}, err
			}
			ev.msg = &m
		}
		m := ev.msg
		ev.automatic = ev.automatic || m.AutoReason != "" || m.Kind == store.KindAutoReply
		snap.From, snap.Body = m.From.Email, m.Text
		for _, list := range [][]store.Address{m.To, m.Cc} {
			for _, ad := range list {
				snap.To = append(snap.To, ad.Email)
			}
		}
		if m.Kind == store.KindInbound {
			snap.HoursSinceCustomer = now.Sub(m.CreatedAt).Hours()
		}
	}
	if snap.HoursSinceCustomer < 0 && uses(rules.FieldHoursSinceCustomer) {
		id, at, err := s.store.LastCustomerMessage(ctx, q, ticketID)
		if err != nil {
			return ruleEvent{}, err
		}
		if id != 0 {
			snap.HoursSinceCustomer = now.Sub(at).Hours()
		}
	}
	if uses(rules.FieldOrganisation) {
		c, err := s.store.GetContact(ctx, q, t.RequesterID)
		if err != nil {
			return ruleEvent{}, err
		}
		if c.Organisation != nil {
			snap.Organisation = c.Organisation.Name
		}
	}
	if uses(rules.FieldMailbox) {
		mb, err := s.store.GetMailbox(ctx, q, t.MailboxID)
		if err != nil {
			return ruleEvent{}, err
		}
		snap.Mailbox = []string{mb.Name, mb.Address}
	}
	snap.Automatic = ev.automatic
	ev.snap = snap.Normalize()
	return ev, nil
}

// ruleChanges turns a matching rule's actions into changes: one with its
// fields, tags, notifications, webhooks and the rule_fired entry, then one per message
// it adds (a note, a reply). What cannot be done is a rule_failed entry,
// never an error: a rule does not fail the change that triggered it.
func (s *Service) ruleChanges(ctx context.Context, tx *store.Tx, r *rules.Compiled, chain []int64, ev ruleEvent) ([]Change, error) {
	ref := &RuleRef{ID: r.ID, Name: r.Name, Chain: chain}
	actor := Actor{Name: "rule: " + r.Name}
	c := Change{TicketID: ev.ticket.ID, Actor: actor, Rule: ref, Events: []Event{{Kind: EventRuleFired, Field: "rule", NewValue: r.Name}}}
	failed := func(why string) {
		c.Events = append(c.Events, Event{Kind: EventRuleFailed, Field: "rule", NewValue: r.Name + ": " + why})
	}
	var msgs []Change
	for _, act := range r.Actions {
		switch act.Type {
		case rules.ActionAssignAgent:
			id := act.ID()
			c.Assignee = &id
		case rules.ActionSetTeam:
			id := act.ID()
			c.Team = &id
		case rules.ActionSetPriority:
			p := domain.Priority(act.Value)
			c.Priority = &p
		case rules.ActionSetStatus:
			st := domain.Status(act.Value)
			c.Status = &st
		case rules.ActionAddTag:
			c.TagsAdd = append(c.TagsAdd, act.Value)
		case rules.ActionRemoveTag:
			c.TagsRemove = append(c.TagsRemove, act.Value)
		case rules.ActionNotify:
			c.Notify = append(c.Notify, act.ID())
		case rules.ActionWebhook:
			// A webhook deleted since the rule was saved is the rule's
			// failure; a disabled one is the admin's pause, which the
			// webhooks hook keeps (it sends to enabled webhooks only).
			_, err := s.store.GetWebhook(ctx, tx, act.ID())
			switch {
			case errors.Is(err, store.ErrNotFound):
				failed(fmt.Sprintf("webhook %d does not exist", act.ID()))
			case err != nil:
				return nil, err
			case !slices.Contains(c.Webhooks, act.ID()):
				c.Webhooks = append(c.Webhooks, act.ID())
			}
		case rules.ActionAddNote:
			id, err := s.store.InsertMessage(ctx, tx, store.Message{TicketID: ev.ticket.ID, Kind: store.KindNote,
				From: store.Address{Name: actor.Name}, Text: act.Value, VisibleText: act.Value, CreatedAt: s.now()})
			if err != nil {
				return nil, err
			}
			msgs = append(msgs, Change{TicketID: ev.ticket.ID, Actor: actor, Rule: ref, MessageAdded: id, Uncounted: true,
				Events: []Event{{Kind: EventNoteAdded, Field: "message", NewValue: strconv.FormatInt(id, 10)}}})
		case rules.ActionReplyMacro:
			m, why, err := s.ruleReply(ctx, tx, r, act.ID(), ev, &c)
			switch {
			case err != nil:
				return nil, err
			case why != "":
				failed(why)
			case m != 0:
				msgs = append(msgs, Change{TicketID: ev.ticket.ID, Actor: actor, Rule: ref, MessageAdded: m, Uncounted: true,
					Events: []Event{{Kind: EventReplyQueued, Field: "message", NewValue: strconv.FormatInt(m, 10)}}})
			}
		}
	}
	return append([]Change{c}, msgs...), nil
}

// ruleReply queues a rule's reply with a macro: never to automatic mail,
// at most once per ticket per rule (rule_runs keeps the record). It returns
// the message queued (0 for none) or why it was not sent. The macro's own
// actions join the rule's change.
func (s *Service) ruleReply(ctx context.Context, tx *store.Tx, r *rules.Compiled, macroID int64, ev ruleEvent, c *Change) (int64, string, error) {
	if ev.automatic {
		return 0, "no reply to automatic mail", nil
	}
	if ev.ticket.Requester.Email == "" {
		return 0, "the ticket has no requester address", nil
	}
	macro, err := s.store.GetMacro(ctx, tx, macroID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, fmt.Sprintf("macro %d does not exist", macroID), nil
	}
	if err != nil {
		return 0, "", err
	}
	first, err := s.store.MarkRuleRun(ctx, tx, r.ID, ev.ticket.ID, string(rules.ActionReplyMacro), s.now())
	if err != nil || !first {
		return 0, "", err // replied once already: nothing to say
	}
	mb, err := s.store.GetMailbox(ctx, tx, ev.ticket.MailboxID)
	if err != nil {
		return 0, "", err
	}
	now := s.now()
	var parent string
	var refs []string
	if ev.msg != nil {
		parent, refs = ev.msg.MessageID, ev.msg.References
	}
	out := mail.TicketMail(mail.Address{Name: mb.Name, Email: mb.Address}, ev.ticket.ID, parent, refs, now)
	out.To = []mail.Address{{Email: ev.ticket.Requester.Email, Name: ev.ticket.Requester.Name}}
	out.Subject = "Re: " + mail.NormalizeSubject(ev.ticket.Subject)
	out.Text = RenderMacro(macro.Body, ev.ticket, store.User{Name: mb.Name, Email: mb.Address})
	out.AutoSubmitted = "auto-replied"
	id, err := s.queueOutbound(ctx, tx, ev.ticket.ID, 0, out, "rule")
	if err != nil {
		return 0, "", err
	}
	ma := toMacro(macro).Actions
	if ma.Status != nil && c.Status == nil {
		st := *ma.Status
		c.Status = &st
	}
	if ma.Priority != nil && c.Priority == nil {
		p := *ma.Priority
		c.Priority = &p
	}
	if ma.AssigneeID != 0 && c.Assignee == nil {
		id := ma.AssigneeID
		c.Assignee = &id
	}
	c.TagsAdd = append(c.TagsAdd, ma.TagsAdd...)
	return id, "", nil
}

// RuleTimeBatch bounds how many candidate tickets one time rule reads in one
// pass (the oldest first); the next pass reads on.
const RuleTimeBatch = 500

// RunTimeRules is one pass of the time rules: each reads the tickets of its
// status not updated for its quiet hours (the index on status and
// updated_at), and acts on those it matches, once per ticket while the
// ticket stays as it was. It returns how many times rules fired.
func (s *Service) RunTimeRules(ctx context.Context) (int, error) {
	set, err := s.ruleSetFor(ctx, s.db.W())
	if err != nil {
		return 0, err
	}
	fired := 0
	for _, r := range set.byWhen[rules.WhenTime] {
		now := s.now()
		quiet := time.Duration(rules.QuietHours(r.Conditions) * float64(time.Hour))
		ids, err := s.store.TicketsUpdatedBefore(ctx, s.db.W(), []string{rules.TimeStatus(r.Conditions)}, now.Add(-quiet), RuleTimeBatch)
		if err != nil {
			return fired, err
		}
		for _, id := range ids {
			ok, err := s.runTimeRule(ctx, r, id)
			if err != nil {
				return fired, fmt.Errorf("time rule %d on ticket %d: %w", r.ID, id, err)
			}
			if ok {
				fired++
			}
		}
	}
	return fired, nil
}

func (s *Service) runTimeRule(ctx context.Context, r *rules.Compiled, ticketID int64) (bool, error) {
	fired := false
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		fired = false
		if err := s.store.LockTicket(ctx, tx, ticketID); err != nil {
			return err
		}
		ev, err := s.ruleSubject(ctx, tx, ticketID, 0, nil, false, []*rules.Compiled{r})
		if err != nil || !r.Matches(&ev.snap) {
			return err
		}
		// Once per ticket per quiet spell: the key is the update it waited on.
		first, err := s.store.MarkRuleRun(ctx, tx, r.ID, ticketID, "time@"+ev.ticket.UpdatedAt.UTC().Format(time.RFC3339Nano), s.now())
		if err != nil || !first {
			return err
		}
		changes, err := s.ruleChanges(ctx, tx, r, nil, ev)
		if err != nil {
			return err
		}
		for _, c := range changes {
			if _, err := s.change(ctx, tx, c); err != nil {
				return err
			}
		}
		fired = true
		return nil
	})
	return fired, err
}

// TimeRulesInterval is how often the time rules pass runs.
const TimeRulesInterval = 5 * time.Minute

// TimeRulesArgs asks for one pass of the time rules.
type TimeRulesArgs struct{}

// Kind implements river.JobArgs.
func (TimeRulesArgs) Kind() string { return "rules_time" }

// InsertOpts puts the pass on the maintenance queue; a pass that fails is
// simply the next one's work.
func (TimeRulesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueMaintenance, MaxAttempts: 1}
}

// TimeRulesWorker runs a pass of the time rules.
type TimeRulesWorker struct {
	river.WorkerDefaults[TimeRulesArgs]
	Service *Service
}

// Work implements river.Worker.
func (w *TimeRulesWorker) Work(ctx context.Context, _ *river.Job[TimeRulesArgs]) error {
	n, err := w.Service.RunTimeRules(ctx)
	if n > 0 {
		w.Service.log.Info("time rules", "fired", n)
	}
	return err
}

// TimeRulesPeriodic schedules the time rules pass every TimeRulesInterval
// (River runs periodic jobs on the leader only: one pass for all replicas).
func TimeRulesPeriodic() *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(TimeRulesInterval),
		func() (river.JobArgs, *river.InsertOpts) { return TimeRulesArgs{}, nil }, nil)
}
