package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// UpsertContact returns the id of the contact with that email, creating it, and
// filling in a name we did not know yet.
func (s *Store) UpsertContact(ctx context.Context, q Querier, email, name string, at time.Time) (int64, error) {
	ids, err := s.UpsertContacts(ctx, q, []Address{{Email: email, Name: name}}, at)
	id, ok := ids[strings.ToLower(strings.TrimSpace(email))]
	if err == nil && !ok {
		err = fmt.Errorf("upsert contact %q: no address", email)
	}
	return id, err
}

// UpsertContacts is UpsertContact for many people, one statement per
// rowChunk of them; it returns the ids by lower-cased email.
func (s *Store) UpsertContacts(ctx context.Context, q Querier, people []Address, at time.Time) (map[string]int64, error) {
	args, emails := contactRows(people, at)
	ids := map[string]int64{}
	err := inChunks(len(emails), rowChunk, func(lo, hi int) error {
		return scanAll(q.Query(ctx, `INSERT INTO contacts (email, name, created_at, domain) VALUES `+valuesList(hi-lo, contactWidth)+`
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END
		RETURNING email, id`, args[contactWidth*lo:contactWidth*hi]...))(func(r Rows) error {
			var email string
			var id int64
			err := r.Scan(&email, &id)
			ids[email] = id
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("upsert contacts: %w", err)
	}
	return ids, nil
}

// contactWidth is the arguments of one contact row: email, name, created
// at, domain (what organisations group by).
const contactWidth = 4

// contactRows makes the rows of a contacts upsert, contactWidth arguments each:
// one row per email (an upsert may not touch a row twice), with the first
// non-empty name given.
func contactRows(people []Address, at time.Time) (args []any, emails []string) {
	row := map[string]int{}
	for _, p := range people {
		email := strings.ToLower(strings.TrimSpace(p.Email))
		if email == "" {
			continue
		}
		if i, ok := row[email]; ok {
			if args[contactWidth*i+1] == "" {
				args[contactWidth*i+1] = p.Name
			}
			continue
		}
		row[email] = len(emails)
		_, domain, _ := strings.Cut(email, "@")
		args = append(args, email, p.Name, at.UTC(), domain)
		emails = append(emails, email)
	}
	return args, emails
}

// AddParticipant records that a contact took part in a ticket.
func (s *Store) AddParticipant(ctx context.Context, q Querier, ticketID, contactID int64) error {
	_, err := q.Exec(ctx, `INSERT INTO ticket_participants (ticket_id, contact_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, ticketID, contactID)
	if err != nil {
		return fmt.Errorf("add participant: %w", err)
	}
	return nil
}

// AddParticipants records that people took part in a ticket, creating the
// contacts we do not know yet: two statements per rowChunk people.
func (s *Store) AddParticipants(ctx context.Context, q Querier, ticketID int64, people []Address, at time.Time) error {
	args, emails := contactRows(people, at)
	return inChunks(len(emails), rowChunk, func(lo, hi int) error {
		if err := deferExec(ctx, q, `INSERT INTO contacts (email, name, created_at, domain) VALUES `+valuesList(hi-lo, contactWidth)+`
		ON CONFLICT (email) DO UPDATE SET name = CASE WHEN contacts.name = '' THEN excluded.name ELSE contacts.name END`, args[contactWidth*lo:contactWidth*hi]...); err != nil {
			return fmt.Errorf("upsert contacts: %w", err)
		}
		in := []any{ticketID}
		for _, e := range emails[lo:hi] {
			in = append(in, e)
		}
		if err := deferExec(ctx, q, `INSERT INTO ticket_participants (ticket_id, contact_id)
		SELECT $1, id FROM contacts WHERE email IN (`+placeholders(2, hi-lo)+`) ON CONFLICT DO NOTHING`, in...); err != nil {
			return fmt.Errorf("add participants: %w", err)
		}
		return nil
	})
}

// AddParticipantIDs records contacts known by id as taking part in a
// ticket: an import batch upserts its senders ahead, and upserting them
// again for each message was one statement a message for nothing.
func (s *Store) AddParticipantIDs(ctx context.Context, q Querier, ticketID int64, contactIDs []int64) error {
	return inChunks(len(contactIDs), rowChunk, func(lo, hi int) error {
		args := make([]any, 0, 2*(hi-lo))
		for _, id := range contactIDs[lo:hi] {
			args = append(args, ticketID, id)
		}
		if err := deferExec(ctx, q, `INSERT INTO ticket_participants (ticket_id, contact_id) VALUES `+valuesList(hi-lo, 2)+`
		ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("add participants: %w", err)
		}
		return nil
	})
}

// IsParticipant reports whether email took part in the ticket.
func (s *Store) IsParticipant(ctx context.Context, q Querier, ticketID int64, email string) (bool, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM ticket_participants p JOIN contacts c ON c.id = p.contact_id
		WHERE p.ticket_id = $1 AND c.email = $2`, ticketID, strings.ToLower(strings.TrimSpace(email))).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("participant check: %w", err)
	}
	return n > 0, nil
}
