package ticket

import "context"

// dedupe is the first ingestion step: the same message again (by its
// dedupe key) is one more occurrence of the stored copy, nothing else.
func (in *ingestion) dedupe(ctx context.Context) (done bool, err error) {
	dup, found, err := in.look.duplicate(ctx, in.tx, dedupeKeyOf(in.p))
	if err != nil || !found {
		return false, err
	}
	if dup.ID == 0 {
		// Kept as automatic mail: nothing to note an occurrence on. The row
		// an agent turns into a ticket is not a copy of itself.
		if in.opts.force && dup.InboundID == in.opts.inboundID {
			return false, nil
		}
		in.res = Result{Outcome: OutcomeDuplicate}
		return true, nil
	}
	if err := in.s.store.NoteOccurrence(ctx, in.tx, in.mb.ID, in.providerID(), dup.ID, in.now); err != nil {
		return false, err
	}
	in.res = Result{Outcome: OutcomeDuplicate, TicketID: dup.TicketID, MessageID: dup.ID}
	return true, nil
}
