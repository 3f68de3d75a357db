package ticket

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// lookups answer what the ingestion steps ask about the stored data, and
// learn what each message stores. oneMessage asks the store as each question
// comes; batchState has read the answers for a whole import batch at once and
// keeps them current, so a message sees the ones before it as it would in
// its own transaction. The steps never know which one they have.
type lookups interface {
	// mailbox returns the mailbox a message goes to, locked for the
	// transaction (threading decisions are serialised per mailbox).
	mailbox(ctx context.Context, tx *store.Tx, id int64) (store.Mailbox, error)
	ownAddresses(ctx context.Context, tx *store.Tx) (map[string]bool, error)
	duplicate(ctx context.Context, tx *store.Tx, dedupeKey string) (store.MessageRef, bool, error)
	// ticketByKeys is the ticket of the first known key (strongest first),
	// and that key.
	ticketByKeys(ctx context.Context, tx *store.Tx, keys []string) (int64, string, bool, error)
	// blocked is the set of blocked senders (addresses and domains).
	blocked(ctx context.Context, tx *store.Tx) (map[string]bool, error)
	// sentRecently counts the messages from a sender on a ticket dated
	// within loopWindow up to at.
	sentRecently(ctx context.Context, tx *store.Tx, ticketID int64, from string, at time.Time) (int, error)
	fields(ctx context.Context, tx *store.Tx, ticketID int64) (store.TicketFields, error)
	contact(ctx context.Context, tx *store.Tx, email, name string, now time.Time) (int64, error)
	// knownContact is the contact of email when upserting it with name
	// would change nothing: known, and name empty or one given already.
	knownContact(email, name string) (int64, bool)
	// ticketID and messageID hand out a reserved id, or 0 to let the insert
	// assign one.
	ticketID() int64
	messageID() int64

	learnMessage(dedupeKey string, ref store.MessageRef)
	learnThread(keys []string, ticketID int64)
	learnTicket(ticketID int64, f store.TicketFields)
	learnSent(ticketID int64, from string, at time.Time)
}

// oneMessage looks everything up in the store, in the message's transaction.
type oneMessage struct{ s *Service }

func (o oneMessage) mailbox(ctx context.Context, tx *store.Tx, id int64) (store.Mailbox, error) {
	if err := o.s.store.LockMailbox(ctx, tx, id); err != nil {
		return store.Mailbox{}, err
	}
	return o.s.store.GetMailbox(ctx, tx, id)
}

// ownAddresses reads in the message's transaction: through the pool it
// would take a second connection while holding one, and as many concurrent
// ingestions as the pool has connections would wait on each other for ever.
func (o oneMessage) ownAddresses(ctx context.Context, tx *store.Tx) (map[string]bool, error) {
	return o.s.store.MailboxAddresses(ctx, tx)
}

func (o oneMessage) duplicate(ctx context.Context, tx *store.Tx, key string) (store.MessageRef, bool, error) {
	return o.s.store.MessageByDedupeKey(ctx, tx, key)
}

func (o oneMessage) ticketByKeys(ctx context.Context, tx *store.Tx, keys []string) (int64, string, bool, error) {
	known, err := o.s.store.ThreadKeyTickets(ctx, tx, keys)
	if err != nil {
		return 0, "", false, err
	}
	id, key, ok := firstKnown(keys, known)
	return id, key, ok, nil
}

func (o oneMessage) blocked(ctx context.Context, tx *store.Tx) (map[string]bool, error) {
	return o.s.store.BlockedSet(ctx, tx)
}

func (o oneMessage) sentRecently(ctx context.Context, tx *store.Tx, ticketID int64, from string, at time.Time) (int, error) {
	list, err := o.s.store.MessagesSentBetween(ctx, tx, []int64{ticketID}, at.Add(-loopWindow), at)
	return countSent(list, ticketID, from, at), err
}

// countSent counts the messages of list from a sender on a ticket dated
// within loopWindow up to at.
func countSent(list []store.SentBy, ticketID int64, from string, at time.Time) int {
	n := 0
	for _, m := range list {
		if m.TicketID == ticketID && strings.EqualFold(m.From, from) && !m.At.Before(at.Add(-loopWindow)) && !m.At.After(at) {
			n++
		}
	}
	return n
}

func (o oneMessage) fields(ctx context.Context, tx *store.Tx, id int64) (store.TicketFields, error) {
	return o.s.store.GetTicketFields(ctx, tx, id)
}

func (o oneMessage) contact(ctx context.Context, tx *store.Tx, email, name string, now time.Time) (int64, error) {
	return o.s.store.UpsertContact(ctx, tx, email, name, now)
}

func (oneMessage) knownContact(string, string) (int64, bool) { return 0, false }

func (oneMessage) ticketID() int64                       { return 0 }
func (oneMessage) messageID() int64                      { return 0 }
func (oneMessage) learnMessage(string, store.MessageRef) {}
func (oneMessage) learnThread([]string, int64)           {}
func (oneMessage) learnTicket(int64, store.TicketFields) {}
func (oneMessage) learnSent(int64, string, time.Time)    {}

