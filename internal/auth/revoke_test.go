package auth

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestRevocationSticks: disabling a user, changing their password, and
// signing out everywhere each leave none of their sessions or tokens
// working, and enabling the user again revives none.
func TestRevocationSticks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b, replica := setupLimits(t, dsn)
		s := replica(Config{})
		u, err := b.st.UserByEmail(b.ctx, "ada@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		// A second admin, so Ada may be disabled.
		if _, err := s.CreateUser(b.ctx, NewUser{Email: "bo@acme.test", Name: "Bo", Role: domain.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		works := func(token string) bool {
			r := httptest.NewRequest("GET", "/api/v1/me", nil)
			r.Header.Set("Authorization", "Bearer "+token)
			_, err := s.Authenticate(b.ctx, r)
			if err != nil && !errors.Is(err, ErrUnauthenticated) {
				t.Fatal(err)
			}
			return err == nil
		}
		newToken := func() string {
			tok, _, err := s.CreateToken(b.ctx, u.ID, "t")
			if err != nil {
				t.Fatal(err)
			}
			if !works(tok) {
				t.Fatal("a new token does not work")
			}
			return tok
		}
		yes, no := true, false

		tok := newToken()
		if _, err := s.UpdateUser(b.ctx, u.ID, UserUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateUser(b.ctx, u.ID, UserUpdate{Disabled: &no}); err != nil {
			t.Fatal(err)
		}
		if works(tok) {
			t.Fatal("a token of a disabled user works again after re-enabling")
		}

		tok = newToken()
		pw := "another long password"
		if _, err := s.UpdateUser(b.ctx, u.ID, UserUpdate{Password: &pw}); err != nil {
			t.Fatal(err)
		}
		if works(tok) {
			t.Fatal("a token survived a password change")
		}

		tok = newToken()
		if err := s.SignOutEverywhere(b.ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if works(tok) {
			t.Fatal("a token survived signing out everywhere")
		}
	})
}
