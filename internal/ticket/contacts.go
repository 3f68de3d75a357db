package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Contacts and organisations (issue 12 item 11). A contact is every address
// we exchanged mail with (stored on ingest); an organisation groups them by
// email domain.

const (
	maxContactNotes   = 20000
	maxOrgDomains     = 100
	contactTicketsMax = 200
)

// freeMail are domains anyone can get an address at: a contact there is
// nobody's colleague, so they are never an organisation's domain.
var freeMail = []string{
	"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com", "hotmail.com", "hotmail.co.uk",
	"hotmail.fr", "hotmail.de", "outlook.com", "outlook.de", "live.com", "live.co.uk", "msn.com", "icloud.com", "me.com", "mac.com",
	"aol.com", "gmx.com", "gmx.de", "gmx.net", "gmx.at", "web.de", "t-online.de", "proton.me", "protonmail.com", "pm.me",
	"mail.com", "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "zoho.com", "tutanota.com", "fastmail.com",
	"laposte.net", "orange.fr", "free.fr", "libero.it", "seznam.cz", "wp.pl", "o2.pl",
}

// IsFreeMail reports whether domain is a free-mail provider's.
func IsFreeMail(domain string) bool { return slices.Contains(freeMail, strings.ToLower(domain)) }

// Contacts lists contacts matching query (start of address, domain or name).
func (s *Service) Contacts(ctx context.Context, _ store.User, query string, limit int) ([]store.Contact, error) {
	return s.store.ListContacts(ctx, query, limit)
}

// Contact returns a contact and its tickets (as requester), newest first.
func (s *Service) Contact(ctx context.Context, _ store.User, id int64) (store.Contact, []store.Ticket, error) {
	c, err := s.store.GetContact(ctx, s.db, id)
	if err != nil {
		return c, nil, err
	}
	ts, err := s.store.ContactTickets(ctx, id, contactTicketsMax)
	return c, ts, err
}

// ContactInput changes a contact; nil leaves a field alone.
type ContactInput struct {
	Name, Notes *string
	// OrganisationSet says the organisation changes: to OrganisationID, or
	// none when 0 (either way the domain no longer decides).
	OrganisationSet bool
	OrganisationID  int64
}

// UpdateContact changes a contact's name, notes or organisation.
func (s *Service) UpdateContact(ctx context.Context, _ store.User, id int64, in ContactInput) (store.Contact, error) {
	ch := store.ContactChange{Notes: in.Notes}
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if utf8.RuneCountInString(name) > 200 {
			return store.Contact{}, domain.Invalid("name", "at most 200 characters")
		}
		ch.Name = &name
	}
	if in.Notes != nil && utf8.RuneCountInString(*in.Notes) > maxContactNotes {
		return store.Contact{}, domain.Invalid("notes", fmt.Sprintf("at most %d characters", maxContactNotes))
	}
	if in.OrganisationSet {
		ch.Organisation = &in.OrganisationID
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.store.GetContact(ctx, tx, id); err != nil {
			return err
		}
		if in.OrganisationSet && in.OrganisationID != 0 {
			if _, err := s.store.GetOrganisation(ctx, tx, in.OrganisationID); errors.Is(err, store.ErrNotFound) {
				return domain.Invalid("organisation_id", fmt.Sprintf("no organisation %d", in.OrganisationID))
			} else if err != nil {
				return err
			}
		}
		return s.store.UpdateContact(ctx, tx, id, ch)
	})
	if err != nil {
		return store.Contact{}, err
	}
	return s.store.GetContact(ctx, s.db, id)
}

// OrganisationInput creates or changes an organisation; nil leaves a field
// alone (a new one needs a name).
type OrganisationInput struct {
	Name    *string
	Domains *[]string
	Notes   *string
}

func (in OrganisationInput) clean(create bool) (OrganisationInput, error) {
	if in.Name != nil || create {
		name := ""
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
		}
		if name == "" || utf8.RuneCountInString(name) > 200 {
			return in, domain.Invalid("name", "must be 1 to 200 characters")
		}
		in.Name = &name
	}
	if in.Notes != nil && utf8.RuneCountInString(*in.Notes) > maxContactNotes {
		return in, domain.Invalid("notes", fmt.Sprintf("at most %d characters", maxContactNotes))
	}
	if in.Domains != nil || create {
		var list []string
		if in.Domains != nil {
			for _, d := range *in.Domains {
				d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
				if d == "" {
					continue
				}
				if !strings.Contains(d, ".") || strings.ContainsAny(d, "@ /,;") {
					return in, domain.Invalid("domains", fmt.Sprintf("%q is not a domain", d))
				}
				if IsFreeMail(d) {
					return in, domain.Invalid("domains", fmt.Sprintf("%s is a free-mail domain: its addresses belong to no organisation (set a contact's organisation by hand)", d))
				}
				if !slices.Contains(list, d) {
					list = append(list, d)
				}
			}
		}
		if len(list) > maxOrgDomains {
			return in, domain.Invalid("domains", fmt.Sprintf("at most %d domains", maxOrgDomains))
		}
		if list == nil {
			list = []string{}
		}
		in.Domains = &list
	}
	return in, nil
}

// Organisations lists every organisation.
func (s *Service) Organisations(ctx context.Context, _ store.User) ([]store.Organisation, error) {
	return s.store.ListOrganisations(ctx)
}

// Organisation returns an organisation and its contacts' tickets.
func (s *Service) Organisation(ctx context.Context, _ store.User, id int64) (store.Organisation, []store.Ticket, error) {
	o, err := s.store.GetOrganisation(ctx, s.db, id)
	if err != nil {
		return o, nil, err
	}
	ts, err := s.store.OrganisationTickets(ctx, id, contactTicketsMax)
	return o, ts, err
}

// CreateOrganisation adds an organisation; a domain another one holds is a
// conflict.
func (s *Service) CreateOrganisation(ctx context.Context, _ store.User, in OrganisationInput) (store.Organisation, error) {
	in, err := in.clean(true)
	if err != nil {
		return store.Organisation{}, err
	}
	id, err := s.store.CreateOrganisation(ctx, s.db.W(), store.Organisation{Name: *in.Name, Domains: *in.Domains, Notes: deref(in.Notes), CreatedAt: s.now()})
	if errors.Is(err, store.ErrConflict) {
		return store.Organisation{}, domain.Conflict("a domain belongs to another organisation already")
	}
	if err != nil {
		return store.Organisation{}, err
	}
	return s.store.GetOrganisation(ctx, s.db, id)
}

// UpdateOrganisation changes an organisation.
func (s *Service) UpdateOrganisation(ctx context.Context, _ store.User, id int64, in OrganisationInput) (store.Organisation, error) {
	in, err := in.clean(false)
	if err != nil {
		return store.Organisation{}, err
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := s.store.GetOrganisation(ctx, tx, id); err != nil {
			return err
		}
		return s.store.UpdateOrganisation(ctx, tx, id, in.Name, in.Notes, in.Domains)
	})
	if errors.Is(err, store.ErrConflict) {
		return store.Organisation{}, domain.Conflict("a domain belongs to another organisation already")
	}
	if err != nil {
		return store.Organisation{}, err
	}
	return s.store.GetOrganisation(ctx, s.db, id)
}

// DeleteOrganisation deletes an organisation.
func (s *Service) DeleteOrganisation(ctx context.Context, _ store.User, id int64) error {
	return s.store.DeleteOrganisation(ctx, s.db.W(), id)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
