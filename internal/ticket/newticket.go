package ticket

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// NewTicketInput is a conversation an agent starts.
type NewTicketInput struct {
	MailboxID int64
	To, Cc    []string
	Subject   string
	Body      string
	Files     []File
}

// CreateOutbound opens a ticket with a mail an agent writes first: the mail
// leaves like a reply (queued with its send job, delivery state, retry), from
// the mailbox's address, and the customer's answer threads onto the ticket
// by its Message-ID (or the ticket number in the subject and Reply-To). The
// first To address is the requester; the ticket is the agent's, pending
// (waiting on the customer, whose answer reopens it).
func (s *Service) CreateOutbound(ctx context.Context, actor store.User, in NewTicketInput) (store.Ticket, error) {
	to, err := parseAddresses("to", in.To)
	if err != nil {
		return store.Ticket{}, err
	}
	if len(to) == 0 {
		return store.Ticket{}, domain.Invalid("to", "at least one recipient is needed")
	}
	cc, err := parseAddresses("cc", in.Cc)
	if err != nil {
		return store.Ticket{}, err
	}
	subject := strings.TrimSpace(in.Subject)
	if subject == "" {
		return store.Ticket{}, domain.Invalid("subject", "must not be empty")
	}
	body, _, atts, err := ReplyInput{Body: in.Body, Files: in.Files}.parse()
	if err != nil {
		return store.Ticket{}, err
	}
	var id int64
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		mb, err := s.store.GetMailbox(ctx, tx, in.MailboxID)
		if errors.Is(err, store.ErrNotFound) {
			return domain.Invalid("mailbox_id", fmt.Sprintf("mailbox %d does not exist", in.MailboxID))
		}
		if err != nil {
			return err
		}
		now := s.now()
		requester, err := s.store.UpsertContact(ctx, tx, to[0].Email, to[0].Name, now)
		if err != nil {
			return err
		}
		pending, a := domain.StatusPending, agentActor(actor)
		created, err := s.change(ctx, tx, Change{Actor: a, Assignee: &actor.ID,
			Create: &store.Ticket{Subject: subject, Status: pending, Priority: domain.PriorityNormal, RequesterID: requester, MailboxID: mb.ID, CreatedAt: now},
			Events: []Event{{Kind: EventTicketCreated, NewValue: "by an agent's mail"}}})
		if err != nil {
			return err
		}
		id = created.TicketID
		if err := s.store.AddParticipants(ctx, tx, id, addrs(append(append([]mail.Address{}, to...), cc...)), now); err != nil {
			return err
		}
		out := mail.TicketMail(mail.Address{Name: mb.Name, Email: mb.Address}, id, "", nil, now)
		out.To, out.Cc, out.Subject = to, cc, fmt.Sprintf("%s [#%d]", subject, id) // we start it: no "Re:"
		out.Text, out.HTML, out.Attachments = body+"\n", textToHTML(body), atts
		withPortalLink(&out, s.portalLink(mb, id))
		msg, err := s.queueOutbound(ctx, tx, id, actor.ID, out, "")
		if err != nil {
			return err
		}
		_, err = s.change(ctx, tx, Change{TicketID: id, Actor: a, MessageAdded: msg,
			Events: []Event{{Kind: EventReplyQueued, Field: "message", NewValue: strconv.FormatInt(msg, 10)}}})
		return err
	})
	if err != nil {
		return store.Ticket{}, err
	}
	return s.store.GetTicket(ctx, s.db.W(), id)
}
