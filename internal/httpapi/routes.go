package httpapi

import "net/http"

// routes is the whole HTTP surface on one screen.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)

	mux.Handle("GET /api/v1/me", s.agent(s.me))
	mux.Handle("GET /api/v1/tickets", s.agent(s.listTickets))
	mux.Handle("GET /api/v1/tickets/{id}", s.agent(s.getTicket))
	mux.Handle("GET /api/v1/tickets/{id}/messages", s.agent(s.listMessages))
	mux.Handle("GET /api/v1/tickets/{id}/events", s.agent(s.listEvents))
	mux.Handle("GET /api/v1/attachments/{id}/content", s.agent(s.attachmentContent))
	mux.Handle("GET /api/v1/mailboxes", s.agent(s.listMailboxes))
	mux.Handle("GET /api/v1/inbound", s.agent(s.listInbound))

	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: "+r.Method+" "+r.URL.Path)
	}))
	mux.HandleFunc("GET /{$}", s.home)
	return s.common(mux)
}
