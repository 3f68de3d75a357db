package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

type limitsBundle struct {
	ctx     context.Context
	st      *store.Store
	now     time.Time
	limited *RateLimitError
}

// setupLimits makes a store with ada@acme.test ("right password") and a
// Service factory sharing it (two calls are two replicas).
func setupLimits(t *testing.T, dsn string) (*limitsBundle, func(Config) *Service) {
	t.Helper()
	b := &limitsBundle{ctx: context.Background(), st: store.New(storetest.Open(t, dsn)), now: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	hash, err := HashPassword("right password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.CreateUser(b.ctx, store.User{Email: "ada@acme.test", Name: "Ada", Role: "admin", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return b, func(c Config) *Service {
		c.Store, c.BaseURL, c.Logger = b.st, "http://localhost:8080", slog.New(slog.DiscardHandler)
		c.Now = func() time.Time { return b.now }
		c.FailDelay = -1
		s, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func login(b *limitsBundle, s *Service, password, addr string) error {
	_, err := s.Login(b.ctx, "Ada@acme.test", password, Client{RemoteAddr: addr})
	return err
}

// Sign-in attempts are counted in the database: two replicas share one
// limit per account and client, in fixed windows; a good sign-in clears it.
func TestSignInLimitsAreSharedByReplicas(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		cfg := Config{AccountLimit: 3, AddressLimit: 5, LimitWindow: 15 * time.Minute}
		a, c := replica(cfg), replica(cfg)

		// Three failures from one client, on either replica, lock that
		// client out of the account on both.
		for i, s := range []*Service{a, c, a} {
			if err := login(b, s, "wrong", "10.0.0.1"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
			b.now = b.now.Add(time.Minute)
		}
		if err := login(b, c, "right password", "10.0.0.1"); !errors.As(err, &b.limited) || b.limited.RetryAfter != 12*time.Minute {
			t.Fatalf("after 3 failures on two replicas: %v, want a 12 minute wait", err)
		}
		// The window is fixed: it ends 15 minutes after the first failure.
		b.now = b.now.Add(12 * time.Minute)
		if err := login(b, c, "right password", "10.0.0.1"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// The good sign-in cleared the count: three new failures are needed again.
		for range 2 {
			if err := login(b, a, "wrong", "10.0.0.1"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatal(err)
			}
		}
		if err := login(b, a, "right password", "10.0.0.1"); err != nil {
			t.Fatalf("two failures after a good sign-in must not lock: %v", err)
		}
		// A client is limited across accounts.
		for i := range 5 {
			if _, err := c.Login(b.ctx, "nobody"+string(rune('a'+i))+"@acme.test", "x", Client{RemoteAddr: "10.9.9.9"}); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("unknown account %d: %v", i, err)
			}
		}
		if err := login(b, a, "right password", "10.9.9.9"); !errors.As(err, &b.limited) {
			t.Fatalf("a client with 5 failures: %v, want a wait", err)
		}
	})
}

// TestStrangerCannotLockOutTheUser: wrong passwords from elsewhere lock
// the stranger out, never the real user where they sign in.
func TestStrangerCannotLockOutTheUser(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		s := replica(Config{AccountLimit: 5})
		for i := range 5 {
			if err := login(b, s, "guess", "203.0.113.9"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		if err := login(b, s, "right password", "203.0.113.9"); !errors.As(err, &b.limited) {
			t.Fatalf("the stranger's sixth try: %v, want a wait", err)
		}
		if err := login(b, s, "right password", "198.51.100.7"); err != nil {
			t.Fatalf("the real user from their own address: %v", err)
		}
	})
}

// TestParallelSignInsAreCountedBeforeHashing: 12 wrong passwords at once
// for one account from one client: only the limit's worth are checked, the
// rest refused without hashing.
func TestParallelSignInsAreCountedBeforeHashing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		// The five hashes that are let through run one or two at a time:
		// on a starved machine (with -race, under nice) they took over a
		// minute, and a sign-in still waiting was refused as busy. An hour
		// keeps the test about counting, not about the machine's speed.
		s := replica(Config{AccountLimit: 5, HashWait: time.Hour})
		const n = 12
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() { errs <- login(b, s, "wrong", "10.0.0.1") })
		}
		wg.Wait()
		close(errs)
		checked, limited := 0, 0
		for err := range errs {
			switch {
			case errors.Is(err, ErrInvalidCredentials):
				checked++
			case errors.As(err, &b.limited) && !b.limited.Busy:
				limited++
			default:
				t.Fatalf("unexpected: %v", err)
			}
		}
		if checked != 5 || limited != n-5 {
			t.Fatalf("%d checked and %d limited, want 5 and %d", checked, limited, n-5)
		}
	})
}

