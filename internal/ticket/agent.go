package ticket

import (
	"context"
	"errors"
	"fmt"
	"html"
	netmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// TicketUpdate lists the changes an agent asks for; nil leaves a field alone.
type TicketUpdate struct {
	Status   *domain.Status
	Priority *domain.Priority
	// AssigneeSet says the assignee changes: to AssigneeID, or unassigned when 0.
	AssigneeSet bool
	AssigneeID  int64
	// TeamSet says the team changes: to TeamID, or none when 0.
	TeamSet bool
	TeamID  int64
	Tags    *[]string
	// Snooze snoozes until then (zero: unsnoozes); nil leaves it alone.
	Snooze *time.Time
}

// UpdateTicket applies an agent's changes to a ticket in one transaction,
// recording each change as an event (who, field, before, after, when).
func (s *Service) UpdateTicket(ctx context.Context, actor store.User, id int64, in TicketUpdate) (store.Ticket, error) {
	c := Change{TicketID: id, Actor: agentActor(actor), Status: in.Status, Priority: in.Priority, Tags: in.Tags, Snooze: in.Snooze}
	if in.AssigneeSet {
		c.Assignee = &in.AssigneeID
	}
	if in.TeamSet {
		c.Team = &in.TeamID
	}
	// Bad values are refused before the ticket is even looked at.
	if err := c.validate(); err != nil {
		return store.Ticket{}, err
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockTicket(ctx, tx, id); err != nil {
			return err
		}
		_, err := s.change(ctx, tx, c)
		return err
	})
	if err != nil {
		return store.Ticket{}, err
	}
	return s.store.GetTicket(ctx, s.db.W(), id)
}

// File is an upload attached to a reply.
type File struct {
	Name, ContentType string
	Data              []byte
}

// ReplyInput is an agent's reply.
type ReplyInput struct {
	Body string
	// Cc replaces the conversation's Cc when not nil (an empty list removes it).
	Cc    *[]string
	Files []File
	// MacroID is a macro the reply uses: without a body its rendered body is
	// sent, and its actions are applied in the reply's transaction.
	MacroID int64
	// AfterMessageID is the newest message the agent had seen when writing
	// (0: not said). A newer message worth reading first stops the reply
	// with a *NewerMessagesError, unless Force.
	AfterMessageID int64
	Force          bool
}

const maxCc = 50

func parseAddresses(field string, list []string) ([]mail.Address, error) {
	out := []mail.Address{}
	for _, a := range list {
		if strings.TrimSpace(a) == "" {
			continue
		}
		p, err := netmail.ParseAddress(a)
		if err != nil || !strings.Contains(p.Address, "@") {
			return nil, domain.Invalid(field, fmt.Sprintf("%q is not an email address", a))
		}
		out = append(out, mail.Address{Name: p.Name, Email: strings.ToLower(p.Address)})
	}
	if len(out) > maxCc {
		return nil, domain.Invalid(field, fmt.Sprintf("at most %d addresses", maxCc))
	}
	return out, nil
}

// portalLink is the "view this ticket online" link of a mail to the
// customer: the ticket's page in the customer portal (where they sign in
// with their address), when a base URL is configured and the mailbox is
// open to the portal (its portal setting); "" otherwise.
func (s *Service) portalLink(mb store.Mailbox, ticketID int64) string {
	if s.cfg.BaseURL == "" || !mb.Portal {
		return ""
	}
	return PortalURL(s.cfg.BaseURL, ticketID)
}

// portalLinkText is the line under a mail to the customer, both parts.
const portalLinkText = "View this ticket online"

// withPortalLink ends both parts of out with the link (nothing for "").
func withPortalLink(out *mail.Outgoing, link string) {
	if link == "" {
		return
	}
	out.Text += "\n" + portalLinkText + ": " + link + "\n"
	out.HTML += `<p><a href="` + html.EscapeString(link) + `">` + portalLinkText + "</a></p>\n"
}

// textToHTML renders a plain-text reply as escaped HTML, for the HTML part.
func textToHTML(text string) string {
	return `<div style="white-space: pre-wrap">` + html.EscapeString(strings.ReplaceAll(text, "\r\n", "\n")) + "</div>\n"
}

