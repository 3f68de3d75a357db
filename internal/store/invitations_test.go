package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestInvitations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		uid, err := s.CreateUser(ctx, store.User{Email: "new@example.com", Name: "New", Role: "agent", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		w := s.DB().W()
		week := 7 * 24 * time.Hour
		first, err := s.CreateInvitation(ctx, w, store.Invitation{UserID: uid, TokenHash: "h1", CreatedAt: t0, ExpiresAt: t0.Add(week)})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("a token never issued is not found", func(t *testing.T) {
			if _, err := s.InvitationByTokenHash(ctx, w, "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("want ErrNotFound, got %v", err)
			}
		})
		t.Run("a newer invitation withdraws the unused older one", func(t *testing.T) {
			if _, err := s.CreateInvitation(ctx, w, store.Invitation{UserID: uid, TokenHash: "h2", CreatedAt: t0, ExpiresAt: t0.Add(week)}); err != nil {
				t.Fatal(err)
			}
			if _, err := s.InvitationByTokenHash(ctx, w, "h1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("invitation %d still there: %v", first, err)
			}
		})
		inv, err := s.InvitationByTokenHash(ctx, w, "h2")
		if err != nil || inv.UserID != uid || !inv.ExpiresAt.Equal(t0.Add(week)) || !inv.UsedAt.IsZero() || inv.CreatedBy != 0 {
			t.Fatalf("invitation %+v, %v", inv, err)
		}
		t.Run("expired invitations cannot be used", func(t *testing.T) {
			if ok, err := s.UseInvitation(ctx, w, inv.ID, t0.Add(week)); err != nil || ok {
				t.Fatalf("use at expiry: %v %v, want false", ok, err)
			}
		})
		t.Run("an invitation is used once", func(t *testing.T) {
			used := t0.Add(time.Hour)
			if ok, err := s.UseInvitation(ctx, w, inv.ID, used); err != nil || !ok {
				t.Fatalf("first use: %v %v", ok, err)
			}
			if ok, err := s.UseInvitation(ctx, w, inv.ID, used.Add(time.Minute)); err != nil || ok {
				t.Fatalf("second use: %v %v, want false", ok, err)
			}
			got, err := s.InvitationByTokenHash(ctx, w, "h2")
			if err != nil || !got.UsedAt.Equal(used) {
				t.Fatalf("used at %v (%v), want %v", got.UsedAt, err, used)
			}
		})
		t.Run("other sessions end, the kept one stays", func(t *testing.T) {
			var ids []int64
			for _, tok := range []string{"s1", "s2"} {
				id, err := s.CreateSession(ctx, store.Session{UserID: uid, TokenHash: tok, CSRFHash: "c", CreatedAt: t0, LastSeenAt: t0, ExpiresAt: t0.Add(week)})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			if err := s.DeleteOtherSessions(ctx, w, uid, ids[0]); err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.SessionByTokenHash(ctx, "s1"); err != nil {
				t.Fatalf("kept session: %v", err)
			}
			if _, _, err := s.SessionByTokenHash(ctx, "s2"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("other session: want ErrNotFound, got %v", err)
			}
		})
	})
}
