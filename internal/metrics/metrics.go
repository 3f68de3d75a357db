// Package metrics exposes Ticketer's operational figures in the Prometheus
// text format. Everything lives on the Metrics' own registry (never the
// global default one), so two instances in one process (tests) never clash.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ticketer/ticketer/internal/store"
)

// Metrics holds the collectors. Its methods are safe on a nil *Metrics
// (they do nothing), so callers need no "metrics enabled?" checks.
type Metrics struct {
	reg        *prometheus.Registry
	httpDur    *prometheus.HistogramVec
	ingested   *prometheus.CounterVec
	ingestFail prometheus.Counter
	jobs       *prometheus.CounterVec
	jobDur     *prometheus.HistogramVec
	delivered  *prometheus.CounterVec
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

// New registers every collector on a fresh registry.
func New(opts Options) *Metrics {
	if opts.BacklogTimeout <= 0 {
		opts.BacklogTimeout = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ticketer_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route pattern and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .02, .03, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "code"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticketer_ingested_messages_total",
			Help: "Received messages ingested, by outcome (new, duplicate, ignored).",
		}, []string{"outcome"}),
		ingestFail: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "ticketer_ingest_failures_total",
			Help: "Ingestion attempts that failed (the message is kept and retried).",
		}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticketer_jobs_total",
			Help: "Background jobs worked, by kind and result (ok, error).",
		}, []string{"kind", "result"}),
		jobDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "ticketer_job_duration_seconds",
			Help:    "Time spent working background jobs, by kind.",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9), // 1 ms .. 65 s
		}, []string{"kind"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ticketer_outbound_deliveries_total",
			Help: "Outbound send attempts by result (sent, deferred, failed).",
		}, []string{"result"}),
	}
	m.reg.MustRegister(m.httpDur, m.ingested, m.ingestFail, m.jobs, m.jobDur, m.delivered,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if opts.Backlog != nil {
		m.reg.MustRegister(&backlogCollector{read: opts.Backlog, timeout: opts.BacklogTimeout, log: opts.Logger})
	}
	if opts.Mailboxes != nil {
		m.reg.MustRegister(&mailboxCollector{read: opts.Mailboxes, timeout: opts.BacklogTimeout, log: opts.Logger})
	}
	return m
}

// Registry is the registry the metrics live on (to add more).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves GET /metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Ingested counts one ingested message by its outcome.
func (m *Metrics) Ingested(outcome string) {
	if m != nil {
		m.ingested.WithLabelValues(outcome).Inc()
	}
}

// IngestFailed counts one failed ingestion attempt.
func (m *Metrics) IngestFailed() {
	if m != nil {
		m.ingestFail.Inc()
	}
}

// Delivery counts one outbound send attempt: "sent", "deferred" (temporary
// failure, retried), "failed", or "waiting" (the mailbox's relay cannot work).
func (m *Metrics) Delivery(result string) {
	if m != nil {
		m.delivered.WithLabelValues(result).Inc()
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
	m.jobs.WithLabelValues(kind, result).Inc()
	m.jobDur.WithLabelValues(kind).Observe(took.Seconds())
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
			m.httpDur.WithLabelValues(r.Method, route, strconv.Itoa(code)).Observe(time.Since(start).Seconds())
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

var (
	outboundDesc = prometheus.NewDesc("ticketer_outbound_queue_depth",
		"Outbound messages not yet delivered, by state (queued, sending, waiting: for the mailbox's relay to be fixed).", []string{"state"}, nil)
	inboundDesc = prometheus.NewDesc("ticketer_inbound_backlog",
		"Received messages not ingested yet, by state (pending, failed).", []string{"state"}, nil)
	backlogUpDesc = prometheus.NewDesc("ticketer_backlog_scrape_success",
		"1 when the backlog gauges could be read from the database, else 0.", nil, nil)
)

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboundDesc
	ch <- inboundDesc
	ch <- backlogUpDesc
}

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	b, err := c.read(ctx)
	if err != nil {
		// A scrape still returns everything else; the gap shows in the gauge.
		c.log.Warn("metrics: reading the backlog failed", "err", err)
		ch <- prometheus.MustNewConstMetric(backlogUpDesc, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(backlogUpDesc, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(outboundDesc, prometheus.GaugeValue, float64(b.OutboundQueued), "queued")
	ch <- prometheus.MustNewConstMetric(outboundDesc, prometheus.GaugeValue, float64(b.OutboundSending), "sending")
	ch <- prometheus.MustNewConstMetric(outboundDesc, prometheus.GaugeValue, float64(b.OutboundWaiting), "waiting")
	ch <- prometheus.MustNewConstMetric(inboundDesc, prometheus.GaugeValue, float64(b.InboundPending), "pending")
	ch <- prometheus.MustNewConstMetric(inboundDesc, prometheus.GaugeValue, float64(b.InboundFailed), "failed")
}

// mailboxCollector reads each mailbox's health at scrape time.
type mailboxCollector struct {
	read    func(ctx context.Context) ([]store.MailboxHealth, error)
	timeout time.Duration
	log     *slog.Logger
}

var (
	mailboxUpDesc = prometheus.NewDesc("ticketer_mailbox_up",
		"1 while the mailbox works; 0 while its connector fails or an alert about it is open (broken, credentials refused, unusually quiet).",
		[]string{"mailbox", "provider"}, nil)
	mailboxSuccessDesc = prometheus.NewDesc("ticketer_mailbox_last_success_timestamp_seconds",
		"When the mailbox's connector last synced successfully (Unix time); left out for a mailbox never synced.",
		[]string{"mailbox", "provider"}, nil)
)

func (c *mailboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- mailboxUpDesc
	ch <- mailboxSuccessDesc
}

func (c *mailboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	list, err := c.read(ctx)
	if err != nil {
		c.log.Warn("metrics: reading the mailboxes' health failed", "err", err)
		return
	}
	for _, h := range list {
		ch <- prometheus.MustNewConstMetric(mailboxUpDesc, prometheus.GaugeValue, MailboxUp(h), h.Address, h.Provider)
		if !h.LastSyncAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(mailboxSuccessDesc, prometheus.GaugeValue, float64(h.LastSyncAt.Unix()), h.Address, h.Provider)
		}
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
