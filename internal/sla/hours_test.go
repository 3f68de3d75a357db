package sla

import (
	"errors"
	"testing"
	"time"
)

func weekdays(start, end string) []Period {
	var out []Period
	for d := 1; d <= 5; d++ {
		out = append(out, Period{Day: d, Start: start, End: end})
	}
	return out
}

func everyDay(start, end string) []Period {
	var out []Period
	for d := 0; d <= 6; d++ {
		out = append(out, Period{Day: d, Start: start, End: end})
	}
	return out
}

func mustParse(t *testing.T, tz string, week []Period, holidays []string) *Hours {
	t.Helper()
	h, err := Parse(tz, week, holidays)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// at reads a wall-clock time in a zone.
func at(t *testing.T, tz, wall string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestAdd(t *testing.T) {
	t.Parallel()
	mondays := []string{}
	for d := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC); d.Year() < 2030; d = d.AddDate(0, 0, 7) {
		mondays = append(mondays, d.Format(time.DateOnly))
	}
	cases := []struct {
		name     string
		tz       string
		week     []Period
		holidays []string
		from     string
		add      time.Duration
		want     string // wall clock in tz; "" for no due time
	}{
		{"west of UTC, over a weekend into spring forward (New York)", "America/New_York", weekdays("09:00", "17:00"), nil,
			"2026-03-06 16:00", 2 * time.Hour, "2026-03-09 10:00"},
		{"west of UTC, fall back (New York)", "America/New_York", weekdays("09:00", "17:00"), nil,
			"2026-10-30 16:30", time.Hour, "2026-11-02 09:30"},
		{"around the clock, spring forward: the lost hour is no working time (Paris)", "Europe/Paris", everyDay("00:00", "24:00"), nil,
			"2026-03-28 12:00", 24 * time.Hour, "2026-03-29 13:00"},
		{"around the clock, fall back: the repeated hour is working time (Paris)", "Europe/Paris", everyDay("00:00", "24:00"), nil,
			"2026-10-24 12:00", 24 * time.Hour, "2026-10-25 11:00"},
		{"east of UTC, over a holiday (Tokyo)", "Asia/Tokyo", weekdays("09:00", "18:00"), []string{"2026-01-01"},
			"2025-12-31 17:00", 2 * time.Hour, "2026-01-02 10:00"},
		{"east of UTC, half-hour zone, before opening (Kolkata)", "Asia/Kolkata", weekdays("09:30", "18:00"), nil,
			"2026-06-01 08:00", 30 * time.Minute, "2026-06-01 10:00"},
		{"west of UTC, Friday evening to Monday (Los Angeles)", "America/Los_Angeles", weekdays("09:00", "17:00"), nil,
			"2026-06-05 16:30", time.Hour, "2026-06-08 09:30"},
		{"two periods a day, the lunch break is not counted", "Europe/Berlin",
			[]Period{{Day: 2, Start: "09:00", End: "12:00"}, {Day: 2, Start: "13:00", End: "17:00"}}, nil,
			"2026-06-02 11:00", 2 * time.Hour, "2026-06-02 14:00"},
		{"end 24:00: the day's last hour, then a week later", "UTC", []Period{{Day: 6, Start: "20:00", End: "24:00"}}, nil,
			"2026-06-06 23:00", 2 * time.Hour, "2026-06-13 21:00"},
		{"zero time outside hours is the next opening", "UTC", weekdays("09:00", "17:00"), nil,
			"2026-06-06 10:00", 0, "2026-06-08 09:00"},
		{"the only working day is always a holiday: no due time", "UTC", []Period{{Day: 1, Start: "09:00", End: "17:00"}}, mondays,
			"2026-01-01 10:00", time.Hour, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h := mustParse(t, c.tz, c.week, c.holidays)
			got, ok := h.Add(at(t, c.tz, c.from), c.add)
			if c.want == "" {
				if ok {
					t.Fatalf("Add = %v, want no due time", got)
				}
				return
			}
			if !ok || !got.Equal(at(t, c.tz, c.want)) {
				t.Fatalf("Add = %v (%v), want %s %s", got.In(h.loc), ok, c.want, c.tz)
			}
			// Between undoes Add.
			if back := h.Between(at(t, c.tz, c.from), got); back != c.add && c.add != 0 {
				t.Fatalf("Between = %v, want %v", back, c.add)
			}
		})
	}
}

func TestBetweenOverDaylightSaving(t *testing.T) {
	t.Parallel()
	h := mustParse(t, "Europe/Paris", everyDay("00:00", "24:00"), nil)
	cases := []struct {
		name     string
		from, to string
		want     time.Duration
	}{
		{"spring forward: the day has 23 working hours", "2026-03-29 00:00", "2026-03-30 00:00", 23 * time.Hour},
		{"fall back: the day has 25 working hours", "2026-10-25 00:00", "2026-10-26 00:00", 25 * time.Hour},
		{"an ordinary day", "2026-06-01 00:00", "2026-06-02 00:00", 24 * time.Hour},
		{"backwards is nothing", "2026-06-02 00:00", "2026-06-01 00:00", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := h.Between(at(t, "Europe/Paris", c.from), at(t, "Europe/Paris", c.to)); got != c.want {
				t.Fatalf("Between = %v, want %v", got, c.want)
			}
		})
	}
}

func TestNilHoursIsAroundTheClock(t *testing.T) {
	t.Parallel()
	var h *Hours
	from := time.Date(2026, 3, 8, 1, 0, 0, 0, time.UTC)
	if got, ok := h.Add(from, 90*time.Minute); !ok || !got.Equal(from.Add(90*time.Minute)) {
		t.Fatalf("Add = %v %v", got, ok)
	}
	if got := h.Between(from, from.Add(time.Hour)); got != time.Hour {
		t.Fatalf("Between = %v", got)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		tz       string
		week     []Period
		holidays []string
		field    string
	}{
		{"no time zone", "", weekdays("09:00", "17:00"), nil, "timezone"},
		{"unknown time zone", "Mars/Olympus", weekdays("09:00", "17:00"), nil, "timezone"},
		{"a week with no working hours", "UTC", nil, nil, "week"},
		{"day 7", "UTC", []Period{{Day: 7, Start: "09:00", End: "17:00"}}, nil, "week[0].day"},
		{"start 24:00", "UTC", []Period{{Day: 1, Start: "24:00", End: "24:00"}}, nil, "week[0].start"},
		{"end 24:01", "UTC", []Period{{Day: 1, Start: "09:00", End: "24:01"}}, nil, "week[0].end"},
		{"end before start", "UTC", []Period{{Day: 1, Start: "17:00", End: "09:00"}}, nil, "week[0].end"},
		{"H:MM", "UTC", []Period{{Day: 1, Start: "9:00", End: "17:00"}}, nil, "week[0].start"},
		{"overlap", "UTC", []Period{{Day: 1, Start: "09:00", End: "12:00"}, {Day: 1, Start: "11:00", End: "17:00"}}, nil, "week"},
		{"bad holiday", "UTC", weekdays("09:00", "17:00"), []string{"2026-13-01"}, "holidays[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(c.tz, c.week, c.holidays)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != c.field {
				t.Fatalf("err = %v, want a field error on %s", err, c.field)
			}
		})
	}
}
