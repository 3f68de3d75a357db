package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// Received is a raw message handed over by a connector (SMTP listener, IMAP...).
type Received struct {
	MailboxID    int64
	Source       string // smtp, imap, ...
	ProviderID   string // e.g. IMAP UID; "" derives one from the bytes
	EnvelopeFrom string
	EnvelopeTo   []string
	Raw          []byte
}

// Receive stores the raw bytes and, in one transaction, the inbound row and
// its ingestion job: once it returns nil the message cannot be lost.
func (s *Service) Receive(ctx context.Context, r Received) (int64, error) {
	key, sum, err := s.cfg.Blobs.Put(ctx, "raw", r.Raw)
	if err != nil {
		return 0, fmt.Errorf("store raw message: %w", err)
	}
	return s.ReceiveStored(ctx, r, StoredRaw{Key: key, SHA256: sum, Size: int64(len(r.Raw))})
}

// Outcome says what ingestion did with a message.
type Outcome string

// Outcomes.
const (
	OutcomeNew       Outcome = "new"       // a new message (new ticket or appended)
	OutcomeDuplicate Outcome = "duplicate" // already stored: one more occurrence at most
	OutcomeIgnored   Outcome = "ignored"   // kept as raw only (e.g. a bounce for mail we never sent)
)

// Result describes an ingested message.
type Result struct {
	Outcome   Outcome
	TicketID  int64
	MessageID int64
	NewTicket bool
	Note      string
}

// ProcessInbound ingests a stored inbound message (the ingestion job). It is
// idempotent: a row already processed is left alone.
func (s *Service) ProcessInbound(ctx context.Context, inboundID int64) error {
	in, err := s.store.GetInbound(ctx, s.db.W(), inboundID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // removed since: nothing to do
	}
	if err != nil {
		return err
	}
	if in.Status != store.InboundPending && in.Status != store.InboundFailed {
		return nil
	}
	raw, err := s.cfg.Blobs.Get(ctx, in.RawKey)
	if err == nil {
		var res Result
		opts := ingestOpts{source: in.Source, providerID: in.ProviderID, envelopeTo: splitList(in.EnvelopeTo), inboundID: in.ID}
		res, err = s.ingest(ctx, in.MailboxID, raw, in.RawKey, in.SHA256, opts)
		if err == nil {
			s.log.Info("ingested", "inbound", in.ID, "outcome", res.Outcome, "ticket", res.TicketID, "message", res.MessageID)
			s.metrics.Ingested(string(res.Outcome))
			return nil
		}
	}
	s.metrics.IngestFailed()
	s.log.Error("ingest failed; will retry", "inbound", in.ID, "err", err)
	if ferr := s.store.FailInbound(context.WithoutCancel(ctx), in.ID, err.Error(), s.now()); ferr != nil {
		s.log.Error("record ingest failure", "inbound", in.ID, "err", ferr)
	}
	return err
}

// Import ingests one message from an archive: no acknowledgement is sent for
// history. A message that fails is kept as a failed inbound row with an
// ingestion job, so the server retries it and it is visible meanwhile.
func (s *Service) Import(ctx context.Context, mailboxID int64, raw []byte) (Result, error) {
	res, errs := s.ImportBatch(ctx, []*ImportItem{s.PrepareImport(ctx, mailboxID, raw)})
	return res[0], errs[0]
}

// ImportItem is one archived message on its way through a batch import.
type ImportItem struct {
	mailboxID int64
	key, sum  string
	size      int64
	p         *prepared
	err       error // storing or parsing failed
}

// PrepareImport does the part of importing raw that needs no transaction:
// storing its bytes and parsing it. It is safe to run in several goroutines
// at once; raw is not kept.
func (s *Service) PrepareImport(ctx context.Context, mailboxID int64, raw []byte) *ImportItem {
	it := &ImportItem{mailboxID: mailboxID, size: int64(len(raw))}
	it.key, it.sum, it.err = s.cfg.Blobs.Put(ctx, "raw", raw)
	if it.err != nil {
		it.err = fmt.Errorf("store raw message: %w", it.err)
		return it
	}
	it.p, it.err = s.prepare(ctx, raw, it.key, it.sum)
	return it
}

