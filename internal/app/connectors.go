package app

import (
	"context"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
)

// newConnectors builds the supervisor of the mailbox connectors (IMAP,
// Gmail, Nylas); Serve runs it alongside the workers.
func (a *App) newConnectors() *mailbox.Supervisor {
	return mailbox.NewSupervisor(mailbox.Config{
		Store:    a.Store,
		Receiver: a.Tickets,
		Secrets:  a.Secrets,
		Logger:   a.Log.With("component", "connectors"),
		Factories: map[string]mailbox.Factory{
			"imap": imap.Factory(a.Secrets, nil),
		},
	})
}

// startConnectors runs the supervisor until the returned stop is called.
func (a *App) startConnectors(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Connectors.Run(ctx); err != nil {
			a.Log.Error("mailbox connectors stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			a.Log.Warn("mailbox connectors did not stop in time")
		}
	}
}
