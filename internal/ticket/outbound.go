package ticket

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
)

// queueOutbound composes a message, stores its exact bytes (and its
// attachments), and inserts the outbound message (queued) and its send job in
// tx. The bytes, and so the Message-ID, are fixed before the first attempt: a
// retry sends the same mail. The caller records the message on its ticket
// (Change.MessageAdded).
func (s *Service) queueOutbound(ctx context.Context, tx *store.Tx, ticketID, authorID int64, out mail.Outgoing, autoReason string) (int64, error) {
	return s.queueMail(ctx, tx, ticketID, authorID, out, autoReason, "")
}

// queueOutboundParty is queueOutbound for mail to a third party (party:
// store.PartyForward).
func (s *Service) queueOutboundParty(ctx context.Context, tx *store.Tx, ticketID, authorID int64, out mail.Outgoing, party string) (int64, error) {
	return s.queueMail(ctx, tx, ticketID, authorID, out, "", party)
}

func (s *Service) queueMail(ctx context.Context, tx *store.Tx, ticketID, authorID int64, out mail.Outgoing, autoReason, party string) (int64, error) {
	now := out.Date // the message is stored as written
	raw, err := mail.Compose(out)
	if err != nil {
		return 0, fmt.Errorf("compose: %w", err)
	}
	key, sum, err := s.cfg.Blobs.Put(ctx, "raw", raw)
	if err != nil {
		return 0, fmt.Errorf("store outbound: %w", err)
	}
	kind := store.KindOutbound
	id, err := s.store.InsertMessage(ctx, tx, store.Message{
		TicketID: ticketID, Kind: kind, MessageID: out.MessageID, DedupeKey: "mid:" + out.MessageID, InReplyTo: out.InReplyTo,
		References: out.References, From: store.Address{Email: out.From.Email, Name: out.From.Name}, To: addrs(out.To), Cc: addrs(out.Cc),
		Subject: out.Subject, Text: out.Text, HTML: out.HTML, VisibleText: mail.VisibleText(out.Text), RawKey: key, SHA256: sum, Size: int64(len(raw)),
		SentAt: now, CreatedAt: now, AuthorID: authorID, AutoReason: autoReason, DeliveryStatus: store.DeliveryQueued, Party: party,
	})
	if err != nil {
		return 0, err
	}
	for _, a := range out.Attachments {
		akey, asum, err := s.cfg.Blobs.Put(ctx, "att", a.Data)
		if err != nil {
			return 0, fmt.Errorf("store attachment: %w", err)
		}
		if _, err := s.store.InsertAttachment(ctx, tx, store.Attachment{MessageID: id, Filename: a.Filename, ContentType: a.ContentType,
			Size: int64(len(a.Data)), SHA256: asum, BlobKey: akey, ContentID: a.ContentID, Inline: a.Inline}); err != nil {
			return 0, err
		}
	}
	if err := s.store.AddThreadKeys(ctx, tx, ticketID, []string{out.MessageID}); err != nil {
		return 0, err
	}
	return id, s.cfg.Queue.Enqueue(ctx, tx, SendArgs{MessageID: id})
}

// SendMessage delivers a queued outbound message (the send job).
//
// A message is never sent twice. The rule, on the stored delivery state:
//   - sent or failed: done, nothing to do (a job run again after a crash).
//   - queued, or retrying (an attempt failed before the point of no return):
//     send. The state becomes "sending" at the transport's point of no
//     return (for an SMTP relay: the envelope was accepted, DATA is next;
//     for other transports: just before handing the message over), in its
//     own committed write. A failure before that point delivered nothing, so
//     the message is "retrying" and tried again after SendRetryDelay.
//   - waiting: the mailbox's relay cannot work as configured (relay.go);
//     nothing to do until the mailbox is fixed, which queues it again.
//   - sending: a previous attempt passed the point of no return and then
//     stopped before recording the outcome (the worker died, possibly after
//     the relay said 250). The mail may well have been delivered: it is not
//     sent again but marked failed with "outcome unknown", so an agent can
//     check and resend by hand. The outbox folder is the exception: its file
//     is named after the stored Message-ID, so writing it again is harmless.
//
// The bytes, and so the Message-ID, were fixed when the message was queued:
// a bounce names that Message-ID and marks the message failed later.
func (s *Service) SendMessage(ctx context.Context, messageID int64, attempt, maxAttempts int) error {
	m, err := s.store.GetMessage(ctx, s.db.W(), messageID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if m.Kind != store.KindOutbound || m.DeliveryStatus == store.DeliverySent || m.DeliveryStatus == store.DeliveryFailed ||
		m.DeliveryStatus == store.DeliveryWaiting { // waiting: queued again, with a new job, once its mailbox works (relay.go)
		return nil
	}
	t, err := s.store.GetTicket(ctx, s.db.W(), m.TicketID)
	if err != nil {
		return err
	}
	mb, err := s.store.GetMailbox(ctx, s.db.W(), t.MailboxID)
	if err != nil {
		return err
	}
	sender, err := s.transport(mb)
	if err != nil {
		if !smtpout.IsConfig(err) {
			err = &smtpout.PermanentError{Err: err}
		}
		return s.recordOutcome(ctx, mb, m, err, attempt, maxAttempts)
	}
	if m.DeliveryStatus == store.DeliverySending {
		if _, isOutbox := sender.(*smtpout.Outbox); !isOutbox {
			return s.recordSend(ctx, m, &smtpout.PermanentError{Err: errors.New(
				"outcome unknown: the previous attempt stopped after handing the message to the relay; not sent again to avoid a duplicate")},
				attempt, maxAttempts)
		}
	}
	raw, err := s.cfg.Blobs.Get(ctx, m.RawKey)
	if err != nil {
		return err
	}
	to := make([]string, 0, len(m.To)+len(m.Cc))
	for _, a := range append(append([]store.Address{}, m.To...), m.Cc...) {
		to = append(to, a.Email)
	}
	commit := func() error {
		return s.setDelivery(context.WithoutCancel(ctx), m, Delivery{Status: store.DeliverySending})
	}
	var sendErr error
	if cs, ok := sender.(smtpout.CommitSender); ok {
		sendErr = cs.SendCommit(ctx, mb.Address, to, raw, commit)
	} else if sendErr = commit(); sendErr == nil {
		sendErr = sender.Send(ctx, mb.Address, to, raw)
	}
	return s.recordOutcome(context.WithoutCancel(ctx), mb, m, sendErr, attempt, maxAttempts)
}

// setDelivery records a delivery state (a change of the message's ticket),
// in its own transaction.
func (s *Service) setDelivery(ctx context.Context, m store.Message, d Delivery, events ...Event) error {
	d.MessageID = m.ID
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := s.change(ctx, tx, Change{TicketID: m.TicketID, Actor: systemActor(), Delivery: &d, Events: events})
		return err
	})
}

