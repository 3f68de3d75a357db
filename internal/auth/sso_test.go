package auth

import (
	"errors"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestSSOOnly: with SSO the only way, a password signs in the break-glass
// admin and no one else (ada@acme.test is an admin, bob an agent).
func TestSSOOnly(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, breakGlass, email string
		only                    bool
		want                    error
	}{
		{name: "password sign-in when SSO is not the only way", email: "ada@acme.test"},
		{name: "refused without a break-glass admin", only: true, email: "ada@acme.test", want: ErrSSOOnly},
		{name: "refused for others than the break-glass admin", only: true, breakGlass: "ada@acme.test", email: "bob@acme.test", want: ErrSSOOnly},
		{name: "the break-glass admin signs in", only: true, breakGlass: "ada@acme.test", email: "Ada@ACME.test"},
		{name: "a break-glass email of an agent is refused", only: true, breakGlass: "bob@acme.test", email: "bob@acme.test", want: ErrSSOOnly},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, newService := setupLimits(t, storetest.SQLiteURL(t))
			hash, err := HashPassword("right password")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.st.CreateUser(b.ctx, store.User{Email: "bob@acme.test", Name: "Bob", Role: domain.RoleAgent, PasswordHash: hash, CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
			s := newService(Config{SSOOnly: c.only, BreakGlass: c.breakGlass})
			if s.PasswordSignIn() == c.only {
				t.Fatalf("PasswordSignIn() = %v with SSO only %v", s.PasswordSignIn(), c.only)
			}
			_, err = s.Login(b.ctx, c.email, "right password", Client{RemoteAddr: "192.0.2.1"})
			if !errors.Is(err, c.want) {
				t.Fatalf("sign-in of %s: %v, want %v", c.email, err, c.want)
			}
		})
	}
}

// TestSSOOnlyRefusesInvitations: an invitation link sets a password, so it
// is refused too, but for the break-glass admin.
func TestSSOOnlyRefusesInvitations(t *testing.T) {
	t.Parallel()
	b, newService := setupLimits(t, storetest.SQLiteURL(t))
	bob, err := b.st.CreateUser(b.ctx, store.User{Email: "bob@acme.test", Name: "Bob", Role: domain.RoleAgent, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	ada, err := b.st.UserByEmail(b.ctx, "ada@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	s := newService(Config{SSOOnly: true, BreakGlass: "ada@acme.test"})
	for _, c := range []struct {
		id   int64
		want error
	}{{bob, ErrSSOOnly}, {ada.ID, nil}} {
		inv, err := s.Invite(b.ctx, c.id, ada.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AcceptInvitation(b.ctx, inv.Token, "a new long passphrase", Client{}); !errors.Is(err, c.want) {
			t.Fatalf("user %d accepting: %v, want %v", c.id, err, c.want)
		}
	}
}
