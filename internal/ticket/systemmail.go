package ticket

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
)

// System mail is mail not tied to a ticket: invitations and password reset
// links. It has no message row and no job: it is sent while the admin
// waits, and the admin is told whether it went (and has the link anyway),
// so nothing is retried behind anyone's back and no link is stored.

// SystemMailTimeout bounds one system mail's send.
const SystemMailTimeout = 30 * time.Second

// SystemMail is a mail not tied to a ticket.
type SystemMail struct {
	To            mail.Address
	Subject, Text string
}

// SentSystemMail says how a system mail went out.
type SentSystemMail struct {
	From      string // the address it was sent from
	Transport string // smtp_relay (or the mailbox's provider) or outbox
}

// errNoSender: with no mailbox there is no address to send from.
var errNoSender = errors.New("no mailbox to send from: add a mailbox first")

// SendSystemMail sends m from the mailbox marked for system mail, else the
// first mailbox with an SMTP relay, else the first mailbox (whose mail goes
// to the outbox folder, or through its provider).
func (s *Service) SendSystemMail(ctx context.Context, m SystemMail) (SentSystemMail, error) {
	mb, err := s.systemMailbox(ctx)
	if err != nil {
		return SentSystemMail{}, err
	}
	host := mail.DomainOf(mb.Address)
	if u, err := url.Parse(s.cfg.BaseURL); err == nil && u.Hostname() != "" && host == "localhost" {
		host = u.Hostname()
	}
	raw, err := mail.Compose(mail.Outgoing{From: mail.Address{Name: mb.Name, Email: mb.Address}, To: []mail.Address{m.To},
		Subject: m.Subject, Text: m.Text, MessageID: mail.NewMessageID(host), Date: s.now(), AutoSubmitted: "auto-generated"})
	if err != nil {
		return SentSystemMail{}, fmt.Errorf("compose: %w", err)
	}
	sender, err := s.transport(mb)
	if err != nil {
		return SentSystemMail{}, err
	}
	out := SentSystemMail{From: mb.Address, Transport: "outbox"}
	if _, isOutbox := sender.(*smtpout.Outbox); !isOutbox {
		out.Transport = "smtp_relay"
		if mb.SMTPRelay == "" {
			out.Transport = mb.Provider
		}
	}
	ctx, cancel := context.WithTimeout(ctx, SystemMailTimeout)
	defer cancel()
	if err := sender.Send(ctx, mb.Address, []string{m.To.Email}, raw); err != nil {
		s.log.Warn("system mail not sent", "to", m.To.Email, "from", mb.Address, "err", err)
		return out, err
	}
	s.log.Info("system mail sent", "to", m.To.Email, "from", mb.Address, "transport", out.Transport)
	return out, nil
}

// systemMailbox picks the mailbox system mail comes from.
func (s *Service) systemMailbox(ctx context.Context) (store.Mailbox, error) {
	list, err := s.store.ListMailboxes(ctx)
	if err != nil {
		return store.Mailbox{}, err
	}
	if len(list) == 0 {
		return store.Mailbox{}, errNoSender
	}
	for _, mb := range list {
		if mb.SystemMail {
			return mb, nil
		}
	}
	for _, mb := range list {
		if mb.SMTPRelay != "" && mb.RelayError == "" {
			return mb, nil
		}
	}
	return list[0], nil
}
