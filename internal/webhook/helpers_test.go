package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

// bundle is a ticket service with the webhooks hook and its workers, a
// mailbox, an admin, and a receiver on 127.0.0.1.
type bundle struct {
	t     testing.TB
	e     *mailboxtest.Env
	s     *webhook.Service
	mb    int64
	admin store.User
	recv  *receiver
}

type envQueue struct{ e *mailboxtest.Env }

func (q envQueue) Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error {
	return q.e.Queue.Enqueue(ctx, tx, args)
}

type options struct {
	cfg   func(*webhook.Config)
	hooks []ticket.Hook // after the webhooks hook
}

func setup(t testing.TB, dsn string, o options) *bundle {
	t.Helper()
	b := &bundle{t: t, recv: newReceiver(t)}
	b.e = mailboxtest.NewWith(t, dsn, mailboxtest.Options{
		Register: func(e *mailboxtest.Env, w *river.Workers) {
			cfg := webhook.Config{Store: e.Store, Queue: envQueue{e}, Secrets: e.Box, Render: httpapi.WebhookRenderer(), AllowPrivate: true, Logger: e.Log,
				FirstRetry: 50 * time.Millisecond}
			if o.cfg != nil {
				o.cfg(&cfg)
			}
			b.s = webhook.New(cfg)
			webhook.AddWorkers(w, b.s)
		},
		HooksFrom: func(e *mailboxtest.Env) []ticket.Hook { return append([]ticket.Hook{b.s.Hook()}, o.hooks...) }})
	b.mb = b.e.Mailbox("support@acme.test", "smtp")
	b.admin = store.User{Email: "ada@acme.test", Name: "Ada", Role: domain.RoleAdmin, CreatedAt: time.Now()}
	id, err := b.e.Store.CreateUser(b.e.Ctx, b.admin)
	if err != nil {
		t.Fatal(err)
	}
	b.admin.ID = id
	return b
}

// hook registers a webhook for events at the receiver.
func (b *bundle) hook(secret string, events ...string) webhook.View {
	b.t.Helper()
	u := b.recv.srv.URL + "/hook"
	v, err := b.s.Create(b.e.Ctx, b.admin, webhook.Input{URL: &u, Events: &events, Secret: &secret})
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// newTicket imports a customer's message; n numbers the message.
func (b *bundle) newTicket(subject string) int64 {
	b.t.Helper()
	res, err := b.e.Svc.Import(b.e.Ctx, b.mb, []byte("From: Alice <alice@customer.test>\r\nTo: support@acme.test\r\nSubject: "+subject+
		"\r\nMessage-ID: <"+strings.ReplaceAll(subject, " ", ".")+"@customer.test>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n"))
	if err != nil {
		b.t.Fatal(err)
	}
	return res.TicketID
}

func (b *bundle) setPriority(id int64, p domain.Priority) error {
	_, err := b.e.Svc.UpdateTicket(b.e.Ctx, b.admin, id, ticket.TicketUpdate{Priority: &p})
	return err
}

// deliveries lists a webhook's deliveries, oldest first.
func (b *bundle) deliveries(id int64) []store.WebhookDelivery {
	b.t.Helper()
	list, err := b.s.Deliveries(b.e.Ctx, b.admin, id, 1000)
	if err != nil {
		b.t.Fatal(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list
}

// settled waits until no delivery of the webhook is pending or retrying.
func (b *bundle) settled(id int64) []store.WebhookDelivery {
	b.t.Helper()
	var list []store.WebhookDelivery
	b.e.WaitUntil("webhook deliveries", func() bool {
		list = b.deliveries(id)
		for _, d := range list {
			if d.Status == store.HookPending || d.Status == store.HookRetrying {
				return false
			}
		}
		return true
	})
	return list
}

// received is one request the receiver got.
type received struct {
	Event, Delivery, Signature string
	Body                       []byte
	Status                     int
}

// receiver records requests and answers with what answer says (200 when nil).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, r received) int // n counts requests from 0
}

func newReceiver(t testing.TB) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		got := received{Event: req.Header.Get("X-Ticketer-Event"), Delivery: req.Header.Get("X-Ticketer-Delivery"),
			Signature: req.Header.Get("X-Ticketer-Signature"), Body: body, Status: 200}
		r.mu.Lock()
		if r.answer != nil {
			got.Status = r.answer(len(r.got), got)
		}
		r.got = append(r.got, got)
		r.mu.Unlock()
		w.WriteHeader(got.Status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %s: %v", b, err)
	}
	return m
}
