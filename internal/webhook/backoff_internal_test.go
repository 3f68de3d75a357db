package webhook

import (
	"testing"
	"time"
)

func TestBackoffDoubles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n    int
		want time.Duration
	}{
		{1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {4, 4 * time.Minute},
		{8, 64 * time.Minute}, {9, 2 * time.Hour}, {10, 2 * time.Hour}, {40, 2 * time.Hour},
	}
	for _, c := range cases {
		t.Run(c.want.String(), func(t *testing.T) {
			if got := Backoff(FirstRetry, c.n); got != c.want {
				t.Fatalf("Backoff(%d) = %v, want %v", c.n, got, c.want)
			}
		})
	}
}

// TestRetriesLastTwentyFourHours walks the schedule of a delivery whose
// every attempt fails: the attempts go on for 24 hours, no longer.
func TestRetriesLastTwentyFourHours(t *testing.T) {
	t.Parallel()
	if RetryWindow != 24*time.Hour {
		t.Fatalf("RetryWindow = %v, want 24h", RetryWindow)
	}
	created := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	at, attempts := created, 1
	for {
		next, ok := nextAttempt(FirstRetry, created, at, attempts)
		if !ok {
			break
		}
		at, attempts = next, attempts+1
	}
	if span := at.Sub(created); span > RetryWindow || span < RetryWindow-MaxBackoff {
		t.Fatalf("the last attempt is %v after the event, want within %v of %v", span, MaxBackoff, RetryWindow)
	}
	if attempts != 19 {
		t.Fatalf("%d attempts in the window, want 19 (the first, 8 after doubling waits up to 64 minutes, 10 two hours apart)", attempts)
	}
}
