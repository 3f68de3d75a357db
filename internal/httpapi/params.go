package httpapi

// Request parameters read once: list filters, page sizes, cursors, bodies.

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/domain"
)

// Page sizes of the paged lists; the spec's limit parameters say the same
// (a test compares them).
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

var limitRule = fmt.Sprintf("must be between 1 and %d", maxPageSize)

// pageLimit is the page size a limit parameter asks for, defaultPageSize
// when absent.
func pageLimit(limit *int) (int, error) {
	if limit == nil {
		return defaultPageSize, nil
	}
	if *limit < 1 || *limit > maxPageSize {
		return 0, domain.BadRequest("limit", limitRule)
	}
	return *limit, nil
}

// nextPage cuts a list read with limit+1 rows to limit, and returns the
// cursor of the next page (null on the last page).
func nextPage[T any](list []T, limit int, cursor func(T) string) ([]T, nullable.Nullable[string]) {
	if len(list) <= limit {
		return list, nullable.NewNullNullable[string]()
	}
	list = list[:limit]
	return list, nullable.NewNullableWithValue(cursor(list[limit-1]))
}

// A cursor is the sort key of the last row of a page: a time and an id.
func encodeCursor(t time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", t.UnixMicro(), id))
}

func decodeCursor(c string) (time.Time, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, errors.New("malformed")
	}
	ts, id, ok := strings.Cut(string(b), ".")
	micros, err1 := strconv.ParseInt(ts, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return time.Time{}, 0, errors.New("malformed")
	}
	return time.UnixMicro(micros).UTC(), n, nil
}

// cursorParam reads an optional cursor parameter (zero values when absent).
func cursorParam(c *string) (time.Time, int64, error) {
	v := trimmed(c)
	if v == "" {
		return time.Time{}, 0, nil
	}
	t, id, err := decodeCursor(v)
	if err != nil {
		return time.Time{}, 0, domain.BadRequest("cursor", err.Error())
	}
	return t, id, nil
}

// statusesParam reads a comma-separated list of ticket statuses.
func statusesParam(v string) ([]string, error) {
	if v == "" {
		return nil, nil
	}
	var out []string
	for st := range strings.SplitSeq(v, ",") {
		st = strings.TrimSpace(st)
		if !slices.Contains(domain.Statuses(), domain.Status(st)) {
			return nil, domain.BadRequest("status", "must be "+oneOf(enumStrings(domain.Statuses()))+" (comma-separated)")
		}
		out = append(out, st)
	}
	return out, nil
}

// oneOf is "a, b or c".
// enumStrings is an enum's values as plain strings.
func enumStrings[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

func oneOf(list []string) string {
	if len(list) < 2 {
		return strings.Join(list, "")
	}
	return strings.Join(list[:len(list)-1], ", ") + " or " + list[len(list)-1]
}

// assigneeFilter reads the assignee parameter: a user id, "me" (the caller)
// or "none" (unassigned).
func assigneeFilter(v string, me int64) (id int64, unassigned bool, err error) {
	switch v {
	case "":
		return 0, false, nil
	case "none":
		return 0, true, nil
	case "me":
		return me, false, nil
	}
	id, err = strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, false, domain.BadRequest("assignee", "must be a user id, me or none")
	}
	return id, false, nil
}

// trimmed is an optional string parameter without surrounding space ("" when absent).
func trimmed(v *string) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(*v)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func needBody(b any) error {
	if b == nil {
		return domain.BadRequest("body", "a JSON object is required (Content-Type: application/json)")
	}
	return nil
}
