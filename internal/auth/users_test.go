package auth

import (
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestCreateUserPassword: a user created with a password can sign in with
// it; one that breaks the password rules is refused, naming the field.
func TestCreateUserPassword(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		u, err := b.svc.CreateUser(b.ctx, NewUser{Email: "bo@acme.test", Name: "Bo", Role: domain.RoleAgent, Password: newPassword})
		if err != nil {
			t.Fatal(err)
		}
		if !CheckPassword(u.PasswordHash, newPassword) {
			t.Fatalf("stored hash %q does not match the password given", u.PasswordHash)
		}
		_, err = b.svc.CreateUser(b.ctx, NewUser{Email: "cy@acme.test", Name: "Cy", Role: domain.RoleAgent, Password: "short"})
		wantKind(t, err, domain.KindInvalid)
		if e, _ := domain.As(err); e.Field != "password" {
			t.Fatalf("field %q", e.Field)
		}
	})
}

// TestUpdateUserName: a new name is trimmed and must be 1 to 200
// characters; a refused one changes nothing.
func TestUpdateUserName(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		cases := []struct {
			in, want string // want "" is refused
		}{
			{"  Nia Okafor  ", "Nia Okafor"},
			{"", ""},
			{"   ", ""},
			{strings.Repeat("n", 200), strings.Repeat("n", 200)},
			{" " + strings.Repeat("n", 200) + " ", strings.Repeat("n", 200)},
			{strings.Repeat("n", 201), ""},
		}
		for _, c := range cases {
			before, err := b.st.GetUser(b.ctx, b.user.ID)
			if err != nil {
				t.Fatal(err)
			}
			u, err := b.svc.UpdateUser(b.ctx, b.user.ID, UserUpdate{Name: &c.in})
			if c.want == "" {
				wantKind(t, err, domain.KindInvalid)
				if e, _ := domain.As(err); e.Field != "name" {
					t.Fatalf("%q: field %q", c.in, e.Field)
				}
				if after, err := b.st.GetUser(b.ctx, b.user.ID); err != nil || after.Name != before.Name {
					t.Fatalf("%q refused, yet the name is now %q (%v)", c.in, after.Name, err)
				}
				continue
			}
			if err != nil || u.Name != c.want {
				t.Fatalf("name %q: %q, %v; want %q", c.in, u.Name, err, c.want)
			}
		}
	})
}
