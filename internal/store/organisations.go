package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Contact is a person we exchanged mail with, as the contacts pages show it.
type Contact struct {
	ID        int64
	Email     string
	Name      string
	Notes     string
	Domain    string
	CreatedAt time.Time
	// Organisation is the one the contact belongs to (nil: none): the one
	// an agent set (OrganisationSet), else the one holding its domain.
	Organisation    *OrganisationRef
	OrganisationSet bool
	// OpenTickets counts the contact's tickets (as requester) not solved
	// or closed.
	OpenTickets int
}

// OrganisationRef names an organisation.
type OrganisationRef struct {
	ID   int64
	Name string
}

// Organisation groups contacts by their email domains.
type Organisation struct {
	ID        int64
	Name      string
	Domains   []string
	Notes     string
	CreatedAt time.Time
}

// contactOrg is the organisation a contact row c belongs to.
const contactOrg = `(CASE WHEN c.organisation_set THEN c.organisation_id ELSE (SELECT od.organisation_id FROM organisation_domains od WHERE od.domain = c.domain) END)`

const contactSelect = `SELECT c.id, c.email, c.name, c.notes, c.domain, c.created_at, c.organisation_set, o.id, o.name,
	(SELECT count(*) FROM tickets t WHERE t.requester_id = c.id AND t.status NOT IN ('solved', 'closed') AND t.merged_into IS NULL)
	FROM contacts c LEFT JOIN organisations o ON o.id = ` + contactOrg

