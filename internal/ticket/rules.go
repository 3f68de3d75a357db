package ticket

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ticketer/ticketer/internal/domain"
)

// checkTransition holds the status rules:
//   - nothing goes back to new (new only means "nobody looked yet");
//   - only a solved ticket can be closed;
//   - a closed ticket can only be reopened (to open).
//
// Everything else among open, pending and solved is allowed.
func checkTransition(from, to domain.Status) error {
	switch {
	case from == to:
		return nil
	case to == domain.StatusNew:
		return domain.Conflict(fmt.Sprintf("status: a ticket cannot go back to new (it is %s)", from))
	case to == domain.StatusClosed && from != domain.StatusSolved:
		return domain.Conflict(fmt.Sprintf("status: only a solved ticket can be closed (it is %s)", from))
	case from == domain.StatusClosed && to != domain.StatusOpen:
		return domain.Conflict(fmt.Sprintf("status: a closed ticket can only be reopened as open, not %s", to))
	}
	return nil
}

// solvedAt is the one solved-time rule: solving stamps now, closing (from
// solved) keeps the solved time, and any other status clears it.
func solvedAt(before time.Time, to domain.Status, now time.Time) time.Time {
	switch to {
	case domain.StatusSolved:
		return now
	case domain.StatusClosed:
		if before.IsZero() {
			return now
		}
		return before
	}
	return time.Time{}
}

const (
	maxTags   = 50
	maxTagLen = 64
)

// normalizeTags lower-cases, trims, dedupes and sorts tags.
func normalizeTags(in []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || len(t) > maxTagLen || strings.ContainsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || unicode.IsControl(r) }) {
			return nil, domain.Invalid("tags", fmt.Sprintf("%q: a tag is 1 to %d characters without spaces or commas", t, maxTagLen))
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, domain.Invalid("tags", fmt.Sprintf("at most %d tags", maxTags))
	}
	slices.Sort(out)
	return out, nil
}
