package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestOIDCLoginIsTakenOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		want := store.OIDCLogin{StateHash: "h1", Nonce: "n1", Verifier: "v1", Next: "/tickets/7", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
		if err := s.CreateOIDCLogin(ctx, want); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakeOIDCLogin(ctx, "other", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown state: %v", err)
		}
		got, err := s.TakeOIDCLogin(ctx, "h1", now.Add(time.Minute))
		if err != nil || got != want {
			t.Fatalf("took %+v, %v; want %+v", got, err, want)
		}
		if _, err := s.TakeOIDCLogin(ctx, "h1", now.Add(time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second take: %v", err)
		}
	})
}

func TestOIDCLoginExpires(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		for _, h := range []string{"old", "late"} {
			if err := s.CreateOIDCLogin(ctx, store.OIDCLogin{StateHash: h, Nonce: "n", Verifier: "v", CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.TakeOIDCLogin(ctx, "late", now.Add(10*time.Minute)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("taken at its expiry: %v", err)
		}
		// A new sign-in forgets the expired ones.
		later := now.Add(11 * time.Minute)
		if err := s.CreateOIDCLogin(ctx, store.OIDCLogin{StateHash: "new", Nonce: "n", Verifier: "v", CreatedAt: later, ExpiresAt: later.Add(10 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.DB().QueryRow(ctx, `SELECT COUNT(*) FROM oidc_logins`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("rows left %d, %v; want only the new one", n, err)
		}
	})
}

func TestSessionMethod(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		now := time.Now()
		uid, err := s.CreateUser(ctx, store.User{Email: "a@acme.test", Name: "A", Role: domain.RoleAgent, CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		for hash, method := range map[string]string{"t1": "", "t2": store.SessionSSO} {
			if _, err := s.CreateSession(ctx, store.Session{UserID: uid, TokenHash: hash, CSRFHash: "c", CreatedAt: now, LastSeenAt: now,
				ExpiresAt: now.Add(time.Hour), Method: method}); err != nil {
				t.Fatal(err)
			}
		}
		for hash, want := range map[string]string{"t1": store.SessionPassword, "t2": store.SessionSSO} {
			se, _, err := s.SessionByTokenHash(ctx, hash)
			if err != nil || se.Method != want {
				t.Fatalf("%s: method %q, %v; want %q", hash, se.Method, err, want)
			}
		}
	})
}
