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

// Subscriptions: asked for just under Outlook's 10,080-minute maximum,
// renewed once less than a quarter of that is left, a safety-net round
// every 5 minutes while notifications arrive.
func TestRenewDue(t *testing.T) {
	t.Parallel()
	if SubscriptionLifetime > 10080*time.Minute || SubscriptionLifetime < 10000*time.Minute || SubscribedPollInterval != 5*time.Minute {
		t.Fatalf("lifetime %s, poll %s", SubscriptionLifetime, SubscribedPollInterval)
	}
	exp := time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC)
	quarter := SubscriptionLifetime / 4
	for _, tc := range []struct {
		left time.Duration
		due  bool
	}{{SubscriptionLifetime, false}, {quarter + time.Second, false}, {quarter, false}, {quarter - time.Second, true}, {0, true}} {
		if got := renewDue(exp.Add(-tc.left), exp); got != tc.due {
			t.Errorf("%s left: due %v", tc.left, got)
		}
	}
}
