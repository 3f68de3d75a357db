package httpapi

import (
	"context"
	"net/http"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// User administration beyond create and update: invitation (and password
// reset) links, a user changing their own password, and what the sign-in
// page offers. Invitation links are mailed to the user (system mail, see
// ticket.SendSystemMail) and returned to the admin as well, who is told
// whether the mail went.

// GetAuthConfig tells the sign-in page what it can offer.
func (s *Server) GetAuthConfig(ctx context.Context, _ oapi.GetAuthConfigRequestObject) (oapi.GetAuthConfigResponseObject, error) {
	return oapi.GetAuthConfig200JSONResponse{DevLogin: s.auth.DevLoginEnabled(), Sso: s.sso, PasswordLogin: s.auth.PasswordSignIn()}, nil
}

// InviteUser makes a single-use link for a user to set their password.
func (s *Server) InviteUser(ctx context.Context, req oapi.InviteUserRequestObject) (oapi.InviteUserResponseObject, error) {
	inv, err := s.auth.Invite(ctx, req.Id, principalFrom(ctx).User.ID)
	if err != nil {
		return nil, err
	}
	return oapi.InviteUser201JSONResponse(s.mailInvitation(ctx, inv)), nil
}

// mailInvitation mails an invitation's link to its user and answers the
// link, with where it was mailed or why it was not.
func (s *Server) mailInvitation(ctx context.Context, inv auth.NewInvitation) oapi.InvitationLink {
	link := oapi.InvitationLink{Url: inv.URL, ExpiresAt: inv.ExpiresAt}
	admin := principalFrom(ctx).User
	subject, text := auth.InvitationMail(inv, admin.Name)
	_, err := s.tickets.SendSystemMail(ctx, ticket.SystemMail{To: mail.Address{Name: inv.User.Name, Email: inv.User.Email}, Subject: subject, Text: text})
	if err != nil {
		msg := err.Error()
		link.MailError = &msg
		return link
	}
	link.MailedTo = &inv.User.Email
	return link
}

// createdUser answers a created user; one made without a password gets an
// invitation link in the answer, else nobody could ever sign in as them.
func (s *Server) createdUser(ctx context.Context, u store.User, invite bool) (oapi.CreateUserResponseObject, error) {
	out := oapi.CreateUser201JSONResponse{Id: u.ID, Email: u.Email, Name: u.Name, Role: (*oapi.Role)(&u.Role), Disabled: &u.Disabled, CreatedAt: &u.CreatedAt}
	if invite {
		inv, err := s.auth.Invite(ctx, u.ID, principalFrom(ctx).User.ID)
		if err != nil {
			return nil, err
		}
		link := s.mailInvitation(ctx, inv)
		out.Invitation = &link
	}
	return out, nil
}

// GetInvitation says whom a link is for, without using it up.
func (s *Server) GetInvitation(ctx context.Context, req oapi.GetInvitationRequestObject) (oapi.GetInvitationResponseObject, error) {
	u, inv, err := s.auth.Invitation(ctx, req.Token)
	if err != nil {
		return nil, err
	}
	return oapi.GetInvitation200JSONResponse{Email: u.Email, Name: u.Name, ExpiresAt: inv.ExpiresAt}, nil
}

// AcceptInvitation sets the password from a link and signs the user in.
func (s *Server) AcceptInvitation(ctx context.Context, req oapi.AcceptInvitationRequestObject) (oapi.AcceptInvitationResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	ns, err := s.auth.AcceptInvitation(ctx, req.Token, req.Body.Password, clientFrom(ctx))
	if err != nil {
		return nil, err
	}
	return s.session(ctx, ns)
}

func (r sessionResponse) VisitAcceptInvitationResponse(w http.ResponseWriter) error {
	return r.write(w)
}

// ChangeMyPassword changes the caller's own password.
func (s *Server) ChangeMyPassword(ctx context.Context, req oapi.ChangeMyPasswordRequestObject) (oapi.ChangeMyPasswordResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if err := s.auth.ChangePassword(ctx, principalFrom(ctx), req.Body.Current, req.Body.New); err != nil {
		return nil, err
	}
	return oapi.ChangeMyPassword204Response{}, nil
}
