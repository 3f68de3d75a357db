package ticket

import (
	"context"
	"strings"

	"github.com/ticketer/ticketer/internal/store"
)

// bounce is the ingestion step for a delivery report: it marks the reported
// outbound message failed and keeps the report on its ticket; a bounce never
// opens a ticket, and one for mail we never sent is kept raw only.
func (in *ingestion) bounce(ctx context.Context) error {
	b := in.msg().Bounce
	orig, found := store.Message{}, false
	if b.OriginalMessageID != "" {
		var err error
		if orig, found, err = in.s.store.OutboundByMessageID(ctx, in.tx, b.OriginalMessageID); err != nil {
			return err
		}
	}
	if !found {
		in.res.Outcome, in.res.Note = OutcomeIgnored, "bounce for a message we did not send ("+fallback(b.OriginalMessageID, "no Message-ID")+")"
		return nil
	}
	reason := fallback(strings.TrimSpace(strings.Join(nonEmpty(b.Status, b.Diagnostic), " ")), "bounced")
	c := Change{TicketID: orig.TicketID, Actor: systemActor()}
	if b.Action != "" && !strings.EqualFold(b.Action, "failed") {
		reason = b.Action + ": " + reason // delayed, relayed...: not a failure
	} else {
		c.Delivery = &Delivery{MessageID: orig.ID, Status: store.DeliveryFailed, Error: "bounced: " + reason}
	}
	c.Events = []Event{{Kind: EventDeliveryFailed, Field: "message", OldValue: orig.MessageID, NewValue: reason}}
	if _, err := in.s.change(ctx, in.tx, c); err != nil {
		return err
	}
	in.res.Outcome, in.res.TicketID = OutcomeNew, orig.TicketID
	id, err := in.insertMessage(ctx, orig.TicketID, 0, store.KindAutoReply, "")
	if err != nil {
		return err
	}
	in.res.MessageID = id
	_, err = in.s.change(ctx, in.tx, Change{TicketID: orig.TicketID, Actor: systemActor(), MessageAdded: id, Uncounted: true})
	return err
}
