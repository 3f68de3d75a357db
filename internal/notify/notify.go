// Package notify tells agents what concerns them: a ticket assigned to them,
// a customer's reply on their ticket, a mention in a note. It is a hook on
// the ticket change path (stage notifications): each notification is stored
// in the transaction of the change that causes it, announced live to its
// agent, and, when the agent wants mail, collected by a delayed job that
// sends one mail for a burst.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Kind is what a notification is about. The strings are stored and served.
type Kind string

// Notification kinds.
const (
	KindAssigned        Kind = "assigned"         // a ticket was assigned to me
	KindCustomerReplied Kind = "customer_replied" // a customer replied on my ticket
	KindMentioned       Kind = "mentioned"        // someone named me in a note
	KindSnoozeWoke      Kind = "snooze_woke"      // my snoozed ticket woke
	KindRule            Kind = "rule"             // an automation rule asked to tell me
	KindSLABreached     Kind = "sla_breached"     // my ticket (or my team's unassigned one) missed an SLA target
)

// Kinds lists every kind, as settings show them.
func Kinds() []Kind {
	return []Kind{KindAssigned, KindCustomerReplied, KindMentioned, KindSnoozeWoke, KindRule, KindSLABreached}
}

// DefaultDelay is how long the mail job waits to collect a burst into one mail.
const DefaultDelay = 2 * time.Minute

// Config holds the service's dependencies.
type Config struct {
	Store  *store.Store
	Queue  ticket.Enqueuer
	Events ticket.Publisher // nil: no live announcement
	// BaseURL is where the UI is, for the links in mails.
	BaseURL string
	// Delay before the mail job collects a user's pending notifications.
	Delay  time.Duration
	Logger *slog.Logger
	Now    func() time.Time
}

// Sender sends a mail from a mailbox (*ticket.Service).
type Sender interface {
	SendNotice(ctx context.Context, mb store.Mailbox, out mail.Outgoing) error
}

// Service stores, announces and mails notifications.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Delay == 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}
}

// Hook is the notifications stage of the ticket change path.
func (s *Service) Hook() ticket.Hook {
	return ticket.Hook{Stage: ticket.StageNotifications, Name: "notifications", Run: s.run}
}

// wanted is one notification a change calls for.
type wanted struct {
	user    int64
	kind    Kind
	summary string
}

