package importer

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	type step struct {
		at   time.Duration // clock, relative to NewProgress
		add  int           // Add(add) if > 0
		done bool          // Done()
	}
	tests := []struct {
		name  string
		tty   bool
		total int
		steps []step
		want  []string // concatenated to form the expected output
	}{
		{
			name:  "tty bar",
			tty:   true,
			total: 10000,
			steps: []step{
				{at: 4 * time.Second, add: 1240},
				{at: 4*time.Second + 50*time.Millisecond, add: 10}, // throttled
				{at: 10 * time.Second, add: 8750},                  // reaching total always redraws
				{at: 10 * time.Second, done: true},
				{at: 11 * time.Second, add: 5}, // after Done: ignored
				{at: 11 * time.Second, done: true},
			},
			want: []string{
				"\r[....................]  0/10000  0%  0 msg/s  ETA --",
				"\r[##..................]  1240/10000  12%  310 msg/s  ETA 28s",
				"\r[####################]  10000/10000  100%  1000 msg/s  ETA 0s",
				"\r[####################]  10000/10000  100%  1000 msg/s  ETA 0s\n",
			},
		},
		{
			name:  "tty shorter line is padded",
			tty:   true,
			total: 0,
			steps: []step{
				{at: time.Second, add: 123456},
				{at: 1000 * time.Second, add: 1},
				{at: 1000 * time.Second, done: true},
			},
			want: []string{
				"\r0  0 msg/s",
				"\r123456  123456 msg/s",
				"\r123457  123 msg/s   ",
				"\r123457  123 msg/s\n",
			},
		},
		{
			name:  "plain lines every 1000 messages or 5 seconds",
			tty:   false,
			total: 5000,
			steps: []step{
				{at: 1 * time.Second, add: 999},
				{at: 2 * time.Second, add: 1},   // 1000 messages
				{at: 7 * time.Second, add: 10},  // 5 seconds
				{at: 8 * time.Second, add: 500}, // neither
				{at: 3 * time.Hour, done: true},
			},
			want: []string{
				"progress: 1000/5000  20%  500 msg/s  ETA 8s\n",
				"progress: 1010/5000  20%  144 msg/s  ETA 28s\n",
				"done: 1510 messages in 3h00m (0 msg/s)\n",
			},
		},
		{
			name:  "plain over 1000 in one Add, minutes ETA",
			tty:   false,
			total: 100000,
			steps: []step{
				{at: 10 * time.Second, add: 2500},
				{at: 11 * time.Second, done: true},
			},
			want: []string{
				"progress: 2500/100000  2%  250 msg/s  ETA 6m30s\n",
				"done: 2500 messages in 11s (227 msg/s)\n",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			now := t0
			var out strings.Builder
			p := NewProgress(&out, tc.tty, tc.total, func() time.Time { return now })
			for _, s := range tc.steps {
				now = t0.Add(s.at)
				if s.add > 0 {
					p.Add(s.add)
				}
				if s.done {
					p.Done()
				}
			}
			if got, want := out.String(), strings.Join(tc.want, ""); got != want {
				t.Errorf("output\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestFmtDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "0s",
		1499 * time.Millisecond: "1s",
		59 * time.Second:        "59s",
		185 * time.Second:       "3m05s",
		3720 * time.Second:      "1h02m",
	} {
		if got := fmtDuration(d); got != want {
			t.Errorf("fmtDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
	if IsTerminal(nil) {
		t.Error("nil is not a terminal")
	}
}
