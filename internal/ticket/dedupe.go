package ticket

import "context"

// dedupe is the first ingestion step: the same message again (by its
// dedupe key) is one more occurrence of the stored copy, nothing else.
func (in *ingestion) dedupe(ctx context.Context) (done bool, err error) {
	dup, found, err := in.look.duplicate(ctx, in.tx, dedupeKeyOf(in.p))
	if err != nil || !found {
		return false, err
	}
	if err := in.s.store.NoteOccurrence(ctx, in.tx, in.mb.ID, in.providerID(), dup.ID, in.now); err != nil {
		return false, err
	}
	in.res = Result{Outcome: OutcomeDuplicate, TicketID: dup.TicketID, MessageID: dup.ID}
	return true, nil
}
