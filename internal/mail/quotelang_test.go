package mail

import (
	"strings"
	"testing"
)

// TestAttributionAt pins how far up an attribution block reaches and how
// sure it is: the author's last lines must not be taken for it.
func TestAttributionAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		lines   []string
		start   int
		certain bool
	}{
		// Three lines at most: the fourth line up, though it starts like an
		// attribution, is the author's.
		{"three lines at most", []string{"On Mon, 4 Mar 2024 at 10:00,", "Ann Example", "<ann@example.com>", "wrote:"}, 2, true},
		// A line ending a sentence closes the author's text.
		{"stops at a sentence's end", []string{"I asked ann@example.com about it in March!", "She wrote:"}, 1, false},
		// 400 characters joined are still one attribution; more are not.
		{"400 characters", []string{"On Monday " + strings.Repeat("a", 378) + ",", "Ann wrote:"}, 0, true},
		{"401 characters", []string{"On Monday " + strings.Repeat("a", 379) + ",", "Ann wrote:"}, 1, false},
		// A line above that is no surer does not join the block.
		{"equally sure line above", []string{"cc ann@example.com", "Bob <bob@example.com> wrote:"}, 1, true},
		// An address and a verb are sure enough to cut at; a date alone is not.
		{"address", []string{"Bob <bob@example.com> wrote:"}, 0, true},
		{"date alone", []string{"As I wrote on 04.03.2024:"}, 0, false},
		{"no verb", []string{"Steps to follow:"}, -1, false},
	}
	for _, tc := range tests {
		start, certain := attributionAt(tc.lines, len(tc.lines)-1)
		if start != tc.start || certain != tc.certain {
			t.Errorf("%s: (%d, %v), want (%d, %v)", tc.name, start, certain, tc.start, tc.certain)
		}
	}
}

// TestHasAttributionVerb: the verb may open the line, and may be followed
// by up to 81 characters (a space and the date some languages put last)
// before the colon, no more.
func TestHasAttributionVerb(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{"wrote:", true},
		{"Ann wrote:", true},
		{"Ann wrote " + strings.Repeat("9", 80) + ":", true},
		{"Ann wrote " + strings.Repeat("9", 81) + ":", false},
		{"Ann rewrote:", false},
		{"Ann wrotes:", false},
		{"Ann wrote", false},
	}
	for _, tc := range tests {
		if got := hasAttributionVerb(tc.in); got != tc.want {
			t.Errorf("hasAttributionVerb(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
