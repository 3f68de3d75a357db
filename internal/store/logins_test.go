package store_test

import (
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// One key's sign-in attempts, steps in order, in a 15-minute window.
func TestLoginAttempts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		const size = 15 * time.Minute
		for _, step := range []struct {
			name   string
			do     string        // count (the default), forgive or clear
			at     time.Duration // after t0, for count
			want   store.LoginWindow
			wantAt time.Duration // the window's start, after t0
		}{
			{name: "first attempt opens the window", at: 0, want: store.LoginWindow{Fails: 1}},
			{name: "second in the window", at: time.Minute, want: store.LoginWindow{Fails: 2}},
			{name: "forgiven", do: "forgive"},
			{name: "after forgiving", at: 2 * time.Minute, want: store.LoginWindow{Fails: 2}},
			{name: "window ended: a new one", at: size, want: store.LoginWindow{Fails: 1}, wantAt: size},
			{name: "cleared", do: "clear"},
			{name: "after clearing: a new window", at: size + time.Minute, want: store.LoginWindow{Fails: 1}, wantAt: size + time.Minute},
		} {
			switch step.do {
			case "forgive":
				if err := s.ForgiveLoginAttempt(ctx, "k"); err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
			case "clear":
				if err := s.ClearLoginFailures(ctx, "k"); err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
			default:
				w, err := s.CountLoginAttempt(ctx, "k", size, t0.Add(step.at))
				step.want.Start = t0.Add(step.wantAt)
				if err != nil || w.Fails != step.want.Fails || !w.Start.Equal(step.want.Start) {
					t.Fatalf("%s: CountLoginAttempt(+%s) = %+v, %v; want %+v", step.name, step.at, w, err, step.want)
				}
			}
		}
	})
}
