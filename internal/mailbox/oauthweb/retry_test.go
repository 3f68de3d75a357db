package oauthweb

import (
	"net/http"
	"testing"
	"time"
)

// TestRetryAfter: both connectors' clients wait as Retry-After says, in
// seconds or as a date, and double from one second without it.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, header string
		attempt      int
		want         time.Duration
	}{
		{"seconds", "7", 1, 7 * time.Second},
		{"http date", "Tue, 01 Dec 2026 10:00:30 GMT", 1, 30 * time.Second},
		{"date in the past", "Tue, 01 Dec 2026 09:00:00 GMT", 1, 0},
		{"absent: doubles", "", 3, 4 * time.Second},
		{"garbage: doubles", "soon", 1, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RetryAfter(tc.header, tc.attempt, now); got != tc.want {
				t.Fatalf("RetryAfter(%q, %d) = %s, want %s", tc.header, tc.attempt, got, tc.want)
			}
		})
	}
}

// TestRetryDo: a 401 refreshes the token once, a retryable answer is tried
// again until Attempts, and anything else comes back at once.
func TestRetryDo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		answers     []int
		wantTries   int
		wantStatus  int
		wantRefresh int
	}{
		{"ok at once", []int{200}, 1, 200, 0},
		{"401 then ok", []int{401, 200}, 2, 200, 1},
		{"401 twice: refreshed once", []int{401, 401, 200}, 2, 401, 1},
		{"429 until it passes", []int{429, 503, 200}, 3, 200, 0},
		{"429 until attempts run out", []int{429, 429, 429, 429, 200}, 3, 429, 0},
		{"404 is final", []int{404, 200}, 1, 404, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tries, refreshed := 0, 0
			try := func() (Answer, error) {
				tries++
				return Answer{Status: tc.answers[tries-1], Header: http.Header{"Retry-After": {"0"}}}, nil
			}
			p := Retry{Attempts: 3, MaxWait: time.Second}
			a, err := p.Do(t.Context(), try, func() { refreshed++ }, func(a Answer) bool { return a.Status == 429 || a.Status >= 500 })
			if err != nil || a.Status != tc.wantStatus || tries != tc.wantTries || refreshed != tc.wantRefresh {
				t.Fatalf("status %d after %d tries, %d refreshes (%v); want %d after %d, %d", a.Status, tries, refreshed, err,
					tc.wantStatus, tc.wantTries, tc.wantRefresh)
			}
		})
	}
}
