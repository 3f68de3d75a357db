package store_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestTOTPEnrolment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		uid, err := s.CreateUser(ctx, store.User{Email: "a@acme.test", Name: "A", Role: domain.RoleAgent, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.TOTPByUser(ctx, uid); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no enrolment: %v", err)
		}
		for _, sealed := range []string{"s1", "s2"} { // an unconfirmed secret is replaced
			if ok, err := s.StartTOTP(ctx, uid, sealed); err != nil || !ok {
				t.Fatalf("start %s: %v %v", sealed, ok, err)
			}
		}
		if ok, err := s.EnableTOTP(ctx, uid, "h1\nh2", 100); err != nil || !ok {
			t.Fatalf("enable: %v %v", ok, err)
		}
		if ok, _ := s.EnableTOTP(ctx, uid, "x", 1); ok {
			t.Fatal("enabled twice")
		}
		if ok, err := s.StartTOTP(ctx, uid, "s3"); err != nil || ok {
			t.Fatalf("restart while on: %v %v", ok, err)
		}
		got, err := s.TOTPByUser(ctx, uid)
		if err != nil || got != (store.TOTP{UserID: uid, Secret: "s2", Enabled: true, LastStep: 100, Recovery: "h1\nh2"}) {
			t.Fatalf("enrolment %+v %v", got, err)
		}
		for _, c := range []struct {
			step int64
			ok   bool
		}{{100, false}, {99, false}, {101, true}, {101, false}} {
			if ok, err := s.UseTOTPStep(ctx, uid, c.step); err != nil || ok != c.ok {
				t.Fatalf("use step %d: %v %v", c.step, ok, err)
			}
		}
		if ok, _ := s.UseRecovery(ctx, uid, "h1\nh2", "h2"); !ok {
			t.Fatal("recovery not used")
		}
		if ok, _ := s.UseRecovery(ctx, uid, "h1\nh2", "h2"); ok {
			t.Fatal("recovery used twice")
		}
		if err := s.DeleteTOTP(ctx, uid); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TOTPByUser(ctx, uid); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestResealTOTPSecrets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		k := func(b byte) string { return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(b), 32))) }
		old := mustKeys(t, k('a'))
		sealed, err := old.Seal("JBSWY3DPEHPK3PXP")
		if err != nil {
			t.Fatal(err)
		}
		uid, err := s.CreateUser(ctx, store.User{Email: "a@acme.test", Name: "A", Role: domain.RoleAgent, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.StartTOTP(ctx, uid, sealed); err != nil {
			t.Fatal(err)
		}
		rotated := mustKeys(t, k('b')+","+k('a'))
		if n, err := s.ResealTOTPSecrets(ctx, rotated.Reseal); err != nil || n != 1 {
			t.Fatalf("resealed %d: %v", n, err)
		}
		if n, err := s.ResealTOTPSecrets(ctx, rotated.Reseal); err != nil || n != 0 {
			t.Fatalf("second pass changed %d: %v", n, err)
		}
		got, err := s.TOTPByUser(ctx, uid)
		if err != nil {
			t.Fatal(err)
		}
		if plain, err := mustKeys(t, k('b')).Open(got.Secret); err != nil || plain != "JBSWY3DPEHPK3PXP" {
			t.Fatalf("secret after rotation: %q %v", plain, err)
		}
	})
}
