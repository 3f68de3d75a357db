package domain

import (
	"fmt"
	"testing"
)

func TestErrorKindsAndText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		err  *Error
		kind Kind
		text string
	}{
		{"invalid", Invalid("tags", "too many"), KindInvalid, "tags: too many"},
		{"bad request", BadRequest("limit", "must be a number"), KindBadRequest, "limit: must be a number"},
		{"not found", NotFound("no such ticket"), KindNotFound, "no such ticket"},
		{"conflict", Conflict("already solved"), KindConflict, "already solved"},
		{"forbidden", Forbidden("admins only"), KindForbidden, "admins only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			wrapped := fmt.Errorf("update: %w", c.err)
			got, ok := As(wrapped)
			if !ok || got.Kind != c.kind || got.Error() != c.text {
				t.Fatalf("As(%v) = %+v, %v; want kind %s text %q", wrapped, got, ok, c.kind, c.text)
			}
		})
	}
	if _, ok := As(fmt.Errorf("plain")); ok {
		t.Fatal("As found a domain error in a plain error")
	}
}
