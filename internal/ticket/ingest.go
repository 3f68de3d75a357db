package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
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
	OutcomeIgnored   Outcome = "ignored"   // kept as raw only
	// OutcomeAutomatic: automatic mail that belongs to no ticket (a bounce
	// for mail we never sent, an out-of-office, spam...), kept as an inbound
	// row with its reason, not queued.
	OutcomeAutomatic Outcome = "automatic"
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
	return s.processInbound(ctx, inboundID, 0)
}

// processInbound is ProcessInbound as the job's attempt (1, 2, ...; 0 when
// unknown). The message's ingest budget (Config.IngestBudget) spans its
// attempts: the time each failed attempt took is kept on the inbound row,
// and an attempt that never recorded its end (the process died, perhaps of
// this very message) counts as a third of the budget. Past the budget the
// message is kept as failed with the reason, and its job is not retried.
func (s *Service) processInbound(ctx context.Context, inboundID int64, attempt int) error {
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
	budget := s.cfg.IngestBudget
	spent := in.IngestTime
	if lost := attempt - 1 - in.Attempts; attempt > 0 && lost > 0 {
		spent += time.Duration(lost) * budget / 3
	}
	if spent >= budget {
		return s.giveUpInbound(ctx, in, fmt.Errorf("%w: %s spent over %d attempts (the budget is %s)", ErrOverBudget,
			spent.Round(time.Millisecond), max(attempt, in.Attempts+1)-1, budget))
	}
	start := s.now()
	jobCtx := ctx
	ctx, cancel := context.WithTimeout(ctx, budget-spent)
	defer cancel()
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
	took := s.now().Sub(start)
	s.metrics.IngestFailed()
	switch {
	case errors.Is(err, ErrUnparseable):
		s.log.Warn("mail cannot be parsed; kept as failed mail, not retried", "inbound", in.ID, "err", err)
	case spent+took >= budget && jobCtx.Err() == nil:
		// Our deadline, not the job's or the server's: the budget is spent.
		err = fmt.Errorf("%w: %s spent over %d attempts (the budget is %s): %w", ErrOverBudget,
			(spent + took).Round(time.Millisecond), in.Attempts+1, budget, err)
		s.log.Warn("mail over its ingest budget; kept as failed mail, not retried", "inbound", in.ID, "err", err)
	default:
		s.log.Error("ingest failed; will retry", "inbound", in.ID, "err", err)
	}
	if ferr := s.store.FailInbound(context.WithoutCancel(ctx), in.ID, err.Error(), took, s.now()); ferr != nil {
		s.log.Error("record ingest failure", "inbound", in.ID, "err", ferr)
	}
	if errors.Is(err, ErrUnparseable) || errors.Is(err, ErrOverBudget) {
		// The same bytes fail the same way every time: retrying only costs.
		// The row keeps the reason (and the raw message) for an admin.
		return river.JobCancel(err)
	}
	return err
}

// giveUpInbound keeps a message that is over its budget before an attempt
// starts as failed, with the reason, and cancels its job.
func (s *Service) giveUpInbound(ctx context.Context, in store.Inbound, reason error) error {
	s.log.Warn("mail over its ingest budget; kept as failed mail, not retried", "inbound", in.ID, "err", reason)
	s.metrics.IngestFailed()
	if err := s.store.FailInbound(context.WithoutCancel(ctx), in.ID, reason.Error(), 0, s.now()); err != nil {
		return err
	}
	return river.JobCancel(reason)
}

// ErrOverBudget marks mail whose ingestion took longer, over all its
// attempts, than Config.IngestBudget.
var ErrOverBudget = errors.New("over the ingest time budget")

