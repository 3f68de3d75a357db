package ticket

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
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
	TeamID        int64 // the default team of its new tickets (0: none)
}

// MailboxUpdate changes a mailbox; nil leaves a field alone. An empty
// SMTPRelay removes the relay (mail goes to the outbox).
type MailboxUpdate struct {
	Name, SMTPRelay, AckSubject, AckBody *string
	AckEnabled                           *bool
	ReopenDays                           *int
	// SenderAgentName: replies from "Agent Name via Name".
	SenderAgentName *bool
	// SystemMail true makes this the one mailbox mail not tied to a ticket
	// is sent from.
	SystemMail *bool
	// Portal: customers signed in to the portal may open tickets here.
	Portal *bool
	// CSAT: the requester of a ticket solved gets a satisfaction survey.
	CSAT *bool
	// Signature is appended to replies from the mailbox (placeholders as in macros).
	Signature *string
	// TeamID is the default team of its new tickets (0: none).
	TeamID *int64
}

// maxReopenDays bounds the reopen window (ten years).
const maxReopenDays = 3650

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

// sealRelay checks a relay URL (its options and CA file) and seals it; it
// also returns what the mailbox warns about it.
func (s *Service) sealRelay(relay, address string) (sealed, warning string, err error) {
	relay = strings.TrimSpace(relay)
	if relay == "" {
		return "", "", nil
	}
	rc, err := s.relayConfig(relay, address)
	if err == nil {
		err = rc.Check()
	}
	if err != nil {
		return "", "", domain.Invalid("smtp_relay", err.Error())
	}
	if w := rc.Warning(); w != "" {
		s.log.Warn("mailbox relay is unsafe", "mailbox", address, "warning", w)
		warning = w
	}
	sealed, err = s.cfg.Secrets.Seal(relay)
	return sealed, warning, err
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
	relay, warning, err := s.sealRelay(in.SMTPRelay, addr)
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
		AckEnabled: ack, AckSubject: in.AckSubject, AckBody: in.AckBody, CreatedAt: s.now(), RelayWarning: warning})
	if err != nil {
		return store.Mailbox{}, err
	}
	if !in.IMAPSince.IsZero() {
		if err := s.store.SetConnectorSettings(ctx, id, provider, "", in.IMAPSince); err != nil {
			return store.Mailbox{}, err
		}
	}
	if in.TeamID != 0 {
		if err := s.setMailboxTeam(ctx, id, in.TeamID); err != nil {
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
	if in.Signature != nil { // checked before anything is written
		sig, err := checkSignature(*in.Signature)
		if err != nil {
			return store.Mailbox{}, err
		}
		in.Signature = &sig
	}
	if in.SMTPRelay != nil {
		mb, err := s.store.GetMailbox(ctx, s.db.W(), id)
		if err != nil {
			return store.Mailbox{}, err
		}
		relay, warning, err := s.sealRelay(*in.SMTPRelay, mb.Address)
		if err != nil {
			return store.Mailbox{}, err
		}
		c.SMTPRelay, c.RelayWarning = &relay, &warning
	}
	c.AckEnabled, c.SenderAgentName, c.SystemMail, c.Portal, c.CSAT = in.AckEnabled, in.SenderAgentName, in.SystemMail, in.Portal, in.CSAT
	if d := in.ReopenDays; d != nil && (*d < 1 || *d > maxReopenDays) {
		return store.Mailbox{}, domain.Invalid("reopen_days", fmt.Sprintf("must be 1 to %d days", maxReopenDays))
	}
	c.ReopenDays = in.ReopenDays
	if err := s.store.UpdateMailbox(ctx, id, c); err != nil {
		return store.Mailbox{}, err
	}
	if in.Signature != nil {
		if err := s.store.SetMailboxSignature(ctx, id, *in.Signature); err != nil {
			return store.Mailbox{}, err
		}
	}
	if in.TeamID != nil {
		if err := s.setMailboxTeam(ctx, id, *in.TeamID); err != nil {
			return store.Mailbox{}, err
		}
	}
	// Saving the mailbox is the admin saying "try again": what waited for it
	// is queued again (a relay still broken puts it back to waiting).
	if _, err := s.relayWorks(ctx, id); err != nil {
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
	relay, rc, err := s.relay(mb, s.cfg.Guard)
	if err == nil {
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		err = relay.Test(tctx, mb.Address)
		cancel()
	}
	// The outcome is the mailbox's, in the words a send would use.
	if smtpout.IsConfig(err) {
		if serr := s.store.SetRelayError(ctx, s.db.W(), mb.ID, err.Error(), s.now()); serr != nil {
			return MailboxTest{}, serr
		}
	}
	if err != nil {
		return MailboxTest{Transport: "smtp_relay", Message: err.Error()}, nil
	}
	n, err := s.relayWorks(ctx, mb.ID)
	if err != nil {
		return MailboxTest{}, err
	}
	msg := fmt.Sprintf("connected to %s:%d; the relay accepts mail from %s", rc.Host, rc.Port, mb.Address)
	if rc.Username != "" {
		msg = fmt.Sprintf("connected to %s:%d and authenticated; the relay accepts mail from %s", rc.Host, rc.Port, mb.Address)
	}
	if n > 0 {
		msg += fmt.Sprintf("; %d waiting message(s) queued again", n)
	}
	if w := rc.Warning(); w != "" {
		msg += ". Warning: " + w
	}
	return MailboxTest{OK: true, Transport: "smtp_relay", Message: msg}, nil
}