// TestPasswordChecksAreCapped: with room for one hash at a time and no
// time to wait, parallel sign-ins are refused as busy, not queued, and a
// busy refusal does not count against the user.
func TestPasswordChecksAreCapped(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		s := replica(Config{AccountLimit: 100, AddressLimit: 100, HashMemory: argonMemory << 10, HashWait: time.Millisecond})
		if cap(s.hashes) != 1 {
			t.Fatalf("%d slots for one hash's memory", cap(s.hashes))
		}
		const n = 8
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs <- login(b, s, "wrong", fmt.Sprintf("10.0.1.%d", i)) })
		}
		wg.Wait()
		close(errs)
		busy := 0
		for err := range errs {
			if errors.As(err, &b.limited) && b.limited.Busy && b.limited.RetryAfter > 0 {
				busy++
			} else if !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("unexpected: %v", err)
			}
		}
		if busy == 0 {
			t.Fatal("no sign-in was refused as busy with one slot for 8 at once")
		}
		for i := range n {
			w, err := b.st.CountLoginAttempt(b.ctx, fmt.Sprintf("address:10.0.1.%d", i), 15*time.Minute, b.now)
			if err != nil {
				t.Fatal(err)
			}
			if w.Fails > 2 {
				t.Fatalf("client %d: %d attempts counted, want at most its own plus this one", i, w.Fails)
			}
		}
	})
}

// TestFailedSignInDelayGrows: each failure of one account from one client
// waits twice as long as the one before, up to 256 times the first.
func TestFailedSignInDelayGrows(t *testing.T) {
	t.Parallel()
	s := &Service{cfg: Config{FailDelay: time.Millisecond}}
	for tries, want := range map[int]time.Duration{1: time.Millisecond, 2: 2 * time.Millisecond, 4: 8 * time.Millisecond, 9: 256 * time.Millisecond, 50: 256 * time.Millisecond} {
		if got := s.failDelay(tries); got != want {
			t.Errorf("try %d waits %v, want %v", tries, got, want)
		}
	}
}

// TestNewDefaults: New gives each zero setting its default (a negative
// hash memory or wait too) and keeps each one given; the hash slots are
// the hash memory over one hash's 64 MiB, at least one.
func TestNewDefaults(t *testing.T) {
	t.Parallel()
	type settings struct {
		idle, maxAge, window, failDelay, hashWait time.Duration
		account, address                          int
		hashMemory                                int64
		slots                                     int
	}
	defaults := settings{idle: 12 * time.Hour, maxAge: 30 * 24 * time.Hour, window: 15 * time.Minute, failDelay: 250 * time.Millisecond,
		hashWait: 2 * time.Second, account: 5, address: 20, hashMemory: 128 << 20, slots: 2}
	with := func(change func(*settings)) settings {
		s := defaults
		change(&s)
		return s
	}
	cases := []struct {
		name string
		cfg  Config
		want settings
	}{
		{"zero", Config{}, defaults},
		{"negative", Config{HashMemory: -1, HashWait: -1, FailDelay: -1}, with(func(s *settings) { s.failDelay = -1 })},
		{"given", Config{IdleTimeout: time.Hour, MaxAge: 2 * time.Hour, LimitWindow: time.Minute, FailDelay: time.Second,
			HashWait: time.Minute, AccountLimit: 3, AddressLimit: 7, HashMemory: 3 * argonMemory << 10},
			settings{idle: time.Hour, maxAge: 2 * time.Hour, window: time.Minute, failDelay: time.Second,
				hashWait: time.Minute, account: 3, address: 7, hashMemory: 3 * argonMemory << 10, slots: 3}},
		{"less than one hash's memory", Config{HashMemory: 1 << 20}, with(func(s *settings) { s.hashMemory, s.slots = 1<<20, 1 })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.cfg.BaseURL = "http://localhost:8080"
			s, err := New(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := settings{idle: s.cfg.IdleTimeout, maxAge: s.cfg.MaxAge, window: s.cfg.LimitWindow, failDelay: s.cfg.FailDelay,
				hashWait: s.cfg.HashWait, account: s.cfg.AccountLimit, address: s.cfg.AddressLimit, hashMemory: s.cfg.HashMemory, slots: cap(s.hashes)}
			if got != c.want {
				t.Fatalf("settings %+v, want %+v", got, c.want)
			}
			if s.cfg.Now == nil || s.log == nil {
				t.Fatal("no clock or no logger")
			}
		})
	}
}