// batchState is what the messages of one transaction share: their mailboxes,
// locked once, the addresses that are ours, and what the messages need to
// look up, read in one statement per kind for the whole batch instead of
// several per message (on PostgreSQL each would be a round trip the writer
// waits for). What the batch cannot know (a ticket named by its number, a
// contact it did not read) is asked of the store.
type batchState struct {
	one        oneMessage
	mailboxes  map[int64]store.Mailbox
	ours       map[string]bool
	dedupe     map[string]store.MessageRef  // dedupe key -> stored message
	threads    map[string]int64             // thread key -> ticket
	tickets    map[int64]store.TicketFields // ticket -> its fields
	contacts   map[string]int64             // lower-cased email -> contact
	named      map[string]bool              // contacts the batch's upsert gave a name
	blockedSet map[string]bool
	sent       []store.SentBy // messages of the tickets the batch may join, in its dates' window
	sentRead   map[int64]bool // tickets (read or created by the batch) whose messages sent holds
	// Ids reserved for the new tickets and messages (PostgreSQL): their
	// inserts then need no answer and go out in one pipeline.
	ticketIDs, messageIDs []int64
}

func (b *batchState) mailbox(_ context.Context, _ *store.Tx, id int64) (store.Mailbox, error) {
	return b.mailboxes[id], nil
}

func (b *batchState) ownAddresses(context.Context, *store.Tx) (map[string]bool, error) {
	return b.ours, nil
}

func (b *batchState) duplicate(_ context.Context, _ *store.Tx, key string) (store.MessageRef, bool, error) {
	ref, ok := b.dedupe[key]
	return ref, ok, nil
}

func (b *batchState) ticketByKeys(_ context.Context, _ *store.Tx, keys []string) (int64, string, bool, error) {
	id, key, ok := firstKnown(keys, b.threads)
	return id, key, ok, nil
}

func (b *batchState) blocked(context.Context, *store.Tx) (map[string]bool, error) {
	return b.blockedSet, nil
}

func (b *batchState) sentRecently(ctx context.Context, tx *store.Tx, ticketID int64, from string, at time.Time) (int, error) {
	if !b.sentRead[ticketID] {
		// A ticket the batch did not read (named by a token): the store
		// sees the batch's own messages too, as in their transaction.
		return b.one.sentRecently(ctx, tx, ticketID, from, at)
	}
	return countSent(b.sent, ticketID, from, at), nil
}

func (b *batchState) learnSent(ticketID int64, from string, at time.Time) {
	b.sent = append(b.sent, store.SentBy{TicketID: ticketID, From: from, At: at})
}

func (b *batchState) fields(ctx context.Context, tx *store.Tx, id int64) (store.TicketFields, error) {
	if f, ok := b.tickets[id]; ok {
		return f, nil
	}
	f, err := b.one.fields(ctx, tx, id)
	if err == nil {
		b.tickets[id] = f
	}
	return f, err
}

func (b *batchState) contact(ctx context.Context, tx *store.Tx, email, name string, now time.Time) (int64, error) {
	if id, ok := b.contacts[contactKey(email)]; ok {
		return id, nil
	}
	return b.one.contact(ctx, tx, email, name, now)
}

func (b *batchState) knownContact(email, name string) (int64, bool) {
	key := contactKey(email)
	id, ok := b.contacts[key]
	// A name the upsert would keep: the stored one is not empty.
	return id, ok && (name == "" || b.named[key])
}

// contactKey is an email as UpsertContacts keys the ids it returns.
func contactKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func (b *batchState) ticketID() int64  { return nextID(&b.ticketIDs) }
func (b *batchState) messageID() int64 { return nextID(&b.messageIDs) }

func (b *batchState) learnMessage(key string, ref store.MessageRef) { b.dedupe[key] = ref }

func (b *batchState) learnThread(keys []string, ticketID int64) { learnKeys(b.threads, keys, ticketID) }

func (b *batchState) learnTicket(id int64, f store.TicketFields) {
	if _, ok := b.tickets[id]; !ok {
		b.sentRead[id] = true // created by the batch: all its messages are learned
	}
	b.tickets[id] = f
}

// learnKeys maps keys to a ticket as the insert does: the first ticket keeps a key.
func learnKeys(m map[string]int64, keys []string, ticketID int64) {
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			m[k] = ticketID
		}
	}
}

// nextID takes a reserved id from pool, or gives 0 to let the insert assign one.
func nextID(pool *[]int64) int64 {
	if len(*pool) == 0 {
		return 0
	}
	id := (*pool)[0]
	*pool = (*pool)[1:]
	return id
}

