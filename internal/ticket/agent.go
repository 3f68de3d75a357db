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
	"unicode"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// checkTransition holds the status rules:
//   - nothing goes back to new (new only means "nobody looked yet");
//   - only a solved ticket can be closed;
//   - a closed ticket can only be reopened (to open).
//
// Everything else among open, pending and solved is allowed.
func checkTransition(from, to domain.Status) error {
	switch {
	case from == to:
		return nil
	case to == domain.StatusNew:
		return domain.Conflict(fmt.Sprintf("status: a ticket cannot go back to new (it is %s)", from))
	case to == domain.StatusClosed && from != domain.StatusSolved:
		return domain.Conflict(fmt.Sprintf("status: only a solved ticket can be closed (it is %s)", from))
	case from == domain.StatusClosed && to != domain.StatusOpen:
		return domain.Conflict(fmt.Sprintf("status: a closed ticket can only be reopened as open, not %s", to))
	}
	return nil
}

// TicketUpdate lists the changes an agent asks for; nil leaves a field alone.
type TicketUpdate struct {
	Status   *domain.Status
	Priority *domain.Priority
	// AssigneeSet says the assignee changes: to AssigneeID, or unassigned when 0.
	AssigneeSet bool
	AssigneeID  int64
	Tags        *[]string
}

const (
	maxTags   = 50
	maxTagLen = 64
)

// normalizeTags lower-cases, trims, dedupes and sorts tags.
func normalizeTags(in []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || len(t) > maxTagLen || strings.ContainsFunc(t, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || unicode.IsControl(r) }) {
			return nil, domain.Invalid("tags", fmt.Sprintf("%q: a tag is 1 to %d characters without spaces or commas", t, maxTagLen))
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, domain.Invalid("tags", fmt.Sprintf("at most %d tags", maxTags))
	}
	slices.Sort(out)
	return out, nil
}

func actorName(u store.User) string { return u.Email }