// TestFailedSignInWaits: a failed sign-in waits FailDelay doubled for each
// earlier failure of the same account from the same client, counted in
// that pair's window, not the client's (here the client's window started
// earlier and has ended). Users without a password fail without hashing,
// so the sign-in takes about the wait; only its lower bound is checked.
func TestFailedSignInWaits(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		for _, email := range []string{"cy@acme.test", "dee@acme.test"} {
			if _, err := b.st.CreateUser(b.ctx, store.User{Email: email, Name: "No Password", Role: "agent", CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		s := replica(Config{AccountLimit: 100, AddressLimit: 100, LimitWindow: 15 * time.Minute}) // no delay yet
		fail := func(email string) time.Duration {
			t.Helper()
			start := time.Now()
			if _, err := s.Login(b.ctx, email, "wrong", Client{RemoteAddr: "10.0.0.1"}); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("%s: %v", email, err)
			}
			return time.Since(start)
		}
		fail("dee@acme.test")
		b.now = b.now.Add(10 * time.Minute)
		for range 4 {
			fail("cy@acme.test")
		}
		// The client's window has ended (its failure here is its first), Cy's
		// from this client has not (the fifth): 16 times FailDelay.
		b.now = b.now.Add(6 * time.Minute)
		s.cfg.FailDelay = 100 * time.Millisecond
		if took := fail("cy@acme.test"); took < 1600*time.Millisecond {
			t.Fatalf("the fifth failure took %s, want at least 1.6 s", took)
		}
	})
}

// TestSignInWarnings: a failed sign-in is a warning; a refusal for want of
// a hash slot and a good sign-in log nothing (their attempts are forgiven,
// and the good one clears the account's failures, without error).
func TestSignInWarnings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		s := replica(Config{HashWait: time.Hour})
		rec := &logRecorder{}
		s.log = slog.New(rec)
		if err := login(b, s, "wrong", "10.0.0.1"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatal(err)
		}
		if w := warnings(rec.take()); !slices.Equal(w, []string{"WARN failed sign-in"}) {
			t.Fatalf("a failed sign-in logged %q", w)
		}
		// Every slot taken: refused as busy, unchecked. (The wait is short
		// only here: with a slot free and the wait over, select would pick
		// either at random.)
		for range cap(s.hashes) {
			s.hashes <- struct{}{}
		}
		s.cfg.HashWait = time.Millisecond
		if err := login(b, s, "right password", "10.0.0.1"); !errors.As(err, &b.limited) || !b.limited.Busy {
			t.Fatalf("with every slot taken: %v", err)
		}
		s.cfg.HashWait = time.Hour
		for range cap(s.hashes) {
			<-s.hashes
		}
		if w := warnings(rec.take()); len(w) > 0 {
			t.Fatalf("a busy refusal logged %q", w)
		}
		if err := login(b, s, "right password", "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if w := warnings(rec.take()); len(w) > 0 {
			t.Fatalf("a good sign-in logged %q", w)
		}
		// Counting one more: the account's failures were cleared, the
		// client's busy and good attempts forgiven (its failure stays).
		for key, want := range map[string]int{"account:ada@acme.test|10.0.0.1": 1, "address:10.0.0.1": 2} {
			if w, err := b.st.CountLoginAttempt(b.ctx, key, 15*time.Minute, b.now); err != nil || w.Fails != want {
				t.Errorf("%s: %d attempts, %v; want %d", key, w.Fails, err, want)
			}
		}
	})
}