// ImportBatch stores prepared messages in order in one transaction: one
// commit for many messages. When any of them fails the batch is rolled back
// and each message is tried alone, so one bad message costs only itself.
// Results and errors are per item; failed messages are kept for retry as
// Import says.
func (s *Service) ImportBatch(ctx context.Context, items []*ImportItem) ([]Result, []error) {
	results, errs := make([]Result, len(items)), make([]error, len(items))
	opts := ingestOpts{source: "import", noAck: true}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if opts.batch, err = s.startBatch(ctx, tx, items); err != nil {
			return err
		}
		for i, it := range items {
			results[i], errs[i] = Result{}, it.err
			if it.err != nil {
				continue
			}
			if results[i], err = s.apply(ctx, tx, it.mailboxID, it.p, opts); err != nil {
				return err
			}
			if r := results[i]; r.Outcome == OutcomeNew && r.MessageID != 0 {
				opts.batch.dedupe[dedupeKeyOf(it.p)] = store.MessageRef{ID: r.MessageID, TicketID: r.TicketID}
			}
		}
		return nil
	})
	if err != nil && len(items) > 1 && ctx.Err() == nil {
		for i, it := range items {
			r, e := s.ImportBatch(ctx, []*ImportItem{it})
			results[i], errs[i] = r[0], e[0]
		}
		return results, errs
	}
	for i, it := range items {
		if err != nil {
			results[i], errs[i] = Result{}, err
		}
		if errs[i] == nil {
			s.metrics.Ingested(string(results[i].Outcome))
		} else {
			s.metrics.IngestFailed()
		}
		// An interrupted import keeps nothing half-done: running it again
		// picks the message up.
		if errs[i] != nil && it.key != "" && ctx.Err() == nil {
			errs[i] = s.keepFailedImport(ctx, it, errs[i])
		}
	}
	return results, errs
}

// batchState is what the messages of one transaction share: their mailboxes,
// locked once, the addresses that are ours, and what the messages need to
// look up, read in one statement per kind for the whole batch instead of
// several per message (on PostgreSQL each would be a round trip the writer
// waits for). The maps learn what the batch stores, so a message sees the
// ones before it as it would in its own transaction.
type batchState struct {
	mailboxes map[int64]store.Mailbox
	ours      map[string]bool
	dedupe    map[string]store.MessageRef // dedupe key -> stored message
	threads   map[string]int64            // thread key -> ticket
	statuses  map[int64]string            // ticket -> status
	contacts  map[string]int64            // lower-cased email -> contact
	// Ids reserved for the new tickets and messages (PostgreSQL): their
	// inserts then need no answer and go out in one pipeline.
	ticketIDs, messageIDs []int64
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
	b := &batchState{mailboxes: map[int64]store.Mailbox{}}
	for _, id := range ids {
		if err := s.store.LockMailbox(ctx, tx, id); err != nil {
			return nil, err
		}
		mb, err := s.store.GetMailbox(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		b.mailboxes[id] = mb
	}
	all, err := s.store.ListMailboxes(ctx)
	if err != nil {
		return nil, err
	}
	b.ours = ownAddresses(all)

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
	if b.statuses, err = s.store.TicketStatuses(ctx, tx, tickets); err != nil {
		return nil, err
	}
	// Senders of new messages: the ticket's requester, or the author.
	var senders []store.Address
	for _, it := range items {
		if it.err != nil || it.p.msg.Bounce != nil {
			continue
		}
		if _, dup := b.dedupe[dedupeKeyOf(it.p)]; !dup {
			senders = append(senders, store.Address{Email: fallback(it.p.msg.From.Email, unknownSender), Name: it.p.msg.From.Name})
		}
	}
	if b.contacts, err = s.store.UpsertContacts(ctx, tx, senders, s.now()); err != nil {
		return nil, err
	}
	if b.messageIDs, err = s.store.ReserveIDs(ctx, tx, "messages", n); err != nil {
		return nil, err
	}
	if b.ticketIDs, err = s.store.ReserveIDs(ctx, tx, "tickets", b.newTickets(items)); err != nil {
		return nil, err
	}
	return b, nil
}

// newTickets counts the items that will open a ticket, following the rules
// of apply with what the batch knows: ticket numbers are shown to people, so
// none is reserved that would be left unused. A message it cannot be sure
// of (a ticket token, a bounce) is not counted: if it does open a ticket,
// that insert asks for its id.
func (b *batchState) newTickets(items []*ImportItem) int {
	seen := map[string]bool{}
	known := map[string]bool{}
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
		threaded := hasTicketToken(msg)
		for _, k := range threadLookupKeys(msg) {
			if _, ok := b.threads[k]; ok || known[k] {
				threaded = true
			}
		}
		if !threaded {
			n++
		}
		for _, k := range threadKeys(msg) {
			known[k] = true
		}
	}
	return n
}

