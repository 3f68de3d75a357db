package auth

import (
	"testing"
	"time"
)

func TestLimiterWindow(t *testing.T) {
	l := newLimiter()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	win := 15 * time.Minute
	for i := range 3 {
		if w := l.blocked("k", 3, win, start); w != 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		l.fail("k", win, start.Add(time.Duration(i)*time.Minute))
	}
	if w := l.blocked("k", 3, win, start.Add(5*time.Minute)); w != 10*time.Minute {
		t.Fatalf("wait %s, want 10m", w)
	}
	if w := l.blocked("other", 3, win, start.Add(5*time.Minute)); w != 0 {
		t.Fatal("another key is blocked")
	}
	if w := l.blocked("k", 3, win, start.Add(win)); w != 0 {
		t.Fatal("still blocked after the window")
	}
	l.reset("k")
	if w := l.blocked("k", 3, win, start.Add(5*time.Minute)); w != 0 {
		t.Fatal("blocked after reset")
	}
}
