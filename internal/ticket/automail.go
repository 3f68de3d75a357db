package ticket

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Agent actions on mail that did not become a ticket by itself: automatic
// mail kept aside, failed mail, spam and blocked senders.

// InboundRaw returns an inbound row and its raw bytes (a download for admins).
func (s *Service) InboundRaw(ctx context.Context, viewer store.User, id int64) (store.Inbound, []byte, error) {
	in, err := s.store.GetInbound(ctx, s.db, id)
	if err != nil {
		return in, nil, err
	}
	raw, err := s.cfg.Blobs.Get(ctx, in.RawKey)
	return in, raw, err
}

// TicketFromInbound turns kept automatic mail into a ticket, as if it were
// a customer's (no acknowledgement: its sender is likely a robot). When its
// conversation has a ticket by now, the message joins that one. It returns
// the ticket.
func (s *Service) TicketFromInbound(ctx context.Context, actor store.User, id int64) (int64, error) {
	in, err := s.store.GetInbound(ctx, s.db.W(), id)
	if err != nil {
		return 0, err
	}
	if in.Status != store.InboundAutomatic {
		return 0, domain.Conflict(fmt.Sprintf("inbound %d is %s, not automatic mail", id, in.Status))
	}
	raw, err := s.cfg.Blobs.Get(ctx, in.RawKey)
	if err != nil {
		return 0, err
	}
	p, err := s.prepare(ctx, raw, in.RawKey, in.SHA256)
	if err != nil {
		return 0, err
	}
	var res Result
	opts := ingestOpts{source: in.Source, providerID: in.ProviderID, envelopeTo: splitList(in.EnvelopeTo), inboundID: in.ID,
		noAck: true, force: true, actor: agentActor(actor)}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		// Two agents clicking at once: the second finds it done.
		if cur, err := s.store.GetInbound(ctx, tx, id); err != nil || cur.Status != store.InboundAutomatic {
			if err == nil {
				err = domain.Conflict(fmt.Sprintf("inbound %d is %s, not automatic mail", id, cur.Status))
			}
			return err
		}
		var err error
		res, err = s.apply(ctx, tx, oneMessage{s}, in.MailboxID, p, opts)
		return err
	})
	if err != nil {
		return 0, err
	}
	if res.TicketID == 0 {
		return 0, fmt.Errorf("inbound %d: no ticket (%s)", id, res.Outcome)
	}
	return res.TicketID, nil
}

// RetryInbound ingests a failed inbound message again now; it returns the
// row as it is afterwards (still failed, with the new error, if it fails).
func (s *Service) RetryInbound(ctx context.Context, actor store.User, id int64) (store.Inbound, error) {
	in, err := s.store.GetInbound(ctx, s.db.W(), id)
	if err != nil {
		return in, err
	}
	if in.Status != store.InboundFailed {
		return in, domain.Conflict(fmt.Sprintf("inbound %d is %s, not failed", id, in.Status))
	}
	if err := s.ProcessInbound(ctx, id); err != nil {
		s.log.Info("retry of failed mail failed again", "inbound", id, "by", actor.Email, "err", err)
	}
	return s.store.GetInbound(ctx, s.db.W(), id)
}

// MarkSpam marks a ticket as spam: it leaves every list, and its requester
// is blocked, so their later mail is kept as automatic mail (reason spam).
func (s *Service) MarkSpam(ctx context.Context, actor store.User, id int64) (store.Ticket, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockTicket(ctx, tx, id); err != nil {
			return err
		}
		t, err := s.store.GetTicket(ctx, tx, id)
		if err != nil {
			return err
		}
		if !t.SpamAt.IsZero() {
			return nil
		}
		now := s.now()
		if err := s.store.SetTicketSpam(ctx, tx, id, now); err != nil {
			return err
		}
		sender := strings.ToLower(t.Requester.Email)
		if sender != "" && sender != unknownSender {
			if _, err := s.store.BlockSender(ctx, tx, store.BlockedSender{Value: sender, TicketID: id, CreatedBy: actor.ID, CreatedAt: now}); err != nil {
				return err
			}
		}
		_, err = s.change(ctx, tx, Change{TicketID: id, Actor: agentActor(actor), Events: []Event{{Kind: EventMarkedSpam, Field: "spam", NewValue: sender}}})
		return err
	})
	if err != nil {
		return store.Ticket{}, err
	}
	return s.store.GetTicket(ctx, s.db.W(), id)
}

// RestoreSpam takes a ticket out of spam and unblocks what marking it
// blocked.
func (s *Service) RestoreSpam(ctx context.Context, actor store.User, id int64) (store.Ticket, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.store.LockTicket(ctx, tx, id); err != nil {
			return err
		}
		at, err := s.store.TicketSpamAt(ctx, tx, id)
		if err != nil || at.IsZero() {
			return err
		}
		if err := s.store.SetTicketSpam(ctx, tx, id, time.Time{}); err != nil {
			return err
		}
		if err := s.store.UnblockTicketSenders(ctx, tx, id); err != nil {
			return err
		}
		_, err = s.change(ctx, tx, Change{TicketID: id, Actor: agentActor(actor), Events: []Event{{Kind: EventSpamRestored, Field: "spam"}}})
		return err
	})
	if err != nil {
		return store.Ticket{}, err
	}
	return s.store.GetTicket(ctx, s.db.W(), id)
}

// BlockedSenders lists the blocked addresses and domains.
func (s *Service) BlockedSenders(ctx context.Context, viewer store.User) ([]store.BlockedSender, error) {
	return s.store.ListBlockedSenders(ctx, s.db)
}

// BlockSender blocks an address ("a@example.com") or a whole domain
// ("example.com").
func (s *Service) BlockSender(ctx context.Context, actor store.User, value string) (store.BlockedSender, error) {
	v := strings.ToLower(strings.TrimSpace(value))
	local, domainPart, hasAt := strings.Cut(v, "@")
	switch {
	case v == "" || strings.ContainsAny(v, " \t\r\n<>,;\"'"):
		return store.BlockedSender{}, domain.Invalid("value", "an email address or a domain, without spaces or brackets")
	case hasAt && (local == "" || !strings.Contains(domainPart, ".") || strings.Contains(domainPart, "@")):
		return store.BlockedSender{}, domain.Invalid("value", fmt.Sprintf("%q is not an email address", value))
	case !hasAt && (!strings.Contains(v, ".") || strings.HasPrefix(v, ".") || strings.HasSuffix(v, ".")):
		return store.BlockedSender{}, domain.Invalid("value", fmt.Sprintf("%q is not a domain (such as example.com)", value))
	}
	return s.store.BlockSender(ctx, s.db.W(), store.BlockedSender{Value: v, CreatedBy: actor.ID, CreatedAt: s.now()})
}

// UnblockSender removes a blocked sender; store.ErrNotFound when there is none.
func (s *Service) UnblockSender(ctx context.Context, actor store.User, id int64) error {
	return s.store.UnblockSender(ctx, s.db.W(), id)
}
