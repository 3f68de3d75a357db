package auth

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// invitationBundle is a service over a real store with a clock the test moves.
type invitationBundle struct {
	ctx  context.Context
	st   *store.Store
	svc  *Service
	now  *time.Time
	user store.User
}

func setupInvitations(t *testing.T, dsn string) *invitationBundle {
	t.Helper()
	b := &invitationBundle{ctx: context.Background(), st: store.New(storetest.Open(t, dsn))}
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	b.now = &now
	var err error
	b.svc, err = New(Config{Store: b.st, BaseURL: "https://help.acme.test/", Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return *b.now }})
	if err != nil {
		t.Fatal(err)
	}
	if b.user, err = b.svc.CreateUser(b.ctx, NewUser{Email: "nia@acme.test", Name: "Nia", Role: domain.RoleAgent}); err != nil {
		t.Fatal(err)
	}
	return b
}

func wantKind(t *testing.T, err error, kind domain.Kind) {
	t.Helper()
	e, ok := domain.As(err)
	if !ok || e.Kind != kind {
		t.Fatalf("error %v, want a domain error of kind %s", err, kind)
	}
}

const newPassword = "a long new passphrase"

func TestInvitationSetsThePasswordOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		inv, err := b.svc.Invite(b.ctx, b.user.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(inv.URL, "https://help.acme.test/invite/tki_") || !strings.HasSuffix(inv.URL, inv.Token) {
			t.Fatalf("link %q", inv.URL)
		}
		if !inv.ExpiresAt.Equal(b.now.Add(7 * 24 * time.Hour)) {
			t.Fatalf("expires %v, want 7 days on", inv.ExpiresAt)
		}
		if stored, err := b.st.InvitationByTokenHash(b.ctx, b.st.DB().W(), inv.Token); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the token is stored in clear: %+v %v", stored, err)
		}
		u, _, err := b.svc.Invitation(b.ctx, inv.Token)
		if err != nil || u.Email != "nia@acme.test" {
			t.Fatalf("invitation's user %+v, %v", u, err)
		}
		t.Run("a password that breaks the rules leaves the link usable", func(t *testing.T) {
			_, err := b.svc.AcceptInvitation(b.ctx, inv.Token, "short", Client{})
			wantKind(t, err, domain.KindInvalid)
			if e, _ := domain.As(err); e.Field != "password" {
				t.Fatalf("field %q", e.Field)
			}
		})
		// A session opened before (another device) ends when the link is used.
		before, err := b.svc.openSession(b.ctx, b.user, Client{}, b.svc.now(), store.SessionSSO)
		if err != nil {
			t.Fatal(err)
		}
		ns, err := b.svc.AcceptInvitation(b.ctx, inv.Token, newPassword, Client{RemoteAddr: "192.0.2.1"})
		if err != nil || ns.Token == "" || ns.User.ID != b.user.ID {
			t.Fatalf("accept: %+v %v", ns, err)
		}
		if _, _, err := b.st.SessionByTokenHash(b.ctx, HashToken(before.Token)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the session opened before the link was used: %v", err)
		}
		if se, _, err := b.st.SessionByTokenHash(b.ctx, HashToken(ns.Token)); err != nil || se.Method != store.SessionInvitation {
			t.Fatalf("the link's session %+v, %v", se, err)
		}
		if _, err := b.svc.Login(b.ctx, "nia@acme.test", newPassword, Client{RemoteAddr: "192.0.2.1"}); err != nil {
			t.Fatalf("sign in with the new password: %v", err)
		}
		t.Run("used again", func(t *testing.T) {
			_, err := b.svc.AcceptInvitation(b.ctx, inv.Token, "another long passphrase", Client{})
			wantKind(t, err, domain.KindConflict)
			if !strings.Contains(err.Error(), "used already") {
				t.Fatalf("message %q", err)
			}
			if _, err := b.svc.Login(b.ctx, "nia@acme.test", newPassword, Client{RemoteAddr: "192.0.2.1"}); err != nil {
				t.Fatalf("the reuse changed the password: %v", err)
			}
		})
	})
}

func TestInvitationRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		t.Run("a wrong token", func(t *testing.T) {
			_, err := b.svc.AcceptInvitation(b.ctx, "tki_not-a-token", newPassword, Client{})
			wantKind(t, err, domain.KindNotFound)
		})
		t.Run("expired after 7 days", func(t *testing.T) {
			inv, err := b.svc.Invite(b.ctx, b.user.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			*b.now = b.now.Add(InvitationTTL - time.Second)
			if _, _, err := b.svc.Invitation(b.ctx, inv.Token); err != nil {
				t.Fatalf("a second before expiry: %v", err)
			}
			*b.now = b.now.Add(time.Second)
			_, err = b.svc.AcceptInvitation(b.ctx, inv.Token, newPassword, Client{})
			wantKind(t, err, domain.KindConflict)
			if !strings.Contains(err.Error(), "expired") {
				t.Fatalf("message %q", err)
			}
		})
		t.Run("a newer link replaces the older", func(t *testing.T) {
			old, err := b.svc.Invite(b.ctx, b.user.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.Invite(b.ctx, b.user.ID, 0); err != nil {
				t.Fatal(err)
			}
			_, err = b.svc.AcceptInvitation(b.ctx, old.Token, newPassword, Client{})
			wantKind(t, err, domain.KindNotFound)
		})
		t.Run("a disabled user gets no link", func(t *testing.T) {
			yes := true
			if _, err := b.svc.UpdateUser(b.ctx, b.user.ID, UserUpdate{Disabled: &yes}); err != nil {
				t.Fatal(err)
			}
			_, err := b.svc.Invite(b.ctx, b.user.ID, 0)
			wantKind(t, err, domain.KindConflict)
		})
	})
}