// hasTicketToken tells whether msg names a ticket number anywhere thread
// looks for one.
func hasTicketToken(msg *mail.Message) bool {
	if _, ok := mail.TicketTokenFromSubject(msg.Subject); ok {
		return true
	}
	addrs := slices.Clone(msg.DeliveredTo)
	for _, a := range append(slices.Clone(msg.To), msg.Cc...) {
		addrs = append(addrs, a.Email)
	}
	for _, a := range addrs {
		if _, ok := mail.TicketTokenFromAddress(a); ok {
			return true
		}
	}
	return false
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

func (b *batchState) nextTicketID() int64 {
	if b == nil {
		return 0
	}
	return nextID(&b.ticketIDs)
}

func (b *batchState) nextMessageID() int64 {
	if b == nil {
		return 0
	}
	return nextID(&b.messageIDs)
}

// unknownSender stands for a message without a usable From.
const unknownSender = "unknown@invalid"

// dedupeKeyOf is what makes two copies of a message one: its Message-ID, or
// the hash of its bytes when it has none.
func dedupeKeyOf(p *prepared) string {
	if p.msg.MessageID != "" {
		return "mid:" + p.msg.MessageID
	}
	return "sha256:" + p.sum
}

// keepFailedImport records a message that could not be imported as a failed
// inbound row with its ingestion job: visible, and retried by the server.
func (s *Service) keepFailedImport(ctx context.Context, it *ImportItem, ingestErr error) error {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		id, err := s.store.InsertInbound(ctx, tx, store.Inbound{
			MailboxID: it.mailboxID, Source: "import", RawKey: it.key, SHA256: it.sum, Size: it.size,
			Status: store.InboundFailed, Error: ingestErr.Error(), Attempts: 1, ReceivedAt: s.now(),
		})
		if err != nil {
			return err
		}
		return s.cfg.Queue.Enqueue(ctx, tx, jobs.IngestArgs{InboundID: id})
	})
	if err != nil {
		return fmt.Errorf("%w (and keeping it failed too: %w)", ingestErr, err)
	}
	return ingestErr
}

type ingestOpts struct {
	source     string
	providerID string
	envelopeTo []string
	inboundID  int64 // 0 when there is no inbound row (import)
	noAck      bool
	batch      *batchState // set when the mailbox is locked and read already
}

// ingest parses raw and, in one transaction, stores it on the right ticket.
func (s *Service) ingest(ctx context.Context, mailboxID int64, raw []byte, rawKey, sum string, o ingestOpts) (Result, error) {
	p, err := s.prepare(ctx, raw, rawKey, sum)
	if err != nil {
		return Result{}, err
	}
	var res Result
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.apply(ctx, tx, mailboxID, p, o)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	return res, nil
}

// prepared is a message parsed and its bytes stored: all the work of
// ingestion that needs no transaction, so it can run in parallel.
type prepared struct {
	msg         *mail.Message
	atts        []store.Attachment
	rawKey, sum string
	size        int64
}

