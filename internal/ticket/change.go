package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/store"
)

// EventKind names an audit-trail entry. The values are stored and served as
// they are; the API and the UI read these exact strings.
type EventKind string

// Audit event kinds.
const (
	EventTicketCreated   EventKind = "ticket_created"
	EventStatusChanged   EventKind = "status_changed"
	EventPriorityChanged EventKind = "priority_changed"
	EventAssigneeChanged EventKind = "assignee_changed"
	EventTagsChanged     EventKind = "tags_changed"
	EventReplyQueued     EventKind = "reply_queued"
	EventNoteAdded       EventKind = "note_added"
	EventDeliveryFailed  EventKind = "delivery_failed"
	EventDeliveryRetried EventKind = "delivery_retried"
	// EventTicketLinked: a reply to a ticket closed long ago opened a new
	// one; each names the other (field follows / followed_by).
	EventTicketLinked EventKind = "ticket_linked"
	EventMarkedSpam   EventKind = "marked_spam"
	EventSpamRestored EventKind = "spam_restored"
	EventMergedInto   EventKind = "merged_into" // this ticket was merged into NewValue
	EventMergedFrom   EventKind = "merged_from" // ticket NewValue was merged into this one
	EventSplitTo      EventKind = "split_to"    // messages of this ticket became ticket NewValue
	EventSplitFrom    EventKind = "split_from"  // this ticket was split off ticket NewValue
	// EventSnoozed and EventSnoozeWoke: see snooze.go.
	// EventRuleFired: an automation rule acted (NewValue its name);
	// EventRuleFailed: one could not (NewValue "name: why"). See rulehook.go.
	EventRuleFired  EventKind = "rule_fired"
	EventRuleFailed EventKind = "rule_failed"
	// EventCSATSent: a satisfaction survey was mailed (NewValue the
	// address); EventCSATRated: the requester rated (OldValue the rating
	// before, "" for none, NewValue the rating). See csat.go.
	EventCSATSent  EventKind = "csat_sent"
	EventCSATRated EventKind = "csat_rated"
)

// EventKinds lists every audit event kind.
func EventKinds() []EventKind {
	return []EventKind{EventTicketCreated, EventStatusChanged, EventPriorityChanged, EventAssigneeChanged, EventTagsChanged,
		EventReplyQueued, EventNoteAdded, EventDeliveryFailed, EventDeliveryRetried, EventTicketLinked, EventMarkedSpam, EventSpamRestored,
		EventMergedInto, EventMergedFrom, EventSplitTo, EventSplitFrom, EventSnoozed, EventSnoozeWoke, EventRuleFired, EventRuleFailed, EventTeamChanged, EventAutoAssigned, EventCSATSent, EventCSATRated, EventForwarded, EventSLABreached}
}

// Event is one audit-trail entry a change records.
type Event struct {
	Kind               EventKind
	Field              string
	OldValue, NewValue string
	// by is who made this entry when it is not the change's actor: in the
	// rules' changes made as one (Change.parts), each rule's own.
	by *Actor
}

// Actor is who makes a change: an agent (UserID set), a sender's address,
// or "system".
type Actor struct {
	UserID int64
	Name   string
}

func agentActor(u store.User) Actor { return Actor{UserID: u.ID, Name: u.Email} }

func systemActor() Actor { return Actor{Name: "system"} }

