package metrics

import (
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The Prometheus text format (version 0.0.4), written by hand: Ticketer
// exposes a handful of counters and histograms, and the client library
// would link Protocol Buffers and its own dependencies into the binary and
// run their package initialisation at every start, for about 1.4 MB of
// resident memory in an idle server (issue 11).

// family is one metric family: its series, keyed by their label values.
type family struct {
	name, help, typ string
	labels          []string
	buckets         []float64 // histograms only: upper bounds, ascending, without +Inf

	mu     sync.Mutex
	series map[string]*series
}

type series struct {
	values []string
	value  float64  // counter
	counts []uint64 // histogram: per bucket, not cumulative; the last one is +Inf
	sum    float64
	count  uint64
}

func newCounter(name, help string, labels ...string) *family {
	return &family{name: name, help: help, typ: "counter", labels: labels, series: map[string]*series{}}
}

func newHistogram(name, help string, buckets []float64, labels ...string) *family {
	return &family{name: name, help: help, typ: "histogram", labels: labels, buckets: buckets, series: map[string]*series{}}
}

// get returns the series of these label values, creating it; f.mu is held.
func (f *family) get(values []string) *series {
	key := strings.Join(values, "\xff")
	s := f.series[key]
	if s == nil {
		s = &series{values: slices.Clone(values)}
		if f.typ == "histogram" {
			s.counts = make([]uint64, len(f.buckets)+1)
		}
		f.series[key] = s
	}
	return s
}

func (f *family) add(v float64, values ...string) {
	f.mu.Lock()
	f.get(values).value += v
	f.mu.Unlock()
}

func (f *family) observe(v float64, values ...string) {
	i, _ := slices.BinarySearch(f.buckets, v) // the first bound >= v ("le")
	f.mu.Lock()
	s := f.get(values)
	s.counts[i]++
	s.sum += v
	s.count++
	f.mu.Unlock()
}

// write appends the family in the text format, its series sorted by label
// values; a labelled family with no series yet writes nothing, as the
// client library did.
func (f *family) write(w *expoWriter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.labels) > 0 && len(f.series) == 0 {
		return
	}
	if len(f.labels) == 0 && len(f.series) == 0 {
		f.get(nil)
	}
	keys := make([]string, 0, len(f.series))
	for k := range f.series {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.header(f.name, f.help, f.typ)
	for _, k := range keys {
		s := f.series[k]
		if f.typ != "histogram" {
			w.sample(f.name, f.labels, s.values, "", 0, s.value)
			continue
		}
		var cum uint64
		for i, n := range s.counts {
			cum += n
			le := math.Inf(1)
			if i < len(f.buckets) {
				le = f.buckets[i]
			}
			w.sample(f.name+"_bucket", f.labels, s.values, "le", le, float64(cum))
		}
		w.sample(f.name+"_sum", f.labels, s.values, "", 0, s.sum)
		w.sample(f.name+"_count", f.labels, s.values, "", 0, float64(s.count))
	}
}

// expoWriter writes the text format into a buffer.
type expoWriter struct {
	b []byte
}

func (w *expoWriter) header(name, help, typ string) {
	w.b = append(w.b, "# HELP "...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ' ')
	w.b = append(w.b, helpEscaper.Replace(help)...)
	w.b = append(w.b, "\n# TYPE "...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ' ')
	w.b = append(w.b, typ...)
	w.b = append(w.b, '\n')
}

// sample writes one line; extra (le or quantile) is a last label whose value
// is a number, left out when empty.
func (w *expoWriter) sample(name string, labels, values []string, extra string, extraValue, v float64) {
	w.b = append(w.b, name...)
	if len(labels) > 0 || extra != "" {
		w.b = append(w.b, '{')
		for i, l := range labels {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, l...)
			w.b = append(w.b, `="`...)
			w.b = append(w.b, labelEscaper.Replace(values[i])...)
			w.b = append(w.b, '"')
		}
		if extra != "" {
			if len(labels) > 0 {
				w.b = append(w.b, ',')
			}
			w.b = append(w.b, extra...)
			w.b = append(w.b, `="`...)
			w.b = appendFloat(w.b, extraValue)
			w.b = append(w.b, '"')
		}
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, ' ')
	w.b = appendFloat(w.b, v)
	w.b = append(w.b, '\n')
}

// gauge writes a whole family of one unlabelled gauge.
func (w *expoWriter) gauge(name, help string, v float64) {
	w.header(name, help, "gauge")
	w.sample(name, nil, nil, "", 0, v)
}

func (w *expoWriter) WriteTo(out io.Writer) (int64, error) {
	n, err := out.Write(w.b)
	return int64(n), err
}

func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// The format's escapes: in HELP a backslash and a newline; in label values
// also a double quote.
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)
