package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"net/http"

	"github.com/ticketer/ticketer/internal/gdpr"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
)

// A person's data requests (GDPR articles 15 and 17), admin-only.

func (s *Server) gdpr() *gdpr.Service { return &gdpr.Service{Store: s.store, Blobs: s.blobs} }

// zipExport sends an export as a download.
type zipExport struct {
	name string
	body *bytes.Buffer
}

func (z zipExport) VisitExportContactResponse(w http.ResponseWriter) error {
	h := w.Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": z.name}))
	h.Set("X-Content-Type-Options", "nosniff")
	return oapi.ExportContact200ApplicationzipResponse{Body: z.body, ContentLength: int64(z.body.Len())}.VisitExportContactResponse(w)
}

func (s *Server) ExportContact(ctx context.Context, req oapi.ExportContactRequestObject) (oapi.ExportContactResponseObject, error) {
	p, err := s.gdpr().Person(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	// Built whole before the first byte goes out, so a failure half way
	// is an error status rather than a truncated ZIP.
	var buf bytes.Buffer
	if err := s.gdpr().Export(ctx, p, &buf); err != nil {
		return nil, err
	}
	s.log.Info("exported a contact's data", "contact", p.ID, "by", principalFrom(ctx).User.ID)
	return zipExport{name: fmt.Sprintf("contact-%d.zip", p.ID), body: &buf}, nil
}

func (s *Server) EraseContact(ctx context.Context, req oapi.EraseContactRequestObject) (oapi.EraseContactResponseObject, error) {
	p, err := s.gdpr().Person(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	u := principalFrom(ctx).User
	r, err := s.gdpr().Erase(ctx, p, u.ID, u.Email)
	if err != nil {
		return nil, err
	}
	s.log.Info("erased a contact's data", "contact", p.ID, "by", u.ID, "tickets", len(r.Tickets), "blobs", r.BlobsDeleted)
	return oapi.EraseContact200JSONResponse{Tickets: len(r.Tickets), Messages: r.Messages, Attachments: r.Attachments,
		Inbound: r.Inbound, BlobsDeleted: r.BlobsDeleted}, nil
}
