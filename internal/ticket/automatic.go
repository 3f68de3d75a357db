package ticket

import (
	"context"
	"fmt"
	"time"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// Reply loop detection: more than loopLimit messages from one sender to one
// ticket within loopWindow (by their Date, so an import of a history judges
// as live mail did) make the next ones a loop: two auto-responders answering
// each other, or a broken script. They stay on the ticket, wake nothing, and
// are answered by nothing.
const (
	loopLimit  = 5
	loopWindow = time.Minute
)

// classify is the first step after dedupe: whether the message is automatic,
// and why, from every signal. The parser read the headers and the body; the
// ingestion adds what needs our data: the mailbox's own mailing list (a
// support address behind a Google Group gets List-Id on every customer's
// mail) and the blocked senders.
func (in *ingestion) classify(ctx context.Context) error {
	msg := in.msg()
	in.reason, in.auto = msg.Reason, msg.Auto
	if msg.ListID != "" && mail.IsOwnList(msg.ListID, in.ours) {
		in.reason, in.auto = msg.OffListReason, msg.OffListAuto
	}
	blocked, err := in.look.blocked(ctx, in.tx)
	if err != nil {
		return err
	}
	if v := store.BlockedValue(msg.From.Email, blocked); v != "" {
		in.reason, in.auto = mail.ReasonSpam, "blocked sender: "+v
	}
	return nil
}

// detectLoop marks a message a reply loop when its sender already sent
// loopLimit messages to the ticket within loopWindow before it.
func (in *ingestion) detectLoop(ctx context.Context, ticketID int64) error {
	from := in.msg().From.Email
	if ticketID == 0 || from == "" || in.ours[mail.BaseAddress(from)] || in.reason == mail.ReasonSpam {
		return nil
	}
	n, err := in.look.sentRecently(ctx, in.tx, ticketID, from, in.sentAt())
	if err != nil || n < loopLimit {
		return err
	}
	in.reason, in.auto = mail.ReasonLoop, fmt.Sprintf("loop: %d messages from %s within %s", n+1, from, loopWindow)
	return nil
}

// sentAt is when the message says it was sent, else when it came.
func (in *ingestion) sentAt() time.Time {
	if d := in.msg().Date; !d.IsZero() {
		return d
	}
	return in.now
}

// keep stores automatic mail that belongs to no ticket as what it is: an
// inbound row with its reason, not queued. An agent may turn it into a
// ticket (TicketFromInbound).
func (in *ingestion) keep(ctx context.Context) error {
	msg := in.msg()
	a := store.Automatic{Reason: string(in.reason), RFCMessageID: msg.MessageID, Subject: msg.Subject, DedupeKey: dedupeKeyOf(in.p),
		From: store.Address{Email: msg.From.Email, Name: msg.From.Name}, Note: in.auto}
	in.res = Result{Outcome: OutcomeAutomatic, Note: string(in.reason) + ": " + in.auto}
	in.look.learnMessage(dedupeKeyOf(in.p), store.MessageRef{InboundID: -1})
	if in.opts.inboundID != 0 {
		return in.s.store.KeepAutomatic(ctx, in.tx, in.opts.inboundID, a, in.now)
	}
	return in.s.store.InsertAutomatic(ctx, in.tx, store.Inbound{MailboxID: in.mb.ID, Source: in.opts.source, ProviderID: in.providerID(),
		RawKey: in.p.rawKey, SHA256: in.p.sum, Size: in.p.size, ReceivedAt: in.now}, a)
}
