package ticket

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
)

// MailboxInput creates a mailbox (admin).
type MailboxInput struct {
	Name, Address string
	SMTPRelay     string // plain URL; sealed before it is stored
	IMAP          string // plain URL, checked by the caller; sealed before it is stored
	IMAPSince     time.Time
	AckEnabled    *bool // nil: enabled
	AckSubject    string
	AckBody       string
}

// MailboxUpdate changes a mailbox; nil leaves a field alone. An empty
// SMTPRelay removes the relay (mail goes to the outbox).
type MailboxUpdate struct {
	Name, SMTPRelay, AckSubject, AckBody *string
	AckEnabled                           *bool
}

func checkAckTemplates(subject, body string) error {
	mb := store.Mailbox{Name: "Support", Address: "support@example.com", AckSubject: subject, AckBody: body}
	d := AckData{TicketID: 1, Subject: "s", RequesterName: "n", RequesterEmail: "e@example.com", MailboxName: mb.Name, MailboxAddress: mb.Address}
	if subject != "" {
		if _, _, err := RenderAck(store.Mailbox{AckSubject: subject}, d); err != nil {
			return domain.Invalid("ack_subject", err.Error())
		}
	}
	if body != "" {
		if _, _, err := RenderAck(store.Mailbox{AckBody: body}, d); err != nil {
			return domain.Invalid("ack_body", err.Error())
		}
	}
	return nil
}

func (s *Service) sealRelay(relay string) (string, error) {
	relay = strings.TrimSpace(relay)
	if relay == "" {
		return "", nil
	}
	if _, err := smtpout.ParseRelayURL(relay); err != nil {
		return "", domain.Invalid("smtp_relay", err.Error())
	}
	return s.cfg.Secrets.Seal(relay)
}

// CreateMailbox validates and stores a mailbox; store.ErrConflict when the address exists.
func (s *Service) CreateMailbox(ctx context.Context, in MailboxInput) (store.Mailbox, error) {
	addr := strings.ToLower(strings.TrimSpace(in.Address))
	if local, host, ok := strings.Cut(addr, "@"); !ok || local == "" || host == "" || strings.ContainsAny(addr, "+ <>,;\"") {
		return store.Mailbox{}, domain.Invalid("address", "must be a plain email address (no +tag)")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 200 {
		return store.Mailbox{}, domain.Invalid("name", "must be 1 to 200 characters")
	}
	if err := checkAckTemplates(in.AckSubject, in.AckBody); err != nil {
		return store.Mailbox{}, err
	}
	relay, err := s.sealRelay(in.SMTPRelay)
	if err != nil {
		return store.Mailbox{}, err
	}
	provider, imapURL := "smtp", ""
	if in.IMAP != "" {
		if imapURL, err = s.cfg.Secrets.Seal(in.IMAP); err != nil {
			return store.Mailbox{}, fmt.Errorf("seal imap url: %w", err)
		}
		provider = "imap"
	}
	ack := in.AckEnabled == nil || *in.AckEnabled
	id, err := s.store.CreateMailbox(ctx, store.Mailbox{Name: name, Address: addr, Provider: provider, SMTPRelay: relay, IMAP: imapURL,
		AckEnabled: ack, AckSubject: in.AckSubject, AckBody: in.AckBody, CreatedAt: s.now()})
	if err != nil {
		return store.Mailbox{}, err
	}
	if !in.IMAPSince.IsZero() {
		if err := s.store.SetConnectorSettings(ctx, id, provider, "", in.IMAPSince); err != nil {
			return store.Mailbox{}, err
		}
	}
	return s.store.GetMailbox(ctx, s.db.W(), id)
}

// UpdateMailbox changes a mailbox.
func (s *Service) UpdateMailbox(ctx context.Context, id int64, in MailboxUpdate) (store.Mailbox, error) {
	var c store.MailboxChange
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || len(name) > 200 {
			return store.Mailbox{}, domain.Invalid("name", "must be 1 to 200 characters")
		}
		c.Name = &name
	}
	var subject, body string
	if in.AckSubject != nil {
		subject, c.AckSubject = *in.AckSubject, in.AckSubject
	}
	if in.AckBody != nil {
		body, c.AckBody = *in.AckBody, in.AckBody
	}
	if err := checkAckTemplates(subject, body); err != nil {
		return store.Mailbox{}, err
	}
	if in.SMTPRelay != nil {
		relay, err := s.sealRelay(*in.SMTPRelay)
		if err != nil {
			return store.Mailbox{}, err
		}
		c.SMTPRelay = &relay
	}
	c.AckEnabled = in.AckEnabled
	if err := s.store.UpdateMailbox(ctx, id, c); err != nil {
		return store.Mailbox{}, err
	}
	return s.store.GetMailbox(ctx, s.db.W(), id)
}

// MailboxTest is the outcome of trying a mailbox's transport.
type MailboxTest struct {
	OK        bool
	Transport string // smtp_relay or outbox
	Message   string
}

// TestMailbox tries the mailbox's SMTP relay (connect, TLS, authentication,
// no mail sent), or checks the outbox folder is writable when it has none.
func (s *Service) TestMailbox(ctx context.Context, id int64) (MailboxTest, error) {
	mb, err := s.store.GetMailbox(ctx, s.db, id)
	if err != nil {
		return MailboxTest{}, err
	}
	if mb.SMTPRelay == "" {
		if err := os.MkdirAll(s.cfg.OutboxDir, 0o750); err != nil {
			return MailboxTest{Transport: "outbox", Message: "outbox folder is not writable: " + err.Error()}, nil
		}
		return MailboxTest{OK: true, Transport: "outbox", Message: "no SMTP relay: outbound mail is written as .eml files to the outbox folder " + s.cfg.OutboxDir}, nil
	}
	relayURL, err := s.cfg.Secrets.Open(mb.SMTPRelay)
	if err != nil {
		return MailboxTest{Transport: "smtp_relay", Message: "cannot open the stored relay credentials: " + err.Error()}, nil
	}
	rc, err := smtpout.ParseRelayURL(relayURL)
	if err != nil {
		return MailboxTest{Transport: "smtp_relay", Message: err.Error()}, nil
	}
	rc.HeloName = mail.DomainOf(mb.Address)
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := smtpout.NewRelay(rc).Test(ctx); err != nil {
		return MailboxTest{Transport: "smtp_relay", Message: err.Error()}, nil
	}
	return MailboxTest{OK: true, Transport: "smtp_relay", Message: fmt.Sprintf("connected to %s:%d and authenticated", rc.Host, rc.Port)}, nil
}
