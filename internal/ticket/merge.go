package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Merge moves ticket from into ticket into: its messages (with their
// attachments), thread keys, participants and tags. The merged ticket stays,
// closed, with merged_into set: its number still finds it, and mail in its
// thread (headers, a subject token, a plus address) lands on the target.
// Both tickets record the merge in their audit trails.
func (s *Service) Merge(ctx context.Context, actor store.User, from, into int64) (store.Ticket, error) {
	if into <= 0 {
		return store.Ticket{}, domain.Invalid("into", "must be a ticket number")
	}
	if from == into {
		return store.Ticket{}, domain.Invalid("into", "a ticket cannot be merged into itself")
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		// Both locked, lower id first: two merges the other way round wait
		// rather than deadlock.
		for _, id := range []int64{min(from, into), max(from, into)} {
			err := s.store.LockTicket(ctx, tx, id)
			if errors.Is(err, store.ErrNotFound) && id == into {
				return domain.Invalid("into", fmt.Sprintf("ticket %d does not exist", into))
			}
			if err != nil {
				return err
			}
		}
		src, err := s.store.GetTicket(ctx, tx, from)
		if err != nil {
			return err
		}
		dst, err := s.store.GetTicket(ctx, tx, into)
		if err != nil {
			return err
		}
		if src.MergedInto != 0 {
			return domain.Conflict(fmt.Sprintf("ticket %d is already merged into #%d", from, src.MergedInto))
		}
		if dst.MergedInto != 0 {
			return domain.Invalid("into", fmt.Sprintf("ticket %d is merged into #%d: merge into that one", into, dst.MergedInto))
		}
		moved, err := s.store.MergeTicket(ctx, tx, from, into)
		if err != nil {
			return err
		}
		a := agentActor(actor)
		if _, err := s.change(ctx, tx, Change{TicketID: from, Actor: a, Merged: true, MessagesMoved: 0,
			Events: []Event{{Kind: EventMergedInto, Field: "ticket", NewValue: strconv.FormatInt(into, 10)}}}); err != nil {
			return err
		}
		c := Change{TicketID: into, Actor: a, MessagesMoved: moved,
			Events: []Event{{Kind: EventMergedFrom, Field: "ticket", NewValue: strconv.FormatInt(from, 10)}}}
		if tags := union(dst.Tags, src.Tags); len(tags) != len(dst.Tags) {
			c.Tags = &tags
		}
		_, err = s.change(ctx, tx, c)
		return err
	})
	if err != nil {
		return store.Ticket{}, err
	}
	return s.store.GetTicket(ctx, s.db.W(), into)
}

func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// Split makes an inbound message, and the messages answering it (directly or
// down the thread), a new ticket of their own: its requester is the
// message's sender, its mailbox the ticket's. The new ticket names the one it
// came from (split_from); both record the split in their audit trails.
// Notes stay where they were written.
func (s *Service) Split(ctx context.Context, actor store.User, messageID int64) (store.Ticket, error) {
	var newID int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		m, err := s.store.GetMessage(ctx, tx, messageID)
		if err != nil {
			return err
		}
		if m.Kind != store.KindInbound {
			return domain.Conflict(fmt.Sprintf("message %d is %s: only a customer's message can be split off", m.ID, m.Kind))
		}
		if err := s.store.LockTicket(ctx, tx, m.TicketID); err != nil {
			return err
		}
		src, err := s.store.GetTicket(ctx, tx, m.TicketID)
		if err != nil {
			return err
		}
		thread, err := s.store.ThreadMessages(ctx, tx, m.TicketID)
		if err != nil {
			return err
		}
		ids, keys, emails, counted := splitSet(thread, m.ID)
		if len(ids) == emails {
			return domain.Conflict(fmt.Sprintf("message %d and its replies are the whole of ticket %d: nothing would be left to split from", m.ID, src.ID))
		}
		now := s.now()
		requester, err := s.store.UpsertContact(ctx, tx, fallback(m.From.Email, unknownSender), m.From.Name, now)
		if err != nil {
			return err
		}
		a := agentActor(actor)
		open := domain.StatusOpen
		created, err := s.change(ctx, tx, Change{Actor: a,
			Create: &store.Ticket{Subject: fallback(strings.TrimSpace(m.Subject), "(no subject)"), Status: open, Priority: domain.PriorityNormal,
				RequesterID: requester, MailboxID: src.MailboxID, MessageCount: counted, CreatedAt: now},
			Events: []Event{{Kind: EventTicketCreated, NewValue: "split from #" + strconv.FormatInt(src.ID, 10)},
				{Kind: EventSplitFrom, Field: "ticket", NewValue: strconv.FormatInt(src.ID, 10)}}})
		if err != nil {
			return err
		}
		newID = created.TicketID
		if err := s.store.MoveMessages(ctx, tx, src.ID, newID, ids, keys); err != nil {
			return err
		}
		if err := s.store.SetSplitFrom(ctx, tx, newID, src.ID); err != nil {
			return err
		}
		if err := s.store.AddParticipant(ctx, tx, newID, requester); err != nil {
			return err
		}
		_, err = s.change(ctx, tx, Change{TicketID: src.ID, Actor: a, MessagesMoved: -counted,
			Events: []Event{{Kind: EventSplitTo, Field: "ticket", NewValue: strconv.FormatInt(newID, 10)}}})
		return err
	})
	if err != nil {
		return store.Ticket{}, err
	}
	return s.store.GetTicket(ctx, s.db.W(), newID)
}

// splitSet is what a split of message first moves: that message and every
// later email whose In-Reply-To or References names one already moved (so a
// reply to a reply comes along). It returns the message ids, their
// Message-IDs (the thread keys that move with them), how many emails (not
// notes) the ticket has, and how many of the moved ones count in a ticket's
// message count (not acknowledgements or automatic mail).
func splitSet(thread []store.ThreadMessage, first int64) (ids []int64, keys []string, emails, counted int) {
	in := map[string]bool{}
	for _, m := range thread {
		if m.Kind == store.KindNote {
			continue
		}
		emails++
		take := m.ID == first
		if m.ID > first && !take {
			take = in[m.InReplyTo] || slices.ContainsFunc(m.References, func(r string) bool { return in[r] })
		}
		if !take {
			continue
		}
		ids = append(ids, m.ID)
		if (m.Kind == store.KindInbound || m.Kind == store.KindOutbound) && m.AutoReason == "" {
			counted++
		}
		if m.MessageID != "" {
			in[m.MessageID] = true
			keys = append(keys, m.MessageID)
		}
	}
	return ids, keys, emails, counted
}

// mergedTarget is where mail naming a ticket goes: the ticket it was merged
// into, if it was.
func (in *ingestion) mergedTarget(ctx context.Context, id int64) (int64, error) {
	return in.s.store.MergedInto(ctx, in.tx, id)
}
