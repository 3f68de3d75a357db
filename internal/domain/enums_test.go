package domain_test

import (
	"fmt"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
)

// TestEnumValues: the strings are a contract (database rows, API, UI); a
// renamed constant must not change them.
func TestEnumValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		got  any
		want string
	}{
		{"statuses", domain.Statuses(), "[new open pending solved closed]"},
		{"priorities", domain.Priorities(), "[low normal high urgent]"},
		{"roles", domain.Roles(), "[admin agent]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := fmt.Sprint(tc.got); got != tc.want {
				t.Fatalf("%s = %s, want %s", tc.name, got, tc.want)
			}
		})
	}
}
