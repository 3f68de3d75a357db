// Package sla is the pure arithmetic of SLA policies: business hours (a
// weekly schedule in a time zone, with holidays), adding working time to an
// instant, and the working time between two instants. No SQL, no clock.
package sla

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones work on a machine (or image) without zoneinfo
)

// Period is one working period of a weekday: Day 0 (Sunday) to 6, Start and
// End "HH:MM" in the calendar's time zone, End up to "24:00".
type Period struct {
	Day   int    `json:"day"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Hours is a business-hours calendar, checked (Parse).
type Hours struct {
	loc      *time.Location
	week     [7][][2]int // minutes from midnight, sorted, not overlapping
	holidays map[string]bool
}

// FieldError names what is wrong with a calendar (the API's 422 field).
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Parse checks a calendar. A week with no working period at all is refused:
// no due time could ever be reached (see Add for what a calendar does whose
// every working day is a holiday).
func Parse(timezone string, week []Period, holidays []string) (*Hours, error) {
	if timezone == "" {
		return nil, &FieldError{"timezone", "is required (an IANA name such as Europe/Paris)"}
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil || timezone == "Local" {
		return nil, &FieldError{"timezone", fmt.Sprintf("%q is not an IANA time zone", timezone)}
	}
	h := &Hours{loc: loc, holidays: map[string]bool{}}
	for i, p := range week {
		f := func(name string) string { return fmt.Sprintf("week[%d].%s", i, name) }
		if p.Day < 0 || p.Day > 6 {
			return nil, &FieldError{f("day"), "must be 0 (Sunday) to 6"}
		}
		start, ok := clock(p.Start, false)
		if !ok {
			return nil, &FieldError{f("start"), "must be HH:MM, 00:00 to 23:59"}
		}
		end, ok := clock(p.End, true)
		if !ok {
			return nil, &FieldError{f("end"), "must be HH:MM, 00:01 to 24:00"}
		}
		if end <= start {
			return nil, &FieldError{f("end"), "must be after start"}
		}
		h.week[p.Day] = append(h.week[p.Day], [2]int{start, end})
	}
	total := 0
	for d := range h.week {
		slices.SortFunc(h.week[d], func(a, b [2]int) int { return a[0] - b[0] })
		for j := 1; j < len(h.week[d]); j++ {
			if h.week[d][j][0] < h.week[d][j-1][1] {
				return nil, &FieldError{"week", fmt.Sprintf("periods of day %d overlap", d)}
			}
		}
		total += len(h.week[d])
	}
	if total == 0 {
		return nil, &FieldError{"week", "needs at least one working period"}
	}
	for i, d := range holidays {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, &FieldError{fmt.Sprintf("holidays[%d]", i), "must be a date YYYY-MM-DD"}
		}
		h.holidays[d] = true
	}
	return h, nil
}

// clock reads "HH:MM" as minutes from midnight; "24:00" only as an end.
func clock(s string, end bool) (int, bool) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) != 2 || len(mm) != 2 {
		return 0, false
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || m < 0 || m > 59 || h < 0 {
		return 0, false
	}
	v := h*60 + m
	if end {
		return v, v >= 1 && v <= 24*60
	}
	return v, v <= 24*60-1
}

// horizon bounds how many days Add and Between walk: a due time further
// than this from its start (a calendar of holidays only) is none.
const horizon = 3 * 366

// periods calls yield with the working periods, as instants, of each day
// from the one holding t on, in order, until yield returns false or the
// horizon is reached. Each bound is built from the calendar's wall clock,
// so a day that loses or gains an hour to daylight saving has a period that
// many real minutes shorter or longer.
func (h *Hours) periods(t time.Time, yield func(start, end time.Time) bool) {
	local := t.In(h.loc)
	y, m, d := local.Date()
	for i := 0; i < horizon; i++ {
		day := time.Date(y, m, d+i, 12, 0, 0, 0, h.loc) // noon: always exists
		if h.holidays[day.Format(time.DateOnly)] {
			continue
		}
		for _, p := range h.week[day.Weekday()] {
			start := time.Date(y, m, d+i, p[0]/60, p[0]%60, 0, 0, h.loc)
			end := time.Date(y, m, d+i, p[1]/60, p[1]%60, 0, 0, h.loc)
			if !end.After(t) || !end.After(start) {
				continue
			}
			if !yield(start, end) {
				return
			}
		}
	}
}

// Add returns the instant at which d of working time has passed since t. A
// nil calendar works around the clock. ok is false when no such instant lies
// within three years (a calendar whose working days are all holidays): the
// target then has no due time.
func (h *Hours) Add(t time.Time, d time.Duration) (due time.Time, ok bool) {
	if h == nil {
		return t.Add(d), true
	}
	left := d
	h.periods(t, func(start, end time.Time) bool {
		from := start
		if t.After(from) {
			from = t
		}
		if span := end.Sub(from); left <= span {
			due, ok = from.Add(left), true
			return false
		} else {
			left -= span
		}
		return true
	})
	return due, ok
}

// Between returns the working time from a to b (0 when b is not after a).
func (h *Hours) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	if h == nil {
		return b.Sub(a)
	}
	var sum time.Duration
	h.periods(a, func(start, end time.Time) bool {
		if !start.Before(b) {
			return false
		}
		from, to := start, end
		if a.After(from) {
			from = a
		}
		if b.Before(to) {
			to = b
		}
		sum += to.Sub(from)
		return true
	})
	return sum
}