func (s *Service) prepare(ctx context.Context, raw []byte, rawKey, sum string) (*prepared, error) {
	msg, err := mail.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	// Attachment bytes go to the blob store before the transaction: they are
	// content-addressed, so a rollback leaves at worst an unreferenced blob.
	atts := make([]store.Attachment, 0, len(msg.Attachments))
	for _, a := range msg.Attachments {
		key, asum, err := s.cfg.Blobs.Put(ctx, "att", a.Data)
		if err != nil {
			return nil, fmt.Errorf("store attachment: %w", err)
		}
		atts = append(atts, store.Attachment{Filename: a.Filename, ContentType: a.ContentType, Size: int64(len(a.Data)),
			SHA256: asum, BlobKey: key, ContentID: a.ContentID, Inline: a.Inline})
	}
	for i := range msg.Attachments {
		msg.Attachments[i].Data = nil
	}
	return &prepared{msg: msg, atts: atts, rawKey: rawKey, sum: sum, size: int64(len(raw))}, nil
}

// apply stores a prepared message on the right ticket inside tx.
func (s *Service) apply(ctx context.Context, tx *store.Tx, mailboxID int64, p *prepared, o ingestOpts) (res Result, err error) {
	msg, atts, rawKey, sum := p.msg, p.atts, p.rawKey, p.sum
	providerID := o.providerID
	if providerID == "" {
		providerID = "sha256:" + sum
	}
	dedupeKey := dedupeKeyOf(p)
	err = func() error {
		now := s.now()
		var mb store.Mailbox
		if b := o.batch; b != nil {
			mb = b.mailboxes[mailboxID]
		} else {
			if err := s.store.LockMailbox(ctx, tx, mailboxID); err != nil {
				return err
			}
			var err error
			if mb, err = s.store.GetMailbox(ctx, tx, mailboxID); err != nil {
				return err
			}
		}
		finish := func() error {
			if o.inboundID == 0 {
				return nil
			}
			return s.store.FinishInbound(ctx, tx, o.inboundID, inboundStatus(res.Outcome), res.MessageID, res.Note, now)
		}

		// 1. Dedupe: the same message again is one more occurrence, nothing else.
		if dup, found, err := s.duplicateOf(ctx, tx, o.batch, dedupeKey); err != nil {
			return err
		} else if found {
			if err := s.store.NoteOccurrence(ctx, tx, mailboxID, providerID, dup.ID, now); err != nil {
				return err
			}
			res = Result{Outcome: OutcomeDuplicate, TicketID: dup.TicketID, MessageID: dup.ID}
			return finish()
		}

		// 2. Bounces attach to the message they report on and never open a ticket.
		if msg.Bounce != nil {
			return s.ingestBounce(ctx, tx, msg, &res, now, func(ticketID int64) error {
				id, err := s.insertMessage(ctx, tx, 0, ticketID, store.KindAutoReply, "", msg, dedupeKey, rawKey, sum, p.size, atts, now)
				if err != nil {
					return err
				}
				res.MessageID = id
				if err := s.store.NoteOccurrence(ctx, tx, mailboxID, providerID, id, now); err != nil {
					return err
				}
				if err := s.publish(ctx, tx, live.MessageAdded, ticketID, id); err != nil {
					return err
				}
				return s.store.TouchTicket(ctx, tx, ticketID, now, 1)
			}, finish)
		}

		var ours map[string]bool
		if o.batch != nil {
			ours = o.batch.ours
		} else {
			mailboxes, err := s.store.ListMailboxes(ctx)
			if err != nil {
				return err
			}
			ours = ownAddresses(mailboxes)
		}

		// 3. Thread.
		ticketID, err := s.thread(ctx, tx, o.batch, mb, msg, o.envelopeTo)
		if err != nil {
			return err
		}
		from := msg.From.Email
		kind, delivery := store.KindInbound, ""
		switch {
		case msg.Auto != "":
			kind = store.KindAutoReply
		case ours[mail.BaseAddress(from)]:
			// Written by us from another mail client (a synced sent folder, a
			// journal copy): an answer already delivered, not a customer's.
			kind, delivery = store.KindOutbound, store.DeliverySent
		}
		fromID, err := s.contactID(ctx, tx, o.batch, fallback(from, unknownSender), msg.From.Name, now)
		if err != nil {
			return err
		}
		if ticketID == 0 {
			subject := strings.TrimSpace(msg.Subject)
			if subject == "" {
				subject = "(no subject)"
			}
			requesterID := fromID
			if to, ok := firstCustomer(msg, ours); ok && kind == store.KindOutbound {
				// We wrote first: the conversation is with whom we wrote to.
				if requesterID, err = s.contactID(ctx, tx, o.batch, to.Email, to.Name, now); err != nil {
					return err
				}
			}
			// Created with its first message counted: no second update.
			ticketID, err = s.store.CreateTicket(ctx, tx, store.Ticket{ID: o.batch.nextTicketID(), Subject: subject, Status: store.StatusNew, Priority: store.PriorityNormal,
				RequesterID: requesterID, MailboxID: mailboxID, MessageCount: 1, CreatedAt: now})
			if err != nil {
				return err
			}
			if o.batch != nil {
				o.batch.statuses[ticketID] = store.StatusNew
			}
			res.NewTicket = true
			if err := s.publish(ctx, tx, live.TicketCreated, ticketID, 0); err != nil {
				return err
			}
			if err := s.store.AddEvent(ctx, tx, store.Event{TicketID: ticketID, Actor: fallback(from, "system"), Kind: "ticket_created",
				NewValue: "by email via " + o.source, CreatedAt: now}); err != nil {
				return err
			}
		}
		res.TicketID = ticketID

		id, err := s.insertMessage(ctx, tx, o.batch.nextMessageID(), ticketID, kind, delivery, msg, dedupeKey, rawKey, sum, p.size, atts, now)
		if err != nil {
			return err
		}
		res.MessageID, res.Outcome = id, OutcomeNew
		if err := s.publish(ctx, tx, live.MessageAdded, ticketID, id); err != nil {
			return err
		}
		if err := s.store.NoteOccurrence(ctx, tx, mailboxID, providerID, id, now); err != nil {
			return err
		}
		if err := s.store.AddThreadKeys(ctx, tx, ticketID, threadKeys(msg)); err != nil {
			return err
		}
		if o.batch != nil {
			for _, k := range threadKeys(msg) {
				if _, ok := o.batch.threads[k]; !ok { // as the insert: the first ticket keeps a key
					o.batch.threads[k] = ticketID
				}
			}
		}
		if err := s.addParticipants(ctx, tx, ticketID, msg, ours, now); err != nil {
			return err
		}
		if !res.NewTicket {
			if err := s.store.TouchTicket(ctx, tx, ticketID, now, 1); err != nil {
				return err
			}
		}

		// 4. A customer's reply wakes a solved, closed or pending ticket.
		if !res.NewTicket && kind == store.KindInbound && !ours[mail.BaseAddress(from)] {
			status, err := s.ticketStatus(ctx, tx, o.batch, ticketID)
			if err != nil {
				return err
			}
			switch status {
			case store.StatusSolved, store.StatusClosed, store.StatusPending:
				if err := s.store.SetTicketStatus(ctx, tx, ticketID, store.StatusOpen, now); err != nil {
					return err
				}
				if o.batch != nil {
					o.batch.statuses[ticketID] = store.StatusOpen
				}
				if err := s.publish(ctx, tx, live.TicketUpdated, ticketID, 0); err != nil {
					return err
				}
				if err := s.store.AddEvent(ctx, tx, store.Event{TicketID: ticketID, Actor: from, Kind: "status_changed", Field: "status",
					OldValue: status, NewValue: store.StatusOpen, CreatedAt: now}); err != nil {
					return err
				}
			}
		}

		// 5. Acknowledge a new conversation, unless anything says not to.
		if res.NewTicket && !o.noAck {
			sent, reason, err := s.acknowledge(ctx, tx, mb, ticketID, msg, ours, now)
			if err != nil {
				return err
			}
			if !sent {
				res.Note = "no acknowledgement: " + reason
			}
		}
		return finish()
	}()
	return res, err
}

