package webhook_test

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/netguard"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

// TestSignatureVector checks Sign against a published HMAC-SHA256 vector
// (GitHub's webhook documentation; openssl dgst -sha256 -hmac agrees).
func TestSignatureVector(t *testing.T) {
	t.Parallel()
	got := webhook.Sign("It's a Secret to Everybody", []byte("Hello, World!"))
	want := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	if got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

func TestEventsOf(t *testing.T) {
	t.Parallel()
	field := ticket.Event{Kind: ticket.EventPriorityChanged, Field: "priority", OldValue: "normal", NewValue: "high"}
	cases := []struct {
		name string
		a    ticket.Applied
		want []string
	}{
		{"new ticket with its message", ticket.Applied{Change: ticket.Change{MessageAdded: 7}, Created: true,
			Events: []ticket.Event{{Kind: ticket.EventTicketCreated}}}, []string{"ticket.created", "message.created"}},
		{"a reply that solves", ticket.Applied{Change: ticket.Change{MessageAdded: 8},
			Events: []ticket.Event{{Kind: ticket.EventReplyQueued}, {Kind: ticket.EventStatusChanged, Field: "status"}}},
			[]string{"message.created", "ticket.updated"}},
		{"a field change", ticket.Applied{Events: []ticket.Event{field}}, []string{"ticket.updated"}},
		{"a note", ticket.Applied{Change: ticket.Change{MessageAdded: 9, Uncounted: true}, Events: []ticket.Event{{Kind: ticket.EventNoteAdded}}},
			[]string{"message.created"}},
		{"only an audit entry", ticket.Applied{Events: []ticket.Event{{Kind: ticket.EventDeliveryFailed}}}, nil},
		{"an SLA breach is no field change", ticket.Applied{Events: []ticket.Event{{Kind: ticket.EventSLABreached, Field: "sla", NewValue: "resolution"}}},
			[]string{"ticket.sla_breached"}},
		{"a rule with a webhook action", ticket.Applied{Change: ticket.Change{Rule: &ticket.RuleRef{ID: 3, Name: "r"}, Webhooks: []int64{7}},
			Events: []ticket.Event{{Kind: ticket.EventRuleFired, Field: "rule", NewValue: "r"}, field}}, []string{"ticket.updated", "ticket.rule_fired"}},
		{"webhooks without a rule send nothing of a rule's", ticket.Applied{Change: ticket.Change{Webhooks: []int64{7}}}, nil},
		{"a rule without a webhook action", ticket.Applied{Change: ticket.Change{Rule: &ticket.RuleRef{ID: 3, Name: "r"}},
			Events: []ticket.Event{{Kind: ticket.EventRuleFired, Field: "rule", NewValue: "r"}}}, []string{"ticket.updated"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := webhook.EventsOf(c.a); !slices.Equal(got, c.want) {
				t.Fatalf("EventsOf = %v, want %v", got, c.want)
			}
		})
	}
}

func TestDeliveryIsSignedAndCarriesTheAPIShapes(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{})
		w := b.hook("s3cret-key", webhook.EventTicketCreated, webhook.EventMessageCreated)
		id := b.newTicket("Printer on fire")
		list := b.settled(w.ID)
		got := b.recv.requests()
		if len(got) != len(list) || len(got) < 2 {
			t.Fatalf("%d requests, %d deliveries", len(got), len(list))
		}
		for i, r := range got {
			if r.Signature != webhook.Sign("s3cret-key", r.Body) {
				t.Fatalf("request %d: signature %s does not match its body", i, r.Signature)
			}
			body := decode(t, r.Body)
			if r.Event != body["event"] || r.Delivery != body["delivery_id"] || r.Delivery != list[i].UID || r.Event != list[i].Event {
				t.Fatalf("request %d: headers %s %s, body %v, delivery %+v", i, r.Event, r.Delivery, body, list[i])
			}
			if list[i].Status != store.HookDelivered || list[i].ResponseCode != 200 || list[i].Attempts != 1 || list[i].At.IsZero() {
				t.Fatalf("delivery %d: %+v", i, list[i])
			}
		}
		first, second := decode(t, got[0].Body), decode(t, got[1].Body)
		tk, _ := first["ticket"].(map[string]any)
		if got[0].Event != "ticket.created" || tk["subject"] != "Printer on fire" || tk["id"] != float64(id) || tk["status"] != "new" {
			t.Fatalf("first: %s %v", got[0].Event, first)
		}
		m, _ := second["message"].(map[string]any)
		if got[1].Event != "message.created" || m["kind"] != "inbound" || second["ticket_id"] != float64(id) || m["visible_text"] == nil {
			t.Fatalf("second: %s %v", got[1].Event, second)
		}
		if slices.ContainsFunc(got, func(r received) bool { return r.Event == webhook.EventTicketUpdated }) {
			t.Fatal("ticket.updated delivered to a webhook that did not ask for it")
		}
	})
}