// ReconnectRetry is how often a message waiting for its mailbox to be
// reconnected tries again.
const ReconnectRetry = 5 * time.Minute

// SendRetryDelay is how long after failed attempt n (from 1) the send job
// runs again: n⁴ seconds, River's own backoff without its jitter, so the
// time shown to agents is the time it runs. 12 attempts span about 11 hours.
func SendRetryDelay(attempt int) time.Duration {
	n := time.Duration(max(attempt, 1))
	return n * n * n * n * time.Second
}

// recordSend records the outcome of one attempt (each counts in attempts).
// An attempt that failed for a reason that may pass leaves the message
// "retrying", with the error and the time of the next attempt; the last
// attempt, or a permanent error, leaves it "failed".
func (s *Service) recordSend(ctx context.Context, m store.Message, sendErr error, attempt, maxAttempts int) error {
	switch {
	case sendErr == nil:
		s.log.Info("sent", "message", m.ID)
		s.metrics.Delivery("sent")
		return s.setDelivery(ctx, m, Delivery{Status: store.DeliverySent, AddAttempts: 1})
	case smtpout.IsReconnect(sendErr):
		// The mailbox's credentials were refused (the mailbox shows the
		// reason): the message waits for the reconnection, snoozed, which
		// does not use up its attempts.
		s.log.Warn("delivery waits for the mailbox to be reconnected", "message", m.ID, "err", sendErr)
		s.metrics.Delivery("deferred")
		if err := s.setDelivery(ctx, m, Delivery{Status: store.DeliveryRetrying, Error: sendErr.Error(), AddAttempts: 1,
			NextAttempt: s.now().Add(ReconnectRetry)}); err != nil {
			return err
		}
		return river.JobSnooze(ReconnectRetry)
	case smtpout.IsPermanent(sendErr) || attempt >= maxAttempts:
		s.log.Error("delivery failed", "message", m.ID, "err", sendErr)
		s.metrics.Delivery("failed")
		return s.setDelivery(ctx, m, Delivery{Status: store.DeliveryFailed, Error: sendErr.Error(), AddAttempts: 1},
			Event{Kind: EventDeliveryFailed, Field: "message", OldValue: m.MessageID, NewValue: sendErr.Error()})
	default:
		s.log.Warn("delivery deferred; will retry", "message", m.ID, "attempt", attempt, "err", sendErr)
		s.metrics.Delivery("deferred")
		if err := s.setDelivery(ctx, m, Delivery{Status: store.DeliveryRetrying, Error: sendErr.Error(), AddAttempts: 1,
			NextAttempt: s.now().Add(SendRetryDelay(attempt))}); err != nil {
			return err
		}
		return sendErr
	}
}

// transport picks how a mailbox sends: its relay, or the outbox folder.
func (s *Service) transport(mb store.Mailbox) (smtpout.Sender, error) {
	if s.cfg.Transport != nil {
		if t, err := s.cfg.Transport(mb); t != nil || err != nil {
			return t, err
		}
	}
	if mb.SMTPRelay == "" {
		return smtpout.NewOutbox(s.cfg.OutboxDir), nil
	}
	r, _, err := s.relay(mb, nil)
	if err != nil {
		return nil, err
	}
	return r, nil
}
