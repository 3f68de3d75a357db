package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ticketer/ticketer/internal/gdpr"
)

const contactUsage = "usage: ticketer contact export EMAIL [--to FILE.zip] | ticketer contact erase EMAIL"

// runContact answers a person's GDPR requests from the command line (who
// can run it has the data dir or the database already, so it is an
// administrator's tool).
func runContact(ctx context.Context, e Env, args []string) error {
	if len(args) < 2 {
		return errors.New(contactUsage)
	}
	verb, email := args[0], args[1]
	fs := newFlags("contact "+verb, e)
	to := fs.String("to", "", "export: write the ZIP to this file instead of standard output")
	if err := fs.Parse(args[2:]); err != nil {
		return err
	}
	if fs.NArg() > 0 || (verb != "export" && verb != "erase") {
		return errors.New(contactUsage)
	}
	return withApp(ctx, e, "contact", false, func(a *App) error {
		svc := &gdpr.Service{Store: a.Store, Blobs: a.Blobs}
		p, err := a.Store.PersonByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("contact %s: %w", verb, err)
		}
		if verb == "export" {
			var w io.Writer = e.Stdout
			if *to != "" {
				f, err := os.OpenFile(*to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
				if err != nil {
					return fmt.Errorf("contact export: %w", err)
				}
				defer f.Close()
				w = f
			}
			if err := svc.Export(ctx, p, w); err != nil {
				return fmt.Errorf("contact export: %w", err)
			}
			return nil
		}
		r, err := svc.Erase(ctx, p, 0, "cli")
		if err != nil {
			return fmt.Errorf("contact erase: %w", err)
		}
		a.Log.Info("erased a contact's data", "tickets", len(r.Tickets), "messages", r.Messages, "attachments", r.Attachments, "blobs", r.BlobsDeleted)
		fmt.Fprintf(e.Stdout, "erased: %d tickets kept as skeletons, %d messages, %d attachments, %d inbound records, %d blobs deleted\n",
			len(r.Tickets), r.Messages, r.Attachments, r.Inbound, r.BlobsDeleted)
		return nil
	})
}
