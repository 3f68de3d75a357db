package live

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// HandlerConfig configures the event stream endpoint.
type HandlerConfig struct {
	// Authenticate names the signed-in user. Authentication itself (session
	// cookie or bearer token) is done by the caller; ok=false answers 401.
	Authenticate func(r *http.Request) (userID int64, ok bool)
	// Allow decides whether a user may see an event. Today every agent may
	// see every ticket, so nil allows everything; when visibility rules
	// arrive (teams, mailbox access) they go here. It runs once per event per
	// connected client, so it should be cheap (cache, or check ids only).
	Allow func(r *http.Request, userID int64, ev Event) bool
	// StillValid is asked at every heartbeat whether the stream's
	// credentials still hold (session not ended, token not revoked, user
	// not disabled, role unchanged); false ends the stream, and the
	// client's reconnect is authenticated afresh. nil: always.
	StillValid func(r *http.Request, userID int64) bool
	// Heartbeat is the interval of keep-alive comments that stop proxies and
	// load balancers from closing an idle stream. Default 25 s.
	Heartbeat time.Duration
	// Retry is the reconnection delay the browser is told to use. Default 3 s.
	Retry time.Duration
}

// Handler serves GET /api/v1/events/stream as Server-Sent Events:
//
//	retry: 3000
//
//	event: ticket.updated
//	data: {"type":"ticket.updated","ticket_id":42}
//
// plus ": heartbeat" comments. The stream ends when the client goes away, when
// it falls behind (it reconnects after retry and refetches), or at shutdown.
func (b *Broker) Handler(cfg HandlerConfig) http.Handler {
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 25 * time.Second
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 3 * time.Second
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use GET")
			return
		}
		var userID int64
		ok := false
		if cfg.Authenticate != nil {
			userID, ok = cfg.Authenticate(r)
		}
		if !ok {
			writeError(w, http.StatusUnauthorized, "unauthorized", "sign in to receive live updates")
			return
		}
		rc := http.NewResponseController(w)
		// The server's write timeout is meant for ordinary responses; a stream
		// lives as long as the client stays. Not every writer supports this.
		_ = rc.SetWriteDeadline(time.Time{})

		// Subscribe before the first byte, so nothing published after the
		// client saw the stream open is missed.
		sub := b.Subscribe()
		defer sub.Close()

		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
		w.WriteHeader(http.StatusOK)
		if _, err := fmt.Fprintf(w, "retry: %d\n: connected\n\n", cfg.Retry.Milliseconds()); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		tick := time.NewTicker(cfg.Heartbeat)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if cfg.StillValid != nil && !cfg.StillValid(r, userID) {
					return
				}
				if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
					return
				}
			case ev, open := <-sub.Events():
				if !open {
					return
				}
				if ev.UserID != 0 && ev.UserID != userID { // one user's event
					continue
				}
				if cfg.Allow != nil && !cfg.Allow(r, userID, ev) {
					continue
				}
				data, _ := json.Marshal(ev)
				if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, data); err != nil {
					return
				}
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	})
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}