func joinEnum[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// UpdateTicket applies an agent's changes to a ticket in one transaction,
// recording each change as an event (who, field, before, after, when).
func (s *Service) UpdateTicket(ctx context.Context, actor store.User, id int64, in TicketUpdate) (store.Ticket, error) {
	if in.Status != nil && !slices.Contains(domain.Statuses(), *in.Status) {
		return store.Ticket{}, domain.Invalid("status", "must be one of "+joinEnum(domain.Statuses()))
	}
	if in.Priority != nil && !slices.Contains(domain.Priorities(), *in.Priority) {
		return store.Ticket{}, domain.Invalid("priority", "must be one of "+joinEnum(domain.Priorities()))
	}
	var tags []string
	if in.Tags != nil {
		var err error
		if tags, err = normalizeTags(*in.Tags); err != nil {
			return store.Ticket{}, err
		}
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockTicket(ctx, tx, id); err != nil {
			return err
		}
		t, err := s.store.GetTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		f := store.TicketFields{Status: t.Status, Priority: t.Priority, SolvedAt: t.SolvedAt}
		if t.Assignee != nil {
			f.AssigneeID = t.Assignee.ID
		}
		var events []store.Event
		change := func(field, before, after string) {
			events = append(events, store.Event{TicketID: id, ActorID: actor.ID, Actor: actorName(actor), Kind: field + "_changed",
				Field: field, OldValue: before, NewValue: after, CreatedAt: now})
		}
		if in.Status != nil && *in.Status != t.Status {
			if err := checkTransition(t.Status, *in.Status); err != nil {
				return err
			}
			f.Status = *in.Status
			switch f.Status {
			case domain.StatusSolved:
				f.SolvedAt = now
			case domain.StatusClosed: // from solved: keeps its solved time
				if f.SolvedAt.IsZero() {
					f.SolvedAt = now
				}
			default:
				f.SolvedAt = time.Time{}
			}
			change("status", string(t.Status), string(f.Status))
		}
		if in.Priority != nil && *in.Priority != t.Priority {
			f.Priority = *in.Priority
			change("priority", string(t.Priority), string(f.Priority))
		}
		if in.AssigneeSet && in.AssigneeID != f.AssigneeID {
			before := ""
			if t.Assignee != nil {
				before = t.Assignee.Email
			}
			after := ""
			if in.AssigneeID != 0 {
				u, err := s.store.GetUserTx(ctx, tx, in.AssigneeID)
				if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
					return domain.Invalid("assignee_id", fmt.Sprintf("%d is not an enabled user", in.AssigneeID))
				}
				if err != nil {
					return err
				}
				after = u.Email
			}
			f.AssigneeID = in.AssigneeID
			change("assignee", before, after)
		}
		if len(events) > 0 {
			if err := s.store.UpdateTicketFields(ctx, tx, id, f, now); err != nil {
				return err
			}
		}
		if in.Tags != nil && !slices.Equal(tags, t.Tags) {
			if err := s.store.SetTicketTags(ctx, tx, id, tags); err != nil {
				return err
			}
			if err := s.store.TouchTicket(ctx, tx, id, now, 0); err != nil {
				return err
			}
			change("tags", strings.Join(t.Tags, ","), strings.Join(tags, ","))
		}
		for _, e := range events {
			if err := s.store.AddEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		if len(events) == 0 {
			return nil
		}
		return s.publish(ctx, tx, live.TicketUpdated, id, 0)
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

// textToHTML renders a plain-text reply as escaped HTML, for the HTML part.
func textToHTML(text string) string {
	return `<div style="white-space: pre-wrap">` + html.EscapeString(strings.ReplaceAll(text, "\r\n", "\n")) + "</div>\n"
}

// Reply queues an agent's reply to the requester: the outbound message and
// its send job are written in one transaction. It answers the customer's
// newest message (In-Reply-To, References = its References + its
// Message-ID); Cc is kept from that message unless the input says otherwise. The first reply sets the ticket's
// first response time, and a new ticket becomes open.
func (s *Service) Reply(ctx context.Context, actor store.User, ticketID int64, in ReplyInput) (store.Message, error) {
	body := strings.TrimRight(in.Body, " \t\r\n")
	if strings.TrimSpace(body) == "" {
		return store.Message{}, domain.Invalid("body", "must not be empty")
	}
	var explicitCc []mail.Address
	if in.Cc != nil {
		var err error
		if explicitCc, err = parseAddresses("cc", *in.Cc); err != nil {
			return store.Message{}, err
		}
	}
	atts := make([]mail.Attachment, 0, len(in.Files))
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
	now := s.now()
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
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
		to := mail.Address{Email: t.Requester.Email, Name: t.Requester.Name}
		cc := explicitCc
		if in.Cc == nil {
			if last, ok, err := s.store.LastInbound(ctx, tx, ticketID); err != nil {
				return err
			} else if ok {
				for _, a := range append(append([]store.Address{}, last.To...), last.Cc...) {
					cc = append(cc, mail.Address{Email: strings.ToLower(a.Email), Name: a.Name})
				}
			}
		}
		cc = slices.DeleteFunc(cc, func(a mail.Address) bool {
			return a.Email == "" || ours[mail.BaseAddress(a.Email)] || strings.EqualFold(a.Email, to.Email)
		})
		seen := map[string]bool{}
		cc = slices.DeleteFunc(cc, func(a mail.Address) bool {
			dup := seen[a.Email]
			seen[a.Email] = true
			return dup
		})
		// The parent is the customer's newest message (what the agent
		// answers); without one, the newest email of the ticket.
		parent, ok, err := s.store.LastInbound(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if !ok || parent.MessageID == "" {
			if parent, ok, err = s.store.ThreadTail(ctx, tx, ticketID); err != nil {
				return err
			}
		}
		var parentID string
		var parentRefs []string
		if ok && parent.MessageID != "" {
			parentID, parentRefs = parent.MessageID, parent.References
		}
		out := mail.TicketMail(mail.Address{Name: mb.Name, Email: mb.Address}, t.ID, parentID, parentRefs, now)
		out.To, out.Cc, out.Attachments = []mail.Address{to}, cc, atts
		out.Subject = fmt.Sprintf("Re: %s [#%d]", fallback(mail.NormalizeSubject(t.Subject), "(no subject)"), t.ID)
		out.Text, out.HTML = body+"\n", textToHTML(body)
		if id, err = s.queueOutbound(ctx, tx, t.ID, actor.ID, out, "", now); err != nil {
			return err
		}
		if err := s.store.SetFirstResponse(ctx, tx, t.ID, now); err != nil {
			return err
		}
		if err := s.store.AddEvent(ctx, tx, store.Event{TicketID: t.ID, ActorID: actor.ID, Actor: actorName(actor), Kind: "reply_queued",
			Field: "message", NewValue: strconv.FormatInt(id, 10), CreatedAt: now}); err != nil {
			return err
		}
		if t.Status == domain.StatusNew {
			f := store.TicketFields{Status: domain.StatusOpen, Priority: t.Priority}
			if t.Assignee != nil {
				f.AssigneeID = t.Assignee.ID
			}
			if err := s.store.UpdateTicketFields(ctx, tx, t.ID, f, now); err != nil {
				return err
			}
			return s.store.AddEvent(ctx, tx, store.Event{TicketID: t.ID, ActorID: actor.ID, Actor: actorName(actor), Kind: "status_changed",
				Field: "status", OldValue: string(domain.StatusNew), NewValue: string(domain.StatusOpen), CreatedAt: now})
		}
		return nil
	})
	if err != nil {
		return store.Message{}, err
	}
	return s.store.GetMessage(ctx, s.db.W(), id)
}

// AddNote stores an internal note on a ticket; notes are never mailed.
func (s *Service) AddNote(ctx context.Context, actor store.User, ticketID int64, body string) (store.Message, error) {
	body = strings.TrimRight(body, " \t\r\n")
	if strings.TrimSpace(body) == "" {
		return store.Message{}, domain.Invalid("body", "must not be empty")
	}
	now := s.now()
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockTicket(ctx, tx, ticketID); err != nil {
			return err
		}
		var err error
		id, err = s.store.InsertMessage(ctx, tx, store.Message{TicketID: ticketID, Kind: store.KindNote,
			From: store.Address{Email: actor.Email, Name: actor.Name}, Text: body, VisibleText: body, CreatedAt: now, AuthorID: actor.ID})
		if err != nil {
			return err
		}
		if err := s.store.TouchTicket(ctx, tx, ticketID, now, 1); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, live.MessageAdded, ticketID, id); err != nil {
			return err
		}
		return s.store.AddEvent(ctx, tx, store.Event{TicketID: ticketID, ActorID: actor.ID, Actor: actorName(actor), Kind: "note_added",
			Field: "message", NewValue: strconv.FormatInt(id, 10), CreatedAt: now})
	})
	if err != nil {
		return store.Message{}, err
	}
	return s.store.GetMessage(ctx, s.db.W(), id)
}

