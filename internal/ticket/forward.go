package ticket

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// EventForwarded: an agent forwarded messages of the ticket to a third
// party (Field "message": OldValue the forward's message id, NewValue the
// recipients).
const EventForwarded EventKind = "forwarded"

// ForwardInput is an agent's forward of a ticket to a third party.
type ForwardInput struct {
	To   []string
	Body string
	// MessageIDs are the messages to forward (ids of the ticket's messages);
	// none: the whole conversation. Notes are never forwarded.
	MessageIDs []int64
}

// Forward sends chosen messages of a ticket, with their attachments, to a
// third party as a new mail from the mailbox's address: its own Message-ID,
// a new thread (no In-Reply-To, and References name no message of the
// customer's: their ids are no business of the third party), the ticket
// number in the subject and Reply-To. It leaves like a reply (queued with
// its send job, delivery state, retry). The recipients become the ticket's
// third parties, not participants: their answer threads back onto the
// ticket marked as theirs (ingest), is never acknowledged, never makes them
// the requester, and they see nothing in the customer portal.
func (s *Service) Forward(ctx context.Context, actor store.User, ticketID int64, in ForwardInput) (store.Message, error) {
	to, err := parseAddresses("to", in.To)
	if err != nil {
		return store.Message{}, err
	}
	if len(to) == 0 {
		return store.Message{}, domain.Invalid("to", "at least one recipient is needed")
	}
	all, err := s.store.ListMessages(ctx, ticketID)
	if err != nil {
		return store.Message{}, err
	}
	chosen, err := forwardedMessages(all, in.MessageIDs)
	if err != nil {
		return store.Message{}, err
	}
	var atts []mail.Attachment
	for _, m := range chosen {
		for _, a := range m.Attachments {
			data, err := s.cfg.Blobs.Get(ctx, a.BlobKey)
			if err != nil {
				return store.Message{}, fmt.Errorf("attachment %d: %w", a.ID, err)
			}
			atts = append(atts, mail.Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: data, ContentID: a.ContentID, Inline: a.Inline})
		}
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockTicket(ctx, tx, ticketID); err != nil {
			return err
		}
		t, err := s.store.GetTicket(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		mb, err := s.store.GetMailbox(ctx, tx, t.MailboxID)
		if err != nil {
			return err
		}
		ours, err := s.store.MailboxAddresses(ctx, tx)
		if err != nil {
			return err
		}
		for _, a := range to {
			if ours[mail.BaseAddress(a.Email)] {
				return domain.Invalid("to", a.Email+" is one of our own addresses")
			}
		}
		out := mail.TicketMail(mail.Address{Name: senderName(mb, actor), Email: mb.Address}, t.ID, "", nil, s.now())
		out.To = to
		out.Subject = fmt.Sprintf("Fwd: %s [#%d]", fallback(mail.NormalizeSubject(t.Subject), "(no subject)"), t.ID)
		text := forwardText(strings.TrimRight(in.Body, " \t\r\n"), chosen)
		out.Text, out.HTML, out.Attachments = text, textToHTML(text), atts
		if id, err = s.queueOutboundParty(ctx, tx, t.ID, actor.ID, out, store.PartyForward); err != nil {
			return err
		}
		emails := make([]string, 0, len(to))
		for _, a := range to {
			emails = append(emails, a.Email)
		}
		if err := s.store.AddThirdParties(ctx, tx, t.ID, emails); err != nil {
			return err
		}
		// Uncounted: the conversation with the customer is the count.
		_, err = s.change(ctx, tx, Change{TicketID: t.ID, Actor: agentActor(actor), MessageAdded: id, Uncounted: true,
			Events: []Event{{Kind: EventForwarded, Field: "message", OldValue: strconv.FormatInt(id, 10), NewValue: strings.Join(emails, ", ")}}})
		return err
	})
	if err != nil {
		return store.Message{}, err
	}
	return s.store.GetMessage(ctx, s.db.W(), id)
}

// forwardedMessages picks the messages to forward, oldest first: the ones
// named (each must be an email of the ticket), or every email of the
// conversation with the customer. Notes never leave; neither do earlier
// forwards nor automatic mail unless named.
func forwardedMessages(all []store.Message, ids []int64) ([]store.Message, error) {
	if len(ids) == 0 {
		out := slices.DeleteFunc(slices.Clone(all), func(m store.Message) bool {
			return m.Kind == store.KindNote || m.Kind == store.KindAutoReply || m.AutoReason != "" || m.Party != ""
		})
		if len(out) == 0 {
			return nil, domain.Invalid("message_ids", "the ticket has no message to forward")
		}
		return out, nil
	}
	var out []store.Message
	for _, m := range all {
		if !slices.Contains(ids, m.ID) {
			continue
		}
		if m.Kind == store.KindNote {
			return nil, domain.Invalid("message_ids", fmt.Sprintf("message %d is an internal note: notes are never forwarded", m.ID))
		}
		out = append(out, m)
	}
	if len(out) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
		return nil, domain.Invalid("message_ids", "every message must be one of the ticket's")
	}
	return out, nil
}

// forwardText is the agent's words, then each forwarded message with its
// headers, as mail clients forward inline.
func forwardText(body string, msgs []store.Message) string {
	var b strings.Builder
	if body != "" {
		b.WriteString(body + "\n\n")
	}
	for _, m := range msgs {
		b.WriteString("---------- Forwarded message ----------\n")
		fmt.Fprintf(&b, "From: %s\n", formatAddr(m.From))
		date := m.SentAt
		if date.IsZero() {
			date = m.CreatedAt
		}
		fmt.Fprintf(&b, "Date: %s\n", date.UTC().Format("Mon, 2 Jan 2006 15:04 MST"))
		fmt.Fprintf(&b, "Subject: %s\n", m.Subject)
		if len(m.To) > 0 {
			fmt.Fprintf(&b, "To: %s\n", formatAddrs(m.To))
		}
		if len(m.Cc) > 0 {
			fmt.Fprintf(&b, "Cc: %s\n", formatAddrs(m.Cc))
		}
		b.WriteString("\n" + strings.TrimRight(m.Text, " \t\r\n") + "\n\n")
	}
	return b.String()
}

func formatAddr(a store.Address) string {
	if a.Name == "" {
		return a.Email
	}
	return fmt.Sprintf("%s <%s>", a.Name, a.Email)
}

func formatAddrs(list []store.Address) string {
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, formatAddr(a))
	}
	return strings.Join(out, ", ")
}
