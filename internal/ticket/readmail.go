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

// Mailboxes lists every mailbox.
func (s *Service) Mailboxes(ctx context.Context, viewer store.User) ([]store.Mailbox, error) {
	return s.store.ListMailboxes(ctx)
}

// Mailbox returns one mailbox; store.ErrNotFound when there is none.
func (s *Service) Mailbox(ctx context.Context, viewer store.User, id int64) (store.Mailbox, error) {
	return s.store.GetMailbox(ctx, s.db, id)
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
