package ticket_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

func emails(list []store.Contact) []string {
	out := []string{}
	for _, c := range list {
		out = append(out, c.Email)
	}
	return out
}

// TestContactsSearch: q matches the start of the address, of the domain or
// of the name, whatever the case; LIKE/GLOB characters match themselves.
func TestContactsSearch(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for _, from := range []string{"Alice Example <alice@customer.test>", "Zed <zed@other.test>", "Mallory <m_x@corp.test>", "Bert <bert@gmail.com>"} {
			e.newConversationFrom(from, "<"+from[:3]+"@id.test>")
		}
		a := e.agent()
		cases := []struct {
			q    string
			want []string
		}{
			{"ALI", []string{"alice@customer.test"}},
			{"other.t", []string{"zed@other.test"}},
			{"mallory", []string{"m_x@corp.test"}},
			{"m_", []string{"m_x@corp.test"}},
			{"m%", []string{}},
			{"lice", []string{}}, // a prefix, not anywhere
			{"", []string{"alice@customer.test", "bert@gmail.com", "m_x@corp.test", "zed@other.test"}},
		}
		for _, c := range cases {
			t.Run(c.q, func(t *testing.T) {
				got, err := e.svc.Contacts(e.ctx, a, c.q, 50)
				if err != nil {
					t.Fatal(err)
				}
				if g := emails(got); !equalStrings(g, c.want) {
					t.Fatalf("q %q: %v, want %v", c.q, g, c.want)
				}
			})
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOrganisationsByDomain: a contact belongs to the organisation holding
// its domain (existing contacts too), unless an agent set another (or none);
// a free-mail domain is refused; the organisation lists its contacts'
// tickets; the contact lists its own with its open count.
func TestOrganisationsByDomain(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		a := e.agent()
		_, t1 := e.newConversationFrom("Dana <dana@acme-customer.test>", "<d1@acme-customer.test>")
		_, t2 := e.newConversationFrom("Erin <erin@ACME-customer.test>", "<e1@acme-customer.test>")
		e.newConversationFrom("Fay <fay@gmail.com>", "<f1@gmail.com>")
		_, err := e.svc.CreateOrganisation(e.ctx, a, ticket.OrganisationInput{Name: ptr("Free"), Domains: &[]string{"gmail.com"}})
		if de, ok := domain.As(err); !ok || de.Field != "domains" {
			t.Fatalf("free-mail domain: err %v, want invalid domains", err)
		}
		org, err := e.svc.CreateOrganisation(e.ctx, a, ticket.OrganisationInput{Name: ptr("Acme Customer"), Domains: &[]string{"@Acme-Customer.test"}, Notes: ptr("VIP")})
		if err != nil {
			t.Fatal(err)
		}
		if len(org.Domains) != 1 || org.Domains[0] != "acme-customer.test" {
			t.Fatalf("domains %v", org.Domains)
		}
		if _, err := e.svc.CreateOrganisation(e.ctx, a, ticket.OrganisationInput{Name: ptr("Twin"), Domains: &[]string{"acme-customer.test"}}); !isKind(err, domain.KindConflict) {
			t.Fatalf("a domain twice: err %v", err)
		}
		list, err := e.svc.Contacts(e.ctx, a, "", 50)
		if err != nil {
			t.Fatal(err)
		}
		byEmail := map[string]store.Contact{}
		for _, c := range list {
			byEmail[c.Email] = c
		}
		for _, em := range []string{"dana@acme-customer.test", "erin@acme-customer.test"} {
			if c := byEmail[em]; c.Organisation == nil || c.Organisation.ID != org.ID || c.OpenTickets != 1 {
				t.Errorf("%s: organisation %+v, open %d", em, c.Organisation, c.OpenTickets)
			}
		}
		if c := byEmail["fay@gmail.com"]; c.Organisation != nil {
			t.Errorf("free-mail contact grouped into %+v", c.Organisation)
		}
		_, tickets, err := e.svc.Organisation(e.ctx, a, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(tickets) != 2 {
			t.Fatalf("organisation tickets %d, want 2 (%d, %d)", len(tickets), t1, t2)
		}
		// Set otherwise: Erin belongs to none; Fay (free mail) to Acme by hand.
		erin := byEmail["erin@acme-customer.test"]
		c, err := e.svc.UpdateContact(e.ctx, a, erin.ID, ticket.ContactInput{OrganisationSet: true, Notes: ptr("prefers phone")})
		if err != nil {
			t.Fatal(err)
		}
		if c.Organisation != nil || c.Notes != "prefers phone" {
			t.Fatalf("erin %+v", c)
		}
		fay, err := e.svc.UpdateContact(e.ctx, a, byEmail["fay@gmail.com"].ID, ticket.ContactInput{OrganisationSet: true, OrganisationID: org.ID})
		if err != nil || fay.Organisation == nil || fay.Organisation.ID != org.ID {
			t.Fatalf("fay %+v %v", fay, err)
		}
		_, tickets, err = e.svc.Organisation(e.ctx, a, org.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, tk := range tickets {
			got[tk.Requester.Email] = true
		}
		if len(tickets) != 2 || !got["dana@acme-customer.test"] || !got["fay@gmail.com"] {
			t.Fatalf("organisation tickets after the changes: %v", got)
		}
		_, ct, err := e.svc.Contact(e.ctx, a, erin.ID)
		if err != nil || len(ct) != 1 || ct[0].ID != t2 {
			t.Fatalf("erin's tickets %+v %v", ct, err)
		}
		if _, err := e.svc.UpdateContact(e.ctx, a, erin.ID, ticket.ContactInput{OrganisationSet: true, OrganisationID: 999999}); !isKind(err, domain.KindInvalid) {
			t.Fatalf("unknown organisation: %v", err)
		}
	})
}

func isKind(err error, k domain.Kind) bool {
	de, ok := domain.As(err)
	return ok && de.Kind == k
}

// TestRuleOnOrganisation: a rule on the requester's organisation acts on
// mail from its domain and leaves free-mail senders alone.
func TestRuleOnOrganisation(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		if _, err := e.svc.CreateOrganisation(e.ctx, e.agent(), ticket.OrganisationInput{Name: ptr("Acme Customer"), Domains: &[]string{"customer.test"}}); err != nil {
			t.Fatal(err)
		}
		e.rule("Key account", rules.WhenCreated, []rules.Condition{{Field: "organisation", Op: "equals", Value: "ACME customer"}},
			rules.Action{Type: "add_tag", Value: "key-account"})
		res := e.receive(e.mb, msg("From: ann@customer.test", "To: support@acme.test", "Subject: Printer", "Message-ID: <o1@customer.test>"))
		if tk := e.ticket(res.TicketID); !slices.Equal(tk.Tags, []string{"key-account"}) {
			t.Fatalf("ticket from the organisation: tags %v", tk.Tags)
		}
		other := e.receive(e.mb, msg("From: bob@gmail.com", "To: support@acme.test", "Subject: Printer", "Message-ID: <o2@gmail.com>"))
		if tk := e.ticket(other.TicketID); len(tk.Tags) != 0 {
			t.Fatalf("ticket from free mail: tags %v", tk.Tags)
		}
	})
}

