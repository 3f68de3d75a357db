package ticket

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// Default acknowledgement template; a mailbox may set its own.
const (
	// The subject is the one every mail of a ticket has (mail.TicketSubject).
	DefaultAckSubject = "Re: {{.Subject}} [#{{.TicketID}}]"
	DefaultAckBody    = `Hello,

thank you for writing to {{.MailboxName}}. We have received your message and
opened ticket #{{.TicketID}} ("{{.Subject}}"). We will answer as soon as we can.

To add anything, simply reply to this email.

-- 
{{.MailboxName}}
`
)

// AckData is what acknowledgement templates can use.
type AckData struct {
	TicketID int64
	Subject  string
	// RequesterName is the sender's address, never the display name: anyone
	// can forge From, and a display name quoted back would let them mail
	// their text to the address they name, from us. Kept for templates
	// written when it held the name.
	RequesterName  string
	RequesterEmail string
	MailboxName    string
	MailboxAddress string
	// PortalURL is the ticket's page in the customer portal ("view this
	// ticket online"): a template may offer it; the default does not.
	PortalURL string
}

// RenderAck renders a mailbox's acknowledgement (subject, body).
func RenderAck(mb store.Mailbox, d AckData) (string, string, error) {
	subjectTpl, bodyTpl := fallback(mb.AckSubject, DefaultAckSubject), fallback(mb.AckBody, DefaultAckBody)
	render := func(name, src string) (string, error) {
		t, err := template.New(name).Option("missingkey=error").Parse(src)
		if err != nil {
			return "", fmt.Errorf("acknowledgement %s template: %w", name, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return "", fmt.Errorf("acknowledgement %s template: %w", name, err)
		}
		return b.String(), nil
	}
	subject, err := render("subject", subjectTpl)
	if err != nil {
		return "", "", err
	}
	body, err := render("body", bodyTpl)
	if err != nil {
		return "", "", err
	}
	return strings.Join(strings.Fields(subject), " "), body, nil
}

// acknowledge is the last ingestion step: it queues the acknowledgement of a
// new conversation, unless anything says not to (then res.Note says why).
func (in *ingestion) acknowledge(ctx context.Context) error {
	if !in.res.NewTicket || in.opts.noAck {
		return nil
	}
	sent, reason, err := in.s.acknowledge(ctx, in.tx, in.mb, in.res.TicketID, in.msg(), in.auto, in.ours, in.now)
	if err == nil && !sent {
		in.res.Note = "no acknowledgement: " + reason
	}
	return err
}

// acknowledge queues the acknowledgement of a new ticket, or says why not.
// auto is why the message is automatic, "" for a person's mail.
func (s *Service) acknowledge(ctx context.Context, tx *store.Tx, mb store.Mailbox, ticketID int64, msg *mail.Message,
	auto string, ours map[string]bool, now time.Time) (bool, string, error) {
	// The address alone: the display name is the sender's text (see AckData).
	to := mail.Address{Email: msg.From.Email}
	if len(msg.ReplyTo) > 0 && msg.ReplyTo[0].Email != "" {
		to = mail.Address{Email: msg.ReplyTo[0].Email}
	}
	switch {
	case !mb.AckEnabled:
		return false, "disabled for the mailbox", nil
	case auto != "":
		return false, "automatic message (" + auto + ")", nil
	case to.Email == "" || !strings.Contains(to.Email, "@"):
		return false, "no sender address", nil
	case ours[mail.BaseAddress(to.Email)] || ours[mail.BaseAddress(msg.From.Email)]:
		return false, "sent by one of our own addresses", nil
	}
	n, err := s.store.CountAcksSince(ctx, tx, to.Email, now.Add(-time.Hour))
	if err != nil {
		return false, "", err
	}
	if n >= s.cfg.AckPerHour {
		return false, fmt.Sprintf("rate limit: %d acknowledgements to %s in the last hour", n, to.Email), nil
	}
	subject, body, err := RenderAck(mb, AckData{TicketID: ticketID, Subject: fallback(mail.NormalizeSubject(msg.Subject), "(no subject)"),
		RequesterName: msg.From.Email, RequesterEmail: msg.From.Email, MailboxName: mb.Name, MailboxAddress: mb.Address,
		PortalURL: PortalURL(s.cfg.BaseURL, ticketID)})
	if err != nil {
		return false, "", err
	}
	out := mail.TicketMail(mail.Address{Name: mb.Name, Email: mb.Address}, ticketID, msg.MessageID, msg.References, now)
	out.To, out.Subject, out.Text, out.AutoSubmitted = []mail.Address{to}, subject, body, "auto-replied"
	id, err := s.queueOutbound(ctx, tx, ticketID, 0, out, "acknowledgement")
	if err != nil {
		return false, "", err
	}
	if _, err := s.change(ctx, tx, Change{TicketID: ticketID, Actor: systemActor(), MessageAdded: id, Uncounted: true}); err != nil {
		return false, "", err
	}
	if err := s.store.RecordAck(ctx, tx, to.Email, ticketID, now); err != nil {
		return false, "", err
	}
	return true, "", nil
}

// PortalURL is a ticket's page in the customer portal: a customer who is
// not signed in is asked to sign in there first.
func PortalURL(baseURL string, ticketID int64) string {
	return strings.TrimRight(baseURL, "/") + "/portal/tickets/" + strconv.FormatInt(ticketID, 10)
}
