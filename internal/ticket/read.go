package ticket

import (
	"context"
	"fmt"

	"github.com/ticketer/ticketer/internal/store"
)

// Reads of tickets and of what hangs off them. Each takes the viewer, the
// signed-in user asking: today every agent sees every ticket, and team or
// portal visibility will be decided here, in this one place, rather than in
// each HTTP handler.

// Ticket returns one ticket; store.ErrNotFound when there is none.
func (s *Service) Ticket(ctx context.Context, viewer store.User, id int64) (store.Ticket, error) {
	return s.store.GetTicket(ctx, s.db, id)
}

// Tickets returns the tickets a filter selects, newest activity first.
func (s *Service) Tickets(ctx context.Context, viewer store.User, f store.TicketFilter) ([]store.Ticket, error) {
	return s.store.ListTickets(ctx, f)
}

// Messages returns a ticket's messages, oldest first; store.ErrNotFound when
// there is no such ticket (an empty list means a ticket without messages).
func (s *Service) Messages(ctx context.Context, viewer store.User, ticketID int64) ([]store.Message, error) {
	if err := s.mustSee(ctx, viewer, ticketID); err != nil {
		return nil, err
	}
	return s.store.ListMessages(ctx, ticketID)
}

// MessagesPage is Messages in bounded pages (store.MessagePage).
func (s *Service) MessagesPage(ctx context.Context, viewer store.User, ticketID int64, p store.MessagePage) ([]store.Message, error) {
	if err := s.mustSee(ctx, viewer, ticketID); err != nil {
		return nil, err
	}
	return s.store.ListMessagesPage(ctx, ticketID, p)
}

// Message returns one message whole; store.ErrNotFound when there is none
// (or its ticket is not the viewer's to see).
func (s *Service) Message(ctx context.Context, viewer store.User, id int64) (store.Message, error) {
	m, err := s.store.GetMessage(ctx, s.db, id)
	if err != nil {
		return m, err
	}
	return m, s.mustSee(ctx, viewer, m.TicketID)
}

// Events returns a ticket's audit trail; store.ErrNotFound when there is no
// such ticket.
func (s *Service) Events(ctx context.Context, viewer store.User, ticketID int64) ([]store.Event, error) {
	if err := s.mustSee(ctx, viewer, ticketID); err != nil {
		return nil, err
	}
	return s.store.ListEvents(ctx, ticketID)
}

// Attachment returns an attachment's metadata (its content is in the blob
// store under BlobKey).
func (s *Service) Attachment(ctx context.Context, viewer store.User, id int64) (store.Attachment, error) {
	return s.store.GetAttachment(ctx, id)
}

// mustSee is store.ErrNotFound unless the ticket exists for the viewer.
func (s *Service) mustSee(ctx context.Context, viewer store.User, ticketID int64) error {
	ok, err := s.store.TicketExists(ctx, s.db, ticketID)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("ticket %d: %w", ticketID, store.ErrNotFound)
	}
	return nil
}

// SplitsOf lists the tickets split off a ticket the viewer may see.
func (s *Service) SplitsOf(ctx context.Context, viewer store.User, id int64) ([]int64, error) {
	return s.store.SplitsOf(ctx, s.db, id)
}
