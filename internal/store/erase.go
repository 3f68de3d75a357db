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
		keys := map[string]bool{}
		collect := func(q string) error {
			rows, err := tx.Query(ctx, q, p.ID, p.Email)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					return err
				}
				if k != "" {
					keys[k] = true
				}
			}
			return rows.Err()
		}
		for _, q := range []string{
			`SELECT raw_key FROM messages WHERE id IN (` + personMessages + `)`,
			`SELECT blob_key FROM attachments WHERE message_id IN (` + personMessages + `)`,
			`SELECT raw_key FROM inbound WHERE message_id IN (` + personMessages + `) OR lower(envelope_from) = $2`,
		} {
			if err := collect(q); err != nil {
				return fmt.Errorf("erase: %w", err)
			}
		}
		n, err := tx.Exec(ctx, `DELETE FROM attachments WHERE message_id IN (`+personMessages+`)`, p.ID, p.Email)
		if err != nil {
			return fmt.Errorf("erase attachments: %w", err)
		}
		e.Attachments = int(n)
		n, err = tx.Exec(ctx, `UPDATE inbound SET envelope_from = '', envelope_to = '', raw_key = '', error = ''
			WHERE message_id IN (`+personMessages+`) OR lower(envelope_from) = $2`, p.ID, p.Email)
		if err != nil {
			return fmt.Errorf("erase inbound: %w", err)
		}
		e.Inbound = int(n)
		// The dedupe key and sha256 stay: the same mail synced again is
		// recognised as this (erased) message instead of coming back.
		n, err = tx.Exec(ctx, `UPDATE messages SET subject = '', text_body = '', html_body = '', visible_text = '', from_name = '',
			from_email = CASE WHEN lower(from_email) = $2 THEN '' ELSE from_email END, to_addrs = '[]', cc_addrs = '[]',
			raw_key = '', problems = '', delivery_error = '' WHERE id IN (`+personMessages+`)`, p.ID, p.Email)
		if err != nil {
			return fmt.Errorf("erase messages: %w", err)
		}
		e.Messages = int(n)
		if _, err := tx.Exec(ctx, `UPDATE tickets SET subject = $2 WHERE requester_id = $1`, p.ID, ErasedSubject); err != nil {
			return fmt.Errorf("erase ticket subjects: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM acknowledgements WHERE lower(email) = $1`, p.Email); err != nil {
			return fmt.Errorf("erase acknowledgements: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE contacts SET email = $2, name = '' WHERE id = $1`, p.ID, fmt.Sprintf("erased-%d@erased.invalid", p.ID)); err != nil {
			return fmt.Errorf("erase contact: %w", err)
		}
		for _, id := range e.Tickets {
			if err := s.AddEvent(ctx, tx, Event{TicketID: id, ActorID: actorID, Actor: actor, Kind: "contact_erased",
				Field: "contact", NewValue: fmt.Sprintf("contact %d", p.ID), CreatedAt: at}); err != nil {
				return err
			}
		}
		for k := range keys {
			e.BlobKeys = append(e.BlobKeys, k)
		}
		return nil
	})
	return e, err
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
