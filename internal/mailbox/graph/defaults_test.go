package graph

import (
	"testing"
	"time"
)

// The documented defaults: a poll every 30 s, four MIME fetches at once
// (Outlook's concurrency limit per mailbox), pages of 100, tokens renewed
// five minutes before they expire.
func TestDefaults(t *testing.T) {
	t.Parallel()
	c := New(Config{}, nil, Credentials{}, time.Time{})
	if c.cfg.PollInterval != 30*time.Second || c.cfg.Fetchers != 4 || pageSize != 100 || refreshMargin != 5*time.Minute {
		t.Fatalf("defaults: poll %s, fetchers %d, page %d, margin %s", c.cfg.PollInterval, c.cfg.Fetchers, pageSize, refreshMargin)
	}
}

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
			if got := retryAfter(tc.header, tc.attempt, now); got != tc.want {
				t.Fatalf("retryAfter(%q, %d) = %s, want %s", tc.header, tc.attempt, got, tc.want)
			}
		})
	}
}
