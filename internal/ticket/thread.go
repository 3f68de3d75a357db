package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
)

// ThreadedBy says how an inbound message found its ticket: what an agent
// reads when a reply lands somewhere unexpected. It is stored with the
// message, with the key that matched.
type ThreadedBy string

// How messages find their tickets.
const (
	ThreadedNew          ThreadedBy = "new"           // opened a ticket
	ThreadedInReplyTo    ThreadedBy = "in-reply-to"   // its In-Reply-To is a message of the ticket
	ThreadedReferences   ThreadedBy = "references"    // a References id (or its own id, referenced by a reply that came first)
	ThreadedPlusAddress  ThreadedBy = "plus-address"  // support+t42@ from a participant
	ThreadedSubjectToken ThreadedBy = "subject-token" // [#42] in the subject from a participant
	ThreadedThreadIndex  ThreadedBy = "thread-index"  // Outlook's Thread-Index conversation, without any other header
	ThreadedMerged       ThreadedBy = "merged"        // moved by a merge of tickets
	ThreadedSplit        ThreadedBy = "split"         // moved by a split of a ticket
)

// ThreadedByValues lists every ThreadedBy value (the spec's enum).
func ThreadedByValues() []ThreadedBy {
	return []ThreadedBy{ThreadedNew, ThreadedInReplyTo, ThreadedReferences, ThreadedPlusAddress, ThreadedSubjectToken,
		ThreadedThreadIndex, ThreadedMerged, ThreadedSplit}
}

// DefaultReopenDays is how long after it was closed a ticket is reopened by
// a reply; later, the reply opens a new ticket that links to it.
const DefaultReopenDays = 30

// thread finds the ticket a message belongs to, or 0 for a new one: by its
// threading headers first, then by a ticket number it carries. It records
// how (in.threadedBy, in.threadedKey), and reads the state of the ticket it
// joins into in.before. A merged ticket's thread keys moved with its
// messages; a number naming a merged ticket leads to the ticket it was
// merged into (threaded_by merged).
func (in *ingestion) thread(ctx context.Context) (int64, error) {
	id, err := in.find(ctx)
	if err != nil || id == 0 {
		return 0, err
	}
	if in.before, err = in.look.fields(ctx, in.tx, id); err != nil {
		return 0, err
	}
	in.known = true
	if in.reason == "" && in.closedLongAgo() {
		// A customer writing again months later starts a new conversation:
		// reopening would bury it under an old, finished one.
		in.follows, in.followed, in.known = id, in.before, false
		in.threadedBy = ThreadedNew
		return 0, nil
	}
	return id, nil
}

// closedLongAgo: the ticket joined is closed, and was solved longer ago than
// the mailbox's reopen window (closing keeps the solved time, and nothing
// else records when it was closed).
func (in *ingestion) closedLongAgo() bool {
	days := in.mb.ReopenDays
	if days <= 0 {
		days = DefaultReopenDays
	}
	return in.before.Status == domain.StatusClosed && !in.before.SolvedAt.IsZero() &&
		in.now.Sub(in.before.SolvedAt) > time.Duration(days)*24*time.Hour
}

func (in *ingestion) find(ctx context.Context) (int64, error) {
	msg := in.msg()
	in.threadedBy, in.threadedKey = ThreadedNew, ""
	id, key, ok, err := in.look.ticketByKeys(ctx, in.tx, threadLookupKeys(msg))
	if err != nil {
		return 0, err
	}
	if ok {
		by := keyKind(msg, key)
		keep := true
		if by == ThreadedReferences && key != msg.MessageID {
			if keep, err = in.referenceHolds(ctx, id); err != nil {
				return 0, err
			}
		}
		if keep {
			in.threadedBy, in.threadedKey = by, strings.TrimPrefix(key, threadIndexPrefix)
			return id, nil
		}
	}
	// A ticket token counts only from someone already in the conversation
	// (a participant, or a third party it was forwarded to): otherwise anyone
	// could write into any ticket by guessing its number.
	for _, c := range tokenCandidates(msg, in.mb.Address, in.opts.envelopeTo) {
		exists, err := in.s.store.TicketExists(ctx, in.tx, c.id)
		if err != nil {
			return 0, err
		}
		if !exists {
			continue
		}
		ok, err := in.s.store.IsParticipant(ctx, in.tx, c.id, msg.From.Email)
		if err == nil && !ok {
			ok, err = in.s.store.IsThirdParty(ctx, in.tx, c.id, msg.From.Email)
		}
		if err != nil {
			return 0, err
		}
		if ok {
			target, err := in.mergedTarget(ctx, c.id)
			if err != nil {
				return 0, err
			}
			in.threadedBy, in.threadedKey = c.by, c.key
			if target != c.id {
				in.threadedBy = ThreadedMerged
			}
			return target, nil
		}
	}
	return 0, nil
}

