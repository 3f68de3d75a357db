package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ticketer/ticketer/internal/gdpr"
	"github.com/ticketer/ticketer/internal/store"
)

// retentionEvery is how often serve applies the mailboxes' retention
// rules; the rules count in days, so an hour late is on time.
const retentionEvery = time.Hour

// maintainRetention applies the retention rules now and then every
// retentionEvery until ctx ends.
func (a *App) maintainRetention(ctx context.Context) {
	svc := &gdpr.Service{Store: a.Store, Blobs: a.Blobs}
	tick := time.NewTicker(retentionEvery)
	defer tick.Stop()
	for {
		if n, err := svc.ApplyRetention(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("retention rules", "err", err)
		} else if n > 0 {
			a.Log.Info("erased closed tickets past their mailbox's retention", "tickets", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func runMailboxRetention(ctx context.Context, e Env, args []string) error {
	fs := newFlags("mailbox retention", e)
	address := fs.String("address", "", "the mailbox's address")
	days := fs.Int("days", -1, "erase closed tickets last changed more than this many days ago; 0 keeps everything")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *address == "" || *days < 0 || fs.NArg() > 0 {
		return errors.New("usage: ticketer mailbox retention --address A --days N (0 turns the rule off)")
	}
	return withApp(ctx, e, "mailbox retention", false, func(a *App) error {
		mb, err := a.Store.MailboxByAddress(ctx, *address)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("mailbox retention: no mailbox %s", *address)
		}
		if err != nil {
			return err
		}
		return a.Store.SetRetention(ctx, mb.ID, *days)
	})
}