func scanContact(r Row) (Contact, error) {
	var c Contact
	var orgID sql.NullInt64
	var orgName sql.NullString
	err := r.Scan(&c.ID, &c.Email, &c.Name, &c.Notes, &c.Domain, &c.CreatedAt, &c.OrganisationSet, &orgID, &orgName, &c.OpenTickets)
	if orgID.Valid {
		c.Organisation = &OrganisationRef{ID: orgID.Int64, Name: orgName.String}
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// ListContacts lists contacts by address, at most limit. A non-empty query
// matches the start of the address, of its domain, or of the name (case
// does not matter): each an indexed range (migration 0121). The matches are
// read in any order, at most searchWindow*limit of them, and those sorted:
// a rare prefix is three index lookups (PostgreSQL: a BitmapOr, 1-6 ms on
// 200,000 contacts), a common one stops after the window (a scan that ends
// early, 19 ms) instead of walking every contact in address order (108 ms
// and more). For a very common prefix the page is the first by address
// among the window, not among all matches.
const searchWindow = 4

func (s *Store) ListContacts(ctx context.Context, query string, limit int) ([]Contact, error) {
	q := strings.ToLower(strings.TrimSpace(query))
	where, args := "", []any{limit}
	if q != "" {
		if s.db.Dialect == Postgres {
			where = ` WHERE c.id IN (SELECT id FROM (SELECT m.id FROM contacts m WHERE m.email LIKE $2 OR m.domain LIKE $2 OR lower(m.name) LIKE $2 LIMIT $3) w)`
			args = append(args, likeEscape(q)+"%", searchWindow*limit)
		} else {
			where = ` WHERE c.id IN (SELECT id FROM (SELECT m.id FROM contacts m WHERE m.email GLOB $2 OR m.domain GLOB $2 OR lower(m.name) GLOB $2 LIMIT $3) w)`
			args = append(args, globEscape(q)+"*", searchWindow*limit)
		}
	}
	out := []Contact{}
	err := scanAll(s.db.Query(ctx, contactSelect+where+` ORDER BY c.email LIMIT $1`, args...))(func(r Rows) error {
		c, err := scanContact(r)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list contacts: %w", err)
	}
	return out, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// globEscape makes GLOB's special characters match themselves.
func globEscape(s string) string {
	return strings.NewReplacer(`[`, `[[]`, `*`, `[*]`, `?`, `[?]`).Replace(s)
}

// GetContact returns one contact.
func (s *Store) GetContact(ctx context.Context, q Querier, id int64) (Contact, error) {
	c, err := scanContact(q.QueryRow(ctx, contactSelect+` WHERE c.id = $1`, id))
	if err != nil {
		return c, fmt.Errorf("contact %d: %w", id, err)
	}
	return c, nil
}

// ContactChange lists what to change of a contact; nil leaves it alone.
type ContactChange struct {
	Name, Notes *string
	// Organisation sets the organisation (0: none), whatever the domain says.
	Organisation *int64
}

// UpdateContact changes a contact.
func (s *Store) UpdateContact(ctx context.Context, q Querier, id int64, ch ContactChange) error {
	if ch.Name != nil {
		if _, err := q.Exec(ctx, `UPDATE contacts SET name = $2 WHERE id = $1`, id, *ch.Name); err != nil {
			return fmt.Errorf("update contact %d: %w", id, err)
		}
	}
	if ch.Notes != nil {
		if _, err := q.Exec(ctx, `UPDATE contacts SET notes = $2 WHERE id = $1`, id, *ch.Notes); err != nil {
			return fmt.Errorf("update contact %d: %w", id, err)
		}
	}
	if ch.Organisation != nil {
		if _, err := q.Exec(ctx, `UPDATE contacts SET organisation_set = TRUE, organisation_id = $2 WHERE id = $1`, id, nullInt(*ch.Organisation)); err != nil {
			return fmt.Errorf("update contact %d: %w", id, err)
		}
	}
	return nil
}

// ContactTickets lists the tickets a contact asked for, newest activity
// first, at most limit.
func (s *Store) ContactTickets(ctx context.Context, contactID int64, limit int) ([]Ticket, error) {
	return s.ticketsWhere(ctx, ` WHERE t.requester_id = $1 AND t.merged_into IS NULL ORDER BY t.updated_at DESC, t.id DESC LIMIT $2`, contactID, limit)
}

// OrganisationTickets lists the tickets of an organisation's contacts,
// newest activity first, at most limit.
func (s *Store) OrganisationTickets(ctx context.Context, orgID int64, limit int) ([]Ticket, error) {
	return s.ticketsWhere(ctx, ` WHERE t.merged_into IS NULL AND t.requester_id IN (SELECT c.id FROM contacts c
		WHERE (c.organisation_set AND c.organisation_id = $1)
		   OR (NOT c.organisation_set AND c.domain IN (SELECT domain FROM organisation_domains WHERE organisation_id = $1)))
		ORDER BY t.updated_at DESC, t.id DESC LIMIT $2`, orgID, limit)
}

func (s *Store) ticketsWhere(ctx context.Context, where string, args ...any) ([]Ticket, error) {
	out := []Ticket{}
	err := scanAll(s.db.Query(ctx, ticketSelect+where, args...))(func(r Rows) error {
		t, err := scanTicket(r, false)
		out = append(out, t)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	return out, nil
}

// ListOrganisations lists every organisation by name.
func (s *Store) ListOrganisations(ctx context.Context) ([]Organisation, error) {
	return s.organisations(ctx, s.db, ``)
}

// GetOrganisation returns one organisation.
func (s *Store) GetOrganisation(ctx context.Context, q Querier, id int64) (Organisation, error) {
	list, err := s.organisations(ctx, q, ` WHERE o.id = $1`, id)
	if err != nil {
		return Organisation{}, err
	}
	if len(list) == 0 {
		return Organisation{}, fmt.Errorf("organisation %d: %w", id, ErrNotFound)
	}
	return list[0], nil
}

func (s *Store) organisations(ctx context.Context, q Querier, where string, args ...any) ([]Organisation, error) {
	out := []Organisation{}
	err := scanAll(q.Query(ctx, `SELECT o.id, o.name, o.notes, o.created_at FROM organisations o`+where+` ORDER BY o.name, o.id`, args...))(func(r Rows) error {
		var o Organisation
		err := r.Scan(&o.ID, &o.Name, &o.Notes, &o.CreatedAt)
		o.CreatedAt, o.Domains = o.CreatedAt.UTC(), []string{}
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	for i := range out {
		err := scanAll(q.Query(ctx, `SELECT domain FROM organisation_domains WHERE organisation_id = $1 ORDER BY domain`, out[i].ID))(func(r Rows) error {
			var d string
			err := r.Scan(&d)
			out[i].Domains = append(out[i].Domains, d)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("organisation domains: %w", err)
		}
	}
	return out, nil
}

// CreateOrganisation stores an organisation; ErrConflict when one of its
// domains is another's.
func (s *Store) CreateOrganisation(ctx context.Context, q Querier, o Organisation) (int64, error) {
	var id int64
	if err := q.QueryRow(ctx, `INSERT INTO organisations (name, notes, created_at) VALUES ($1, $2, $3) RETURNING id`,
		o.Name, o.Notes, o.CreatedAt.UTC()).Scan(&id); err != nil {
		return 0, fmt.Errorf("create organisation: %w", err)
	}
	return id, s.setDomains(ctx, q, id, o.Domains)
}

// UpdateOrganisation changes an organisation; nil leaves a field alone.
func (s *Store) UpdateOrganisation(ctx context.Context, q Querier, id int64, name, notes *string, domains *[]string) error {
	if name != nil {
		if _, err := q.Exec(ctx, `UPDATE organisations SET name = $2 WHERE id = $1`, id, *name); err != nil {
			return fmt.Errorf("update organisation %d: %w", id, err)
		}
	}
	if notes != nil {
		if _, err := q.Exec(ctx, `UPDATE organisations SET notes = $2 WHERE id = $1`, id, *notes); err != nil {
			return fmt.Errorf("update organisation %d: %w", id, err)
		}
	}
	if domains != nil {
		if _, err := q.Exec(ctx, `DELETE FROM organisation_domains WHERE organisation_id = $1`, id); err != nil {
			return fmt.Errorf("update organisation %d: %w", id, err)
		}
		return s.setDomains(ctx, q, id, *domains)
	}
	return nil
}

func (s *Store) setDomains(ctx context.Context, q Querier, id int64, domains []string) error {
	for _, d := range domains {
		if _, err := q.Exec(ctx, `INSERT INTO organisation_domains (domain, organisation_id) VALUES ($1, $2)`, d, id); err != nil {
			return fmt.Errorf("organisation domain %s: %w", d, err)
		}
	}
	return nil
}

// DeleteOrganisation deletes an organisation; its contacts belong to none
// (or, by domain, to none either: the domains go with it).
func (s *Store) DeleteOrganisation(ctx context.Context, q Querier, id int64) error {
	n, err := q.Exec(ctx, `DELETE FROM organisations WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete organisation %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("organisation %d: %w", id, ErrNotFound)
	}
	return nil
}