func TestFailedAttemptsAreRetriedUntilDelivered(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{})
		b.recv.answer = func(n int, _ received) int {
			if n < 2 {
				return 503
			}
			return 204
		}
		w := b.hook("k", webhook.EventTicketCreated)
		b.newTicket("Retry me")
		list := b.settled(w.ID)
		got := b.recv.requests()
		if len(list) != 1 || list[0].Status != store.HookDelivered || list[0].Attempts != 3 || list[0].ResponseCode != 204 || len(got) != 3 {
			t.Fatalf("deliveries %+v after %d requests", list, len(got))
		}
		if got[0].Delivery != got[2].Delivery {
			t.Fatal("a retry must carry the same X-Ticketer-Delivery, for the receiver's dedupe")
		}
	})
}

func TestDeliveryFailsPastTheRetryWindow(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		// The delivery service's clock is a day and an hour past the event.
		b := setup(t, dsn, options{cfg: func(c *webhook.Config) {
			c.Now = func() time.Time { return time.Now().Add(webhook.RetryWindow + time.Hour) }
		}})
		b.recv.answer = func(int, received) int { return 500 }
		w := b.hook("k", webhook.EventTicketCreated)
		b.newTicket("Never answered")
		list := b.settled(w.ID)
		if len(list) != 1 || list[0].Status != store.HookFailed || list[0].Attempts != 1 || list[0].ResponseCode != 500 {
			t.Fatalf("deliveries %+v", list)
		}
	})
}

// TestDeliveriesOfATicketKeepTheirOrder fails the ticket's first delivery
// twice: the ticket's later events wait for it, and reach the receiver in
// the order they happened.
func TestDeliveriesOfATicketKeepTheirOrder(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{})
		b.recv.answer = func(n int, _ received) int {
			if n < 2 {
				return 500
			}
			return 200
		}
		w := b.hook("k", webhook.Events()...)
		id := b.newTicket("Keep order")
		for _, p := range []domain.Priority{domain.PriorityHigh, domain.PriorityLow, domain.PriorityUrgent, domain.PriorityNormal, domain.PriorityHigh} {
			if err := b.setPriority(id, p); err != nil {
				t.Fatal(err)
			}
		}
		list := b.settled(w.ID)
		var want, got []string
		for _, d := range list {
			if d.Status != store.HookDelivered {
				t.Fatalf("delivery %+v", d)
			}
			want = append(want, d.UID)
		}
		var priorities []string
		for _, r := range b.recv.requests() {
			if r.Status == 200 {
				got = append(got, r.Delivery)
				if r.Event == webhook.EventTicketUpdated {
					tk, _ := decode(t, r.Body)["ticket"].(map[string]any)
					priorities = append(priorities, tk["priority"].(string))
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("received in order %v, want the deliveries' order %v", got, want)
		}
		if !slices.Equal(priorities, []string{"high", "low", "urgent", "normal", "high"}) {
			t.Fatalf("ticket.updated bodies carry priorities %v", priorities)
		}
	})
}

// TestRolledBackChangeDeliversNothing: a hook after the webhooks stage
// fails the change; its delivery rows and jobs roll back with it.
func TestRolledBackChangeDeliversNothing(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		refuse := ticket.Hook{Stage: ticket.StageWebhooks, Name: "refuse urgent", Run: func(_ context.Context, _ *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
			if a.After.Priority == domain.PriorityUrgent {
				return nil, errors.New("no urgent tickets today")
			}
			return nil, nil
		}}
		b := setup(t, dsn, options{hooks: []ticket.Hook{refuse}})
		id := b.newTicket("Roll back")
		w := b.hook("k", webhook.EventTicketUpdated)
		if err := b.setPriority(id, domain.PriorityUrgent); err == nil {
			t.Fatal("the refusing hook let the change through")
		}
		count := func() int {
			return b.e.Count(`SELECT count(*) FROM webhook_deliveries`) + b.e.Count(`SELECT count(*) FROM river_job WHERE kind = 'webhook_delivery'`)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d delivery rows and jobs after a rolled-back change", n)
		}
		if err := b.setPriority(id, domain.PriorityHigh); err != nil {
			t.Fatal(err)
		}
		if list := b.settled(w.ID); len(list) != 1 || list[0].Status != store.HookDelivered {
			t.Fatalf("after a committed change: %+v", list)
		}
	})
}