// TestEraseContactClearsNotes: erasing a person (GDPR) also erases what
// agents wrote about them and their organisation.
func TestEraseContactClearsNotes(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		a := e.agent()
		e.newConversationFrom("Dana <dana@acme-customer.test>", "<d1@acme-customer.test>")
		p, err := e.st.PersonByEmail(e.ctx, "dana@acme-customer.test")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateContact(e.ctx, a, p.ID, ticket.ContactInput{Notes: ptr("allergic to printers"), OrganisationSet: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.st.EraseContact(e.ctx, p, a.ID, a.Email, e.now); err != nil {
			t.Fatal(err)
		}
		c, err := e.st.GetContact(e.ctx, e.st.DB(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Notes != "" || c.Domain != "" || c.OrganisationSet || c.Name != "" {
			t.Fatalf("erased contact %+v", c)
		}
	})
}

// TestContactAndOrganisationEdits: a contact's name is at most 200
// characters (runes, not bytes), trimmed; an organisation is renamed.
func TestContactAndOrganisationEdits(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		a := e.agent()
		_, tk := e.newConversation()
		for _, c := range []struct {
			name string
			ok   bool
		}{
			{strings.Repeat("é", 200), true},
			{" " + strings.Repeat("ü", 200) + " ", true},
			{strings.Repeat("é", 201), false},
		} {
			got, err := e.svc.UpdateContact(e.ctx, a, tk.RequesterID, ticket.ContactInput{Name: &c.name})
			switch {
			case !c.ok && !isKind(err, domain.KindInvalid):
				t.Fatalf("a name of %d characters: %v, want refused", utf8.RuneCountInString(c.name), err)
			case c.ok && (err != nil || got.Name != strings.TrimSpace(c.name)):
				t.Fatalf("a name of %d characters: %q %v", utf8.RuneCountInString(c.name), got.Name, err)
			}
		}
		org, err := e.svc.CreateOrganisation(e.ctx, a, ticket.OrganisationInput{Name: ptr("Acme"), Domains: &[]string{"acme-customer.test"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.UpdateOrganisation(e.ctx, a, org.ID, ticket.OrganisationInput{Name: ptr("Acme Corp")})
		if err != nil || got.ID != org.ID || got.Name != "Acme Corp" || !slices.Equal(got.Domains, []string{"acme-customer.test"}) {
			t.Fatalf("updated %+v %v", got, err)
		}
		if stored, err := e.st.GetOrganisation(e.ctx, e.st.DB(), org.ID); err != nil || stored.Name != "Acme Corp" {
			t.Fatalf("stored %+v %v", stored, err)
		}
	})
}