// RetryMessage queues a failed outbound message again, with its send job, in
// one transaction. The same bytes (and Message-ID) are sent.
func (s *Service) RetryMessage(ctx context.Context, actor store.User, messageID int64) (store.Message, error) {
	now := s.now()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		m, err := s.store.GetMessage(ctx, tx, messageID)
		if err != nil {
			return err
		}
		if m.Kind != store.KindOutbound {
			return domain.Conflict(fmt.Sprintf("message %d is %s, not an outbound message", m.ID, m.Kind))
		}
		ok, err := s.store.RequeueFailed(ctx, tx, m.ID)
		if err != nil {
			return err
		}
		if !ok {
			return domain.Conflict(fmt.Sprintf("message %d is %s, not failed: only failed messages can be retried", m.ID, m.DeliveryStatus))
		}
		if err := s.cfg.Queue.Enqueue(ctx, tx, SendArgs{MessageID: m.ID}); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, live.TicketUpdated, m.TicketID, m.ID); err != nil {
			return err
		}
		return s.store.AddEvent(ctx, tx, store.Event{TicketID: m.TicketID, ActorID: actor.ID, Actor: actorName(actor), Kind: "delivery_retried",
			Field: "message", OldValue: m.DeliveryError, NewValue: strconv.FormatInt(m.ID, 10), CreatedAt: now})
	})
	if err != nil {
		return store.Message{}, err
	}
	return s.store.GetMessage(ctx, s.db.W(), messageID)
}
