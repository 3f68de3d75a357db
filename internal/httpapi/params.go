package httpapi

// Request parameters read once: list filters, page sizes, cursors, bodies.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
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

// ticketSortParam reads the ticket list's sort: a key, descending with a
// leading "-"; newest activity first when absent.
func ticketSortParam(p *oapi.TicketSort) (store.TicketSort, error) {
	if p == nil || strings.TrimSpace(string(*p)) == "" {
		return store.DefaultTicketSort, nil
	}
	v := strings.TrimSpace(string(*p))
	key, desc := strings.CutPrefix(v, "-")
	if !slices.Contains(store.TicketSortKeys(), store.TicketSortKey(key)) {
		return store.TicketSort{}, domain.BadRequest("sort", fmt.Sprintf("%q is not an order: one of %s, each descending with a leading -",
			v, joinSortKeys()))
	}
	return store.TicketSort{Key: store.TicketSortKey(key), Asc: !desc}, nil
}

func joinSortKeys() string {
	var keys []string
	for _, k := range store.TicketSortKeys() {
		keys = append(keys, string(k))
	}
	return strings.Join(keys, ", ")
}

// ticketCursor is a ticket list cursor of an order other than the default:
// the order it belongs to and the last ticket's sort key.
type ticketCursor struct {
	Sort   string `json:"s"`
	Rank   int    `json:"r,omitempty"`
	Text   string `json:"x,omitempty"`
	Micros int64  `json:"t,omitempty"`
	ID     int64  `json:"i"`
}

func sortName(o store.TicketSort) string {
	if o.Asc {
		return string(o.Key)
	}
	return "-" + string(o.Key)
}

// encodeTicketCursor writes the default order's cursor as every other list
// does (a time and an id), and the others' with their order's name, so a
// cursor is never read under another order.
func encodeTicketCursor(o store.TicketSort, c store.TicketCursor) string {
	if o == store.DefaultTicketSort {
		return encodeCursor(c.Time, c.ID)
	}
	var micros int64
	if !c.Time.IsZero() {
		micros = c.Time.UnixMicro()
	}
	b, _ := json.Marshal(ticketCursor{Sort: sortName(o), Rank: c.Rank, Text: c.Text, Micros: micros, ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// ticketCursorParam reads an optional ticket list cursor of order o.
func ticketCursorParam(p *string, o store.TicketSort) (store.TicketCursor, error) {
	v := trimmed(p)
	if v == "" {
		return store.TicketCursor{}, nil
	}
	if o == store.DefaultTicketSort {
		t, id, err := cursorParam(p)
		return store.TicketCursor{Time: t, ID: id}, err
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	var c ticketCursor
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID <= 0 {
		return store.TicketCursor{}, domain.BadRequest("cursor", "malformed")
	}
	if c.Sort != sortName(o) {
		return store.TicketCursor{}, domain.BadRequest("cursor", "belongs to another sort ("+c.Sort+"); start again without a cursor")
	}
	return store.TicketCursor{Rank: c.Rank, Text: c.Text, Time: time.UnixMicro(c.Micros).UTC(), ID: c.ID}, nil
}