// parse checks a reply's text and files before anything is stored.
func (in ReplyInput) parse() (body string, cc []mail.Address, atts []mail.Attachment, err error) {
	body = strings.TrimRight(in.Body, " \t\r\n")
	if strings.TrimSpace(body) == "" {
		return "", nil, nil, domain.Invalid("body", "must not be empty")
	}
	if in.Cc != nil {
		if cc, err = parseAddresses("cc", *in.Cc); err != nil {
			return "", nil, nil, err
		}
	}
	atts = make([]mail.Attachment, 0, len(in.Files))
	for i, f := range in.Files {
		name := strings.TrimSpace(f.Name)
		if name == "" {
			name = "attachment-" + strconv.Itoa(i+1)
		}
		ct := strings.ToLower(strings.TrimSpace(f.ContentType))
		if ct == "" {
			ct = "application/octet-stream"
		}
		atts = append(atts, mail.Attachment{Filename: name, ContentType: ct, Data: f.Data})
	}
	return body, cc, atts, nil
}

// Reply queues an agent's reply to the requester: the outbound message and
// its send job are written in one transaction. It answers the customer's
// newest message (In-Reply-To, References = its References + its
// Message-ID); Cc is kept from that message unless the input says otherwise.
// A new ticket becomes open; the first reply delivered sets the ticket's
// first response time (writeDelivery).
func (s *Service) Reply(ctx context.Context, actor store.User, ticketID int64, in ReplyInput) (store.Message, error) {
	mac, err := s.replyMacro(ctx, actor, ticketID, &in)
	if err != nil {
		return store.Message{}, err
	}
	body, explicitCc, atts, err := in.parse()
	if err != nil {
		return store.Message{}, err
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
		// Checked under the ticket's lock: ingestion takes it too, so a
		// message is either seen here or stored after this reply.
		if err := s.checkNewer(ctx, tx, actor, ticketID, in); err != nil {
			return err
		}
		out, portal, err := s.replyMail(ctx, tx, t, actor, in.Cc != nil, explicitCc)
		if err != nil {
			return err
		}
		body, err := s.withSignatures(ctx, tx, body, t, actor)
		if err != nil {
			return err
		}
		out.Text, out.HTML, out.Attachments = body+"\n", textToHTML(body), atts
		withPortalLink(&out, portal)
		if id, err = s.queueOutbound(ctx, tx, t.ID, actor.ID, out, ""); err != nil {
			return err
		}
		c := Change{TicketID: t.ID, Actor: agentActor(actor), MessageAdded: id,
			Events: []Event{{Kind: EventReplyQueued, Field: "message", NewValue: strconv.FormatInt(id, 10)}}}
		if t.Status == domain.StatusNew {
			open := domain.StatusOpen
			c.Status = &open
		}
		if mac != nil {
			mac.Actions.into(&c, t.Tags)
		}
		_, err = s.change(ctx, tx, c)
		return err
	})
	if err != nil {
		return store.Message{}, err
	}
	return s.store.GetMessage(ctx, s.db.W(), id)
}

// replyMacro finds the macro a reply names (nil when none) and, when the
// reply has no body, gives it the macro's body rendered for the ticket.
func (s *Service) replyMacro(ctx context.Context, actor store.User, ticketID int64, in *ReplyInput) (*Macro, error) {
	if in.MacroID == 0 {
		return nil, nil
	}
	m, err := s.macroFor(ctx, s.db, actor, in.MacroID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, domain.Invalid("macro_id", fmt.Sprintf("no macro %d", in.MacroID))
	}
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(in.Body) == "" {
		t, err := s.store.GetTicket(ctx, s.db, ticketID)
		if err != nil {
			return nil, err
		}
		in.Body = RenderMacro(m.Body, t, actor)
	}
	return &m, nil
}