func TestPrivateTargetsAreRefused(t *testing.T) {
	t.Parallel()
	strict := webhook.New(webhook.Config{})
	lan := webhook.New(webhook.Config{Guard: netguard.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}})
	open := webhook.New(webhook.Config{AllowPrivate: true})
	cases := []struct {
		url        string
		strict, ok bool // accepted by default; with TICKETER_WEBHOOK_ALLOW_PRIVATE
	}{
		{"https://hooks.example.com/t", true, true},
		{"http://127.0.0.1:8080/hook", false, true},
		{"http://[::1]/hook", false, true},
		{"http://10.1.2.3/hook", false, true},
		{"http://192.168.0.10/hook", false, true},
		{"http://169.254.169.254/latest/meta-data", false, true},
		{"http://[fe80::1]/hook", false, true},
		{"http://localhost:9000/hook", false, true},
		{"http://api.localhost/hook", false, true},
		{"ftp://hooks.example.com/", false, false},
		{"https://user:pw@hooks.example.com/", false, false},
		{"/relative", false, false},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			if _, err := strict.CheckURL(c.url); (err == nil) != c.strict {
				t.Fatalf("default: %v", err)
			}
			if _, err := open.CheckURL(c.url); (err == nil) != c.ok {
				t.Fatalf("allow private: %v", err)
			}
		})
	}
	if _, err := lan.CheckURL("http://10.1.2.3/hook"); err != nil {
		t.Fatalf("TICKETER_ALLOW_PRIVATE_TARGETS 10.1.0.0/16 applies to webhooks too: %v", err)
	}
}

// TestNameResolvingToLoopbackIsRefusedAtConnect: a webhook whose name
// passed the check when it was saved but resolves to 127.0.0.1 when
// delivered (DNS rebinding; "localhost" stands for such a name) is refused
// when the delivery connects, and never reaches the receiver.
func TestNameResolvingToLoopbackIsRefusedAtConnect(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{cfg: func(c *webhook.Config) { c.AllowPrivate = false }})
		sealed, err := b.e.Box.Seal("k")
		if err != nil {
			t.Fatal(err)
		}
		url := strings.Replace(b.recv.srv.URL, "127.0.0.1", "localhost", 1) + "/hook"
		id, err := b.e.Store.CreateWebhook(b.e.Ctx, b.e.DB.W(), store.Webhook{URL: url, Events: webhook.Events(), Secret: sealed, Enabled: true, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		b.newTicket("Rebinding")
		list := b.settled(id)
		if len(list) == 0 || len(b.recv.requests()) != 0 {
			t.Fatalf("%d deliveries, %d requests reached the receiver", len(list), len(b.recv.requests()))
		}
		for _, d := range list {
			if d.Status != store.HookFailed || d.Attempts != 1 || !strings.Contains(d.Error, "not allowed") {
				t.Fatalf("delivery %+v", d)
			}
		}
	})
}

func TestWebhookAdmin(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn, options{})
		ctx, url, events := b.e.Ctx, b.recv.srv.URL+"/x", []string{webhook.EventTicketCreated}
		agent := store.User{ID: 99, Role: domain.RoleAgent}
		if _, err := b.s.Create(ctx, agent, webhook.Input{URL: &url, Events: &events}); err == nil {
			t.Fatal("an agent created a webhook")
		}
		bad := []string{"ticket.created", "ticket.exploded"}
		if _, err := b.s.Create(ctx, b.admin, webhook.Input{URL: &url, Events: &bad}); err == nil || !strings.Contains(err.Error(), "ticket.exploded") {
			t.Fatalf("unknown event: %v", err)
		}
		v, err := b.s.Create(ctx, b.admin, webhook.Input{URL: &url, Events: &events})
		if err != nil {
			t.Fatal(err)
		}
		if len(v.NewSecret) != 48 || v.SecretHint != "…"+v.NewSecret[44:] || !v.Enabled {
			t.Fatalf("created: %+v", v)
		}
		raw, err := b.e.Store.GetWebhook(ctx, b.e.Store.DB(), v.ID)
		if err != nil || strings.Contains(raw.Secret, v.NewSecret) {
			t.Fatalf("the secret is stored in the clear: %q (%v)", raw.Secret, err)
		}
		off, all := false, webhook.Events()
		got, err := b.s.Update(ctx, b.admin, v.ID, webhook.Input{Enabled: &off, Events: &all})
		if err != nil || got.Enabled || len(got.Events) != len(all) || got.NewSecret != "" || got.Secret != "" {
			t.Fatalf("updated: %+v %v", got, err)
		}
		// A disabled webhook gets no events, but a test all the same.
		b.newTicket("Quiet")
		d, err := b.s.SendTest(ctx, b.admin, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		list := b.settled(v.ID)
		if len(list) != 1 || list[0].ID != d.ID || list[0].Event != webhook.EventTest || list[0].Status != store.HookDelivered {
			t.Fatalf("deliveries %+v", list)
		}
		if err := b.s.Delete(ctx, b.admin, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.s.Get(ctx, b.admin, v.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}
