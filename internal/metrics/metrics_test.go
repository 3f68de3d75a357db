package metrics_test

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ticketer/ticketer/internal/metrics"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// scrape fetches /metrics through HTTP and parses the text format.
func scrape(t *testing.T, m *metrics.Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape: %d %s", resp.StatusCode, b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return fams
}

// find returns the metric of a family whose labels are exactly want.
func find(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f := fams[name]
	if f == nil {
		t.Fatalf("no family %s", name)
	}
next:
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(want) {
			continue
		}
		for _, l := range m.GetLabel() {
			if want[l.GetName()] != l.GetValue() {
				continue next
			}
		}
		return m
	}
	t.Fatalf("no %s%v; have %v", name, want, f.GetMetric())
	return nil
}

func TestHTTPMiddlewareUsesRoutePatterns(t *testing.T) {
	m := metrics.New(metrics.Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/tickets/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") == "404" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		fmt.Fprint(w, "ok")
	})
	mux.HandleFunc("POST /api/v1/tickets/{id}/notes", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) })
	srv := httptest.NewServer(m.Middleware(mux))
	defer srv.Close()
	get := func(method, path string) {
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get("GET", "/api/v1/tickets/1")
	get("GET", "/api/v1/tickets/2")
	get("GET", "/api/v1/tickets/404")
	get("POST", "/api/v1/tickets/3/notes")
	get("GET", "/nope/123")
	fams := scrape(t, m)
	const name = "ticketer_http_request_duration_seconds"
	cases := []struct {
		labels map[string]string
		count  uint64
	}{
		{map[string]string{"method": "GET", "route": "GET /api/v1/tickets/{id}", "code": "200"}, 2},
		{map[string]string{"method": "GET", "route": "GET /api/v1/tickets/{id}", "code": "404"}, 1},
		{map[string]string{"method": "POST", "route": "POST /api/v1/tickets/{id}/notes", "code": "201"}, 1},
		{map[string]string{"method": "GET", "route": "unmatched", "code": "404"}, 1},
	}
	for _, c := range cases {
		if got := find(t, fams, name, c.labels).GetHistogram().GetSampleCount(); got != c.count {
			t.Errorf("%v: %d requests, want %d", c.labels, got, c.count)
		}
	}
	if n := len(fams[name].GetMetric()); n != len(cases) {
		t.Errorf("%d label sets, want %d (raw paths must never become labels)", n, len(cases))
	}
}

func TestCountersAndNilSafety(t *testing.T) {
	var none *metrics.Metrics // disabled: every call is a no-op
	none.Ingested("new")
	none.IngestFailed()
	none.JobDone("ingest", time.Millisecond, nil)
	none.Delivery("sent")
	// Disabled metrics hand the request to the next handler untouched.
	var served int
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		w.WriteHeader(http.StatusTeapot)
	})
	rec := httptest.NewRecorder()
	none.Middleware(next).ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if served != 1 || rec.Code != http.StatusTeapot {
		t.Fatalf("nil metrics' middleware: next served %d times, status %d", served, rec.Code)
	}

	m := metrics.New(metrics.Options{})
	m.Ingested("new")
	m.Ingested("new")
	m.Ingested("duplicate")
	m.IngestFailed()
	m.JobDone("send_message", 3*time.Millisecond, nil)
	m.JobDone("send_message", time.Millisecond, errors.New("relay down"))
	m.JobDone("ingest", time.Millisecond, nil)
	m.Delivery("deferred")
	m.Delivery("sent")
	fams := scrape(t, m)
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"ticketer_ingested_messages_total", map[string]string{"outcome": "new"}, 2},
		{"ticketer_ingested_messages_total", map[string]string{"outcome": "duplicate"}, 1},
		{"ticketer_ingest_failures_total", map[string]string{}, 1},
		{"ticketer_jobs_total", map[string]string{"kind": "send_message", "result": "ok"}, 1},
		{"ticketer_jobs_total", map[string]string{"kind": "send_message", "result": "error"}, 1},
		{"ticketer_jobs_total", map[string]string{"kind": "ingest", "result": "ok"}, 1},
		{"ticketer_outbound_deliveries_total", map[string]string{"result": "deferred"}, 1},
	}
	for _, c := range checks {
		if got := find(t, fams, c.name, c.labels).GetCounter().GetValue(); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := find(t, fams, "ticketer_job_duration_seconds", map[string]string{"kind": "send_message"}).GetHistogram().GetSampleCount(); got != 2 {
		t.Errorf("job durations: %d", got)
	}
	if fams["go_goroutines"] == nil {
		t.Error("Go runtime metrics missing")
	}
}

