package ticket

import (
	"context"
	"fmt"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/netguard"
	"github.com/ticketer/ticketer/internal/store"
)

// A relay that cannot work as configured (smtpout.ConfigError: TLS, its
// certificate, refused authentication, the sender refused) is the mailbox's
// problem, not the message's: the mailbox records the reason, the message
// waits ("waiting", its job ends) instead of burning its retries or failing,
// and everything waiting goes out again once the relay works: when the
// mailbox is saved, when its connection test passes, or when any of its
// messages is sent.

// relay builds the mailbox's relay from its sealed URL and the service's
// defaults. A URL that cannot be opened or read is a ConfigError too: it was
// accepted once, so the mail waits for an admin to fix it.
func (s *Service) relay(mb store.Mailbox, guard *netguard.Guard) (*smtpout.Relay, smtpout.RelayConfig, error) {
	relayURL, err := s.cfg.Secrets.Open(mb.SMTPRelay)
	if err != nil {
		return nil, smtpout.RelayConfig{}, &smtpout.ConfigError{Err: fmt.Errorf("mailbox %s relay credentials: %w", mb.Address, err)}
	}
	rc, err := s.relayConfig(relayURL, mb.Address)
	if err != nil {
		return nil, rc, &smtpout.ConfigError{Err: fmt.Errorf("mailbox %s relay: %w", mb.Address, err)}
	}
	r := smtpout.NewRelay(rc)
	if guard != nil {
		r.Dial = guard.DialContext
	}
	if rc.OAuth && s.cfg.RelayTokens != nil {
		id := mb.ID
		r.Token = func(ctx context.Context) (string, error) { return s.cfg.RelayTokens.Token(ctx, id) }
		r.Invalidate = func() { s.cfg.RelayTokens.Invalidate(id) }
	}
	return r, rc, nil
}

// relayConfig parses a relay URL and fills in the defaults: the CA file of
// TICKETER_SMTP_CA_FILE and the EHLO name.
func (s *Service) relayConfig(relayURL, address string) (smtpout.RelayConfig, error) {
	rc, err := smtpout.ParseRelayURL(relayURL)
	if err != nil {
		return rc, err
	}
	if rc.CAFile == "" {
		rc.CAFile = s.cfg.RelayCAFile
	}
	if rc.HeloName == "" {
		rc.HeloName = smtpout.DefaultHelo(s.cfg.BaseURL, address)
	}
	rc.Log = s.log
	return rc, nil
}

// recordOutcome records one send attempt, sending the mailbox's problems to
// the mailbox.
func (s *Service) recordOutcome(ctx context.Context, mb store.Mailbox, m store.Message, sendErr error, attempt, maxAttempts int) error {
	if smtpout.IsConfig(sendErr) {
		return s.waitForMailbox(ctx, mb, m, sendErr)
	}
	if err := s.recordSend(ctx, m, sendErr, attempt, maxAttempts); err != nil || sendErr != nil {
		return err
	}
	if mb.RelayError != "" {
		_, err := s.relayWorks(ctx, mb.ID)
		return err
	}
	return nil
}

// waitForMailbox marks the mailbox in error and the message waiting for it.
// The job ends: nothing retries until the mailbox is fixed.
func (s *Service) waitForMailbox(ctx context.Context, mb store.Mailbox, m store.Message, sendErr error) error {
	s.log.Error("the mailbox's relay cannot work as configured; its mail waits until the mailbox is fixed",
		"mailbox", mb.Address, "message", m.ID, "err", sendErr)
	s.metrics.Delivery("waiting")
	reason, now := sendErr.Error(), s.now()
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.SetRelayError(ctx, tx, mb.ID, reason, now); err != nil {
			return err
		}
		_, err := s.change(ctx, tx, Change{TicketID: m.TicketID, Actor: systemActor(),
			Delivery: &Delivery{MessageID: m.ID, Status: store.DeliveryWaiting, Error: reason, AddAttempts: 1}})
		return err
	})
}

// relayWorks clears the mailbox's relay error and queues again every message
// that waited for it; it returns how many.
func (s *Service) relayWorks(ctx context.Context, mailboxID int64) (int, error) {
	var n int
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockMailbox(ctx, tx, mailboxID); err != nil {
			return err
		}
		if err := s.store.ClearRelayError(ctx, tx, mailboxID); err != nil {
			return err
		}
		refs, err := s.store.WaitingMessages(ctx, tx, mailboxID)
		if err != nil {
			return err
		}
		for _, r := range refs {
			if err := s.cfg.Queue.Enqueue(ctx, tx, SendArgs{MessageID: r.ID}); err != nil {
				return err
			}
			// Queued again, through the change path (which writes and
			// announces it); the mailbox's old error no longer applies.
			if _, err := s.change(ctx, tx, Change{TicketID: r.TicketID, Actor: systemActor(),
				Delivery: &Delivery{MessageID: r.ID, Status: store.DeliveryQueued}}); err != nil {
				return err
			}
		}
		n = len(refs)
		return nil
	})
	if err == nil && n > 0 {
		s.log.Info("mailbox relay works again; waiting mail queued", "mailbox", mailboxID, "messages", n)
	}
	return n, err
}