func inboundStatus(o Outcome) string {
	switch o {
	case OutcomeDuplicate:
		return store.InboundDuplicate
	case OutcomeIgnored:
		return store.InboundIgnored
	}
	return store.InboundDone
}

// thread finds the ticket a message belongs to, or 0 for a new one.
func (s *Service) thread(ctx context.Context, tx *store.Tx, b *batchState, mb store.Mailbox, msg *mail.Message, envelopeTo []string) (int64, error) {
	keys := threadLookupKeys(msg)
	if b != nil {
		for _, k := range keys {
			if id, ok := b.threads[k]; ok {
				return id, nil
			}
		}
	} else if id, ok, err := s.store.TicketByThreadKeys(ctx, tx, keys); err != nil || ok {
		return id, err
	}
	// A ticket token counts only from someone already in the conversation:
	// otherwise anyone could write into any ticket by guessing its number.
	var candidates []int64
	addrs := slices.Clone(envelopeTo)
	addrs = append(addrs, msg.DeliveredTo...)
	for _, a := range append(slices.Clone(msg.To), msg.Cc...) {
		addrs = append(addrs, a.Email)
	}
	for _, a := range addrs {
		if mail.BaseAddress(a) != mb.Address {
			continue
		}
		if id, ok := mail.TicketTokenFromAddress(a); ok {
			candidates = append(candidates, id)
		}
	}
	if id, ok := mail.TicketTokenFromSubject(msg.Subject); ok {
		candidates = append(candidates, id)
	}
	for _, id := range candidates {
		exists, err := s.store.TicketExists(ctx, tx, id)
		if err != nil {
			return 0, err
		}
		if !exists {
			continue
		}
		ok, err := s.store.IsParticipant(ctx, tx, id, msg.From.Email)
		if err != nil {
			return 0, err
		}
		if ok {
			return id, nil
		}
	}
	return 0, nil
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

// duplicateOf finds the stored copy of a message by its dedupe key.
func (s *Service) duplicateOf(ctx context.Context, tx *store.Tx, b *batchState, key string) (store.MessageRef, bool, error) {
	if b != nil {
		ref, ok := b.dedupe[key]
		return ref, ok, nil
	}
	return s.store.MessageByDedupeKey(ctx, tx, key)
}

// contactID returns the contact of a sender, creating it when needed.
func (s *Service) contactID(ctx context.Context, tx *store.Tx, b *batchState, email, name string, now time.Time) (int64, error) {
	if b != nil {
		if id, ok := b.contacts[strings.ToLower(strings.TrimSpace(email))]; ok {
			return id, nil
		}
	}
	return s.store.UpsertContact(ctx, tx, email, name, now)
}

// ticketStatus reads a ticket's status, from the batch when it knows it.
func (s *Service) ticketStatus(ctx context.Context, tx *store.Tx, b *batchState, id int64) (string, error) {
	if b != nil {
		if status, ok := b.statuses[id]; ok {
			return status, nil
		}
	}
	return s.store.TicketStatus(ctx, tx, id)
}

func threadKeys(msg *mail.Message) []string {
	keys := make([]string, 0, 2+len(msg.References))
	if msg.MessageID != "" {
		keys = append(keys, msg.MessageID)
	}
	keys = append(keys, msg.InReplyTo...)
	keys = append(keys, msg.References...)
	return keys
}

// insertMessage stores msg and its attachments' metadata; id is a reserved
// message id, or 0; delivery is "" but for mail we sent.
func (s *Service) insertMessage(ctx context.Context, tx *store.Tx, id, ticketID int64, kind, delivery string, msg *mail.Message, dedupeKey, rawKey, sum string,
	size int64, atts []store.Attachment, now time.Time) (int64, error) {
	inReplyTo := ""
	if len(msg.InReplyTo) > 0 {
		inReplyTo = msg.InReplyTo[0]
	}
	text := msg.Text
	id, err := s.store.InsertMessage(ctx, tx, store.Message{
		ID: id, TicketID: ticketID, Kind: kind, MessageID: msg.MessageID, DedupeKey: dedupeKey, InReplyTo: inReplyTo, References: msg.References,
		From: store.Address{Email: msg.From.Email, Name: msg.From.Name}, To: addrs(msg.To), Cc: addrs(msg.Cc),
		Subject: msg.Subject, Text: text, HTML: mail.SanitizeHTML(msg.HTML), VisibleText: msg.VisibleText,
		RawKey: rawKey, SHA256: sum, Size: size, SentAt: msg.Date, CreatedAt: now, AutoReason: msg.Auto,
		Problems: strings.Join(msg.Problems, "; "), DeliveryStatus: delivery,
	})
	if err != nil {
		return 0, err
	}
	list := slices.Clone(atts)
	for i := range list {
		list[i].MessageID = id
	}
	if err := s.store.AddAttachments(ctx, tx, list); err != nil {
		return 0, err
	}
	return id, nil
}

func (s *Service) addParticipants(ctx context.Context, tx *store.Tx, ticketID int64, msg *mail.Message, ours map[string]bool, now time.Time) error {
	people := []mail.Address{msg.From}
	people = append(people, msg.To...)
	people = append(people, msg.Cc...)
	var list []store.Address
	for _, p := range people {
		if p.Email == "" || ours[mail.BaseAddress(p.Email)] {
			continue
		}
		list = append(list, store.Address{Email: p.Email, Name: p.Name})
	}
	return s.store.AddParticipants(ctx, tx, ticketID, list, now)
}

// ingestBounce marks the reported outbound message failed and keeps the
// report on its ticket; a bounce for mail we never sent is kept raw only.
func (s *Service) ingestBounce(ctx context.Context, tx *store.Tx, msg *mail.Message, res *Result, now time.Time,
	store_ func(ticketID int64) error, finish func() error) error {
	b := msg.Bounce
	orig, found := store.Message{}, false
	if b.OriginalMessageID != "" {
		var err error
		orig, found, err = s.store.OutboundByMessageID(ctx, tx, b.OriginalMessageID)
		if err != nil {
			return err
		}
	}
	if !found {
		res.Outcome, res.Note = OutcomeIgnored, "bounce for a message we did not send ("+fallback(b.OriginalMessageID, "no Message-ID")+")"
		return finish()
	}
	reason := strings.TrimSpace(strings.Join(nonEmpty(b.Status, b.Diagnostic), " "))
	if reason == "" {
		reason = "bounced"
	}
	if b.Action != "" && !strings.EqualFold(b.Action, "failed") {
		reason = b.Action + ": " + reason
	} else if err := s.store.SetDelivery(ctx, tx, orig.ID, store.DeliveryFailed, "bounced: "+reason, 0, now); err != nil {
		return err
	} else if err := s.publish(ctx, tx, live.TicketUpdated, orig.TicketID, orig.ID); err != nil {
		return err
	}
	if err := s.store.AddEvent(ctx, tx, store.Event{TicketID: orig.TicketID, Actor: "system", Kind: "delivery_failed", Field: "message",
		OldValue: orig.MessageID, NewValue: reason, CreatedAt: now}); err != nil {
		return err
	}
	res.Outcome, res.TicketID = OutcomeNew, orig.TicketID
	if err := store_(orig.TicketID); err != nil {
		return err
	}
	return finish()
}

// firstCustomer is the first recipient that is not one of our addresses.
func firstCustomer(msg *mail.Message, ours map[string]bool) (mail.Address, bool) {
	for _, a := range append(slices.Clone(msg.To), msg.Cc...) {
		if a.Email != "" && !ours[mail.BaseAddress(a.Email)] {
			return a, true
		}
	}
	return mail.Address{}, false
}

func ownAddresses(mbs []store.Mailbox) map[string]bool {
	m := make(map[string]bool, len(mbs))
	for _, mb := range mbs {
		m[mb.Address] = true
	}
	return m
}

func addrs(list []mail.Address) []store.Address {
	out := make([]store.Address, 0, len(list))
	for _, a := range list {
		out = append(out, store.Address{Email: a.Email, Name: a.Name})
	}
	return out
}

func fallback(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

func nonEmpty(list ...string) []string {
	var out []string
	for _, s := range list {
		if strings.TrimSpace(s) != "" {
			out = append(out, strings.TrimSpace(s))
		}
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
