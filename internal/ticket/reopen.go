package ticket

import (
	"context"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// reopen is the ingestion step after the message is stored: a customer's
// reply wakes a solved, closed or pending ticket (the customer is the actor).
func (in *ingestion) reopen(ctx context.Context) error {
	from := in.msg().From.Email
	if in.res.NewTicket || in.kind != store.KindInbound || in.ours[mail.BaseAddress(from)] {
		return nil
	}
	switch in.before.Status {
	case domain.StatusSolved, domain.StatusClosed, domain.StatusPending:
	default:
		return nil
	}
	open := domain.StatusOpen
	a, err := in.s.change(ctx, in.tx, Change{TicketID: in.res.TicketID, Actor: Actor{Name: from}, Status: &open, before: &in.before})
	if err != nil {
		return err
	}
	in.look.learnTicket(in.res.TicketID, a.After)
	return nil
}