// Change is one change to a ticket. Every change to a ticket, whoever makes
// it, goes through Service.change, which validates it, applies the status
// rules, publishes the live event and runs the hooks (the audit trail first).
// Nil and zero fields leave the ticket alone.
type Change struct {
	TicketID int64
	Actor    Actor
	// Create opens a ticket from this value (a reserved ID is kept);
	// TicketID is then the new ticket's.
	Create *store.Ticket

	Status   *domain.Status
	Priority *domain.Priority
	Assignee *int64 // 0 unassigns
	Team     *int64 // 0 removes the team
	Tags     *[]string
	// TagsAdd and TagsRemove change the tags the ticket has when the change
	// is made (not a snapshot read earlier), after Tags.
	TagsAdd, TagsRemove []string
	// Snooze snoozes a pending ticket until then; a zero time unsnoozes.
	// Any status but pending clears a snooze.
	Snooze *time.Time

	// MessageAdded is a message the caller stored on the ticket. It counts in
	// the ticket's message count unless the ticket was created with it
	// counted (Counted).
	MessageAdded int64
	Counted      bool
	// Uncounted: MessageAdded is no part of the conversation's count (a
	// note, an acknowledgement, automatic mail); it still is activity.
	Uncounted bool
	// Automatic is why the added message is automatic mail (bounce,
	// auto_reply, feedback_report, receipt, loop, spam), "" for a person's:
	// hooks that answer mail (rules, notifications) must leave it alone.
	Automatic string
	// Delivery records a delivery state of one of the ticket's messages.
	Delivery *Delivery
	// MessagesMoved is how many messages the caller moved onto (or, negative,
	// off) the ticket: a merge or a split. They count in the message count
	// and clients reload the conversation.
	MessagesMoved int
	// Merged closes a ticket merged into another, whatever its status: the
	// merge is the one way past the status rules (checkTransition).
	Merged bool
	// Events are what happened besides the field changes (a reply queued, a
	// note added...); they are recorded first, then one per changed field.
	Events []Event
	// Rule is the automation rule whose actions make this change (nil for
	// any other): a status the status rules refuse or an assignee who cannot
	// be one is then recorded as a rule_failed event, not an error, so a
	// rule never fails the change (nor loses the mail) that triggered it.
	Rule *RuleRef
	// Notify are agents a rule asks to tell about the ticket (the
	// notifications hook tells them).
	Notify []int64
	// Webhooks are outgoing webhooks a rule sends ticket.rule_fired to (the
	// webhooks hook queues one delivery to each that is enabled); only a
	// rule's change (Rule set) carries them.
	Webhooks []int64
	// CSAT records the requester's satisfaction rating (csat.go).
	CSAT *store.CSAT

	// before is the ticket's state when the caller already knows it (batch
	// ingestion reads many at once); nil reads it.
	before *store.TicketFields
	// knownTags are the ticket's tags, sorted, when the caller already
	// knows them; nil reads them.
	knownTags []string
	// added is MessageAdded as the caller inserted it (store.InsertMessage),
	// when it has it: the rules read it from there, not from the database.
	added *store.Message
	// parts are changes made as this one (the rules that fired on one
	// change, rulehook.go): each part's fields and tags apply in order with
	// its own audit entries and actor, then the ticket is written once and
	// the hooks run once. The change's own fields are then unused.
	parts []Change
}

// Delivery is a delivery state to record for one message.
type Delivery struct {
	MessageID   int64
	Status      string
	Error       string
	AddAttempts int
	// NextAttempt is when a retrying message is tried again.
	NextAttempt time.Time
	// Requeue moves only a failed message back to queued (a retry); the
	// change fails with errNotFailed when the message is not failed.
	Requeue bool
}

var errNotFailed = errors.New("message is not failed")

// Applied is a change as made: what hooks receive.
type Applied struct {
	Change
	Before, After store.TicketFields
	Created       bool      // the change opened the ticket
	Events        []Event   // the audit entries, in order
	At            time.Time // when it was made
	Depth         int       // 0 for a caller's change, n for one a hook added n levels down
}

// maxHookDepth bounds how deep hooks may add changes to changes: a rule that
// keeps triggering itself is an error, not a loop.
const maxHookDepth = 4

// ErrHookDepth is returned when hook-added changes nest deeper than maxHookDepth.
var ErrHookDepth = errors.New("ticket change: hooks nested too deep")

// validate checks a change's values (not yet against the ticket), and
// normalises its tags. It needs no transaction, so callers may run it first.
func (c *Change) validate() error {
	for i := range c.parts {
		if err := c.parts[i].validate(); err != nil {
			return err
		}
	}
	if c.Status != nil && !slices.Contains(domain.Statuses(), *c.Status) {
		return domain.Invalid("status", "must be one of "+domain.Join(domain.Statuses()))
	}
	if c.Priority != nil && !slices.Contains(domain.Priorities(), *c.Priority) {
		return domain.Invalid("priority", "must be one of "+domain.Join(domain.Priorities()))
	}
	if c.Tags != nil {
		tags, err := normalizeTags(*c.Tags)
		if err != nil {
			return err
		}
		c.Tags = &tags
	}
	for _, list := range []*[]string{&c.TagsAdd, &c.TagsRemove} {
		if *list == nil {
			continue
		}
		tags, err := normalizeTags(*list)
		if err != nil {
			return err
		}
		*list = tags
	}
	return nil
}

