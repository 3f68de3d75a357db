package auth

import (
	"testing"
	"time"
)

func TestIsLocalURL(t *testing.T) {
	for url, want := range map[string]bool{
		"http://localhost:8080":      true,
		"http://LOCALHOST":           true,
		"http://127.0.0.1:8080":      true,
		"http://127.1.2.3":           true,
		"http://[::1]:8080":          true,
		"https://help.example.com":   false,
		"http://localhost.evil.test": false,
		"http://10.0.0.1:8080":       false,
		"::not a url":                false,
	} {
		if got := IsLocalURL(url); got != want {
			t.Errorf("%s: %v, want %v", url, got, want)
		}
	}
}

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