// ErrUnparseable marks mail the parser refuses (no headers, over a structure
// limit): a permanent failure of those bytes, unlike a database or blob
// store error, which a retry may fix.
var ErrUnparseable = errors.New("the message cannot be read as mail")

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
		b, err := s.startBatch(ctx, tx, items)
		if err != nil {
			return err
		}
		for i, it := range items {
			results[i], errs[i] = Result{}, it.err
			if it.err != nil {
				continue
			}
			if results[i], err = s.apply(ctx, tx, b, it.mailboxID, it.p, opts); err != nil {
				return err
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
		return s.enqueueIngest(ctx, tx, id, it.mailboxID, it.size)
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
	// force: an agent turns kept automatic mail into a ticket (actor).
	force bool
	actor Actor
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
		res, err = s.apply(ctx, tx, oneMessage{s}, mailboxID, p, o)
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
		return nil, fmt.Errorf("parse: %w: %w", ErrUnparseable, err)
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

// ingestion is one message on its way onto a ticket, inside one
// transaction: what every step (dedupe.go, bounce.go, thread.go,
// reopen.go, ack.go) reads and adds to.
type ingestion struct {
	s    *Service
	tx   *store.Tx
	look lookups
	opts ingestOpts
	p    *prepared
	now  time.Time

	mb   store.Mailbox
	ours map[string]bool // every mailbox address
	// What the message is: inbound, auto-reply, or ours (an answer sent
	// from another client, already delivered).
	kind, delivery string
	// Why it is automatic ("" for a person's mail) and the signal that said so.
	reason mail.Reason
	auto   string
	// How it found its ticket, and the key that matched.
	threadedBy  ThreadedBy
	threadedKey string
	follows     int64              // the closed ticket a new one follows up, or 0
	followed    store.TicketFields // its state
	before      store.TicketFields // of the ticket it joins
	known       bool               // before is read
	// party is store.PartyThirdParty for the answer of someone the ticket
	// was forwarded to (forward.go), "" otherwise.
	party string
	// added is the message as inserted (insertMessage), for the rules.
	added *store.Message
	res   Result
}

func (in *ingestion) msg() *mail.Message { return in.p.msg }

// apply stores a prepared message on the right ticket inside tx, step by
// step; look answers the steps' questions (one message, or a batch).
func (s *Service) apply(ctx context.Context, tx *store.Tx, look lookups, mailboxID int64, p *prepared, o ingestOpts) (Result, error) {
	in := &ingestion{s: s, tx: tx, look: look, opts: o, p: p, now: s.now()}
	var err error
	if in.mb, err = look.mailbox(ctx, tx, mailboxID); err != nil {
		return Result{}, err
	}
	done, err := in.dedupe(ctx)
	if err == nil && !done {
		err = in.store(ctx)
	}
	if err != nil {
		return Result{}, err
	}
	if o.inboundID != 0 && in.res.Outcome != OutcomeAutomatic {
		if err := s.store.FinishInbound(ctx, tx, o.inboundID, inboundStatus(in.res.Outcome), in.res.MessageID, in.res.Note, in.now); err != nil {
			return Result{}, err
		}
	}
	return in.res, nil
}

// store runs the steps of a message that is not a copy: a bounce goes to the
// message it reports on; anything else joins its thread or opens a ticket,
// may reopen it, and a new conversation is acknowledged.
func (in *ingestion) store(ctx context.Context) error {
	var err error
	if in.ours, err = in.look.ownAddresses(ctx, in.tx); err != nil {
		return err
	}
	if err := in.classify(ctx); err != nil {
		return err
	}
	if in.opts.force {
		// An agent judged it: it is a customer's mail from now on.
		in.reason = ""
	}
	if in.msg().Bounce != nil && !in.opts.force {
		return in.bounce(ctx)
	}
	ticketID, err := in.thread(ctx)
	if err != nil {
		return err
	}
	if err := in.detectLoop(ctx, ticketID); err != nil {
		return err
	}
	in.kindOf()
	if ticketID == 0 {
		if in.reason != "" {
			// Automatic mail never opens a ticket: nobody asked a question.
			return in.keep(ctx)
		}
		if ticketID, err = in.open(ctx); err != nil {
			return err
		}
	}
	if err := in.add(ctx, ticketID); err != nil {
		return err
	}
	if err := in.reopen(ctx); err != nil {
		return err
	}
	return in.acknowledge(ctx)
}

// kindOf says what the message is to us.
func (in *ingestion) kindOf() {
	msg := in.msg()
	in.kind, in.delivery = store.KindInbound, ""
	switch {
	case in.reason != "":
		in.kind = store.KindAutoReply
	case in.ours[mail.BaseAddress(msg.From.Email)]:
		// Written by us from another mail client (a synced sent folder, a
		// journal copy): an answer already delivered, not a customer's.
		in.kind, in.delivery = store.KindOutbound, store.DeliverySent
	}
}

// open creates the ticket a new conversation starts, with its first message
// counted (no second update).
func (in *ingestion) open(ctx context.Context) (int64, error) {
	msg := in.msg()
	subject := fallback(strings.TrimSpace(msg.Subject), "(no subject)")
	requesterID, err := in.look.contact(ctx, in.tx, fallback(msg.From.Email, unknownSender), msg.From.Name, in.now)
	if err != nil {
		return 0, err
	}
	if to, ok := firstCustomer(msg, in.ours); ok && in.kind == store.KindOutbound {
		// We wrote first: the conversation is with whom we wrote to.
		if requesterID, err = in.look.contact(ctx, in.tx, to.Email, to.Name, in.now); err != nil {
			return 0, err
		}
	}
	count := 1
	if in.kind == store.KindAutoReply {
		count = 0 // automatic mail is no part of the conversation's count
	}
	t := store.Ticket{ID: in.look.ticketID(), Subject: subject, Status: domain.StatusNew, Priority: domain.PriorityNormal,
		RequesterID: requesterID, MailboxID: in.mb.ID, MessageCount: count, CreatedAt: in.now}
	c := Change{Create: &t, Actor: Actor{Name: fallback(msg.From.Email, "system")},
		Events: []Event{{Kind: EventTicketCreated, NewValue: "by email via " + in.opts.source}}}
	if in.opts.force {
		c.Actor = in.opts.actor
		c.Events[0].NewValue = "from automatic mail (" + fallback(in.auto, "no signal") + ") via " + in.opts.source
	}
	if in.follows != 0 {
		c.Events = append(c.Events, Event{Kind: EventTicketLinked, Field: "follows", NewValue: fmt.Sprint(in.follows)})
	}
	a, err := in.s.change(ctx, in.tx, c)
	if err != nil {
		return 0, err
	}
	in.res.NewTicket, in.before, in.known = true, a.After, true
	in.look.learnTicket(a.TicketID, a.After)
	if in.follows != 0 {
		// The old ticket says where the conversation went on.
		if _, err := in.s.change(ctx, in.tx, Change{TicketID: in.follows, Actor: c.Actor, before: &in.followed,
			Events: []Event{{Kind: EventTicketLinked, Field: "followed_by", NewValue: fmt.Sprint(a.TicketID)}}}); err != nil {
			return 0, err
		}
	}
	return a.TicketID, nil
}

// add stores the message on its ticket, with its occurrence, thread keys
// and participants.
func (in *ingestion) add(ctx context.Context, ticketID int64) error {
	msg := in.msg()
	if !in.res.NewTicket {
		// The sender is a contact even when the ticket has its requester.
		if _, err := in.look.contact(ctx, in.tx, fallback(msg.From.Email, unknownSender), msg.From.Name, in.now); err != nil {
			return err
		}
		if !in.known {
			var err error
			if in.before, err = in.look.fields(ctx, in.tx, ticketID); err != nil {
				return err
			}
		}
	}
	if !in.res.NewTicket && in.kind == store.KindInbound {
		third, err := in.s.store.IsThirdParty(ctx, in.tx, ticketID, msg.From.Email)
		if err != nil {
			return err
		}
		if third {
			in.party = store.PartyThirdParty
		}
	}
	id, err := in.insertMessage(ctx, ticketID, in.look.messageID(), in.kind, in.delivery)
	if err != nil {
		return err
	}
	in.res.TicketID, in.res.MessageID, in.res.Outcome = ticketID, id, OutcomeNew
	if err := in.s.store.AddThreadKeys(ctx, in.tx, ticketID, threadKeys(msg)); err != nil {
		return err
	}
	in.look.learnThread(threadKeys(msg), ticketID)
	// A third party and the people it writes to are no participants: they
	// would see the ticket in the customer portal.
	if in.party == "" {
		if err := in.s.addParticipants(ctx, in.tx, in.look, ticketID, msg, in.ours, in.now); err != nil {
			return err
		}
	}
	if !msg.Date.IsZero() { // stored without a date, it is counted by nobody
		in.look.learnSent(ticketID, msg.From.Email, msg.Date)
	}
	// The state is known (the batch or the step above read it): asking the
	// store again would be one more round trip per message.
	a, err := in.s.change(ctx, in.tx, Change{TicketID: ticketID, Actor: Actor{Name: msg.From.Email}, MessageAdded: id,
		Counted: in.res.NewTicket, Uncounted: in.kind == store.KindAutoReply, Automatic: string(in.reason), before: &in.before, added: in.added})
	in.look.learnTicket(ticketID, a.After)
	return err
}

// insertMessage stores the message and its occurrence; id is a reserved
// message id, or 0.
func (in *ingestion) insertMessage(ctx context.Context, ticketID, id int64, kind, delivery string) (int64, error) {
	m, err := in.s.insertMessage(ctx, in.tx, store.Message{ID: id, TicketID: ticketID, Kind: kind, DeliveryStatus: delivery, AutoReason: in.auto,
		ThreadedBy: string(in.threadedBy), ThreadedKey: in.threadedKey, Party: in.party}, in.msg(), dedupeKeyOf(in.p), in.p.rawKey, in.p.sum, in.p.size, in.p.atts, in.now)
	if err != nil {
		return 0, err
	}
	in.added, id = &m, m.ID
	in.look.learnMessage(dedupeKeyOf(in.p), store.MessageRef{ID: id, TicketID: ticketID})
	return id, in.s.store.NoteOccurrence(ctx, in.tx, in.mb.ID, in.providerID(), id, in.now)
}

func (in *ingestion) providerID() string {
	if in.opts.providerID != "" {
		return in.opts.providerID
	}
	return "sha256:" + in.p.sum
}

func inboundStatus(o Outcome) string {
	switch o {
	case OutcomeDuplicate:
		return store.InboundDuplicate
	case OutcomeIgnored:
		return store.InboundIgnored
	case OutcomeAutomatic:
		return store.InboundAutomatic
	}
	return store.InboundDone
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

func threadKeys(msg *mail.Message) []string {
	keys := make([]string, 0, 2+len(msg.References))
	if msg.MessageID != "" {
		keys = append(keys, msg.MessageID)
	}
	keys = append(keys, msg.InReplyTo...)
	keys = append(keys, msg.References...)
	if msg.ThreadIndex != "" {
		keys = append(keys, threadIndexPrefix+msg.ThreadIndex)
	}
	return keys
}

// insertMessage stores msg and its attachments' metadata; m carries what
// ingestion decided (a reserved id or 0, ticket, kind, delivery status "" but
// for mail we sent, why it is automatic, how it was threaded). It returns
// the message as inserted, its id set.
func (s *Service) insertMessage(ctx context.Context, tx *store.Tx, m store.Message, msg *mail.Message, dedupeKey, rawKey, sum string,
	size int64, atts []store.Attachment, now time.Time) (store.Message, error) {
	inReplyTo := ""
	if len(msg.InReplyTo) > 0 {
		inReplyTo = msg.InReplyTo[0]
	}
	text := msg.Text
	m.MessageID, m.DedupeKey, m.InReplyTo, m.References = msg.MessageID, dedupeKey, inReplyTo, msg.References
	m.From, m.To, m.Cc = store.Address{Email: msg.From.Email, Name: msg.From.Name}, addrs(msg.To), addrs(msg.Cc)
	m.Subject, m.Text, m.HTML, m.VisibleText = msg.Subject, text, mail.SanitizeHTML(msg.HTML), msg.VisibleText
	m.RawKey, m.SHA256, m.Size, m.SentAt, m.CreatedAt = rawKey, sum, size, msg.Date, now
	m.Problems = strings.Join(msg.Problems, "; ")
	id, err := s.store.InsertMessage(ctx, tx, m)
	if err != nil {
		return store.Message{}, err
	}
	m.ID = id
	list := slices.Clone(atts)
	for i := range list {
		list[i].MessageID = id
	}
	if err := s.store.AddAttachments(ctx, tx, list); err != nil {
		return store.Message{}, err
	}
	return m, nil
}

// addParticipants records the people of a message, ours left out, as
// participants of its ticket (and as contacts).
func (s *Service) addParticipants(ctx context.Context, tx *store.Tx, look lookups, ticketID int64, msg *mail.Message, ours map[string]bool, now time.Time) error {
	people := []mail.Address{msg.From}
	people = append(people, msg.To...)
	people = append(people, msg.Cc...)
	var list []store.Address
	var known []int64
	for _, p := range people {
		if p.Email == "" || ours[mail.BaseAddress(p.Email)] {
			continue
		}
		if id, ok := look.knownContact(p.Email, p.Name); ok {
			if !slices.Contains(known, id) {
				known = append(known, id)
			}
			continue
		}
		list = append(list, store.Address{Email: p.Email, Name: p.Name})
	}
	if err := s.store.AddParticipantIDs(ctx, tx, ticketID, known); err != nil {
		return err
	}
	return s.store.AddParticipants(ctx, tx, ticketID, list, now)
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
