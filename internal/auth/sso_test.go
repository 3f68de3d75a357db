package auth

import (
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestSSOOnly: with SSO the only way, a password signs in the break-glass
// admin and no one else (ada@acme.test is an admin, bob an agent), with a
// warning.
func TestSSOOnly(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, breakGlass, email string
		only                    bool
		want                    error
		logged                  []string // the warnings, of a sign-in with the right password
	}{
		{name: "password sign-in when SSO is not the only way", email: "ada@acme.test"},
		{name: "refused without a break-glass admin", only: true, email: "ada@acme.test", want: ErrSSOOnly},
		{name: "refused for others than the break-glass admin", only: true, breakGlass: "ada@acme.test", email: "bob@acme.test", want: ErrSSOOnly},
		{name: "the break-glass admin signs in", only: true, breakGlass: "ada@acme.test", email: "Ada@ACME.test", logged: []string{"WARN break-glass password sign-in"}},
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
			rec := &logRecorder{}
			s.log = slog.New(rec)
			if s.PasswordSignIn() == c.only {
				t.Fatalf("PasswordSignIn() = %v with SSO only %v", s.PasswordSignIn(), c.only)
			}
			_, err = s.Login(b.ctx, c.email, "right password", Client{RemoteAddr: "192.0.2.1"})
			if !errors.Is(err, c.want) {
				t.Fatalf("sign-in of %s: %v, want %v", c.email, err, c.want)
			}
			if w := warnings(rec.take()); !slices.Equal(w, c.logged) {
				t.Fatalf("sign-in of %s logged %q, want %q", c.email, w, c.logged)
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

// TestSignInSSO: the identity provider's email signs its user in; an
// unknown one becomes an agent without a password, named by the provider
// (trimmed, 1 to 200 characters) or else by the email's local part. Both
// the creation and the sign-in are logged; a disabled user is refused.
func TestSignInSSO(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		s := b.service(t, Config{})
		if _, err := b.st.CreateUser(b.ctx, store.User{Email: "gus@acme.test", Name: "Gus", Role: domain.RoleAgent, Disabled: true, CreatedAt: b.now}); err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("c", 200)
		const created, signedIn = "INFO user created by single sign-on", "INFO signed in"
		cases := []struct {
			email, name         string
			wantEmail, wantName string
			want                error
			log                 []string
		}{
			{email: " CY@Acme.test ", name: "  Cy Doe  ", wantEmail: "cy@acme.test", wantName: "Cy Doe", log: []string{created, signedIn}},
			{email: "dee@acme.test", name: "", wantEmail: "dee@acme.test", wantName: "dee", log: []string{created, signedIn}},
			{email: "eve@acme.test", name: "   ", wantEmail: "eve@acme.test", wantName: "eve", log: []string{created, signedIn}},
			{email: "fay@acme.test", name: long, wantEmail: "fay@acme.test", wantName: long, log: []string{created, signedIn}},
			{email: "hal@acme.test", name: long + "c", wantEmail: "hal@acme.test", wantName: "hal", log: []string{created, signedIn}},
			{email: "Nia@acme.test", name: "Someone Else", wantEmail: "nia@acme.test", wantName: "Nia", log: []string{signedIn}},
			{email: "gus@acme.test", name: "Gus", want: ErrSSODisabled, log: []string{"WARN failed sign-in"}},
		}
		for _, c := range cases {
			ns, err := s.SignInSSO(b.ctx, c.email, c.name, Client{RemoteAddr: "192.0.2.1"})
			if recs := b.rec.take(); !slices.Equal(recs, c.log) {
				t.Errorf("%s: logged %q, want %q", c.email, recs, c.log)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("%s: %v, want %v", c.email, err, c.want)
			}
			if c.want != nil {
				if ns.Token != "" {
					t.Fatalf("%s: refused with a session", c.email)
				}
				continue
			}
			se, u, err := b.st.SessionByTokenHash(b.ctx, HashToken(ns.Token))
			if err != nil || se.Method != store.SessionSSO || u.ID != ns.User.ID {
				t.Fatalf("%s: session %+v of %+v, %v", c.email, se, u, err)
			}
			if u.Email != c.wantEmail || u.Name != c.wantName || u.Role != domain.RoleAgent || u.PasswordHash != "" {
				t.Fatalf("%s: signed in as %+v, want %s named %q, an agent without password", c.email, u, c.wantEmail, c.wantName)
			}
		}
	})
}
