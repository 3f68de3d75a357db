package graph_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/graph"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

type receiverFunc func(ctx context.Context, r ticket.Received) (int64, error)

func (f receiverFunc) Receive(ctx context.Context, r ticket.Received) (int64, error) {
	return f(ctx, r)
}

// newSubSetup is newSetup with Ticketer's notification endpoints served
// (the public URL the connector subscribes with) and the sync jobs worked.
func newSubSetup(t testing.TB, dsn string) *setup {
	s := &setup{ms: newFakeMicrosoft(t)}
	mux := http.NewServeMux()
	hook := httptest.NewServer(mux)
	t.Cleanup(hook.Close)
	s.notifyBase = hook.URL
	s.env = mailboxtest.NewWith(t, dsn, mailboxtest.Options{Register: func(e *mailboxtest.Env, w *river.Workers) {
		s.env = e
		recv := receiverFunc(func(ctx context.Context, r ticket.Received) (int64, error) { return e.Svc.Receive(ctx, r) })
		(&graph.SyncWorker{Store: e.Store, Receiver: recv, Config: s.cfg(), Log: e.Log}).Register(w)
	}})
	h := &graph.Notifications{Store: s.env.Store, Queue: s.env.Queue, Log: s.env.Log}
	mux.Handle("POST "+graph.NotificationsPath, h)
	mux.Handle("POST "+graph.LifecyclePath, h)
	s.mb = s.env.Mailbox(fakeAccount, "smtp")
	return s
}

// watching connects the mailbox, backfills it and runs Watch until the
// subscription exists; stop ends Watch.
func (s *setup) watching(t testing.TB) (sub fakeSub, stop func()) {
	t.Helper()
	conn := s.own(t)
	s.backfilled(t, conn)
	stop = s.watch(t, conn)
	// Graph holds it once it answered the POST; the connector stores it a
	// moment later. Both, or a test that stops the connector now (or sends
	// a lifecycle event for it) would race the store.
	s.env.WaitUntil("the subscription, stored", func() bool {
		subs := s.ms.subscriptions()
		return len(subs) == 1 && s.storedID() == subs[0].id
	})
	return s.ms.subscriptions()[0], stop
}

