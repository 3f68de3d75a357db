package ticket

import (
	"context"
	"errors"
	"fmt"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Collision detection: a reply written while the conversation moved on is
// stopped so the agent reads what came in first (issue 12, item 9).
//
// What counts as newer: inbound mail (the customer, someone in Cc, a third
// party) and replies by other agents. Notes are internal and do not change
// what the customer was told, and automatic mail we sent (acknowledgements)
// answers nothing; the agent's own replies they already know.
const (
	// NewerMessagesMax is how many newer messages a refusal carries at most.
	NewerMessagesMax = 20
	// newerBodyChars cuts each one's bodies, as the messages list does.
	newerBodyChars = 100_000
)

// NewerMessagesError refuses a reply because messages arrived after the one
// the agent last saw. It is a conflict (409) carrying those messages.
type NewerMessagesError struct {
	Messages []store.Message
}

func (e *NewerMessagesError) Error() string {
	return fmt.Sprintf("%d newer message(s) arrived on the ticket since you started writing; read them, then send with force", len(e.Messages))
}

// Unwrap makes the refusal a domain conflict for callers that do not carry
// the messages on.
func (e *NewerMessagesError) Unwrap() error { return domain.Conflict(e.Error()) }

// checkNewer refuses a reply when messages worth reading arrived after
// in.AfterMessageID, unless in.Force. The id must be a message of the ticket.
func (s *Service) checkNewer(ctx context.Context, tx *store.Tx, actor store.User, ticketID int64, in ReplyInput) error {
	if in.AfterMessageID == 0 || in.Force {
		return nil
	}
	if in.AfterMessageID < 0 {
		return domain.Invalid("after_message_id", "must be a message id")
	}
	seen, err := s.store.GetMessage(ctx, tx, in.AfterMessageID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && seen.TicketID != ticketID) {
		return domain.Invalid("after_message_id", fmt.Sprintf("no message %d on ticket %d", in.AfterMessageID, ticketID))
	}
	if err != nil {
		return err
	}
	newer, err := s.store.NewerMessages(ctx, tx, ticketID, in.AfterMessageID, actor.ID, NewerMessagesMax, newerBodyChars)
	if err != nil {
		return err
	}
	if len(newer) > 0 {
		return &NewerMessagesError{Messages: newer}
	}
	return nil
}