// change applies c in tx and runs the hooks; it returns the change as
// applied, After being the ticket's state once the hooks' changes to the
// same ticket are made too.
func (s *Service) change(ctx context.Context, tx *store.Tx, c Change) (Applied, error) {
	return s.applyChange(ctx, tx, c, 0)
}

func (s *Service) applyChange(ctx context.Context, tx *store.Tx, c Change, depth int) (Applied, error) {
	if depth > maxHookDepth {
		return Applied{}, fmt.Errorf("%w (%d levels, ticket %d)", ErrHookDepth, depth, c.TicketID)
	}
	if err := c.validate(); err != nil {
		return Applied{}, err
	}
	a, err := s.write(ctx, tx, c)
	if err != nil {
		return a, err
	}
	a.Depth = depth
	if err := s.announce(ctx, tx, a); err != nil {
		return a, err
	}
	for _, h := range s.hooks {
		more, err := h.Run(ctx, tx, a)
		if err != nil {
			return a, fmt.Errorf("hook %s: %w", h.Name, err)
		}
		for _, m := range more {
			if m.TicketID == 0 {
				m.TicketID = a.TicketID
			}
			next, err := s.applyChange(ctx, tx, m, depth+1)
			if err != nil {
				return a, err
			}
			if next.TicketID == a.TicketID {
				a.After = next.After
			}
		}
	}
	return a, nil
}

// write makes the change's writes and works out its audit entries.
func (s *Service) write(ctx context.Context, tx *store.Tx, c Change) (Applied, error) {
	now := s.now()
	a := Applied{Change: c, At: now}
	if c.Create != nil {
		id, err := s.store.CreateTicket(ctx, tx, *c.Create)
		if err != nil {
			return a, err
		}
		a.TicketID, a.Created = id, true
		a.After = store.TicketFields{Status: c.Create.Status, Priority: c.Create.Priority}
	} else {
		switch {
		case c.before != nil:
			a.Before = *c.before
		default:
			var err error
			if a.Before, err = s.store.GetTicketFields(ctx, tx, c.TicketID); err != nil {
				return a, err
			}
		}
		a.After = a.Before
	}
	parts := c.parts
	if parts == nil {
		parts = []Change{c}
	}
	var fields bool
	tags := ticketTags{read: c.knownTags, list: c.knownTags}
	id := a.TicketID // a new ticket's, which the parts do not know
	for _, p := range parts {
		from := len(a.Events)
		a.Change = p
		a.TicketID = id
		a.Events = append(a.Events, p.Events...)
		changed, err := s.changeFields(ctx, tx, &a, now)
		if err != nil {
			return a, err
		}
		fields = fields || changed
		if err := s.changeTags(ctx, tx, &a, &tags); err != nil {
			return a, err
		}
		if c.parts != nil {
			for i := from; i < len(a.Events); i++ {
				a.Events[i].by = &p.Actor
			}
		}
	}
	a.Change = c
	a.TicketID = id
	if fields {
		if err := s.store.UpdateTicketFields(ctx, tx, a.TicketID, a.After, now); err != nil {
			return a, err
		}
	}
	if tags.changed {
		// Only the tags that differ: each row's triggers keep the counts.
		add := slices.DeleteFunc(slices.Clone(tags.list), func(t string) bool { return slices.Contains(tags.read, t) })
		remove := slices.DeleteFunc(slices.Clone(tags.read), func(t string) bool { return slices.Contains(tags.list, t) })
		if err := s.store.ChangeTicketTags(ctx, tx, a.TicketID, add, remove); err != nil {
			return a, err
		}
		if err := s.store.TouchTicket(ctx, tx, a.TicketID, now, 0); err != nil {
			return a, err
		}
	}
	if c.MessageAdded != 0 && !c.Counted {
		n := 1
		if c.Uncounted {
			n = 0
		}
		if err := s.store.TouchTicket(ctx, tx, a.TicketID, now, n); err != nil {
			return a, err
		}
	}
	if c.MessagesMoved != 0 {
		if err := s.store.TouchTicket(ctx, tx, a.TicketID, now, c.MessagesMoved); err != nil {
			return a, err
		}
	}
	if d := c.Delivery; d != nil {
		if err := s.writeDelivery(ctx, tx, a.TicketID, *d, now); err != nil {
			return a, err
		}
	}
	if c.CSAT != nil {
		old, err := s.store.TicketCSAT(ctx, tx, a.TicketID)
		if err != nil {
			return a, err
		}
		if err := s.store.SetTicketCSAT(ctx, tx, a.TicketID, *c.CSAT); err != nil {
			return a, err
		}
		was := ""
		if old != nil {
			was = old.Rating
		}
		a.Events = append(a.Events, Event{Kind: EventCSATRated, Field: "csat", OldValue: was, NewValue: c.CSAT.Rating})
	}
	return a, nil
}

