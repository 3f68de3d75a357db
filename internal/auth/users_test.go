package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
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
		for _, c := range trimmedNameCases("Nia Okafor", 200) {
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

// TestLastAdmin: the last enabled admin can be neither disabled nor
// demoted, and a refused change changes nothing; renaming them, setting
// what they already are, and disabling or demoting an admin when another
// is enabled (or one already disabled) are fine.
func TestLastAdmin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		newAdmin := func(email string) store.User {
			u, err := b.svc.CreateUser(b.ctx, NewUser{Email: email, Name: "Admin", Role: domain.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		ada := newAdmin("ada@acme.test")
		yes, no := true, false
		admin, agent := domain.RoleAdmin, domain.RoleAgent
		name := "Ada Lovelace"
		step := func(u store.User, in UserUpdate, want error) {
			t.Helper()
			before, err := b.st.GetUser(b.ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			_, err = b.svc.UpdateUser(b.ctx, u.ID, in)
			if !errors.Is(err, want) {
				t.Fatalf("%s: %v, want %v", u.Email, err, want)
			}
			after, err := b.st.GetUser(b.ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if want != nil && (after.Role != before.Role || after.Disabled != before.Disabled) {
				t.Fatalf("%s: refused, yet now %+v", u.Email, after)
			}
			if want == nil && ((in.Role != nil && after.Role != *in.Role) || (in.Disabled != nil && after.Disabled != *in.Disabled)) {
				t.Fatalf("%s: accepted, yet now %+v", u.Email, after)
			}
		}
		step(ada, UserUpdate{Disabled: &yes}, ErrLastAdmin)
		step(ada, UserUpdate{Role: &agent}, ErrLastAdmin)
		step(ada, UserUpdate{Role: &agent, Disabled: &no}, ErrLastAdmin)
		step(ada, UserUpdate{Name: &name}, nil)
		step(ada, UserUpdate{Role: &admin, Disabled: &no}, nil)
		// An agent is no admin to lose.
		step(b.user, UserUpdate{Disabled: &yes}, nil)
		bo := newAdmin("bo@acme.test")
		step(ada, UserUpdate{Disabled: &yes}, nil)
		// Ada is disabled: demoting her leaves Bo, still the last enabled admin.
		step(ada, UserUpdate{Role: &agent}, nil)
		step(bo, UserUpdate{Role: &agent}, ErrLastAdmin)
		step(bo, UserUpdate{Disabled: &yes}, ErrLastAdmin)
	})
}

// TestCreateTokenName: a token's name is trimmed and must be 1 to 100
// characters.
func TestCreateTokenName(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		for _, c := range trimmedNameCases("ci", 100) {
			tok, made, err := b.svc.CreateToken(b.ctx, b.user.ID, c.in)
			if c.want == "" {
				wantKind(t, err, domain.KindInvalid)
				if e, _ := domain.As(err); e.Field != "name" || tok != "" {
					t.Fatalf("%q: field %q, token %q", c.in, e.Field, tok)
				}
				continue
			}
			if err != nil || made.Name != c.want || !strings.HasPrefix(tok, "tkt_") {
				t.Fatalf("name %q: %+v, %q, %v; want %q", c.in, made, tok, err, c.want)
			}
		}
		tokens, err := b.st.ListAPITokens(b.ctx, b.user.ID)
		if err != nil || len(tokens) != 3 {
			t.Fatalf("%d tokens stored, %v; want the 3 accepted", len(tokens), err)
		}
	})
}

// nameCase is a name given and the one stored; want "" is refused.
type nameCase struct{ in, want string }

// trimmedNameCases are the cases of a name that is trimmed and must be 1
// to limit characters: name with spaces around it, empty, blank, limit
// characters (also with spaces around), one more.
func trimmedNameCases(name string, limit int) []nameCase {
	long := strings.Repeat("n", limit)
	return []nameCase{
		{"  " + name + "  ", name},
		{"", ""},
		{"   ", ""},
		{long, long},
		{" " + long + " ", long},
		{long + "n", ""},
	}
}
