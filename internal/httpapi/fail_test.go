package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
)

// Every domain kind has one status and code; a wrapped error keeps its field.
func TestFailMapsDomainKinds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err    *domain.Error
		status int
		code   string
	}{
		{domain.Invalid("tags", "too many"), http.StatusUnprocessableEntity, "invalid"},
		{domain.BadRequest("limit", "must be between 1 and 200"), http.StatusBadRequest, "bad_request"},
		{domain.NotFound("no such ticket"), http.StatusNotFound, "not_found"},
		{domain.Conflict("status: only a solved ticket can be closed"), http.StatusConflict, "conflict"},
		{domain.Forbidden("admins only"), http.StatusForbidden, "forbidden"},
	}
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, c := range cases {
		t.Run(string(c.err.Kind), func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			s.fail(w, httptest.NewRequest("GET", "/api/v1/x", nil), fmt.Errorf("wrapped: %w", c.err))
			var body struct {
				Error struct{ Code, Message, Field string } `json:"error"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if w.Code != c.status || body.Error.Code != c.code || body.Error.Message != c.err.Error() || body.Error.Field != c.err.Field {
				t.Fatalf("got %d %+v, want %d %s %q field %q", w.Code, body.Error, c.status, c.code, c.err.Error(), c.err.Field)
			}
		})
	}
}
