package httpapi

import (
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
)

func TestPageLimit(t *testing.T) {
	t.Parallel()
	n := func(v int) *int { return &v }
	cases := []struct {
		name  string
		limit *int
		want  int
		bad   bool
	}{
		{"absent is the default", nil, defaultPageSize, false},
		{"smallest", n(1), 1, false},
		{"largest", n(maxPageSize), maxPageSize, false},
		{"zero", n(0), 0, true},
		{"above the largest", n(maxPageSize + 1), 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := pageLimit(c.limit)
			if e, ok := domain.As(err); c.bad != ok || (ok && (e.Kind != domain.KindBadRequest || e.Field != "limit")) {
				t.Fatalf("pageLimit: %v, want bad=%v", err, c.bad)
			}
			if !c.bad && got != c.want {
				t.Fatalf("pageLimit = %d, want %d", got, c.want)
			}
		})
	}
}

func TestNextPage(t *testing.T) {
	t.Parallel()
	cursor := func(i int) string { return encodeCursor(time.UnixMicro(int64(i)), int64(i)) }
	t.Run("last page", func(t *testing.T) {
		t.Parallel()
		list, next := nextPage([]int{1, 2}, 2, cursor)
		if len(list) != 2 || !next.IsNull() {
			t.Fatalf("%v %v", list, next)
		}
	})
	t.Run("more to come", func(t *testing.T) {
		t.Parallel()
		list, next := nextPage([]int{1, 2, 3}, 2, cursor)
		if len(list) != 2 || next.MustGet() != cursor(2) {
			t.Fatalf("%v %v", list, next)
		}
		at, id, err := decodeCursor(next.MustGet())
		if err != nil || id != 2 || !at.Equal(time.UnixMicro(2)) {
			t.Fatalf("cursor decodes to %v %d %v", at, id, err)
		}
	})
}

func TestStatusesParam(t *testing.T) {
	t.Parallel()
	got, err := statusesParam("open, pending")
	if err != nil || len(got) != 2 || got[0] != "open" || got[1] != "pending" {
		t.Fatalf("%v %v", got, err)
	}
	_, err = statusesParam("open,later")
	if e, ok := domain.As(err); !ok || e.Field != "status" || e.Message != "must be new, open, pending, solved or closed (comma-separated)" {
		t.Fatalf("unknown status: %v", err)
	}
}

func TestAssigneeFilter(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in         string
		id         int64
		unassigned bool
		bad        bool
	}{
		{"", 0, false, false},
		{"none", 0, true, false},
		{"me", 7, false, false},
		{"12", 12, false, false},
		{"0", 0, false, true},
		{"someone", 0, false, true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			id, un, err := assigneeFilter(c.in, 7)
			if (err != nil) != c.bad || id != c.id || un != c.unassigned {
				t.Fatalf("assigneeFilter(%q) = %d %v %v", c.in, id, un, err)
			}
		})
	}
}