// backfilled runs conn's backfill and marks the mailbox backfilled, as the
// supervisor does before it watches.
func (s *setup) backfilled(t testing.TB, conn mailbox.Connector) {
	t.Helper()
	if err := conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.env.Store.SetBackfilled(s.env.Ctx, s.mb, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func (s *setup) watch(t testing.TB, conn mailbox.Connector) func() {
	ctx, cancel := context.WithCancel(s.env.Ctx)
	done := make(chan error, 1)
	go func() { done <- conn.Watch(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watch ended with %v", err)
		}
	}
}

func (s *setup) stored(t testing.TB) store.GraphSubscription {
	t.Helper()
	g, err := s.env.Store.GraphSubscriptionOf(s.env.Ctx, s.mb, "inbox")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// graphCalls counts the Graph API calls the fake has answered.
func (s *setup) graphCalls() int {
	n := 0
	s.ms.with(func() {
		for _, c := range s.ms.requests {
			n += c
		}
	})
	return n
}

// storedID is the inbox subscription's id as stored ("" for none yet).
func (s *setup) storedID() string {
	g, err := s.env.Store.GraphSubscriptionOf(s.env.Ctx, s.mb, "inbox")
	if err != nil {
		return ""
	}
	return g.SubscriptionID
}

func (s *setup) syncJobs() int {
	return s.env.Count(`SELECT count(*) FROM river_job WHERE kind = 'graph_sync'`)
}

func TestNotificationSyncsTheMailbox(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSubSetup(t, dsn)
		sub, stop := s.watching(t)
		defer stop()
		// The subscription is the documented one, validated by the fake
		// against our endpoints; only a hash of its clientState is stored.
		if sub.resource != "/me/mailFolders('inbox')/messages" || sub.changeType != "created" ||
			sub.notifyURL != s.notifyBase+graph.NotificationsPath || sub.lifecycleURL != s.notifyBase+graph.LifecyclePath || len(sub.clientState) < 32 {
			t.Fatalf("subscription: %+v", sub)
		}
		g := s.stored(t)
		if g.SubscriptionID != sub.id || g.ClientStateHash == sub.clientState || strings.Contains(g.ClientStateHash, sub.clientState) || !g.ExpiresAt.Equal(sub.expires) {
			t.Fatalf("stored %+v for %+v", g, sub)
		}
		// PollInterval is an hour: only the notification can bring it.
		s.addN(fakeAccount, 0, 1)
		if codes := s.ms.notifyCreated(fakeAccount, "AAMk-0", ""); !slices.Equal(codes, []int{http.StatusAccepted}) {
			t.Fatalf("notification answered %v", codes)
		}
		s.env.WaitUntil("the notified message", func() bool { return s.env.Messages(s.mb) == 1 })
		// Notifications say only "something changed": a repeat adds nothing.
		s.ms.notifyCreated(fakeAccount, "AAMk-0", "")
		s.env.WaitUntil("the repeated round", func() bool {
			return s.env.Count(`SELECT count(*) FROM river_job WHERE kind = 'graph_sync' AND state = 'completed'`) == 2
		})
		s.env.Settled()
		if s.env.Messages(s.mb) != 1 || s.inbound() != 1 {
			t.Fatalf("after a repeated notification: %d messages, %d inbound", s.env.Messages(s.mb), s.inbound())
		}
	})
}

func TestWrongClientStateIgnored(t *testing.T) {
	t.Parallel()
	s := newSubSetup(t, storetest.SQLiteURL(t))
	sub, stop := s.watching(t)
	defer stop()
	s.addN(fakeAccount, 0, 1)
	// A forged or stale clientState, and an unknown subscription, get 202
	// (nothing to tell the sender) and trigger nothing.
	if codes := s.ms.notifyCreated(fakeAccount, "AAMk-0", "forged"); !slices.Equal(codes, []int{http.StatusAccepted}) {
		t.Fatalf("forged notification answered %v", codes)
	}
	if code, err := post(sub.notifyURL, map[string]any{"subscriptionId": "unknown", "clientState": sub.clientState, "changeType": "created"}); err != nil || code != http.StatusAccepted {
		t.Fatalf("unknown subscription: %d %v", code, err)
	}
	if n := s.syncJobs(); n != 0 {
		t.Fatalf("sync jobs after forged notifications: %d", n)
	}
	if code, err := post(sub.notifyURL, map[string]any{"subscriptionId": sub.id, "clientState": sub.clientState[:len(sub.clientState)-1], "changeType": "created"}); err != nil || code != http.StatusAccepted || s.syncJobs() != 0 {
		t.Fatalf("a clientState one character short: %d %v, %d jobs", code, err, s.syncJobs())
	}
	s.ms.notifyCreated(fakeAccount, "AAMk-0", "")
	if n := s.syncJobs(); n != 1 {
		t.Fatalf("sync jobs after the genuine notification: %d", n)
	}
	s.env.WaitUntil("the message", func() bool { return s.env.Messages(s.mb) == 1 })
}

func TestValidationTokenEchoed(t *testing.T) {
	t.Parallel()
	s := newSubSetup(t, storetest.SQLiteURL(t))
	for _, path := range []string{graph.NotificationsPath, graph.LifecyclePath} {
		token := "Validation: Testing client application reachability for subscription Request-Id: <script>1</script>"
		resp, err := http.Post(s.notifyBase+path+"?validationToken="+url.QueryEscape(token), "text/plain", nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" || resp.Header.Get("X-Content-Type-Options") != "nosniff" || string(body) != token {
			t.Fatalf("%s: %d %q %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	resp, err := http.Post(s.notifyBase+graph.NotificationsPath, "application/json", strings.NewReader("{not json"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed batch: %d", resp.StatusCode)
	}
}

// The subscription is renewed once less than a quarter of its lifetime is
// left, and replaced once expired (connector and Graph on one controllable
// clock).
func TestSubscriptionRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	s := newSubSetup(t, storetest.SQLiteURL(t))
	clock := time.Now()
	s.now.Store(&clock)
	s.ms.with(func() { s.ms.clock = func() time.Time { return *s.now.Load() } })
	sub, stop := s.watching(t)
	stop()
	if got := sub.expires.Sub(clock); got > 10080*time.Minute || got < 10000*time.Minute {
		t.Fatalf("lifetime asked: %s", got)
	}
	// (Not renewed with more than a quarter left: TestRenewDue.)
	// Less than a quarter left: renewed (PATCH), same subscription.
	late := sub.expires.Add(-graph.SubscriptionLifetime/4 + time.Minute)
	s.now.Store(&late)
	stopLate := s.watch(t, s.build(t, nil))
	s.env.WaitUntil("the renewal, stored", func() bool {
		subs := s.ms.subscriptions()
		if len(subs) != 1 || subs[0].renewed != 1 {
			return false
		}
		g, err := s.env.Store.GraphSubscriptionOf(s.env.Ctx, s.mb, "inbox")
		return err == nil && g.ExpiresAt.Equal(subs[0].expires)
	})
	stopLate()
	subs := s.ms.subscriptions()
	if subs[0].id != sub.id || !subs[0].expires.After(sub.expires) || !s.stored(t).ExpiresAt.Equal(subs[0].expires) {
		t.Fatalf("after renewal: fake %+v, stored %+v", subs[0], s.stored(t))
	}
	// Removed at Graph without a word: the renewal's 404 makes a new one.
	s.ms.with(func() { delete(s.ms.subs, sub.id) })
	dueAgain := subs[0].expires.Add(-graph.SubscriptionLifetime/4 + time.Minute)
	s.now.Store(&dueAgain)
	stopDue := s.watch(t, s.build(t, nil))
	s.env.WaitUntil("a subscription replacing the removed one, stored", func() bool {
		subs := s.ms.subscriptions()
		return len(subs) == 1 && subs[0].id != sub.id && s.storedID() == subs[0].id
	})
	stopDue()
	sub = s.ms.subscriptions()[0]
	subs = []fakeSub{sub}
	// Expired meanwhile (Graph dropped it): a new one.
	gone := subs[0].expires.Add(time.Minute)
	s.now.Store(&gone)
	stopGone := s.watch(t, s.build(t, nil))
	s.env.WaitUntil("a new subscription, stored", func() bool {
		subs := s.ms.subscriptions()
		return len(subs) == 1 && subs[0].id != sub.id && s.storedID() == subs[0].id
	})
	stopGone()
	if g := s.stored(t); g.SubscriptionID == sub.id {
		t.Fatalf("stored subscription not replaced: %+v", g)
	}
}

func TestLifecycleEvents(t *testing.T) {
	t.Parallel()
	s := newSubSetup(t, storetest.SQLiteURL(t))
	sub, stop := s.watching(t)
	defer stop()

	// reauthorizationRequired: renewed (PATCH) at once.
	if code := s.ms.lifecycle(sub.id, graph.EventReauthorizationRequired); code != http.StatusAccepted {
		t.Fatalf("lifecycle answered %d", code)
	}
	s.env.WaitUntil("the reauthorization", func() bool {
		subs := s.ms.subscriptions()
		return len(subs) == 1 && subs[0].renewed == 1
	})

	// missed: a delta round brings what no notification announced.
	s.addN(fakeAccount, 0, 1)
	s.ms.lifecycle(sub.id, graph.EventMissed)
	s.env.WaitUntil("the missed message", func() bool { return s.env.Messages(s.mb) == 1 })

	// subscriptionRemoved: a new subscription replaces it, and its
	// notifications work. It is replaced at once, not renewed first (a
	// renewal of a removed subscription only gets a 404).
	s.ms.with(func() { delete(s.ms.patched, sub.id) })
	s.ms.lifecycle(sub.id, graph.EventSubscriptionRemoved)
	s.env.WaitUntil("the new subscription, stored", func() bool {
		subs := s.ms.subscriptions()
		return len(subs) == 1 && subs[0].id != sub.id && s.storedID() == subs[0].id
	})
	s.ms.with(func() {
		if n := s.ms.patched[sub.id]; n != 0 {
			t.Errorf("the removed subscription was renewed %d times before it was replaced", n)
		}
	})
	s.addN(fakeAccount, 1, 1)
	s.ms.notifyCreated(fakeAccount, "AAMk-1", "")
	s.env.WaitUntil("the message after the new subscription", func() bool { return s.env.Messages(s.mb) == 2 })
	// The old subscription's notifications are no longer honoured.
	if code, _ := post(sub.notifyURL, map[string]any{"subscriptionId": sub.id, "clientState": sub.clientState}); code != http.StatusAccepted {
		t.Fatalf("old subscription answered %d", code)
	}
}

// A disabled mailbox's subscription is deleted at Graph when its connector
// stops; a mere restart keeps it.
func TestDisconnectDeletesTheSubscription(t *testing.T) {
	t.Parallel()
	s := newSubSetup(t, storetest.SQLiteURL(t))
	sub, stop := s.watching(t)
	stop()
	if subs := s.ms.subscriptions(); len(subs) != 1 || subs[0].id != sub.id {
		t.Fatalf("a restart dropped the subscription: %+v", subs)
	}
	calls := s.graphCalls()
	stop = s.watch(t, s.build(t, nil))
	// Once the new connector called Graph it holds a working token: stopped
	// in the middle of refreshing it, its rotated refresh token could be
	// lost (the fake, stricter than Microsoft, refuses the old one at once)
	// and the DELETE below would fail for that reason alone.
	s.env.WaitUntil("the restarted connector at work", func() bool { return s.graphCalls() > calls })
	if err := s.env.Store.SetMailboxEnabled(s.env.Ctx, s.mb, false); err != nil {
		t.Fatal(err)
	}
	stop()
	if subs := s.ms.subscriptions(); len(subs) != 0 {
		t.Fatalf("subscription of a disabled mailbox kept: %+v", subs)
	}
	if _, err := s.env.Store.GraphSubscriptionOf(s.env.Ctx, s.mb, "inbox"); err == nil {
		t.Fatal("stored subscription of a disabled mailbox kept")
	}
}

// A URL Graph cannot validate leaves the connector polling every
// PollInterval.
func TestUnreachableURLFallsBackToPolling(t *testing.T) {
	t.Parallel()
	s := newSubSetup(t, storetest.SQLiteURL(t))
	dead := httptest.NewServer(http.NotFoundHandler())
	defer dead.Close()
	s.notifyBase = dead.URL
	cfg := s.cfg()
	cfg.PollInterval = 20 * time.Millisecond
	s.own(t)
	c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := graph.Factory(cfg)(s.env.Ctx, c, s.env.Host(s.mb, fakeAccount))
	if err != nil {
		t.Fatal(err)
	}
	stop := s.watch(t, conn)
	defer stop()
	s.env.WaitUntil("the refused subscription", func() bool { return s.ms.requestsTo("/v1.0/subscriptions") == 1 })
	s.addN(fakeAccount, 0, 1)
	s.env.WaitUntil("the polled message", func() bool { return s.inbound() == 1 })
	if len(s.ms.subscriptions()) != 0 {
		t.Fatal("a subscription Graph could not validate")
	}
}

// BenchmarkNotificationToTicket measures the time from Graph's change
// notification POST to the message being on its ticket (what the tickets
// API reads): the endpoint commits a graph_sync job, a worker runs the delta
// round, fetches $value and ingests: 50 notifications an iteration; reports
// the median and 95th percentile. The test environment's job poll is 20 ms
// (production: 50 ms SQLite, 100 ms PostgreSQL plus LISTEN/NOTIFY).
func BenchmarkNotificationToTicket(b *testing.B) {
	for _, engine := range []struct {
		name string
		dsn  func(testing.TB) string
	}{{"sqlite", storetest.SQLiteURL}, {"postgres", storetest.PostgresURL}} {
		b.Run(engine.name, func(b *testing.B) {
			s := newSubSetup(b, engine.dsn(b))
			_, stop := s.watching(b)
			defer stop()
			const samples = 50
			var took []time.Duration
			i := 0
			for b.Loop() {
				for range samples {
					s.addN(fakeAccount, i, 1)
					start := time.Now()
					s.ms.notifyCreated(fakeAccount, "AAMk-"+strconv.Itoa(i), "")
					i++
					for s.env.Messages(s.mb) < i {
						if time.Since(start) > mailboxtest.WaitFor {
							b.Fatalf("message %d not on a ticket", i)
						}
						time.Sleep(time.Millisecond)
					}
					took = append(took, time.Since(start))
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-p50")
			b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "ms-p95")
		})
	}
}

// The public endpoint looks up at most 1,000 distinct subscriptions per
// batch; repeats of one cost one lookup.
func TestBatchBounded(t *testing.T) {
	t.Parallel()
	s := newSubSetup(t, storetest.SQLiteURL(t))
	items := func(n int) []map[string]any {
		var out []map[string]any
		for i := range n {
			out = append(out, map[string]any{"subscriptionId": "sub-" + strconv.Itoa(i), "clientState": "x"}, map[string]any{"subscriptionId": "sub-" + strconv.Itoa(i), "clientState": "x"})
		}
		return out
	}
	for _, tc := range []struct {
		n    int
		want int
	}{{1000, http.StatusAccepted}, {1001, http.StatusBadRequest}} {
		if code, err := post(s.notifyBase+graph.NotificationsPath, items(tc.n)...); err != nil || code != tc.want {
			t.Fatalf("%d subscriptions: %d %v", tc.n, code, err)
		}
	}
}