// TestBacklogGauges reads queue depths from a real database at scrape time.
func TestBacklogGauges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := storetest.Open(t, dsn)
		s := store.New(db)
		mb, err := s.CreateMailbox(ctx, store.Mailbox{Name: "S", Address: "s@example.com", CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		c, err := s.UpsertContact(ctx, db.W(), "a@example.org", "", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		tk, err := s.CreateTicket(ctx, db.W(), store.Ticket{Subject: "x", Status: "new", Priority: "normal", RequesterID: c, MailboxID: mb, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range []string{"queued", "queued", "queued", "sending", "sent", "failed", "waiting", "waiting"} {
			if _, err := s.InsertMessage(ctx, db.W(), store.Message{TicketID: tk, Kind: store.KindOutbound, DedupeKey: fmt.Sprint("k", i),
				DeliveryStatus: st, CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		for i, st := range []string{"pending", "pending", "failed", "done"} {
			id, err := s.InsertInbound(ctx, db.W(), store.Inbound{MailboxID: mb, Source: "smtp", RawKey: fmt.Sprint("r", i), SHA256: "x",
				Status: store.InboundPending, ReceivedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ctx, `UPDATE inbound SET status = $2 WHERE id = $1`, id, st); err != nil {
				t.Fatal(err)
			}
		}
		m := metrics.New(metrics.Options{Backlog: s.Backlog})
		fams := scrape(t, m)
		gauges := []struct {
			name, state string
			want        float64
		}{
			{"ticketer_outbound_queue_depth", "queued", 3},
			{"ticketer_outbound_queue_depth", "sending", 1},
			{"ticketer_outbound_queue_depth", "waiting", 2},
			{"ticketer_inbound_backlog", "pending", 2},
			{"ticketer_inbound_backlog", "failed", 1},
		}
		for _, g := range gauges {
			if got := find(t, fams, g.name, map[string]string{"state": g.state}).GetGauge().GetValue(); got != g.want {
				t.Errorf("%s{state=%s} = %v, want %v", g.name, g.state, got, g.want)
			}
		}
		if got := find(t, fams, "ticketer_backlog_scrape_success", map[string]string{}).GetGauge().GetValue(); got != 1 {
			t.Errorf("scrape success = %v", got)
		}
	})
}

// TestBacklogTimeout: a database that does not answer in time leaves the
// gauges out, says so, and does not fail the scrape.
func TestBacklogTimeout(t *testing.T) {
	slow := func(ctx context.Context) (store.Backlog, error) {
		<-ctx.Done() // stands for a database that does not answer
		return store.Backlog{}, ctx.Err()
	}
	m := metrics.New(metrics.Options{Backlog: slow, BacklogTimeout: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	fams := scrape(t, m)
	if got := find(t, fams, "ticketer_backlog_scrape_success", map[string]string{}).GetGauge().GetValue(); got != 0 {
		t.Errorf("scrape success = %v, want 0", got)
	}
	if fams["ticketer_outbound_queue_depth"] != nil {
		t.Error("stale gauges reported")
	}
	if fams["ticketer_ingest_failures_total"] == nil {
		t.Error("other metrics missing")
	}
}

// TestMiddlewareKeepsStreaming: handlers behind the middleware can still
// flush and lift the write deadline (the live event stream needs both).
func TestMiddlewareKeepsStreaming(t *testing.T) {
	m := metrics.New(metrics.Options{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stream", func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Time{}); err != nil {
			t.Errorf("SetWriteDeadline: %v", err)
		}
		fmt.Fprint(w, "data: 1\n\n")
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
	})
	srv := httptest.NewServer(m.Middleware(mux))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "data: 1\n\n" {
		t.Fatalf("body %q", body)
	}
	fams := scrape(t, m)
	find(t, fams, "ticketer_http_request_duration_seconds", map[string]string{"method": "GET", "route": "GET /stream", "code": "200"})
}

// TestMailboxGauges: ticketer_mailbox_up is 0 while the connector fails or
// an alert is open, 1 otherwise; the last success time is the last sync.
func TestMailboxGauges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := storetest.Open(t, dsn)
		s := store.New(db)
		at := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		ok, _ := s.CreateMailbox(ctx, store.Mailbox{Name: "OK", Address: "ok@acme.test", Provider: "imap", CreatedAt: at})
		failing, _ := s.CreateMailbox(ctx, store.Mailbox{Name: "F", Address: "failing@acme.test", Provider: "gmail", CreatedAt: at})
		quiet, err := s.CreateMailbox(ctx, store.Mailbox{Name: "Q", Address: "quiet@acme.test", Provider: "smtp", CreatedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetSyncOK(ctx, ok, at); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSyncError(ctx, failing, "refused", at); err != nil {
			t.Fatal(err)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := s.RaiseAlert(ctx, tx, store.MailboxAlert{MailboxID: quiet, Reason: store.AlertQuiet, Since: at, RaisedAt: at})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		fams := scrape(t, metrics.New(metrics.Options{Mailboxes: s.MailboxesHealth}))
		for _, c := range []struct {
			mailbox, provider string
			up                float64
		}{{"ok@acme.test", "imap", 1}, {"failing@acme.test", "gmail", 0}, {"quiet@acme.test", "smtp", 0}} {
			if got := find(t, fams, "ticketer_mailbox_up", map[string]string{"mailbox": c.mailbox, "provider": c.provider}).GetGauge().GetValue(); got != c.up {
				t.Errorf("ticketer_mailbox_up{mailbox=%s} = %v, want %v", c.mailbox, got, c.up)
			}
		}
		if got := find(t, fams, "ticketer_mailbox_last_success_timestamp_seconds", map[string]string{"mailbox": "ok@acme.test", "provider": "imap"}).
			GetGauge().GetValue(); got != float64(at.Unix()) {
			t.Errorf("last success %v, want %d", got, at.Unix())
		}
	})
}

// TestExpositionFormat: histogram buckets are cumulative up to +Inf (a value
// on a bound counts in it), label values are escaped, and the answer is the
// same gzipped or not.
func TestExpositionFormat(t *testing.T) {
	m := metrics.New(metrics.Options{Mailboxes: func(context.Context) ([]store.MailboxHealth, error) {
		return []store.MailboxHealth{{Address: "a\"b\\c\nd@acme.test", Provider: "smtp"}}, nil
	}})
	for _, d := range []time.Duration{time.Millisecond, 4 * time.Millisecond, 5 * time.Millisecond, 2 * time.Minute} {
		m.JobDone("ingest", d, nil)
	}
	fams := scrape(t, m)
	h := find(t, fams, "ticketer_job_duration_seconds", map[string]string{"kind": "ingest"}).GetHistogram()
	want := map[float64]uint64{0.001: 1, 0.004: 2, 0.016: 3, 65.536: 3, math.Inf(1): 4}
	for _, b := range h.GetBucket() {
		if n, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != n {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), n)
		}
	}
	if len(h.GetBucket()) != 10 || h.GetSampleCount() != 4 || math.Abs(h.GetSampleSum()-120.010) > 1e-9 {
		t.Errorf("buckets %d, count %d, sum %v", len(h.GetBucket()), h.GetSampleCount(), h.GetSampleSum())
	}
	find(t, fams, "ticketer_mailbox_up", map[string]string{"mailbox": "a\"b\\c\nd@acme.test", "provider": "smtp"})
	if fams["ticketer_mailbox_last_success_timestamp_seconds"] != nil {
		t.Error("a family with no series was written")
	}
	for _, name := range []string{"go_memstats_heap_inuse_bytes", "go_gc_duration_seconds", "process_resident_memory_bytes", "process_start_time_seconds"} {
		if fams[name] == nil {
			t.Errorf("%s missing", name)
		}
	}

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	get := func(enc string) (string, string) {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		req.Header.Set("Accept-Encoding", enc) // set by hand: the client no longer decompresses
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			if r, err = gzip.NewReader(resp.Body); err != nil {
				t.Fatal(err)
			}
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return resp.Header.Get("Content-Encoding"), string(b)
	}
	plainEnc, plain := get("identity")
	zipEnc, zipped := get("br, gzip;q=0.5")
	if plainEnc != "" || zipEnc != "gzip" {
		t.Errorf("encodings %q and %q", plainEnc, zipEnc)
	}
	line := `ticketer_job_duration_seconds_bucket{kind="ingest",le="+Inf"} 4`
	if !strings.Contains(plain, line+"\n") || !strings.Contains(zipped, line+"\n") {
		t.Errorf("no %q in\n%s", line, plain)
	}
}
