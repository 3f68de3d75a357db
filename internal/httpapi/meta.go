package httpapi

// Operations and the contract: health, readiness, the spec itself.

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/ticketer/ticketer/api"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
)

var _ oapi.StrictServerInterface = (*Server)(nil)

func (s *Server) Healthz(ctx context.Context, _ oapi.HealthzRequestObject) (oapi.HealthzResponseObject, error) {
	return oapi.Healthz200JSONResponse{"status": "ok"}, nil
}

func (s *Server) Readyz(ctx context.Context, _ oapi.ReadyzRequestObject) (oapi.ReadyzResponseObject, error) {
	checks := oapi.Health{"database": "ok", "blobs": "ok"}
	ready := true
	if err := s.db.Ping(ctx); err != nil {
		checks["database"], ready = err.Error(), false
	}
	if err := s.blobs.Ping(ctx); err != nil {
		checks["blobs"], ready = err.Error(), false
	}
	if !ready {
		return oapi.Readyz503JSONResponse(checks), nil
	}
	return oapi.Readyz200JSONResponse(checks), nil
}

// Metrics and StreamEvents are mounted from Options in routes.go (other
// packages build them); the strict server never routes to these.
func (s *Server) Metrics(ctx context.Context, _ oapi.MetricsRequestObject) (oapi.MetricsResponseObject, error) {
	return nil, errors.New("metrics are served by the handler given in Options.Metrics")
}

func (s *Server) StreamEvents(ctx context.Context, _ oapi.StreamEventsRequestObject) (oapi.StreamEventsResponseObject, error) {
	return nil, errors.New("the event stream is served by the handler given in Options.Stream")
}

type specResponse struct{}

func (specResponse) VisitOpenapiDocumentResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(api.OpenAPI)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(api.OpenAPI)
	return err
}

func (s *Server) OpenapiDocument(ctx context.Context, _ oapi.OpenapiDocumentRequestObject) (oapi.OpenapiDocumentResponseObject, error) {
	return specResponse{}, nil
}
