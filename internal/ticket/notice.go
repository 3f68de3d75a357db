package ticket

import (
	"context"
	"fmt"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// SendNotice sends a mail that belongs to no conversation (a notification to
// an agent) through a mailbox's transport (it reads nothing: a caller may
// hold the SQLite writer), from its address. It is not
// stored as a message: the caller's job records that it went out, and
// retries it when this fails.
func (s *Service) SendNotice(ctx context.Context, mb store.Mailbox, out mail.Outgoing) error {
	out.From = mail.Address{Name: mb.Name, Email: mb.Address}
	if out.MessageID == "" {
		out.MessageID = mail.NewMessageID(mail.DomainOf(mb.Address))
	}
	if out.Date.IsZero() {
		out.Date = s.now()
	}
	raw, err := mail.Compose(out)
	if err != nil {
		return fmt.Errorf("compose notice: %w", err)
	}
	sender, err := s.transport(mb)
	if err != nil {
		return err
	}
	to := make([]string, 0, len(out.To))
	for _, a := range out.To {
		to = append(to, a.Email)
	}
	return sender.Send(ctx, mb.Address, to, raw)
}