// replyMail addresses and threads an agent's reply: to the requester, Cc
// the given list (or, without one, the last inbound message's recipients
// but ours), under the customer's newest message; and gives the reply's
// portal link (portalLink).
func (s *Service) replyMail(ctx context.Context, tx *store.Tx, t store.Ticket, actor store.User, ccGiven bool, cc []mail.Address) (mail.Outgoing, string, error) {
	mb, err := s.store.GetMailbox(ctx, tx, t.MailboxID)
	if err != nil {
		return mail.Outgoing{}, "", err
	}
	ours, err := s.store.MailboxAddresses(ctx, tx)
	if err != nil {
		return mail.Outgoing{}, "", err
	}
	// The parent is the customer's newest message (what the agent answers);
	// without one, the newest email of the ticket.
	last, lastOK, err := s.store.LastInbound(ctx, tx, t.ID)
	if err != nil {
		return mail.Outgoing{}, "", err
	}
	to := mail.Address{Email: t.Requester.Email, Name: t.Requester.Name}
	if !ccGiven && lastOK {
		for _, a := range append(slices.Clone(last.To), last.Cc...) {
			cc = append(cc, mail.Address{Email: strings.ToLower(a.Email), Name: a.Name})
		}
	}
	seen := map[string]bool{}
	cc = slices.DeleteFunc(cc, func(a mail.Address) bool {
		drop := a.Email == "" || ours[mail.BaseAddress(a.Email)] || strings.EqualFold(a.Email, to.Email) || seen[a.Email]
		seen[a.Email] = true
		return drop
	})
	parent, ok := last, lastOK
	if !ok || parent.MessageID == "" {
		if parent, ok, err = s.store.ThreadTail(ctx, tx, t.ID); err != nil {
			return mail.Outgoing{}, "", err
		}
	}
	var parentID string
	var parentRefs []string
	if ok && parent.MessageID != "" {
		parentID, parentRefs = parent.MessageID, parent.References
	}
	out := mail.TicketMail(mail.Address{Name: senderName(mb, actor), Email: mb.Address}, t.ID, parentID, parentRefs, s.now())
	out.To, out.Cc = []mail.Address{to}, cc
	out.Subject = mail.TicketSubject(fallback(mail.NormalizeSubject(t.Subject), "(no subject)"), t.ID)
	return out, s.portalLink(mb, t.ID), nil
}

// senderName is the display name a reply comes from: the mailbox's, or
// "Agent Name via Mailbox Name" when the mailbox says so.
func senderName(mb store.Mailbox, actor store.User) string {
	if !mb.SenderAgentName || strings.TrimSpace(actor.Name) == "" {
		return mb.Name
	}
	return strings.TrimSpace(actor.Name) + " via " + mb.Name
}

// AddNote stores an internal note on a ticket; notes are never mailed.
func (s *Service) AddNote(ctx context.Context, actor store.User, ticketID int64, body string) (store.Message, error) {
	body = strings.TrimRight(body, " \t\r\n")
	if strings.TrimSpace(body) == "" {
		return store.Message{}, domain.Invalid("body", "must not be empty")
	}
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockTicket(ctx, tx, ticketID); err != nil {
			return err
		}
		var err error
		id, err = s.store.InsertMessage(ctx, tx, store.Message{TicketID: ticketID, Kind: store.KindNote,
			From: store.Address{Email: actor.Email, Name: actor.Name}, Text: body, VisibleText: body, CreatedAt: s.now(), AuthorID: actor.ID})
		if err != nil {
			return err
		}
		_, err = s.change(ctx, tx, Change{TicketID: ticketID, Actor: agentActor(actor), MessageAdded: id, Uncounted: true,
			Events: []Event{{Kind: EventNoteAdded, Field: "message", NewValue: strconv.FormatInt(id, 10)}}})
		return err
	})
	if err != nil {
		return store.Message{}, err
	}
	return s.store.GetMessage(ctx, s.db.W(), id)
}

// RetryMessage queues a failed outbound message again, with its send job, in
// one transaction. The same bytes (and Message-ID) are sent.
func (s *Service) RetryMessage(ctx context.Context, actor store.User, messageID int64) (store.Message, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		m, err := s.store.GetMessage(ctx, tx, messageID)
		if err != nil {
			return err
		}
		if m.Kind != store.KindOutbound {
			return domain.Conflict(fmt.Sprintf("message %d is %s, not an outbound message", m.ID, m.Kind))
		}
		_, err = s.change(ctx, tx, Change{TicketID: m.TicketID, Actor: agentActor(actor),
			Delivery: &Delivery{MessageID: m.ID, Requeue: true},
			Events:   []Event{{Kind: EventDeliveryRetried, Field: "message", OldValue: m.DeliveryError, NewValue: strconv.FormatInt(m.ID, 10)}}})
		if errors.Is(err, errNotFailed) {
			return domain.Conflict(fmt.Sprintf("message %d is %s, not failed: only failed messages can be retried", m.ID, m.DeliveryStatus))
		}
		if err != nil {
			return err
		}
		return s.cfg.Queue.Enqueue(ctx, tx, SendArgs{MessageID: m.ID})
	})
	if err != nil {
		return store.Message{}, err
	}
	return s.store.GetMessage(ctx, s.db.W(), messageID)
}
