package httpapi

import (
	"context"
	"slices"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/notify"
	"github.com/ticketer/ticketer/internal/store"
)

// Notifications to agents (issue 12): the signed-in agent's own.

func (s *Server) inbox() notify.Inbox { return notify.Inbox{Store: s.store} }

func (s *Server) ListNotifications(ctx context.Context, req oapi.ListNotificationsRequestObject) (oapi.ListNotificationsResponseObject, error) {
	limit, err := pageLimit(req.Params.Limit)
	if err != nil {
		return nil, err
	}
	me := principalFrom(ctx).User
	list, unread, err := s.inbox().List(ctx, me, limit)
	if err != nil {
		return nil, err
	}
	settings, err := s.notificationSettings(ctx, me)
	if err != nil {
		return nil, err
	}
	return oapi.ListNotifications200JSONResponse{Items: convertAll(list, toNotification), Unread: unread, Settings: settings}, nil
}

func toNotification(n store.Notification) oapi.Notification {
	return oapi.Notification{Id: n.ID, Kind: oapi.NotificationKind(n.Kind), TicketId: n.TicketID, Subject: n.Subject, Actor: n.Actor,
		Summary: n.Summary, CreatedAt: n.CreatedAt, Read: !n.ReadAt.IsZero()}
}

func (s *Server) MarkNotificationsRead(ctx context.Context, req oapi.MarkNotificationsReadRequestObject) (oapi.MarkNotificationsReadResponseObject, error) {
	if err := needBody(req.Body); err != nil {
		return nil, err
	}
	var ids []int64
	if req.Body.Ids != nil {
		if ids = *req.Body.Ids; len(ids) == 0 || len(ids) > maxPageSize {
			return nil, domain.Invalid("ids", "name 1 to 200 notifications, or leave ids out to mark all read")
		}
	}
	n, err := s.inbox().MarkRead(ctx, principalFrom(ctx).User, ids, time.Now())
	if err != nil {
		return nil, err
	}
	return oapi.MarkNotificationsRead200JSONResponse{Updated: n}, nil
}

func (s *Server) UpdateMyNotificationSettings(ctx context.Context, req oapi.UpdateMyNotificationSettingsRequestObject) (oapi.UpdateMyNotificationSettingsResponseObject, error) {
	if err := needBody(req.Body); err != nil {
		return nil, err
	}
	me := principalFrom(ctx).User
	prefs, err := s.inbox().Prefs(ctx, me)
	if err != nil {
		return nil, err
	}
	for kind, c := range *req.Body {
		if !slices.Contains(notify.Kinds(), notify.Kind(kind)) {
			return nil, domain.Invalid(kind, "not a kind of notification (assigned, customer_replied, mentioned, snooze_woke)")
		}
		prefs[kind] = store.NotifyChoice{App: c.App, Email: c.Email}
	}
	if err := s.inbox().SetPrefs(ctx, me, prefs); err != nil {
		return nil, err
	}
	settings, err := s.notificationSettings(ctx, me)
	if err != nil {
		return nil, err
	}
	return oapi.UpdateMyNotificationSettings200JSONResponse(settings), nil
}

// notificationSettings is every kind's choice, the defaults filled in.
func (s *Server) notificationSettings(ctx context.Context, me store.User) (oapi.NotificationSettings, error) {
	prefs, err := s.inbox().Prefs(ctx, me)
	if err != nil {
		return nil, err
	}
	out := oapi.NotificationSettings{}
	for _, k := range notify.Kinds() {
		c := notify.Choice(prefs, k)
		out[string(k)] = oapi.NotificationChoice{App: c.App, Email: c.Email}
	}
	return out, nil
}