func TestChangePassword(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		old := "the first long password"
		if _, err := b.svc.UpdateUser(b.ctx, b.user.ID, UserUpdate{Password: &old}); err != nil {
			t.Fatal(err)
		}
		here, err := b.svc.Login(b.ctx, "nia@acme.test", old, Client{})
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, err := b.svc.Login(b.ctx, "nia@acme.test", old, Client{})
		if err != nil {
			t.Fatal(err)
		}
		se, u, err := b.st.SessionByTokenHash(b.ctx, HashToken(here.Token))
		if err != nil {
			t.Fatal(err)
		}
		p := Principal{User: u, SessionID: se.ID}
		for _, c := range []struct{ name, current, next, field string }{
			{"wrong current password", "not it at all", newPassword, "current"},
			{"same as before", old, old, "new"},
			{"too short", old, "short", "new"},
		} {
			t.Run(c.name, func(t *testing.T) {
				err := b.svc.ChangePassword(b.ctx, p, c.current, c.next)
				wantKind(t, err, domain.KindInvalid)
				if e, _ := domain.As(err); e.Field != c.field {
					t.Fatalf("field %q, want %q", e.Field, c.field)
				}
			})
		}
		if err := b.svc.ChangePassword(b.ctx, p, old, newPassword); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.Login(b.ctx, "nia@acme.test", newPassword, Client{}); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, err := b.svc.Login(b.ctx, "nia@acme.test", old, Client{}); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("old password still works: %v", err)
		}
		if _, _, err := b.st.SessionByTokenHash(b.ctx, HashToken(here.Token)); err != nil {
			t.Fatalf("the session that changed it ended: %v", err)
		}
		if _, _, err := b.st.SessionByTokenHash(b.ctx, HashToken(elsewhere.Token)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another session survived: %v", err)
		}
	})
}

func TestDevLoginEnabled(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		base  string
		allow bool
		want  bool
	}{
		{"http://localhost:8080", true, true},
		{"http://127.0.0.1:8080", true, true},
		{"http://localhost:8080", false, false},
		{"https://help.acme.test", true, false},
	} {
		t.Run(c.base, func(t *testing.T) {
			t.Parallel()
			s, err := New(Config{BaseURL: c.base, AllowDevLogin: c.allow})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.DevLoginEnabled(); got != c.want {
				t.Fatalf("DevLoginEnabled() = %v, want %v", got, c.want)
			}
		})
	}
}

// TestInvitationMail: the mail names the user, their address, the link and
// when it stops working, says who asked, and tells a user with a password
// that this is a reset their password survives until then.
func TestInvitationMail(t *testing.T) {
	t.Parallel()
	if InvitationTTL != 7*24*time.Hour {
		t.Fatalf("InvitationTTL is %v: links work for a week", InvitationTTL)
	}
	expires := time.Date(2026, 3, 7, 11, 0, 0, 0, time.FixedZone("CET", 3600))
	inv := func(hash string) NewInvitation {
		return NewInvitation{Token: "tok", URL: "https://t.example/invite/tok", ExpiresAt: expires,
			User: store.User{Name: "Bob", Email: "bob@example.com", PasswordHash: hash}}
	}
	cases := []struct {
		name, hash, from, subject, text string
	}{
		{"invite", "", "", "You are invited to Ticketer",
			"Hello Bob,\n\nyou have a Ticketer account as bob@example.com. To set your password and sign in, open this link:\n\n" +
				"https://t.example/invite/tok\n\nIt works once, until 7 March 2026 10:00 UTC.\n"},
		{"invite asked by an admin", "", "Ann Admin", "You are invited to Ticketer",
			"Hello Bob,\n\nyou have a Ticketer account as bob@example.com. Ann Admin asked for it. To set your password and sign in, open this link:\n\n" +
				"https://t.example/invite/tok\n\nIt works once, until 7 March 2026 10:00 UTC.\n"},
		{"reset", "$argon2id$x", "", "Reset your Ticketer password",
			"Hello Bob,\n\nto set a new password for bob@example.com, open this link:\n\nhttps://t.example/invite/tok\n\n" +
				"It works once, until 7 March 2026 10:00 UTC. Your current password keeps working until then; if you did not expect this mail, ignore it.\n"},
		{"reset asked by an admin", "$argon2id$x", "Ann Admin", "Reset your Ticketer password",
			"Hello Bob,\n\nto set a new password for bob@example.com, open this link: Ann Admin asked for it.\n\nhttps://t.example/invite/tok\n\n" +
				"It works once, until 7 March 2026 10:00 UTC. Your current password keeps working until then; if you did not expect this mail, ignore it.\n"},
	}
	for _, tt := range cases {
		subject, text := InvitationMail(inv(tt.hash), tt.from)
		if subject != tt.subject || text != tt.text {
			t.Errorf("%s: got %q\n%q\nwant %q\n%q", tt.name, subject, text, tt.subject, tt.text)
		}
	}
}
