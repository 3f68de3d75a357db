package ticket

import (
	"context"
	"fmt"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/sla"
	"github.com/ticketer/ticketer/internal/store"
)

// ReportInput is the summary report as asked: from and to are dates
// (YYYY-MM-DD, UTC; to includes its whole day) or RFC 3339 instants (to
// excluded); empty means the 30 days up to today.
type ReportInput struct {
	From, To string
	Group    string // day (default), week, agent, team, mailbox, tag
	Mailbox  int64
	Team     int64
	Tag      string
}

// Report limits and defaults.
const (
	reportDefaultDays = 30
	// reportMaxDays bounds the range, and with it the rows of a day report.
	reportMaxDays = 1100
)

// ReportSummary returns the summary report's rows (README "Reports" has the
// definitions). Every agent sees the figures of every ticket, as they see
// every ticket; team visibility will be decided here.
func (s *Service) ReportSummary(ctx context.Context, viewer store.User, in ReportInput) ([]store.ReportRow, error) {
	q, err := s.reportQuery(in)
	if err != nil {
		return nil, err
	}
	if err := s.reportHours(ctx, &q); err != nil {
		return nil, err
	}
	rows, err := s.store.ReportSummary(ctx, q)
	if err != nil {
		return nil, err
	}
	if q.Group == store.GroupDay || q.Group == store.GroupWeek {
		rows = fillPeriods(rows, q)
	}
	return rows, nil
}

// reportHours asks for business seconds when any business hours exist,
// with the calendar of every SLA policy that has one: a ticket's business
// seconds are counted by its SLA policy's calendar (the policy it got, as
// that policy is now).
func (s *Service) reportHours(ctx context.Context, q *store.ReportQuery) error {
	cals, err := s.store.ListBusinessHours(ctx, s.db)
	if err != nil || len(cals) == 0 {
		return err
	}
	byID := map[int64]*sla.Hours{}
	for _, b := range cals {
		if byID[b.ID], err = parseHours(b); err != nil {
			return fmt.Errorf("business hours %d: %w", b.ID, err)
		}
	}
	policies, err := s.store.ListSLAPolicies(ctx, s.db)
	if err != nil {
		return err
	}
	q.Business, q.Hours = true, map[int64]*sla.Hours{}
	for _, p := range policies {
		if h := byID[p.BusinessHoursID]; h != nil {
			q.Hours[p.ID] = h
		}
	}
	return nil
}

func (s *Service) reportQuery(in ReportInput) (store.ReportQuery, error) {
	q := store.ReportQuery{Group: store.ReportGroup(in.Group), MailboxID: in.Mailbox, TeamID: in.Team, Tag: in.Tag}
	switch q.Group {
	case "":
		q.Group = store.GroupDay
	case store.GroupDay, store.GroupWeek, store.GroupAgent, store.GroupTeam, store.GroupMailbox, store.GroupTag:
	default:
		return q, domain.BadRequest("group", "must be day, week, agent, team, mailbox or tag")
	}
	var err error
	if q.To, err = reportTime(in.To, true); err != nil {
		return q, domain.BadRequest("to", err.Error())
	}
	if q.To.IsZero() {
		q.To = s.now().Truncate(24*time.Hour).AddDate(0, 0, 1)
	}
	if q.From, err = reportTime(in.From, false); err != nil {
		return q, domain.BadRequest("from", err.Error())
	}
	if q.From.IsZero() {
		q.From = q.To.AddDate(0, 0, -reportDefaultDays)
	}
	// The facts keep whole seconds (store.ReportQuery).
	q.From, q.To = q.From.Truncate(time.Second), q.To.Truncate(time.Second)
	if !q.From.Before(q.To) {
		return q, domain.Invalid("from", "must be before to")
	}
	if q.To.Sub(q.From) > reportMaxDays*24*time.Hour {
		return q, domain.Invalid("from", fmt.Sprintf("the range may span at most %d days", reportMaxDays))
	}
	return q, nil
}

// reportTime reads a date or an RFC 3339 instant; a date as the end of a
// range means the end of that day.
func reportTime(v string, end bool) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	return t.UTC(), nil
}

// fillPeriods gives every day (or week) of the range a row, empty ones
// included, so that a chart's axis is the calendar; rows come back in order.
func fillPeriods(rows []store.ReportRow, q store.ReportQuery) []store.ReportRow {
	have := make(map[string]store.ReportRow, len(rows))
	for _, r := range rows {
		have[r.Key] = r
	}
	step := 1
	p := q.From.UTC().Truncate(24 * time.Hour)
	if q.Group == store.GroupWeek {
		step = 7
		p = p.AddDate(0, 0, -((int(p.Weekday()) + 6) % 7)) // back to Monday
	}
	out := make([]store.ReportRow, 0, len(rows))
	for ; p.Before(q.To); p = p.AddDate(0, 0, step) {
		k := p.Format(time.DateOnly)
		r, ok := have[k]
		if !ok {
			r = store.ReportRow{Key: k, Business: q.Business}
		}
		out = append(out, r)
	}
	return out
}
