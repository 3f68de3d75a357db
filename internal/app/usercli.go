package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/store"
)

const userUsage = `usage: ticketer user add --email E --name N --role admin|agent [--password-stdin]
       ticketer user list
       ticketer user set-password --email E    (the password is the first line of standard input)`

// runUser dispatches the user subcommands.
func runUser(ctx context.Context, e Env, args []string) error {
	if len(args) == 0 {
		return errors.New(userUsage)
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, e, args[1:])
	case "list":
		return runUserList(ctx, e, args[1:])
	case "set-password":
		return runUserSetPassword(ctx, e, args[1:])
	}
	return fmt.Errorf("unknown user command %q\n%s", args[0], userUsage)
}

// authService is the sign-in service as the command line needs it: for
// invitation links (which name the base URL) and password changes.
func (a *App) authService() (*auth.Service, error) {
	return auth.New(auth.Config{Store: a.Store, BaseURL: a.Cfg.BaseURL, Logger: a.Log})
}

// readPassword reads the first line of standard input.
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("no standard input to read the password from")
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// inviteNewUser prints the invitation link of a user made without a
// password, who could otherwise never sign in: the id stays alone on the
// first stdout line, the link follows on the second.
func inviteNewUser(ctx context.Context, e Env, a *App, id int64) error {
	svc, err := a.authService()
	if err != nil {
		return err
	}
	inv, err := svc.Invite(ctx, id, 0)
	if err != nil {
		return fmt.Errorf("user add: the user was created (id %d), but no invitation link: %w", id, err)
	}
	fmt.Fprintln(e.Stdout, inv.URL)
	fmt.Fprintf(e.Stderr, "user add: no --password-stdin, so %s has no password yet. Send them the link above: it sets one, "+
		"works once and expires on %s. (ticketer user set-password sets one directly.)\n", inv.User.Email, inv.ExpiresAt.Format("2006-01-02 15:04 MST"))
	return nil
}

func runUserList(ctx context.Context, e Env, args []string) error {
	fs := newFlags("user list", e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("user list: unexpected arguments %q", fs.Args())
	}
	return withApp(ctx, e, "user list", false, func(a *App) error {
		users, err := a.Store.ListUsers(ctx)
		if err != nil {
			return err
		}
		return writeUserTable(e.Stdout, users)
	})
}

// writeUserTable prints users as aligned columns under a header.
func writeUserTable(w io.Writer, users []store.User) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tDISABLED")
	for _, u := range users {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Email, oneLine(u.Name), u.Role, strconv.FormatBool(u.Disabled))
	}
	return tw.Flush()
}

// oneLine keeps a name from breaking the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func runUserSetPassword(ctx context.Context, e Env, args []string) error {
	fs := newFlags("user set-password", e)
	email := fs.String("email", "", "the user's email address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("user set-password: --email is required; the password is read from the first line of standard input")
	}
	password, err := readPassword(e.Stdin)
	if err != nil {
		return fmt.Errorf("user set-password: %w", err)
	}
	return withApp(ctx, e, "user set-password", false, func(a *App) error {
		u, err := a.Store.UserByEmail(ctx, *email)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user set-password: no user with email %q (ticketer user list shows them)", *email)
		}
		if err != nil {
			return err
		}
		svc, err := a.authService()
		if err != nil {
			return err
		}
		if _, err := svc.UpdateUser(ctx, u.ID, auth.UserUpdate{Password: &password}); err != nil {
			return fmt.Errorf("user set-password: %w", err)
		}
		fmt.Fprintf(e.Stderr, "password of %s set; their sessions were ended\n", u.Email)
		return nil
	})
}
