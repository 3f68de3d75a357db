package sla

import (
	"slices"
	"testing"
	"time"
)

func TestPauseWhilePendingAndRestart(t *testing.T) {
	t.Parallel()
	h := mustParse(t, "America/New_York", weekdays("09:00", "17:00"), nil)
	p := Policy{ID: 1, Name: "std", FirstResponse: time.Hour, NextResponse: 2 * time.Hour, Done: 8 * time.Hour, Hours: h}
	ny := func(wall string) time.Time { return at(t, "America/New_York", wall) }

	s := Start(p, ny("2026-06-01 09:00")) // Monday
	if !s.Due[Resolution].Equal(ny("2026-06-01 17:00")) || !s.Due[FirstResponse].Equal(ny("2026-06-01 10:00")) {
		t.Fatalf("start: %v", s.Due)
	}
	s.AgentReplied()
	s.Pause(ny("2026-06-01 13:00")) // 4 working hours of resolution left
	if !s.DueAt().IsZero() || !s.CheckAt().IsZero() {
		t.Fatal("a paused clock has no due time")
	}
	if got := s.Breach(ny("2026-06-02 09:00")); got != nil {
		t.Fatalf("a paused clock breached %v", got)
	}
	s.Resume(p, ny("2026-06-03 10:00")) // Wednesday: the customer replied
	s.CustomerReplied(p, ny("2026-06-03 10:00"))
	if want := ny("2026-06-03 14:00"); !s.Due[Resolution].Equal(want) {
		t.Fatalf("resolution after restart = %v, want %v", s.Due[Resolution], want)
	}
	if want := ny("2026-06-03 12:00"); !s.Due[NextResponse].Equal(want) || !s.DueAt().Equal(want) {
		t.Fatalf("next response = %v, due at %v, want %v", s.Due[NextResponse], s.DueAt(), want)
	}
}

func TestBreachOncePerDueTime(t *testing.T) {
	t.Parallel()
	p := Policy{ID: 1, Name: "std", FirstResponse: time.Hour, NextResponse: time.Hour, Done: 4 * time.Hour}
	t0 := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	s := Start(p, t0)
	if got := s.Breach(t0.Add(59 * time.Minute)); got != nil {
		t.Fatalf("early breach %v", got)
	}
	if got := s.Breach(t0.Add(time.Hour)); !slices.Equal(got, []Target{FirstResponse}) {
		t.Fatalf("breach = %v", got)
	}
	if got := s.Breach(t0.Add(2 * time.Hour)); got != nil {
		t.Fatalf("breached again: %v", got)
	}
	if !s.CheckAt().Equal(t0.Add(4*time.Hour)) || !s.DueAt().Equal(t0.Add(time.Hour)) {
		t.Fatalf("check at %v, due at %v", s.CheckAt(), s.DueAt())
	}
	s.AgentReplied()
	s.CustomerReplied(p, t0.Add(2*time.Hour))
	if got := s.Breach(t0.Add(5 * time.Hour)); !slices.Equal(got, []Target{NextResponse, Resolution}) {
		t.Fatalf("breach = %v", got)
	}
	if got := s.BreachedTargets(); !slices.Equal(got, []string{"first_response", "next_response", "resolution"}) {
		t.Fatalf("breached = %v", got)
	}
	s.Resolved()
	if !s.DueAt().IsZero() {
		t.Fatal("a resolved ticket has a due time")
	}
}
