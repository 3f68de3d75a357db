package auth

import (
	"sync"
	"time"
)

// limiter counts failed sign-ins per key in fixed windows. It lives in the
// process: with several replicas each enforces its own limit.
type limiter struct {
	mu      sync.Mutex
	entries map[string]*window
}

type window struct {
	start time.Time
	fails int
}

func newLimiter() *limiter { return &limiter{entries: map[string]*window{}} }

// blocked returns how long key must wait, or 0.
func (l *limiter) blocked(key string, limit int, size time.Duration, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.entries[key]
	if w == nil || !now.Before(w.start.Add(size)) || w.fails < limit {
		return 0
	}
	return w.start.Add(size).Sub(now)
}

func (l *limiter) fail(key string, size time.Duration, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) > 10000 {
		// Forget finished windows so a flood of names cannot grow memory.
		for k, w := range l.entries {
			if !now.Before(w.start.Add(size)) {
				delete(l.entries, k)
			}
		}
	}
	w := l.entries[key]
	if w == nil || !now.Before(w.start.Add(size)) {
		w = &window{start: now}
		l.entries[key] = w
	}
	w.fails++
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, key)
}
