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
