package ticket

import (
	"slices"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// TestClosedLongAgo: a reply reopens a closed ticket up to the mailbox's
// reopen window (30 days when the mailbox sets none), to the second; after
// that it opens a new ticket. Only a closed ticket with a solved time counts.
func TestClosedLongAgo(t *testing.T) {
	t.Parallel()
	solved := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	cases := []struct {
		name   string
		days   int // the mailbox's reopen_days
		status domain.Status
		after  time.Duration // since solved
		want   bool
	}{
		{"default window, a day", 0, domain.StatusClosed, day, false},
		{"default window, 30 days", 0, domain.StatusClosed, 30 * day, false},
		{"default window, 30 days and a second", 0, domain.StatusClosed, 30*day + time.Second, true},
		{"a negative window is the default", -5, domain.StatusClosed, 29 * day, false},
		{"one day window, a day", 1, domain.StatusClosed, day, false},
		{"one day window, a day and a second", 1, domain.StatusClosed, day + time.Second, true},
		{"60 days window, 31 days", 60, domain.StatusClosed, 31 * day, false},
		{"60 days window, 61 days", 60, domain.StatusClosed, 61 * day, true},
		{"solved, not closed", 0, domain.StatusSolved, 90 * day, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			in := &ingestion{mb: store.Mailbox{ReopenDays: c.days}, now: solved.Add(c.after),
				before: store.TicketFields{Status: c.status, SolvedAt: solved}}
			if got := in.closedLongAgo(); got != c.want {
				t.Fatalf("closedLongAgo = %v, want %v", got, c.want)
			}
		})
	}
	t.Run("closed without a solved time", func(t *testing.T) {
		in := &ingestion{now: solved, before: store.TicketFields{Status: domain.StatusClosed}}
		if in.closedLongAgo() {
			t.Fatal("a ticket closed without a solved time is closed long ago")
		}
	})
}

// TestShareWord: subjects share a word of two letters or digits or more,
// case aside, without reply prefixes and ticket tokens.
func TestShareWord(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"Spring product news", "Re: Spring product news", true},
		{"Spring product news", "Question about my invoice", false},
		{"PRINTER on fire", "re: the printer", true},
		{"TV broken", "My TV", true},             // two letters
		{"Order 42", "Invoice 42", true},         // two digits
		{"a b c", "c d e", false},                // one letter is no word
		{"x", "x", false},                        // not even alone
		{"Été", "ete été", true},                 // letters, not bytes
		{"Re: [#12] Hi", "Fwd: [#12] Yo", false}, // the token is no word
		{"", "", false},
	} {
		if got := shareWord(c.a, c.b); got != c.want {
			t.Errorf("shareWord(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// TestThreadLookupKeys: the keys come strongest first: In-Reply-To, the
// references from the newest to the oldest, the message's own id, its
// Outlook conversation last.
func TestThreadLookupKeys(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		msg  mail.Message
		want []string
	}{
		{"everything", mail.Message{InReplyTo: []string{"parent@x"}, References: []string{"root@x", "mid@x", "parent@x"},
			MessageID: "own@x", ThreadIndex: "AdhV"}, []string{"parent@x", "parent@x", "mid@x", "root@x", "own@x", "thread-index:AdhV"}},
		{"one reference", mail.Message{References: []string{"root@x"}}, []string{"root@x"}},
		{"own id alone", mail.Message{MessageID: "own@x"}, []string{"own@x"}},
		{"nothing", mail.Message{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := threadLookupKeys(&c.msg); !slices.Equal(got, c.want) {
				t.Fatalf("threadLookupKeys = %q, want %q", got, c.want)
			}
		})
	}
}
