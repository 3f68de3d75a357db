package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// cliBundle runs commands against one database, as separate processes would.
type cliBundle struct {
	t   *testing.T
	env map[string]string
	dsn string
}

func setupCLI(t *testing.T, dsn string) *cliBundle {
	return &cliBundle{t: t, dsn: dsn, env: map[string]string{
		"TICKETER_DATA_DIR":              t.TempDir(),
		"TICKETER_DATABASE_URL":          dsn,
		"TICKETER_ENCRYPTION_KEY_BASE64": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
		"TICKETER_BASE_URL":              "https://help.acme.test",
		"TICKETER_LOG_LEVEL":             "warn",
	}}
}

// run runs one command with stdin; it returns stdout and stderr.
func (b *cliBundle) run(stdin string, args ...string) (string, string, error) {
	var out, errOut bytes.Buffer
	err := Run(context.Background(), Env{Args: args, Lookup: func(k string) (string, bool) { v, ok := b.env[k]; return v, ok },
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return out.String(), errOut.String(), err
}

func (b *cliBundle) must(stdin string, args ...string) (string, string) {
	b.t.Helper()
	out, errOut, err := b.run(stdin, args...)
	if err != nil {
		b.t.Fatalf("%q: %v\n%s", args, err, errOut)
	}
	return out, errOut
}

// auth is a sign-in service over the same database, to check passwords.
func (b *cliBundle) auth() (*auth.Service, *store.Store) {
	b.t.Helper()
	st := store.New(storetest.Open(b.t, b.dsn))
	svc, err := auth.New(auth.Config{Store: st, BaseURL: "https://help.acme.test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.t.Fatal(err)
	}
	return svc, st
}

func TestUserAddWithoutPasswordPrintsAnInvitation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupCLI(t, dsn)
		out, errOut := b.must("", "user", "add", "--email", "nia@acme.test", "--name", "Nia", "--role", "agent")
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 2 || lines[0] != "1" || !strings.HasPrefix(lines[1], "https://help.acme.test/invite/tki_") {
			t.Fatalf("stdout %q, want the id, then the link", out)
		}
		if !strings.Contains(errOut, "no password yet") || !strings.Contains(errOut, "works once") {
			t.Fatalf("stderr does not explain the link: %q", errOut)
		}
		svc, _ := b.auth()
		token := strings.TrimPrefix(lines[1], "https://help.acme.test/invite/")
		if _, err := svc.AcceptInvitation(context.Background(), token, "nia's long password", auth.Client{}); err != nil {
			t.Fatalf("the printed link does not work: %v", err)
		}
		if _, err := svc.Login(context.Background(), "nia@acme.test", "nia's long password", auth.Client{}); err != nil {
			t.Fatalf("sign in after the invitation: %v", err)
		}
	})
}

func TestUserAddWithPasswordPrintsOnlyTheID(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupCLI(t, dsn)
		out, _ := b.must("ada's long password\n", "user", "add", "--email", "ada@acme.test", "--name", "Ada", "--role", "admin", "--password-stdin")
		if out != "1\n" {
			t.Fatalf("stdout %q, want the id alone", out)
		}
	})
}

func TestUserList(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupCLI(t, dsn)
		b.must("ada's long password\n", "user", "add", "--email", "ada@acme.test", "--name", "Ada  Admin", "--role", "admin", "--password-stdin")
		b.must("", "user", "add", "--email", "al@acme.test", "--name", "Al", "--role", "agent")
		_, st := b.auth()
		yes := true
		if err := st.UpdateUser(context.Background(), st.DB().W(), 2, store.UserChange{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		out, _ := b.must("", "user", "list")
		want := "ID  EMAIL          NAME       ROLE   DISABLED\n" +
			"1   ada@acme.test  Ada Admin  admin  false\n" +
			"2   al@acme.test   Al         agent  true\n"
		if out != want {
			t.Fatalf("user list:\n%s\nwant:\n%s", out, want)
		}
		if _, _, err := b.run("", "user", "list", "extra"); err == nil {
			t.Fatal("user list took an argument")
		}
	})
}

func TestUserSetPassword(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupCLI(t, dsn)
		b.must("", "user", "add", "--email", "al@acme.test", "--name", "Al", "--role", "agent")
		svc, _ := b.auth()
		ctx := context.Background()
		b.must("the first long password\n", "user", "set-password", "--email", "al@acme.test")
		session, err := svc.Login(ctx, "al@acme.test", "the first long password", auth.Client{})
		if err != nil {
			t.Fatalf("sign in with the password set: %v", err)
		}
		_, errOut := b.must("the second long password\r\n", "user", "set-password", "--email", "AL@acme.test")
		if !strings.Contains(errOut, "password of al@acme.test set") {
			t.Fatalf("stderr %q", errOut)
		}
		if _, err := svc.Login(ctx, "al@acme.test", "the second long password", auth.Client{}); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, err := svc.Login(ctx, "al@acme.test", "the first long password", auth.Client{}); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("old password: %v", err)
		}
		_, st := b.auth()
		if _, _, err := st.SessionByTokenHash(ctx, auth.HashToken(session.Token)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the session from before survived: %v", err)
		}
		for _, c := range []struct {
			name, stdin string
			args        []string
			want        string
		}{
			{"an unknown user", "a long enough password\n", []string{"--email", "nobody@acme.test"}, "no user with email"},
			{"no email", "a long enough password\n", nil, "--email is required"},
			{"a password that breaks the rules", "short\n", []string{"--email", "al@acme.test"}, "password"},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, _, err := b.run(c.stdin, append([]string{"user", "set-password"}, c.args...)...)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error %v, want one mentioning %q", err, c.want)
				}
			})
		}
	})
}

func TestUserUnknownSubcommand(t *testing.T) {
	t.Parallel()
	b := setupCLI(t, storetest.SQLiteURL(t))
	_, _, err := b.run("", "user", "remove")
	if err == nil || !strings.Contains(err.Error(), "user list") {
		t.Fatalf("error %v, want the usage", err)
	}
}
