package ticket

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// TestReportQuery: the report's range and group as asked, their defaults
// (the 30 days up to the end of today) and the refusals.
func TestReportQuery(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 2, 10, 30, 0, 0, time.UTC)
	s := &Service{cfg: Config{Now: func() time.Time { return now }}}
	const layout = time.RFC3339Nano
	long := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		in               ReportInput
		group, from, to  string
		kind             domain.Kind
		refused, message string
	}{
		{in: ReportInput{}, group: "day", from: "2026-10-04T00:00:00Z", to: "2026-11-03T00:00:00Z"},
		{in: ReportInput{Group: "week", To: "2026-11-05"}, group: "week", from: "2026-10-07T00:00:00Z", to: "2026-11-06T00:00:00Z"},
		{in: ReportInput{Group: "agent", From: "2026-11-01", To: "2026-11-01"}, group: "agent", from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:00Z"},
		{in: ReportInput{Group: "tag", From: "2026-11-01T10:00:00.75+02:00", To: "2026-11-01T12:00:00.5+02:00"}, group: "tag", from: "2026-11-01T08:00:00Z", to: "2026-11-01T10:00:00Z"},
		{in: ReportInput{Group: "team", From: "2026-11-01T10:00:00Z", To: "2026-11-01T10:00:01Z"}, group: "team", from: "2026-11-01T10:00:00Z", to: "2026-11-01T10:00:01Z"},
		{in: ReportInput{Group: "mailbox", From: long.Format(layout), To: long.AddDate(0, 0, reportMaxDays).Format(layout)}, group: "mailbox",
			from: long.Format(layout), to: long.AddDate(0, 0, reportMaxDays).Format(layout)},
		{in: ReportInput{From: long.Format(layout), To: long.AddDate(0, 0, reportMaxDays).Add(time.Second).Format(layout)},
			kind: domain.KindInvalid, refused: "from", message: "at most 1100 days"},
		{in: ReportInput{Group: "month"}, kind: domain.KindBadRequest, refused: "group"},
		{in: ReportInput{To: "2026-13-01"}, kind: domain.KindBadRequest, refused: "to"},
		{in: ReportInput{From: "yesterday"}, kind: domain.KindBadRequest, refused: "from"},
		{in: ReportInput{From: "2026-11-01T10:00:00Z", To: "2026-11-01T10:00:00.9Z"}, kind: domain.KindInvalid, refused: "from", message: "before to"},
		{in: ReportInput{From: "2026-11-02", To: "2026-11-01"}, kind: domain.KindInvalid, refused: "from", message: "before to"},
		{in: ReportInput{From: "2026-11-04"}, kind: domain.KindInvalid, refused: "from", message: "before to"},
	} {
		q, err := s.reportQuery(c.in)
		if c.refused != "" {
			if de, ok := domain.As(err); !ok || de.Kind != c.kind || de.Field != c.refused || !strings.Contains(de.Message, c.message) {
				t.Errorf("%+v: %v, want %s refused", c.in, err, c.refused)
			}
			continue
		}
		if err != nil || string(q.Group) != c.group || q.From.Format(layout) != c.from || q.To.Format(layout) != c.to {
			t.Errorf("%+v: %s %s %s %v, want %s %s %s", c.in, q.Group, q.From.Format(layout), q.To.Format(layout), err, c.group, c.from, c.to)
		}
	}
	q, err := s.reportQuery(ReportInput{Mailbox: 3, Team: 4, Tag: "vip"})
	if err != nil || q.MailboxID != 3 || q.TeamID != 4 || q.Tag != "vip" {
		t.Fatalf("filters %+v %v", q, err)
	}
}

// TestFillPeriods: every day or week (from its Monday) of the range gets a
// row, in order, the empty ones marked business as the query is.
func TestFillPeriods(t *testing.T) {
	t.Parallel()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	rows := []store.ReportRow{{Key: "2026-11-02", Created: 3}, {Key: "2026-11-09", Created: 5}}
	for _, c := range []struct {
		q    store.ReportQuery
		want string
	}{
		{store.ReportQuery{Group: store.GroupDay, From: day("2026-11-01").Add(5 * time.Hour), To: day("2026-11-03").Add(3 * time.Hour)}, // days from midnight
			"2026-11-01:0:false 2026-11-02:3:false 2026-11-03:0:false"},
		{store.ReportQuery{Group: store.GroupDay, From: day("2026-11-02"), To: day("2026-11-03").Add(time.Second), Business: true},
			"2026-11-02:3:false 2026-11-03:0:true"},
		{store.ReportQuery{Group: store.GroupWeek, From: day("2026-11-04"), To: day("2026-11-20")},
			"2026-11-02:3:false 2026-11-09:5:false 2026-11-16:0:false"},
		{store.ReportQuery{Group: store.GroupWeek, From: day("2026-11-08"), To: day("2026-11-09")}, // a Sunday
			"2026-11-02:3:false"},
		{store.ReportQuery{Group: store.GroupWeek, From: day("2026-11-09"), To: day("2026-11-16").Add(time.Hour)}, // a Monday
			"2026-11-09:5:false 2026-11-16:0:false"},
	} {
		var got []string
		for _, r := range fillPeriods(rows, c.q) {
			got = append(got, fmt.Sprintf("%s:%d:%v", r.Key, r.Created, r.Business))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s %s..%s: %v, want %s", c.q.Group, c.q.From, c.q.To, got, c.want)
		}
	}
}
