package ticket

import (
	"context"
	"slices"

	"github.com/ticketer/ticketer/internal/mail"
)

// thread finds the ticket a message belongs to, or 0 for a new one: by its
// threading headers first, then by a ticket number it carries. A merged
// ticket's thread keys moved with its messages; a number naming a merged
// ticket leads to the ticket it was merged into.
func (in *ingestion) thread(ctx context.Context) (int64, error) {
	msg := in.msg()
	if id, ok, err := in.look.ticketByKeys(ctx, in.tx, threadLookupKeys(msg)); err != nil || ok {
		return id, err
	}
	// A ticket token counts only from someone already in the conversation:
	// otherwise anyone could write into any ticket by guessing its number.
	for _, id := range tokenCandidates(msg, in.mb.Address, in.opts.envelopeTo) {
		exists, err := in.s.store.TicketExists(ctx, in.tx, id)
		if err != nil {
			return 0, err
		}
		if !exists {
			continue
		}
		ok, err := in.s.store.IsParticipant(ctx, in.tx, id, msg.From.Email)
		if err != nil {
			return 0, err
		}
		if ok {
			return in.mergedTarget(ctx, id)
		}
	}
	return 0, nil
}

// tokenCandidates are the ticket numbers msg names: in a plus address of the
// mailbox it reached (envelope, delivery headers, To, Cc), then in its
// subject.
func tokenCandidates(msg *mail.Message, mailboxAddr string, envelopeTo []string) []int64 {
	var ids []int64
	for _, a := range msg.Recipients(envelopeTo...) {
		if mail.BaseAddress(a) != mailboxAddr {
			continue
		}
		if id, ok := mail.TicketTokenFromAddress(a); ok {
			ids = append(ids, id)
		}
	}
	if id, ok := mail.TicketTokenFromSubject(msg.Subject); ok {
		ids = append(ids, id)
	}
	return ids
}

// threadLookupKeys are the keys that can put msg on a ticket, strongest
// evidence first: the message it answers, then the references from the
// newest, then its own id (a reply to it may have arrived first).
func threadLookupKeys(msg *mail.Message) []string {
	keys := slices.Clone(msg.InReplyTo)
	for i := len(msg.References) - 1; i >= 0; i-- {
		keys = append(keys, msg.References[i])
	}
	if msg.MessageID != "" {
		keys = append(keys, msg.MessageID)
	}
	return keys
}

// firstKnown is the ticket of the first key in known: keys come strongest first.
func firstKnown(keys []string, known map[string]int64) (int64, bool) {
	for _, k := range keys {
		if id, ok := known[k]; ok {
			return id, true
		}
	}
	return 0, false
}
