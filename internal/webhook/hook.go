package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Hook is the webhooks stage of the ticket change path: it runs in the
// change's transaction, so a delivery exists if and only if the change
// commits.
func (s *Service) Hook() ticket.Hook {
	return ticket.Hook{Stage: ticket.StageWebhooks, Name: "webhooks", Run: s.run}
}

// EventsOf names the webhook events a change makes, in the order they are
// sent: a new ticket, then the message it brings or that was added, then a
// change of the ticket's fields (status, priority, assignee, tags), or an
// SLA breach (which is no field change), then a rule's webhook action.
func EventsOf(a ticket.Applied) []string {
	var out []string
	if a.Created {
		out = append(out, EventTicketCreated)
	}
	if a.MessageAdded != 0 {
		out = append(out, EventMessageCreated)
	}
	breach := func(e ticket.Event) bool { return e.Kind == ticket.EventSLABreached }
	if !a.Created && slices.ContainsFunc(a.Events, func(e ticket.Event) bool { return e.Field != "" && !breach(e) }) {
		out = append(out, EventTicketUpdated)
	}
	if slices.ContainsFunc(a.Events, breach) {
		out = append(out, EventTicketSLABreached)
	}
	if a.Rule != nil && len(a.Webhooks) > 0 {
		out = append(out, EventTicketRuleFired)
	}
	return out
}

// Body is what a delivery POSTs. Exactly one of Ticket and Message is set
// (neither for a test); Rule names the rule of a ticket.rule_fired.
type Body struct {
	Event      string          `json:"event"`
	DeliveryID string          `json:"delivery_id"`
	CreatedAt  time.Time       `json:"created_at"`
	TicketID   int64           `json:"ticket_id,omitempty"`
	Ticket     json.RawMessage `json:"ticket,omitempty"`
	Message    json.RawMessage `json:"message,omitempty"`
	WebhookID  int64           `json:"webhook_id,omitempty"` // a test names its webhook
	Rule       *RuleInfo       `json:"rule,omitempty"`
}

// RuleInfo names the rule that sent a ticket.rule_fired.
type RuleInfo struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

func (s *Service) run(ctx context.Context, tx *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
	events := EventsOf(a)
	if len(events) == 0 {
		return nil, nil
	}
	hooks, err := store.TxMemo(tx, enabledHooks{}, func() ([]store.Webhook, error) { return s.cfg.Store.ListWebhooks(ctx, tx, true) })
	if err != nil || len(hooks) == 0 {
		return nil, err
	}
	for _, ev := range events {
		var subs []store.Webhook
		for _, w := range hooks {
			// A rule's event goes to the (enabled) webhooks the rule names,
			// the others to their subscribers.
			if ev == EventTicketRuleFired && slices.Contains(a.Webhooks, w.ID) || ev != EventTicketRuleFired && slices.Contains(w.Events, ev) {
				subs = append(subs, w)
			}
		}
		if len(subs) == 0 {
			continue
		}
		body := Body{Event: ev, CreatedAt: a.At.UTC(), TicketID: a.TicketID}
		if ev == EventTicketRuleFired {
			body.Rule = &RuleInfo{ID: a.Rule.ID, Name: a.Rule.Name}
		}
		// The ticket or message as it is now, in this transaction: the state
		// the event reports, whenever it is delivered.
		if ev == EventMessageCreated {
			m, err := s.cfg.Store.GetMessage(ctx, tx, a.MessageAdded)
			if err != nil {
				return nil, err
			}
			if body.Message, err = json.Marshal(s.cfg.Render.Message(m)); err != nil {
				return nil, fmt.Errorf("webhook message body: %w", err)
			}
		} else {
			t, err := s.cfg.Store.GetTicket(ctx, tx, a.TicketID)
			if err != nil {
				return nil, err
			}
			if body.Ticket, err = json.Marshal(s.cfg.Render.Ticket(t)); err != nil {
				return nil, fmt.Errorf("webhook ticket body: %w", err)
			}
		}
		for _, w := range subs {
			if _, err := s.enqueue(ctx, tx, w.ID, a.TicketID, body, a.At); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

// enabledHooks keys the enabled webhooks, read once per transaction.
type enabledHooks struct{}

// enqueue writes one delivery and its job in tx.
func (s *Service) enqueue(ctx context.Context, tx *store.Tx, webhookID, ticketID int64, body Body, at time.Time) (store.WebhookDelivery, error) {
	body.DeliveryID = randomHex(16)
	payload, err := json.Marshal(body)
	if err != nil {
		return store.WebhookDelivery{}, fmt.Errorf("webhook body: %w", err)
	}
	d := store.WebhookDelivery{WebhookID: webhookID, TicketID: ticketID, UID: body.DeliveryID, Event: body.Event, Payload: string(payload),
		Status: store.HookPending, CreatedAt: at.UTC()}
	if d.ID, err = s.cfg.Store.AddWebhookDelivery(ctx, tx, d); err != nil {
		return d, err
	}
	if err := s.cfg.Queue.Enqueue(ctx, tx, DeliverArgs{DeliveryID: d.ID}); err != nil {
		return d, fmt.Errorf("webhook delivery job: %w", err)
	}
	return d, nil
}

// SendTest queues a test event to a webhook (whether or not it is
// enabled: the admin asks for it) and returns its delivery.
func (s *Service) SendTest(ctx context.Context, viewer store.User, id int64) (store.WebhookDelivery, error) {
	if err := admin(viewer); err != nil {
		return store.WebhookDelivery{}, err
	}
	var d store.WebhookDelivery
	err := s.cfg.Store.DB().InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.cfg.Store.GetWebhook(ctx, tx, id); err != nil {
			return err
		}
		var err error
		now := s.cfg.Now()
		d, err = s.enqueue(ctx, tx, id, 0, Body{Event: EventTest, CreatedAt: now.UTC(), WebhookID: id}, now)
		return err
	})
	return d, err
}
