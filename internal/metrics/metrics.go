// Package metrics exposes Ticketer's operational figures in the Prometheus
// text format. Each Metrics holds its own families (no global registry), so
// two instances in one process (tests) never clash.
package metrics

import (
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// Metrics holds the families. Its methods are safe on a nil *Metrics
// (they do nothing), so callers need no "metrics enabled?" checks.
type Metrics struct {
	httpDur    *family
	ingested   *family
	ingestFail *family
	jobs       *family
	jobDur     *family
	delivered  *family
	backlog    *backlogCollector
	mailboxes  *mailboxCollector
}

// Options configure New.
type Options struct {
	// Backlog reads the database backlog at scrape time; nil leaves the
	// queue gauges out. Usually (*store.Store).Backlog.
	Backlog func(ctx context.Context) (store.Backlog, error)
	// BacklogTimeout bounds that read, so a slow database never hangs a
	// scrape. Default 2 s.
	BacklogTimeout time.Duration
	// Mailboxes reads every mailbox's health at scrape time (nil: the
	// mailbox gauges are left out). Usually (*store.Store).MailboxesHealth.
	Mailboxes func(ctx context.Context) ([]store.MailboxHealth, error)
	Logger    *slog.Logger
}

// jobBuckets run from 1 ms to 65 s, each four times the last.
var jobBuckets = []float64{0.001, 0.004, 0.016, 0.064, 0.256, 1.024, 4.096, 16.384, 65.536}

// New builds the families.
func New(opts Options) *Metrics {
	if opts.BacklogTimeout <= 0 {
		opts.BacklogTimeout = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	m := &Metrics{
		httpDur: newHistogram("ticketer_http_request_duration_seconds", "HTTP request latency by method, route pattern and status code.",
			[]float64{.001, .0025, .005, .01, .02, .03, .05, .1, .25, .5, 1, 2.5, 5, 10}, "method", "route", "code"),
		ingested:   newCounter("ticketer_ingested_messages_total", "Received messages ingested, by outcome (new, duplicate, ignored).", "outcome"),
		ingestFail: newCounter("ticketer_ingest_failures_total", "Ingestion attempts that failed (the message is kept and retried)."),
		jobs:       newCounter("ticketer_jobs_total", "Background jobs worked, by kind and result (ok, error).", "kind", "result"),
		jobDur:     newHistogram("ticketer_job_duration_seconds", "Time spent working background jobs, by kind.", jobBuckets, "kind"),
		delivered:  newCounter("ticketer_outbound_deliveries_total", "Outbound send attempts by result (sent, deferred, failed).", "result"),
	}
	if opts.Backlog != nil {
		m.backlog = &backlogCollector{read: opts.Backlog, timeout: opts.BacklogTimeout, log: opts.Logger}
	}
	if opts.Mailboxes != nil {
		m.mailboxes = &mailboxCollector{read: opts.Mailboxes, timeout: opts.BacklogTimeout, log: opts.Logger}
	}
	return m
}

// Handler serves GET /metrics in the Prometheus text format, gzipped when
// the client accepts it (Prometheus does).
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var out expoWriter
		for _, f := range []*family{m.httpDur, m.ingestFail, m.ingested, m.jobDur, m.jobs, m.delivered} { // by name
			f.write(&out)
		}
		if m.backlog != nil {
			m.backlog.write(r.Context(), &out)
		}
		if m.mailboxes != nil {
			m.mailboxes.write(r.Context(), &out)
		}
		writeGo(&out)
		writeProcess(&out)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if !acceptsGzip(r) {
			_, _ = out.WriteTo(w)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = out.WriteTo(zw)
		_ = zw.Close()
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if enc, _, _ := strings.Cut(strings.TrimSpace(part), ";"); enc == "gzip" {
			return true
		}
	}
	return false
}

// Ingested counts one ingested message by its outcome.
func (m *Metrics) Ingested(outcome string) {
	if m != nil {
		m.ingested.add(1, outcome)
	}
}

// IngestFailed counts one failed ingestion attempt.
func (m *Metrics) IngestFailed() {
	if m != nil {
		m.ingestFail.add(1)
	}
}

// Delivery counts one outbound send attempt: "sent", "deferred" (temporary
// failure, retried), "failed", or "waiting" (the mailbox's relay cannot work).
func (m *Metrics) Delivery(result string) {
	if m != nil {
		m.delivered.add(1, result)
	}
}

// JobDone counts one worked job of a kind, failed when err != nil.
func (m *Metrics) JobDone(kind string, took time.Duration, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.jobs.add(1, kind, result)
	m.jobDur.observe(took.Seconds(), kind)
}

// Middleware times every request by method, route pattern and status code.
// The route is r.Pattern as set by http.ServeMux (e.g. "GET /api/v1/tickets/{id}"),
// never the raw path, so ids do not explode the label set; a request no
// pattern matched is "unmatched". Wrap it directly around the ServeMux (or a
// chain that hands the same *http.Request to the mux): ServeMux sets Pattern
// on the request it is given.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &statusWriter{ResponseWriter: w}
		defer func() {
			if strings.HasPrefix(rw.Header().Get("Content-Type"), "text/event-stream") {
				return // an event stream lasts minutes: not a latency
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			code := rw.status
			if code == 0 {
				code = http.StatusOK
			}
			m.httpDur.observe(time.Since(start).Seconds(), r.Method, route, strconv.Itoa(code))
		}()
		next.ServeHTTP(rw, r)
	})
}

