package ticket

import (
	"context"
	"slices"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Reads of mailboxes and of received mail, with the viewer as in read.go:
// any signed-in user sees the mailboxes (the queue filters by them); the
// routes decide who may ask for inbound mail.

// Mailboxes lists every mailbox, each with its open alert (a broken
// mailbox: everyone sees the banner).
func (s *Service) Mailboxes(ctx context.Context, viewer store.User) ([]store.Mailbox, error) {
	list, err := s.store.ListMailboxes(ctx)
	if err != nil {
		return nil, err
	}
	open, err := s.store.OpenAlerts(ctx)
	if err != nil {
		return nil, err
	}
	for i, mb := range list {
		if a, ok := open[mb.ID]; ok {
			list[i].Alert = &a
		}
	}
	return list, nil
}

// Mailbox returns one mailbox with its open alert; store.ErrNotFound when
// there is none.
func (s *Service) Mailbox(ctx context.Context, viewer store.User, id int64) (store.Mailbox, error) {
	mb, err := s.store.GetMailbox(ctx, s.db, id)
	if err != nil {
		return mb, err
	}
	open, err := s.store.OpenAlerts(ctx)
	if a, ok := open[id]; ok {
		mb.Alert = &a
	}
	return mb, err
}

// MailboxSync returns a mailbox's connector and sync progress.
func (s *Service) MailboxSync(ctx context.Context, viewer store.User, id int64) (store.SyncStatus, error) {
	return s.store.MailboxSyncStatus(ctx, id)
}

// InboundStatuses are the states of received mail a list may ask for.
func InboundStatuses() []string {
	return []string{store.InboundPending, store.InboundDone, store.InboundDuplicate, store.InboundIgnored, store.InboundFailed, store.InboundAutomatic}
}

// Inbound lists received mail in one state, newest first, at most limit.
func (s *Service) Inbound(ctx context.Context, viewer store.User, status string, limit int) ([]store.Inbound, error) {
	if !slices.Contains(InboundStatuses(), status) {
		return nil, domain.BadRequest("status", "must be one of "+domain.Join(InboundStatuses()))
	}
	return s.store.ListInbound(ctx, status, limit)
}