// changeFields applies status, priority, assignee and team to a.After, with their
// audit entries; it reports whether any of them changed.
func (s *Service) changeFields(ctx context.Context, tx *store.Tx, a *Applied, now time.Time) (bool, error) {
	c, before := a.Change, a.After
	record := func(kind EventKind, field, oldValue, newValue string) {
		a.Events = append(a.Events, Event{Kind: kind, Field: field, OldValue: oldValue, NewValue: newValue})
	}
	if c.Merged && before.Status != domain.StatusClosed {
		closed := domain.StatusClosed
		a.After.Status, a.After.SolvedAt = closed, solvedAt(before.SolvedAt, closed, now)
		record(EventStatusChanged, "status", string(before.Status), string(closed))
	}
	if c.Status != nil && *c.Status != a.After.Status {
		err := checkTransition(before.Status, *c.Status)
		switch {
		case err != nil && c.Rule != nil:
			record(EventRuleFailed, "rule", "", c.Rule.Name+": "+err.Error())
		case err != nil:
			return false, err
		default:
			a.After.Status, a.After.SolvedAt = *c.Status, solvedAt(before.SolvedAt, *c.Status, now)
			record(EventStatusChanged, "status", string(before.Status), string(*c.Status))
		}
	}
	if c.Priority != nil && *c.Priority != before.Priority {
		a.After.Priority = *c.Priority
		record(EventPriorityChanged, "priority", string(before.Priority), string(*c.Priority))
	}
	if c.Assignee != nil && *c.Assignee != before.AssigneeID {
		was, err := s.assigneeEmail(ctx, tx, before.AssigneeID, false)
		if err != nil {
			return false, err
		}
		is, err := s.assigneeEmail(ctx, tx, *c.Assignee, true)
		var invalid *domain.Error
		switch {
		case errors.As(err, &invalid) && c.Rule != nil:
			record(EventRuleFailed, "rule", "", c.Rule.Name+": "+invalid.Error())
		case err != nil:
			return false, err
		default:
			a.After.AssigneeID = *c.Assignee
			record(EventAssigneeChanged, "assignee", was, is)
		}
	}
	if c.Team != nil && *c.Team != before.TeamID {
		was, err := s.teamName(ctx, tx, before.TeamID, false)
		if err != nil {
			return false, err
		}
		is, err := s.teamName(ctx, tx, *c.Team, true)
		var invalid *domain.Error
		switch {
		case errors.As(err, &invalid) && c.Rule != nil:
			record(EventRuleFailed, "rule", "", c.Rule.Name+": "+invalid.Error())
		case err != nil:
			return false, err
		default:
			a.After.TeamID = *c.Team
			record(EventTeamChanged, "team", was, is)
		}
	}
	if err := s.changeSnooze(ctx, tx, a, now); err != nil {
		return false, err
	}
	return a.After != before, nil
}

// assigneeEmail names an assignee in the audit trail; a new assignee must be
// an enabled user.
func (s *Service) assigneeEmail(ctx context.Context, tx *store.Tx, id int64, mustBeEnabled bool) (string, error) {
	if id == 0 {
		return "", nil
	}
	u, err := s.store.GetUserTx(ctx, tx, id)
	if mustBeEnabled && (errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled)) {
		return "", domain.Invalid("assignee_id", fmt.Sprintf("%d is not an enabled user", id))
	}
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

