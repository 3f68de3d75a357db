package httpapi

// Outgoing webhooks (issue 14).

import (
	"context"

	"github.com/oapi-codegen/nullable"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/webhook"
)

// WebhookRenderer gives webhook bodies the API's own shapes of a Ticket
// and a Message.
func WebhookRenderer() webhook.Renderer {
	return webhook.Renderer{
		Ticket:  func(t store.Ticket) any { return toTicket(t) },
		Message: func(m store.Message) any { return toMessage(m) },
	}
}

func toWebhook(v webhook.View) oapi.Webhook {
	out := oapi.Webhook{Id: v.ID, Url: v.URL, Events: v.Events, Enabled: v.Enabled, SecretHint: v.SecretHint,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt}
	if out.Events == nil {
		out.Events = []string{}
	}
	if v.NewSecret != "" {
		out.Secret = &v.NewSecret
	}
	return out
}

func toWebhookDelivery(d store.WebhookDelivery) oapi.WebhookDelivery {
	out := oapi.WebhookDelivery{Id: d.ID, DeliveryId: d.UID, Event: oapi.WebhookEvent(d.Event), TicketId: nullable.NewNullNullable[int64](),
		Status: oapi.WebhookDeliveryStatus(d.Status), ResponseCode: d.ResponseCode, DurationMs: d.DurationMS, Attempts: d.Attempts,
		Error: d.Error, CreatedAt: d.CreatedAt, At: nullTime(d.At), NextAt: nullTime(d.NextAt)}
	if d.TicketID != 0 {
		out.TicketId = nullable.NewNullableWithValue(d.TicketID)
	}
	return out
}

func (s *Server) ListWebhooks(ctx context.Context, _ oapi.ListWebhooksRequestObject) (oapi.ListWebhooksResponseObject, error) {
	list, err := s.webhooks.List(ctx, principalFrom(ctx).User)
	if err != nil {
		return nil, err
	}
	return oapi.ListWebhooks200JSONResponse{Items: convertAll(list, toWebhook), Events: webhook.Events()}, nil
}

func (s *Server) CreateWebhook(ctx context.Context, req oapi.CreateWebhookRequestObject) (oapi.CreateWebhookResponseObject, error) {
	b := req.Body
	v, err := s.webhooks.Create(ctx, principalFrom(ctx).User, webhook.Input{URL: &b.Url, Events: &b.Events, Secret: b.Secret, Enabled: b.Enabled})
	if err != nil {
		return nil, err
	}
	return oapi.CreateWebhook201JSONResponse(toWebhook(v)), nil
}

func (s *Server) UpdateWebhook(ctx context.Context, req oapi.UpdateWebhookRequestObject) (oapi.UpdateWebhookResponseObject, error) {
	b := req.Body
	v, err := s.webhooks.Update(ctx, principalFrom(ctx).User, req.Id, webhook.Input{URL: b.Url, Events: b.Events, Secret: b.Secret, Enabled: b.Enabled})
	if err != nil {
		return nil, err
	}
	return oapi.UpdateWebhook200JSONResponse(toWebhook(v)), nil
}

func (s *Server) DeleteWebhook(ctx context.Context, req oapi.DeleteWebhookRequestObject) (oapi.DeleteWebhookResponseObject, error) {
	if err := s.webhooks.Delete(ctx, principalFrom(ctx).User, req.Id); err != nil {
		return nil, err
	}
	return oapi.DeleteWebhook204Response{}, nil
}

// deliveryLogSize is how many deliveries the log shows.
const deliveryLogSize = 50

func (s *Server) ListWebhookDeliveries(ctx context.Context, req oapi.ListWebhookDeliveriesRequestObject) (oapi.ListWebhookDeliveriesResponseObject, error) {
	list, err := s.webhooks.Deliveries(ctx, principalFrom(ctx).User, req.Id, deliveryLogSize)
	if err != nil {
		return nil, err
	}
	return oapi.ListWebhookDeliveries200JSONResponse{Items: convertAll(list, toWebhookDelivery)}, nil
}

func (s *Server) TestWebhook(ctx context.Context, req oapi.TestWebhookRequestObject) (oapi.TestWebhookResponseObject, error) {
	d, err := s.webhooks.SendTest(ctx, principalFrom(ctx).User, req.Id)
	if err != nil {
		return nil, err
	}
	return oapi.TestWebhook202JSONResponse(toWebhookDelivery(d)), nil
}
