package sla

import (
	"slices"
	"time"
)

// Target names one promise of a policy.
type Target string

// Targets.
const (
	FirstResponse Target = "first_response" // the first agent reply
	NextResponse  Target = "next_response"  // an agent reply after each later customer message
	Resolution    Target = "resolution"     // solved
)

// Targets lists them in the order they are shown.
func Targets() []Target { return []Target{FirstResponse, NextResponse, Resolution} }

// Policy is what a policy promises, in working time of its calendar (nil
// Hours: around the clock); a zero duration promises nothing.
type Policy struct {
	ID                                int64
	Name                              string
	FirstResponse, NextResponse, Done time.Duration
	Hours                             *Hours
}

// Breach is one target missed: the due time it missed. A target is breached
// at most once per due time, which is what makes the breach job's work
// exactly once (the next response can be missed again after a later
// customer message: a new due time).
type Breach struct {
	Target Target    `json:"target"`
	Due    time.Time `json:"due"`
}

// State is a ticket's SLA clock. A zero due time is a target not running
// (met, or never promised). While paused (pending), due times stand still:
// on resume each running one moves by the working time paused.
type State struct {
	PolicyID   int64
	PolicyName string
	Due        map[Target]time.Time
	PausedAt   time.Time
	Breaches   []Breach
}

// Start is the clock of a ticket opened at.
func Start(p Policy, at time.Time) State {
	s := State{PolicyID: p.ID, PolicyName: p.Name, Due: map[Target]time.Time{}}
	s.arm(p, FirstResponse, p.FirstResponse, at)
	s.arm(p, Resolution, p.Done, at)
	return s
}

func (s *State) arm(p Policy, t Target, d time.Duration, at time.Time) {
	if d <= 0 {
		delete(s.Due, t)
		return
	}
	if due, ok := p.Hours.Add(at, d); ok {
		s.Due[t] = due
	} else {
		delete(s.Due, t) // no working time ahead: no due time
	}
}

// Pause stops the clock (the ticket went pending).
func (s *State) Pause(at time.Time) {
	if s.PausedAt.IsZero() {
		s.PausedAt = at
	}
}

// Resume restarts a paused clock: each running, unbreached due time gets
// back the working time that was left of it when the clock paused.
func (s *State) Resume(p Policy, at time.Time) {
	if s.PausedAt.IsZero() {
		return
	}
	for t, due := range s.Due {
		if s.breached(t, due) || !due.After(s.PausedAt) {
			continue
		}
		if next, ok := p.Hours.Add(at, p.Hours.Between(s.PausedAt, due)); ok {
			s.Due[t] = next
		}
	}
	s.PausedAt = time.Time{}
}

// AgentReplied meets the response targets.
func (s *State) AgentReplied() {
	delete(s.Due, FirstResponse)
	delete(s.Due, NextResponse)
}

// CustomerReplied starts the next-response clock, unless a response is
// already awaited.
func (s *State) CustomerReplied(p Policy, at time.Time) {
	if _, ok := s.Due[FirstResponse]; ok {
		return
	}
	if _, ok := s.Due[NextResponse]; ok {
		return
	}
	s.arm(p, NextResponse, p.NextResponse, at)
}

// Resolved meets every target (solved or closed).
func (s *State) Resolved() {
	clear(s.Due)
	s.PausedAt = time.Time{}
}

// Reopened starts the resolution clock again (a solved ticket reopened).
func (s *State) Reopened(p Policy, at time.Time) {
	s.PausedAt = time.Time{}
	s.arm(p, Resolution, p.Done, at)
}

func (s *State) breached(t Target, due time.Time) bool {
	return slices.ContainsFunc(s.Breaches, func(b Breach) bool { return b.Target == t && b.Due.Equal(due) })
}

// DueAt is the earliest running due time, breached ones included (the
// queue's order and badge); zero while paused or when none runs.
func (s *State) DueAt() time.Time { return s.earliest(false) }

// CheckAt is when the next breach can happen: the earliest running due
// time not yet breached; zero while paused or when none is left.
func (s *State) CheckAt() time.Time { return s.earliest(true) }

func (s *State) earliest(unbreached bool) time.Time {
	var min time.Time
	if !s.PausedAt.IsZero() {
		return min
	}
	for t, due := range s.Due {
		if unbreached && s.breached(t, due) {
			continue
		}
		if min.IsZero() || due.Before(min) {
			min = due
		}
	}
	return min
}

// Breach records the targets whose due time has passed at now and that
// were not breached yet, and returns them (in Targets order). A paused
// clock breaches nothing.
func (s *State) Breach(now time.Time) []Target {
	if !s.PausedAt.IsZero() {
		return nil
	}
	var out []Target
	for _, t := range Targets() {
		due, ok := s.Due[t]
		if !ok || due.After(now) || s.breached(t, due) {
			continue
		}
		s.Breaches = append(s.Breaches, Breach{Target: t, Due: due})
		out = append(out, t)
	}
	return out
}

// BreachedTargets names the targets ever breached, once each, in Targets order.
func (s *State) BreachedTargets() []string {
	out := []string{}
	for _, t := range Targets() {
		if slices.ContainsFunc(s.Breaches, func(b Breach) bool { return b.Target == t }) {
			out = append(out, string(t))
		}
	}
	return out
}