// ticketTags are a ticket's tags as a change's parts leave them: read
// once, written once.
type ticketTags struct {
	read    []string // as stored; nil until read
	list    []string // as the parts leave them
	changed bool
}

// changeTags works out the tags a.Change leaves on the ticket, with the
// audit entry; write stores them.
func (s *Service) changeTags(ctx context.Context, tx *store.Tx, a *Applied, cur *ticketTags) error {
	c := a.Change
	if c.Tags == nil && c.TagsAdd == nil && c.TagsRemove == nil {
		return nil
	}
	if cur.read == nil {
		list, err := s.store.TicketTags(ctx, tx, a.TicketID)
		if err != nil {
			return err
		}
		cur.read, cur.list = append([]string{}, list...), list
	}
	old := cur.list
	tags := old
	if c.Tags != nil {
		tags = *c.Tags
	}
	if c.TagsAdd != nil || c.TagsRemove != nil {
		var err error
		tags = slices.DeleteFunc(append(slices.Clone(tags), c.TagsAdd...), func(t string) bool { return slices.Contains(c.TagsRemove, t) })
		if tags, err = normalizeTags(tags); err != nil {
			if c.Rule == nil {
				return err
			}
			a.Events = append(a.Events, Event{Kind: EventRuleFailed, Field: "rule", NewValue: c.Rule.Name + ": " + err.Error()})
			return nil
		}
	}
	if slices.Equal(tags, old) {
		return nil
	}
	cur.list, cur.changed = tags, true
	a.Events = append(a.Events, Event{Kind: EventTagsChanged, Field: "tags", OldValue: strings.Join(old, ","), NewValue: strings.Join(tags, ",")})
	return nil
}

// writeDelivery records a delivery state. The ticket's first response is
// its first agent reply delivered: it is set when a reply is sent, and read
// again when one fails (a bounce after it was sent takes it back).
func (s *Service) writeDelivery(ctx context.Context, tx *store.Tx, ticketID int64, d Delivery, now time.Time) error {
	if d.Requeue {
		ok, err := s.store.RequeueFailed(ctx, tx, d.MessageID)
		if err == nil && !ok {
			err = errNotFailed
		}
		return err
	}
	if err := s.store.SetDelivery(ctx, tx, d.MessageID, d.Status, d.Error, d.AddAttempts, now, d.NextAttempt); err != nil {
		return err
	}
	if d.Status == store.DeliverySent || d.Status == store.DeliveryFailed {
		return s.store.SetFirstResponse(ctx, tx, ticketID)
	}
	return nil
}

// announce publishes the live event of a change, once tx commits. One rule
// for every writer: a new ticket is "created"; an added message is "message
// added" (clients reload the ticket with it, so a status change it brings
// needs no event of its own); otherwise changed fields or a delivery state
// are "updated", naming the message for a delivery. A change that only
// records audit entries announces nothing.
func (s *Service) announce(ctx context.Context, tx *store.Tx, a Applied) error {
	var evs []live.Event
	if a.Created {
		evs = append(evs, live.Event{Type: live.TicketCreated, TicketID: a.TicketID})
	}
	switch {
	case a.MessageAdded != 0:
		evs = append(evs, live.Event{Type: live.MessageAdded, TicketID: a.TicketID, MessageID: a.MessageAdded})
	case a.MessagesMoved != 0:
		evs = append(evs, live.Event{Type: live.MessageAdded, TicketID: a.TicketID})
	case a.Created:
	case a.Delivery != nil:
		evs = append(evs, live.Event{Type: live.TicketUpdated, TicketID: a.TicketID, MessageID: a.Delivery.MessageID})
	case a.After != a.Before || a.fieldEvents():
		evs = append(evs, live.Event{Type: live.TicketUpdated, TicketID: a.TicketID})
	}
	if s.cfg.Events == nil {
		return nil
	}
	for _, ev := range evs {
		if err := s.cfg.Events.PublishTx(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// fieldEvents tells whether the change recorded a field change (tags
// change no ticket field but are one).
func (a Applied) fieldEvents() bool {
	return slices.ContainsFunc(a.Events, func(e Event) bool { return e.Kind == EventTagsChanged || e.Kind == EventCSATRated })
}