func (s *Service) run(ctx context.Context, tx *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
	var out []wanted
	// Assigned to someone other than who assigned it.
	if to := a.After.AssigneeID; to != 0 && to != a.Before.AssigneeID && to != a.Actor.UserID {
		out = append(out, wanted{to, KindAssigned, "by " + a.Actor.Name})
	}
	for _, e := range a.Events {
		if e.Kind == ticket.EventNoteAdded && a.MessageAdded != 0 {
			more, err := s.mentions(ctx, tx, a)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
		if e.Kind == ticket.EventSLABreached {
			// The breach job names who hears of it (the assignee, else the team).
			for _, id := range a.Notify {
				out = append(out, wanted{id, KindSLABreached, "SLA " + strings.ReplaceAll(e.NewValue, "_", " ") + " breached"})
			}
		}
		if e.Kind == EventSnoozeWoke && a.After.AssigneeID != 0 {
			out = append(out, wanted{a.After.AssigneeID, KindSnoozeWoke, "snoozed ticket woke"})
		}
	}
	// Agents a rule names (an agent since disabled or deleted is skipped).
	if a.Rule != nil {
		for _, id := range a.Notify {
			u, err := s.cfg.Store.GetUserTx(ctx, tx, id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, wanted{id, KindRule, "rule " + a.Rule.Name})
		}
	}
	// A customer's message on an assigned ticket (not one an agent wrote,
	// nor an automatic answer). Only then is the message read.
	if a.MessageAdded != 0 && a.Actor.UserID == 0 && !a.Created && a.After.AssigneeID != 0 {
		m, err := s.cfg.Store.GetMessage(ctx, tx, a.MessageAdded)
		if err != nil {
			return nil, err
		}
		if m.Kind == store.KindInbound {
			out = append(out, wanted{a.After.AssigneeID, KindCustomerReplied, "from " + m.From.Email})
		}
	}
	for _, w := range out {
		if err := s.add(ctx, tx, a, w); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// EventSnoozeWoke is the audit event kind of a snoozed ticket waking (the
// snooze feature records it; notifications only listen for it).
const EventSnoozeWoke = ticket.EventSnoozeWoke

// mentionRE finds "@handle" not preceded by a word character (an email
// address in the text is not a mention).
var mentionRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.])@([\p{L}\p{N}._-]+)`)

// Handle is how a note names a user: the local part of their address, or
// their name without spaces, case-insensitive.
func Handles(u store.Mentionable) []string {
	local, _, _ := strings.Cut(strings.ToLower(u.Email), "@")
	hs := []string{local}
	if n := strings.ToLower(strings.Join(strings.Fields(u.Name), "")); n != "" && n != local {
		hs = append(hs, n)
	}
	return hs
}

// Mentioned returns the users a text names, each once, in order.
func Mentioned(text string, users []store.Mentionable) []store.Mentionable {
	byHandle := map[string]store.Mentionable{}
	for _, u := range users {
		for _, h := range Handles(u) {
			byHandle[h] = u
		}
	}
	var out []store.Mentionable
	seen := map[int64]bool{}
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		h := strings.TrimRight(strings.ToLower(m[1]), ".-_") // "@ann." ends a sentence
		if u, ok := byHandle[h]; ok && !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, u)
		}
	}
	return out
}

func (s *Service) mentions(ctx context.Context, tx *store.Tx, a ticket.Applied) ([]wanted, error) {
	m, err := s.cfg.Store.GetMessage(ctx, tx, a.MessageAdded)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(m.Text, "@") {
		return nil, nil
	}
	users, err := s.cfg.Store.EnabledUsers(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []wanted
	for _, u := range Mentioned(m.Text, users) {
		if u.ID != a.Actor.UserID {
			out = append(out, wanted{u.ID, KindMentioned, "by " + a.Actor.Name})
		}
	}
	return out, nil
}

// Choice is what a user wants for a kind: on in both unless they said not.
func Choice(prefs map[string]store.NotifyChoice, k Kind) store.NotifyChoice {
	if c, ok := prefs[string(k)]; ok {
		return c
	}
	return store.NotifyChoice{App: true, Email: true}
}

// prefsOf keys a user's notification settings, read once per transaction.
type prefsOf int64

func (s *Service) add(ctx context.Context, tx *store.Tx, a ticket.Applied, w wanted) error {
	prefs, err := store.TxMemo(tx, prefsOf(w.user), func() (map[string]store.NotifyChoice, error) {
		return s.cfg.Store.NotificationPrefs(ctx, tx, w.user)
	})
	if err != nil {
		return err
	}
	c := Choice(prefs, w.kind)
	if !c.App && !c.Email {
		return nil
	}
	if err := s.cfg.Store.AddNotification(ctx, tx, store.Notification{UserID: w.user, TicketID: a.TicketID, Kind: string(w.kind),
		Actor: a.Actor.Name, Summary: w.summary, InApp: c.App, Email: c.Email, CreatedAt: a.At}); err != nil {
		return err
	}
	if c.App && s.cfg.Events != nil {
		if err := s.cfg.Events.PublishTx(ctx, tx, live.Event{Type: live.NotificationAdded, TicketID: a.TicketID, UserID: w.user}); err != nil {
			return err
		}
	}
	if c.Email {
		if err := s.cfg.Queue.Enqueue(ctx, tx, MailArgs{UserID: w.user, delay: s.cfg.Delay}); err != nil {
			return fmt.Errorf("notification mail job: %w", err)
		}
	}
	return nil
}
