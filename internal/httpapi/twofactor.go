package httpapi

// Two-factor authentication of the signed-in user (TOTP).

import (
	"context"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
)

func (s *Server) StartTwoFactor(ctx context.Context, _ oapi.StartTwoFactorRequestObject) (oapi.StartTwoFactorResponseObject, error) {
	e, err := s.auth.StartTOTP(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.StartTwoFactor200JSONResponse{Secret: e.Secret, OtpauthUri: e.URI, QrPng: e.QRPNG}, nil
}

func (s *Server) ConfirmTwoFactor(ctx context.Context, req oapi.ConfirmTwoFactorRequestObject) (oapi.ConfirmTwoFactorResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	codes, err := s.auth.ConfirmTOTP(ctx, principalFrom(ctx).User, req.Body.Code)
	if err != nil {
		return nil, err
	}
	return oapi.ConfirmTwoFactor200JSONResponse{RecoveryCodes: codes}, nil
}

func (s *Server) DisableTwoFactor(ctx context.Context, req oapi.DisableTwoFactorRequestObject) (oapi.DisableTwoFactorResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if err := s.auth.DisableTOTP(ctx, principalFrom(ctx).User, req.Body.Code); err != nil {
		return nil, err
	}
	return oapi.DisableTwoFactor204Response{}, nil
}

func (s *Server) GetSettings(ctx context.Context, _ oapi.GetSettingsRequestObject) (oapi.GetSettingsResponseObject, error) {
	on, err := s.auth.RequireTwoFactor(ctx)
	return oapi.GetSettings200JSONResponse{Require2fa: on}, err
}

func (s *Server) UpdateSettings(ctx context.Context, req oapi.UpdateSettingsRequestObject) (oapi.UpdateSettingsResponseObject, error) {
	if req.Body == nil {
		return nil, needBody(nil)
	}
	if on := req.Body.Require2fa; on != nil {
		if err := s.auth.SetRequireTwoFactor(ctx, principalFrom(ctx).User, *on); err != nil {
			return nil, err
		}
	}
	on, err := s.auth.RequireTwoFactor(ctx)
	return oapi.UpdateSettings200JSONResponse{Require2fa: on}, err
}
