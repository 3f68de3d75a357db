package httpapi

// Users: every agent reads the list, admins create and change them.

import (
	"context"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
)

func (s *Server) ListUsers(ctx context.Context, _ oapi.ListUsersRequestObject) (oapi.ListUsersResponseObject, error) {
	list, err := s.auth.Users(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListUsers200JSONResponse{Items: convertAll(list, toUser)}, nil
}

func (s *Server) CreateUser(ctx context.Context, req oapi.CreateUserRequestObject) (oapi.CreateUserResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	u, err := s.auth.CreateUser(ctx, auth.NewUser{Email: b.Email, Name: b.Name, Role: domain.Role(b.Role), Password: deref(b.Password)})
	if err != nil {
		return nil, err
	}
	return s.createdUser(ctx, u, deref(b.Password) == "")
}

func (s *Server) UpdateUser(ctx context.Context, req oapi.UpdateUserRequestObject) (oapi.UpdateUserResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	b := req.Body
	in := auth.UserUpdate{Name: b.Name, Password: b.Password, Disabled: b.Disabled}
	if b.Role != nil {
		r := domain.Role(*b.Role)
		in.Role = &r
	}
	u, err := s.auth.UpdateUser(ctx, req.Id, in)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateUser200JSONResponse(toUser(u)), nil
}
