package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// PersonRecord is a contact as the GDPR export and erasure see it.
type PersonRecord struct {
	ID    int64
	Email string
	Name  string
}

// personMessages selects the messages that are a person's data: every
// message of the tickets they opened, and every message they sent
// elsewhere. $1 is the contact id, $2 the lower-cased address.
const personMessages = `SELECT id FROM messages WHERE ticket_id IN (SELECT id FROM tickets WHERE requester_id = $1) OR lower(from_email) = $2`

// PersonByEmail finds a contact by address.
func (s *Store) PersonByEmail(ctx context.Context, email string) (PersonRecord, error) {
	var p PersonRecord
	err := s.db.QueryRow(ctx, `SELECT id, email, name FROM contacts WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))).
		Scan(&p.ID, &p.Email, &p.Name)
	if err != nil {
		return p, fmt.Errorf("contact %s: %w", email, translate(err))
	}
	return p, nil
}

// PersonTickets lists the ids of the tickets a person opened or wrote in,
// oldest first.
func (s *Store) PersonTickets(ctx context.Context, p PersonRecord) ([]int64, error) {
	return personTickets(ctx, s.db, p)
}

func personTickets(ctx context.Context, q Querier, p PersonRecord) ([]int64, error) {
	rows, err := q.Query(ctx, `SELECT id FROM tickets WHERE id IN (SELECT ticket_id FROM messages WHERE id IN (`+personMessages+`))
		OR requester_id = $1 ORDER BY id`, p.ID, p.Email)
	if err != nil {
		return nil, fmt.Errorf("person tickets: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Erasure is what EraseContact removed.
type Erasure struct {
	Messages, Attachments, Inbound int
	Tickets                        []int64
	// BlobKeys are the blobs the erased rows named; the caller deletes the
	// ones no other row names any more (OrphanBlobs).
	BlobKeys []string
}

// ErasedSubject replaces the subject of a ticket an erased person opened.
const ErasedSubject = "[erased]"

// EraseContact removes a person's data in one transaction: the bodies,
// subjects, addresses and raw-mail keys of their messages, their
// attachments, their inbound records' sender and raw mail, the subjects of
// the tickets they opened, their acknowledgement records, and their name
// and address. Ticket rows, statuses, times and counts stay (statistics),
// and each affected ticket gets an audit event. The search index follows
// through the triggers on the updated columns.
func (s *Store) EraseContact(ctx context.Context, p PersonRecord, actorID int64, actor string, at time.Time) (Erasure, error) {
	var e Erasure
	err := s.db.InTx(ctx, func(tx *Tx) error {
		var err error
		if e.Tickets, err = personTickets(ctx, tx, p); err != nil {
			return err
		}
		set := erasureSet{messages: personMessages, inbound: `lower(envelope_from) = $2 OR from_email = $2`, args: []any{p.ID, p.Email}, personal: true}
		if err := eraseMessages(ctx, tx, set, &e); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tickets SET subject = $2 WHERE requester_id = $1`, p.ID, ErasedSubject); err != nil {
			return fmt.Errorf("erase ticket subjects: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM acknowledgements WHERE lower(email) = $1`, p.Email); err != nil {
			return fmt.Errorf("erase acknowledgements: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE contacts SET email = $2, name = '', notes = '', domain = '', organisation_set = FALSE, organisation_id = NULL WHERE id = $1`, p.ID, fmt.Sprintf("erased-%d@erased.invalid", p.ID)); err != nil {
			return fmt.Errorf("erase contact: %w", err)
		}
		return s.auditErasure(ctx, tx, e.Tickets, Event{ActorID: actorID, Actor: actor, Kind: "contact_erased", Field: "contact",
			NewValue: fmt.Sprintf("contact %d", p.ID), CreatedAt: at})
	})
	return e, err
}