// startBatch takes the lock of every mailbox the items go to (in id order,
// so two batches cannot deadlock), reads them once, and looks up what the
// items will ask for.
func (s *Service) startBatch(ctx context.Context, tx *store.Tx, items []*ImportItem) (*batchState, error) {
	ids := []int64{}
	for _, it := range items {
		if it.err == nil && !slices.Contains(ids, it.mailboxID) {
			ids = append(ids, it.mailboxID)
		}
	}
	slices.Sort(ids)
	b := &batchState{one: oneMessage{s}, mailboxes: map[int64]store.Mailbox{}}
	for _, id := range ids {
		mb, err := b.one.mailbox(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		b.mailboxes[id] = mb
	}
	var err error
	if b.ours, err = b.one.ownAddresses(ctx, tx); err != nil {
		return nil, err
	}
	var dedupe, threads []string
	n := 0
	for _, it := range items {
		if it.err == nil {
			n++
			dedupe = append(dedupe, dedupeKeyOf(it.p))
			threads = append(threads, threadLookupKeys(it.p.msg)...)
		}
	}
	if b.dedupe, err = s.store.MessagesByDedupeKeys(ctx, tx, dedupe); err != nil {
		return nil, err
	}
	if b.threads, err = s.store.ThreadKeyTickets(ctx, tx, threads); err != nil {
		return nil, err
	}
	var tickets []int64
	for _, id := range b.threads {
		if !slices.Contains(tickets, id) {
			tickets = append(tickets, id)
		}
	}
	if b.tickets, err = s.store.TicketFieldsByID(ctx, tx, tickets); err != nil {
		return nil, err
	}
	if b.blockedSet, err = s.store.BlockedSet(ctx, tx); err != nil {
		return nil, err
	}
	// Loop detection counts by Date: one read covers every ticket the batch
	// knows, over the window of the batch's dates.
	var lo, hi time.Time
	for _, it := range items {
		if it.err != nil || it.p.msg.Bounce != nil {
			continue
		}
		at := it.p.msg.Date
		if at.IsZero() {
			// Judged at the time of its ingestion, a little later.
			at = s.now().Add(time.Hour)
		}
		if lo.IsZero() || at.Before(lo) {
			lo = at
		}
		if at.After(hi) {
			hi = at
		}
	}
	b.sentRead = map[int64]bool{}
	if !lo.IsZero() {
		if b.sent, err = s.store.MessagesSentBetween(ctx, tx, tickets, lo.Add(-2*time.Hour), hi); err != nil {
			return nil, err
		}
		for _, id := range tickets {
			b.sentRead[id] = true
		}
	}
	// Senders of new messages: the ticket's requester, or the author.
	// Automatic mail's senders are not read ahead: most of it is kept aside
	// and makes no contact (what does join a ticket asks the store).
	var senders []store.Address
	for _, it := range items {
		if it.err != nil || it.p.msg.Bounce != nil || it.p.msg.Reason != "" {
			continue
		}
		if _, dup := b.dedupe[dedupeKeyOf(it.p)]; !dup {
			senders = append(senders, store.Address{Email: fallback(it.p.msg.From.Email, unknownSender), Name: it.p.msg.From.Name})
		}
	}
	if b.contacts, err = s.store.UpsertContacts(ctx, tx, senders, s.now()); err != nil {
		return nil, err
	}
	b.named = map[string]bool{}
	for _, p := range senders {
		if p.Name != "" {
			b.named[contactKey(p.Email)] = true
		}
	}
	if b.messageIDs, err = s.store.ReserveIDs(ctx, tx, "messages", n); err != nil {
		return nil, err
	}
	if b.ticketIDs, err = s.store.ReserveIDs(ctx, tx, "tickets", b.newTickets(items)); err != nil {
		return nil, err
	}
	return b, nil
}

// newTickets counts the items that will open a ticket, with the threader's
// own rules (threadByKeys, tokenCandidates) over what the batch knows: ticket
// numbers are shown to people, so none is reserved that would be left
// unused. A message it cannot be sure of (a ticket token, a bounce) is not
// counted: if it does open a ticket, that insert asks for its id.
func (b *batchState) newTickets(items []*ImportItem) int {
	seen := map[string]bool{}
	known := maps.Clone(b.threads)
	n := 0
	for _, it := range items {
		if it.err != nil || it.p.msg.Bounce != nil {
			continue
		}
		msg, key := it.p.msg, dedupeKeyOf(it.p)
		if _, dup := b.dedupe[key]; dup || seen[key] {
			continue
		}
		seen[key] = true
		// Automatic mail never opens a ticket; mail that may be automatic
		// (a blocked sender) or is exempted by our own list is not counted.
		automatic := msg.Reason != "" || store.BlockedValue(msg.From.Email, b.blockedSet) != ""
		if _, _, threaded := firstKnown(threadLookupKeys(msg), known); !threaded && !automatic && len(tokenCandidates(msg, b.mailboxes[it.mailboxID].Address, nil)) == 0 {
			n++
		}
		learnKeys(known, threadKeys(msg), 0)
	}
	return n
}
