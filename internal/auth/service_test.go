package auth

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// Failed sign-ins are counted in the database: two replicas share one limit,
// per account and per address, in fixed windows; a good sign-in clears the
// account's count.
func TestSignInLimitsAreSharedByReplicas(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		st := store.New(storetest.Open(t, dsn))
		hash, err := HashPassword("right password")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateUser(ctx, store.User{Email: "ada@acme.test", Name: "Ada", Role: "admin", PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		replica := func() *Service {
			s, err := New(Config{Store: st, BaseURL: "http://localhost:8080", Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now },
				AccountLimit: 3, AddressLimit: 5, LimitWindow: 15 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		a, b := replica(), replica()
		from := func(addr string) Client { return Client{RemoteAddr: addr} }
		login := func(s *Service, password, addr string) error {
			_, err := s.Login(ctx, "Ada@acme.test", password, from(addr))
			return err
		}
		var limited *RateLimitError

		// Three failures, on either replica, lock the account on both.
		for i, s := range []*Service{a, b, a} {
			if err := login(s, "wrong", "10.0.0.1"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
			now = now.Add(time.Minute)
		}
		if err := login(b, "right password", "10.0.0.2"); !errors.As(err, &limited) || limited.RetryAfter != 12*time.Minute {
			t.Fatalf("after 3 failures on two replicas: %v, want a 12 minute wait", err)
		}
		// The window is fixed: it ends 15 minutes after the first failure.
		now = now.Add(12 * time.Minute)
		if err := login(b, "right password", "10.0.0.2"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// The good sign-in cleared the account: three new failures are needed again.
		for range 2 {
			if err := login(a, "wrong", "10.0.0.3"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatal(err)
			}
		}
		if err := login(a, "right password", "10.0.0.3"); err != nil {
			t.Fatalf("two failures after a good sign-in must not lock: %v", err)
		}
		// An address is limited across accounts.
		for i := range 5 {
			if _, err := b.Login(ctx, "nobody"+string(rune('a'+i))+"@acme.test", "x", from("10.9.9.9")); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("unknown account %d: %v", i, err)
			}
		}
		if err := login(a, "right password", "10.9.9.9"); !errors.As(err, &limited) {
			t.Fatalf("an address with 5 failures: %v, want a wait", err)
		}
	})
}