// referenceHolds: a References hit alone (no In-Reply-To matched) joins the
// ticket only when the sender is one of its participants or the subjects
// share a word. A newsletter many people answer carries its id in every
// answer's References; each answer is its own conversation.
func (in *ingestion) referenceHolds(ctx context.Context, ticketID int64) (bool, error) {
	ok, err := in.s.store.IsParticipant(ctx, in.tx, ticketID, in.msg().From.Email)
	if err == nil && !ok {
		ok, err = in.s.store.IsThirdParty(ctx, in.tx, ticketID, in.msg().From.Email)
	}
	if err != nil || ok {
		return ok, err
	}
	subject, err := in.s.store.TicketSubject(ctx, in.tx, ticketID)
	if err != nil {
		return false, err
	}
	return shareWord(subject, in.msg().Subject), nil
}

// shareWord: the two subjects, without reply prefixes and ticket tokens,
// have a word of two letters or more in common.
func shareWord(a, b string) bool {
	words := func(s string) []string {
		return strings.FieldsFunc(strings.ToLower(mail.NormalizeSubject(s)), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	}
	bw := words(b)
	for _, w := range words(a) {
		if len([]rune(w)) >= 2 && slices.Contains(bw, w) {
			return true
		}
	}
	return false
}

// keyKind names the header a matched key came from.
func keyKind(msg *mail.Message, key string) ThreadedBy {
	switch {
	case strings.HasPrefix(key, threadIndexPrefix):
		return ThreadedThreadIndex
	case slices.Contains(msg.InReplyTo, key):
		return ThreadedInReplyTo
	}
	return ThreadedReferences
}

type tokenCandidate struct {
	id  int64
	by  ThreadedBy
	key string
}

// tokenCandidates are the ticket numbers msg names: in a plus address of the
// mailbox it reached (envelope, delivery headers, To, Cc), then in its
// subject.
func tokenCandidates(msg *mail.Message, mailboxAddr string, envelopeTo []string) []tokenCandidate {
	var out []tokenCandidate
	for _, a := range msg.Recipients(envelopeTo...) {
		if mail.BaseAddress(a) != mailboxAddr {
			continue
		}
		if id, ok := mail.TicketTokenFromAddress(a); ok {
			out = append(out, tokenCandidate{id, ThreadedPlusAddress, a})
		}
	}
	if id, ok := mail.TicketTokenFromSubject(msg.Subject); ok {
		out = append(out, tokenCandidate{id, ThreadedSubjectToken, fmt.Sprintf("[#%d]", id)})
	}
	return out
}

// threadIndexPrefix marks an Outlook conversation among the thread keys
// (which are otherwise Message-IDs).
const threadIndexPrefix = "thread-index:"

// threadLookupKeys are the keys that can put msg on a ticket, strongest
// evidence first: the message it answers, then the references from the
// newest, then its own id (a reply to it may have arrived first), and last
// its Outlook conversation, which only counts when no other key is known.
func threadLookupKeys(msg *mail.Message) []string {
	keys := slices.Clone(msg.InReplyTo)
	for i := len(msg.References) - 1; i >= 0; i-- {
		keys = append(keys, msg.References[i])
	}
	if msg.MessageID != "" {
		keys = append(keys, msg.MessageID)
	}
	if msg.ThreadIndex != "" {
		keys = append(keys, threadIndexPrefix+msg.ThreadIndex)
	}
	return keys
}

// firstKnown is the ticket of the first key in known: keys come strongest first.
func firstKnown(keys []string, known map[string]int64) (int64, string, bool) {
	for _, k := range keys {
		if id, ok := known[k]; ok {
			return id, k, true
		}
	}
	return 0, "", false
}