// EraseTicket removes the content of one ticket's messages the same way
// (the retention rule): bodies, raw mail and attachments go, the ticket's
// subject becomes ErasedSubject, its row and counts stay.
func (s *Store) EraseTicket(ctx context.Context, ticketID int64, actor string, at time.Time) (Erasure, error) {
	e := Erasure{Tickets: []int64{ticketID}}
	err := s.db.InTx(ctx, func(tx *Tx) error {
		set := erasureSet{messages: `SELECT id FROM messages WHERE ticket_id = $1`, args: []any{ticketID}}
		if err := eraseMessages(ctx, tx, set, &e); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tickets SET subject = $2 WHERE id = $1`, ticketID, ErasedSubject); err != nil {
			return fmt.Errorf("erase ticket subject: %w", err)
		}
		return s.auditErasure(ctx, tx, e.Tickets, Event{Actor: actor, Kind: "retention_erased", CreatedAt: at})
	})
	return e, err
}

// erasureSet names the messages to erase: messages is a subquery of their
// ids, inbound (optional) a further predicate on inbound rows, both over
// args. personal: args[1] is the erased person's address, and only their
// own sender address is blanked.
type erasureSet struct {
	messages, inbound string
	args              []any
	personal          bool
}

func eraseMessages(ctx context.Context, tx *Tx, set erasureSet, e *Erasure) error {
	inboundWhere := `message_id IN (` + set.messages + `)`
	if set.inbound != "" {
		inboundWhere += ` OR ` + set.inbound
	}
	keys := map[string]bool{}
	for _, q := range []string{
		`SELECT raw_key FROM messages WHERE id IN (` + set.messages + `)`,
		`SELECT blob_key FROM attachments WHERE message_id IN (` + set.messages + `)`,
		`SELECT raw_key FROM inbound WHERE ` + inboundWhere,
	} {
		rows, err := tx.Query(ctx, q, set.args...)
		if err != nil {
			return fmt.Errorf("erase: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			if k != "" {
				keys[k] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	n, err := tx.Exec(ctx, `DELETE FROM attachments WHERE message_id IN (`+set.messages+`)`, set.args...)
	if err != nil {
		return fmt.Errorf("erase attachments: %w", err)
	}
	e.Attachments = int(n)
	n, err = tx.Exec(ctx, `UPDATE inbound SET envelope_from = '', envelope_to = '', raw_key = '', error = '',
		from_email = '', from_name = '', subject = '', rfc_message_id = '' WHERE `+inboundWhere, set.args...)
	if err != nil {
		return fmt.Errorf("erase inbound: %w", err)
	}
	e.Inbound = int(n)
	// The dedupe key and sha256 stay: the same mail synced again is
	// recognised as this (erased) message instead of coming back. A sender
	// address stays only on messages that are not the erased person's
	// (replies of ours in their tickets keep our address).
	fromRule := `''`
	if set.personal {
		fromRule = `CASE WHEN lower(from_email) = $2 THEN '' ELSE from_email END`
	}
	n, err = tx.Exec(ctx, `UPDATE messages SET subject = '', text_body = '', html_body = '', visible_text = '', from_name = '',
		from_email = `+fromRule+`, to_addrs = '[]', cc_addrs = '[]', raw_key = '', problems = '', delivery_error = ''
		WHERE id IN (`+set.messages+`)`, set.args...)
	if err != nil {
		return fmt.Errorf("erase messages: %w", err)
	}
	e.Messages = int(n)
	for k := range keys {
		e.BlobKeys = append(e.BlobKeys, k)
	}
	return nil
}

func (s *Store) auditErasure(ctx context.Context, tx *Tx, tickets []int64, ev Event) error {
	for _, id := range tickets {
		ev.TicketID = id
		if err := s.AddEvent(ctx, tx, ev); err != nil {
			return err
		}
	}
	return nil
}

// RetentionDue lists the closed tickets of mailboxes with a retention rule
// that were last changed longer ago than the rule's days, and are not
// erased yet.
func (s *Store) RetentionDue(ctx context.Context, now time.Time) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT id, retention_days FROM mailboxes WHERE retention_days > 0`)
	if err != nil {
		return nil, fmt.Errorf("retention rules: %w", err)
	}
	type rule struct {
		mailbox int64
		days    int
	}
	var rules []rule
	for rows.Next() {
		var r rule
		if err := rows.Scan(&r.mailbox, &r.days); err != nil {
			rows.Close()
			return nil, err
		}
		rules = append(rules, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var ids []int64
	for _, r := range rules {
		cutoff := now.Add(-time.Duration(r.days) * 24 * time.Hour).UTC()
		rows, err := s.db.Query(ctx, `SELECT id FROM tickets WHERE mailbox_id = $1 AND status = 'closed' AND updated_at < $2 AND subject <> $3 ORDER BY id`,
			r.mailbox, cutoff, ErasedSubject)
		if err != nil {
			return nil, fmt.Errorf("retention due: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// SetRetention sets a mailbox's retention rule: closed tickets older than
// days are erased; 0 keeps everything.
func (s *Store) SetRetention(ctx context.Context, mailboxID int64, days int) error {
	n, err := s.db.Exec(ctx, `UPDATE mailboxes SET retention_days = $2 WHERE id = $1`, mailboxID, days)
	if err != nil {
		return fmt.Errorf("set retention: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("mailbox %d: %w", mailboxID, ErrNotFound)
	}
	return nil
}

// BlobInUse reports whether any message, attachment or inbound row still
// names a blob (content-addressed blobs are shared: the same file sent by
// two people is stored once).
func (s *Store) BlobInUse(ctx context.Context, key string) (bool, error) {
	var n int
	err := s.db.W().QueryRow(ctx, `SELECT (SELECT count(*) FROM messages WHERE raw_key = $1) + (SELECT count(*) FROM attachments WHERE blob_key = $1)
		+ (SELECT count(*) FROM inbound WHERE raw_key = $1)`, key).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("blob in use: %w", err)
	}
	return n > 0, nil
}

// PersonByID finds a contact by id.
func (s *Store) PersonByID(ctx context.Context, id int64) (PersonRecord, error) {
	var p PersonRecord
	err := s.db.QueryRow(ctx, `SELECT id, email, name FROM contacts WHERE id = $1`, id).Scan(&p.ID, &p.Email, &p.Name)
	if err != nil {
		return p, fmt.Errorf("contact %d: %w", id, translate(err))
	}
	return p, nil
}
