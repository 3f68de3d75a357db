package ticket_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// hookBundle is a ticket service with the given hooks, one ticket and an agent.
type hookBundle struct {
	env    *mailboxtest.Env
	ticket int64
	agent  store.User
}

func setupHooks(t *testing.T, dsn string, hooks []ticket.Hook) *hookBundle {
	t.Helper()
	e := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true, Hooks: hooks})
	mb := e.Mailbox("support@acme.test", "smtp")
	res, err := e.Svc.Import(e.Ctx, mb, msg("From: alice@customer.test", "Subject: Printer", "Message-ID: <h1@customer.test>"))
	if err != nil {
		t.Fatal(err)
	}
	id, err := e.Store.CreateUser(e.Ctx, store.User{Email: "agent@acme.test", Name: "Agent", Role: domain.RoleAgent, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return &hookBundle{env: e, ticket: res.TicketID, agent: store.User{ID: id, Email: "agent@acme.test"}}
}

func priority(p domain.Priority) *domain.Priority { return &p }

// TestHooksRunInStageOrder: whatever order hooks are registered in, every
// change runs the audit trail first and then rules, SLA, notifications and
// webhooks; a hook sees the state before and after, and a change it adds
// runs every hook again, one level down, before the next stage.
func TestHooksRunInStageOrder(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		var ran []string
		record := func(name string) func(context.Context, *store.Tx, ticket.Applied) ([]ticket.Change, error) {
			return func(ctx context.Context, tx *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
				ran = append(ran, name+string(rune('0'+a.Depth)))
				return nil, nil
			}
		}
		var audited int
		rules := func(ctx context.Context, tx *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
			ran = append(ran, "rules"+string(rune('0'+a.Depth)))
			if a.Depth > 0 || a.Priority == nil { // the agent's priority change only
				return nil, nil
			}
			// The audit hook ran before: its entry is in the transaction.
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM ticket_events WHERE ticket_id = $1 AND kind = 'priority_changed'`, a.TicketID).Scan(&audited); err != nil {
				return nil, err
			}
			if a.Before.Priority != domain.PriorityNormal || a.After.Priority != domain.PriorityHigh {
				t.Errorf("rules hook saw %s -> %s, want normal -> high", a.Before.Priority, a.After.Priority)
			}
			return []ticket.Change{{Tags: &[]string{"VIP"}}}, nil
		}
		b := setupHooks(t, dsn, []ticket.Hook{
			{Stage: ticket.StageWebhooks, Name: "webhooks", Run: record("webhooks")},
			{Stage: ticket.StageRules, Name: "rules", Run: rules},
			{Stage: ticket.StageNotifications, Name: "notifications", Run: record("notifications")},
			{Stage: ticket.StageSLA, Name: "sla", Run: record("sla")},
		})
		ran = nil // the import's changes ran them too
		got, err := b.env.Svc.UpdateTicket(b.env.Ctx, b.agent, b.ticket, ticket.TicketUpdate{Priority: priority(domain.PriorityHigh)})
		if err != nil {
			t.Fatal(err)
		}
		want := "rules0 rules1 sla1 notifications1 webhooks1 sla0 notifications0 webhooks0"
		if strings.Join(ran, " ") != want {
			t.Fatalf("hooks ran %v, want %s", ran, want)
		}
		if audited != 1 {
			t.Fatalf("the rules hook saw %d audit entries, want the audit hook's 1", audited)
		}
		if strings.Join(got.Tags, ",") != "vip" || got.Priority != domain.PriorityHigh {
			t.Fatalf("ticket after the hook's change: tags %v priority %s", got.Tags, got.Priority)
		}
	})
}

// TestHookDepthLimit: a hook that keeps adding changes is stopped at the
// depth limit, and the whole change is rolled back.
func TestHookDepthLimit(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		toggle := func(ctx context.Context, tx *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
			if a.Priority == nil {
				return nil, nil
			}
			next := domain.PriorityLow
			if a.After.Priority == domain.PriorityLow {
				next = domain.PriorityHigh
			}
			return []ticket.Change{{Priority: &next}}, nil
		}
		b := setupHooks(t, dsn, []ticket.Hook{{Stage: ticket.StageRules, Name: "toggle", Run: toggle}})
		_, err := b.env.Svc.UpdateTicket(b.env.Ctx, b.agent, b.ticket, ticket.TicketUpdate{Priority: priority(domain.PriorityHigh)})
		if !errors.Is(err, ticket.ErrHookDepth) {
			t.Fatalf("err = %v, want ErrHookDepth", err)
		}
		tk, err := b.env.Store.GetTicket(b.env.Ctx, b.env.DB.W(), b.ticket)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Priority != domain.PriorityNormal {
			t.Fatalf("priority %s after a refused change, want normal", tk.Priority)
		}
		if n := b.env.Count(`SELECT count(*) FROM ticket_events WHERE kind = 'priority_changed'`); n != 0 {
			t.Fatalf("%d priority events kept from a rolled-back change", n)
		}
	})
}

// TestEventKindValues: the audit kinds are a contract with the API and the UI.
func TestEventKindValues(t *testing.T) {
	t.Parallel()
	var got []string
	for _, k := range ticket.EventKinds() {
		got = append(got, string(k))
	}
	want := "ticket_created status_changed priority_changed assignee_changed tags_changed reply_queued note_added delivery_failed delivery_retried " +
		"ticket_linked marked_spam spam_restored merged_into merged_from split_to split_from snoozed snooze_woke rule_fired rule_failed team_changed auto_assigned " +
		"csat_sent csat_rated forwarded sla_breached"
	if strings.Join(got, " ") != want {
		t.Fatalf("event kinds %v, want %s", got, want)
	}
}

// TestChangeRefusesBadValues: a status, priority or tag that is not one is
// refused before the ticket is read, naming the field and what it may be.
func TestChangeRefusesBadValues(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupHooks(t, dsn, nil)
		for _, c := range []struct {
			in      ticket.TicketUpdate
			field   string
			message string
		}{
			{ticket.TicketUpdate{Status: status("lost")}, "status", "must be one of new, open, pending, solved, closed"},
			{ticket.TicketUpdate{Priority: priority("whenever")}, "priority", "must be one of low, normal, high, urgent"},
			{ticket.TicketUpdate{Tags: &[]string{"two words"}}, "tags", `"two words": a tag is 1 to 64 characters without spaces or commas`},
		} {
			_, err := b.env.Svc.UpdateTicket(b.env.Ctx, b.agent, b.ticket, c.in)
			if de, ok := domain.As(err); !ok || de.Kind != domain.KindInvalid || de.Field != c.field || de.Message != c.message {
				t.Errorf("%s: %v, want invalid: %s", c.field, err, c.message)
			}
		}
	})
}
