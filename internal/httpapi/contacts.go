package httpapi

import (
	"context"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Contacts and organisations (issue 12 item 11).

func toContact(c store.Contact) oapi.Contact {
	out := oapi.Contact{Id: c.ID, Email: c.Email, Name: c.Name, Notes: c.Notes, Domain: c.Domain, OrganisationSet: c.OrganisationSet,
		OpenTickets: c.OpenTickets, CreatedAt: c.CreatedAt, Organisation: nullable.NewNullNullable[oapi.OrganisationRef]()}
	if c.Organisation != nil {
		out.Organisation = nullable.NewNullableWithValue(oapi.OrganisationRef{Id: c.Organisation.ID, Name: c.Organisation.Name})
	}
	return out
}

func toOrganisation(o store.Organisation) oapi.Organisation {
	return oapi.Organisation{Id: o.ID, Name: o.Name, Domains: o.Domains, Notes: o.Notes, CreatedAt: o.CreatedAt}
}

func (s *Server) ListContacts(ctx context.Context, req oapi.ListContactsRequestObject) (oapi.ListContactsResponseObject, error) {
	limit, err := pageLimit(req.Params.Limit)
	if err != nil {
		return nil, err
	}
	list, err := s.tickets.Contacts(ctx, principalFrom(ctx).User, deref(req.Params.Q), limit)
	if err != nil {
		return nil, err
	}
	return oapi.ListContacts200JSONResponse{Items: convertAll(list, toContact)}, nil
}

func (s *Server) GetContact(ctx context.Context, req oapi.GetContactRequestObject) (oapi.GetContactResponseObject, error) {
	c, tickets, err := s.tickets.Contact(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	out := toContact(c)
	ts := convertAll(tickets, toTicket)
	out.Tickets = &ts
	return oapi.GetContact200JSONResponse(out), nil
}

func (s *Server) UpdateContact(ctx context.Context, req oapi.UpdateContactRequestObject) (oapi.UpdateContactResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	in := ticket.ContactInput{Name: req.Body.Name, Notes: req.Body.Notes}
	if v := req.Body.OrganisationId; v.IsSpecified() {
		in.OrganisationSet = true
		if !v.IsNull() {
			in.OrganisationID = v.MustGet()
		}
	}
	c, err := s.tickets.UpdateContact(ctx, principalFrom(ctx).User, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateContact200JSONResponse(toContact(c)), nil
}

func (s *Server) ListOrganisations(ctx context.Context, _ oapi.ListOrganisationsRequestObject) (oapi.ListOrganisationsResponseObject, error) {
	list, err := s.tickets.Organisations(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListOrganisations200JSONResponse{Items: convertAll(list, toOrganisation)}, nil
}

func (s *Server) GetOrganisation(ctx context.Context, req oapi.GetOrganisationRequestObject) (oapi.GetOrganisationResponseObject, error) {
	o, tickets, err := s.tickets.Organisation(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	out := toOrganisation(o)
	ts := convertAll(tickets, toTicket)
	out.Tickets = &ts
	return oapi.GetOrganisation200JSONResponse(out), nil
}

func orgInput(b *oapi.OrganisationInput) ticket.OrganisationInput {
	return ticket.OrganisationInput{Name: b.Name, Domains: b.Domains, Notes: b.Notes}
}

func (s *Server) CreateOrganisation(ctx context.Context, req oapi.CreateOrganisationRequestObject) (oapi.CreateOrganisationResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	o, err := s.tickets.CreateOrganisation(ctx, principalFrom(ctx).User, orgInput(req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.CreateOrganisation201JSONResponse(toOrganisation(o)), nil
}

func (s *Server) UpdateOrganisation(ctx context.Context, req oapi.UpdateOrganisationRequestObject) (oapi.UpdateOrganisationResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	o, err := s.tickets.UpdateOrganisation(ctx, principalFrom(ctx).User, req.Id, orgInput(req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.UpdateOrganisation200JSONResponse(toOrganisation(o)), nil
}

func (s *Server) DeleteOrganisation(ctx context.Context, req oapi.DeleteOrganisationRequestObject) (oapi.DeleteOrganisationResponseObject, error) {
	if err := s.tickets.DeleteOrganisation(ctx, principalFrom(ctx).User, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteOrganisation204Response{}, nil
}
