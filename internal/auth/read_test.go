package auth

import (
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestReadsTakeTheViewer: a viewer sees every user but only their own tokens.
func TestReadsTakeTheViewer(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		other, err := b.svc.CreateUser(b.ctx, NewUser{Email: "bo@acme.test", Name: "Bo", Role: domain.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.svc.CreateToken(b.ctx, b.user.ID, "mine"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.svc.CreateToken(b.ctx, other.ID, "theirs"); err != nil {
			t.Fatal(err)
		}
		users, err := b.svc.Users(b.ctx, b.user)
		if err != nil || len(users) != 2 {
			t.Fatalf("users %v, %v; want both", users, err)
		}
		tokens, err := b.svc.Tokens(b.ctx, b.user)
		if err != nil || len(tokens) != 1 || tokens[0].Name != "mine" {
			t.Fatalf("tokens %+v, %v; want only the viewer's", tokens, err)
		}
	})
}

// TestRolesAreTheDomainList: a role outside domain.Roles is refused on
// create and update, naming the roles there are.
func TestRolesAreTheDomainList(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupInvitations(t, dsn)
		_, err := b.svc.CreateUser(b.ctx, NewUser{Email: "cy@acme.test", Name: "Cy", Role: "owner"})
		wantKind(t, err, domain.KindInvalid)
		if e, _ := domain.As(err); e.Field != "role" || e.Message != "must be one of admin, agent" {
			t.Fatalf("error %+v", e)
		}
		owner := domain.Role("owner")
		_, err = b.svc.UpdateUser(b.ctx, b.user.ID, UserUpdate{Role: &owner})
		wantKind(t, err, domain.KindInvalid)
		admin := domain.RoleAdmin
		if u, err := b.svc.UpdateUser(b.ctx, b.user.ID, UserUpdate{Role: &admin}); err != nil || u.Role != domain.RoleAdmin {
			t.Fatalf("promote: %+v, %v", u, err)
		}
	})
}
