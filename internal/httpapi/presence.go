package httpapi

// Presence on a ticket's page (collision detection): heartbeats in, the
// other viewers out; browsers hear of changes on the event stream.

import (
	"context"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/live"
)

func (s *Server) AnnouncePresence(ctx context.Context, req oapi.AnnouncePresenceRequestObject) (oapi.AnnouncePresenceResponseObject, error) {
	if s.presence == nil {
		return nil, domain.NotFound("presence is not available on this server")
	}
	u := principalFrom(ctx).User
	if _, err := s.tickets.Ticket(ctx, u, req.Id); err != nil { // only a ticket the caller may see
		return nil, err
	}
	typing := req.Body != nil && req.Body.Typing != nil && *req.Body.Typing
	others, err := s.presence.Announce(ctx, req.Id, live.Viewer{UserID: u.ID, Name: displayName(u.Name, u.Email), Typing: typing})
	if err != nil {
		return nil, err
	}
	out := oapi.AnnouncePresence200JSONResponse{Viewers: make([]oapi.Viewer, len(others)),
		HeartbeatSeconds: int(live.PresenceHeartbeat.Seconds()), TtlSeconds: int(live.PresenceTTL.Seconds())}
	for i, v := range others {
		out.Viewers[i] = oapi.Viewer{UserId: v.UserID, Name: v.Name, Typing: v.Typing}
	}
	return out, nil
}

func (s *Server) LeavePresence(ctx context.Context, req oapi.LeavePresenceRequestObject) (oapi.LeavePresenceResponseObject, error) {
	if s.presence == nil {
		return nil, domain.NotFound("presence is not available on this server")
	}
	u := principalFrom(ctx).User
	if _, err := s.tickets.Ticket(ctx, u, req.Id); err != nil {
		return nil, err
	}
	if err := s.presence.Leave(ctx, req.Id, u.ID); err != nil {
		return nil, err
	}
	return oapi.LeavePresence204Response{}, nil
}

// displayName is how other agents see someone: their name, else their address.
func displayName(name, email string) string {
	if name != "" {
		return name
	}
	return email
}