// statusWriter remembers the status code. Unwrap lets
// http.NewResponseController reach Flush and deadlines (event streams).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// backlogCollector reads queue depths from the database at scrape time.
type backlogCollector struct {
	read    func(ctx context.Context) (store.Backlog, error)
	timeout time.Duration
	log     *slog.Logger
}

func (c *backlogCollector) write(ctx context.Context, w *expoWriter) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	b, err := c.read(ctx)
	up := 1.0
	if err != nil {
		// A scrape still returns everything else; the gap shows in the gauge.
		c.log.Warn("metrics: reading the backlog failed", "err", err)
		up = 0
	}
	w.gauge("ticketer_backlog_scrape_success", "1 when the backlog gauges could be read from the database, else 0.", up)
	if err != nil {
		return
	}
	state := []string{"state"}
	w.header("ticketer_inbound_backlog", "Received messages not ingested yet, by state (pending, failed).", "gauge")
	w.sample("ticketer_inbound_backlog", state, []string{"failed"}, "", 0, float64(b.InboundFailed))
	w.sample("ticketer_inbound_backlog", state, []string{"pending"}, "", 0, float64(b.InboundPending))
	w.header("ticketer_outbound_queue_depth",
		"Outbound messages not yet delivered, by state (queued, sending, waiting: for the mailbox's relay to be fixed).", "gauge")
	w.sample("ticketer_outbound_queue_depth", state, []string{"queued"}, "", 0, float64(b.OutboundQueued))
	w.sample("ticketer_outbound_queue_depth", state, []string{"sending"}, "", 0, float64(b.OutboundSending))
	w.sample("ticketer_outbound_queue_depth", state, []string{"waiting"}, "", 0, float64(b.OutboundWaiting))
}

// mailboxCollector reads each mailbox's health at scrape time.
type mailboxCollector struct {
	read    func(ctx context.Context) ([]store.MailboxHealth, error)
	timeout time.Duration
	log     *slog.Logger
}

func (c *mailboxCollector) write(ctx context.Context, w *expoWriter) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	list, err := c.read(ctx)
	if err != nil {
		c.log.Warn("metrics: reading the mailboxes' health failed", "err", err)
		return
	}
	if len(list) == 0 {
		return
	}
	labels := []string{"mailbox", "provider"}
	header := false
	for _, h := range list {
		if h.LastSyncAt.IsZero() {
			continue
		}
		if !header {
			w.header("ticketer_mailbox_last_success_timestamp_seconds",
				"When the mailbox's connector last synced successfully (Unix time); left out for a mailbox never synced.", "gauge")
			header = true
		}
		w.sample("ticketer_mailbox_last_success_timestamp_seconds", labels, []string{h.Address, h.Provider}, "", 0, float64(h.LastSyncAt.Unix()))
	}
	w.header("ticketer_mailbox_up",
		"1 while the mailbox works; 0 while its connector fails or an alert about it is open (broken, credentials refused, unusually quiet).", "gauge")
	for _, h := range list {
		w.sample("ticketer_mailbox_up", labels, []string{h.Address, h.Provider}, "", 0, MailboxUp(h))
	}
}

// MailboxUp is a mailbox's ticketer_mailbox_up: 0 while an alert about it is
// open or its connector fails, else 1.
func MailboxUp(h store.MailboxHealth) float64 {
	if h.Alert != nil || (h.Connector() && h.Status == store.SyncError) {
		return 0
	}
	return 1
}
