package httpapi_test

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

type linkedTicket struct {
	ID           int64   `json:"id"`
	Status       string  `json:"status"`
	MessageCount int     `json:"message_count"`
	MergedInto   *int64  `json:"merged_into"`
	SplitFrom    *int64  `json:"split_from"`
	Splits       []int64 `json:"splits"`
	Requester    struct {
		Email string `json:"email"`
	} `json:"requester"`
}

// TestMergeEndpoint: the target comes back; the old number still answers,
// closed and pointing at the target; merging again is a conflict.
func TestMergeEndpoint(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		keep, dup := h.newTicket(1, ""), h.newTicket(2, "")
		c := h.bearer(h.agentToken)
		var got linkedTicket
		c.do("POST", fmt.Sprintf("/api/v1/tickets/%d/merge", dup), map[string]any{"into": keep}).must(t, 200).json(t, &got)
		if got.ID != keep || got.MergedInto != nil {
			t.Fatalf("merge answered %+v", got)
		}
		var old linkedTicket
		c.do("GET", fmt.Sprintf("/api/v1/tickets/%d", dup), nil).must(t, 200).json(t, &old)
		if old.MergedInto == nil || *old.MergedInto != keep || old.Status != "closed" {
			t.Fatalf("old number answers %+v", old)
		}
		c.do("POST", fmt.Sprintf("/api/v1/tickets/%d/merge", dup), map[string]any{"into": keep}).must(t, 409)
		c.do("POST", fmt.Sprintf("/api/v1/tickets/%d/merge", keep), map[string]any{"into": keep}).must(t, 422)
		c.do("POST", "/api/v1/tickets/999999/merge", map[string]any{"into": keep}).must(t, 404)
	})
}

// TestSplitEndpoint: 201 with the new ticket, linked both ways.
func TestSplitEndpoint(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		h.importMail(`From: Dan <dan@customer.test>
To: support@acme.test
Subject: Re: Printer 1 is on fire
In-Reply-To: <t1@customer.test>
Message-ID: <d1@customer.test>
Date: Mon, 2 Nov 2026 09:30:00 +0000

Another problem entirely.
`)
		msgs, err := h.st.ListMessages(h.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var dan int64
		for _, m := range msgs {
			if m.From.Email == "dan@customer.test" {
				dan = m.ID
			}
		}
		c := h.bearer(h.agentToken)
		var got linkedTicket
		c.do("POST", fmt.Sprintf("/api/v1/messages/%d/split", dan), nil).must(t, 201).json(t, &got)
		if got.SplitFrom == nil || *got.SplitFrom != id || got.Requester.Email != "dan@customer.test" || got.MessageCount != 1 {
			t.Fatalf("split answered %+v", got)
		}
		var src linkedTicket
		c.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &src)
		if len(src.Splits) != 1 || src.Splits[0] != got.ID {
			t.Fatalf("source %+v", src)
		}
		c.do("POST", fmt.Sprintf("/api/v1/messages/%d/split", dan), nil).must(t, 409) // now the whole of its ticket
	})
}

// TestCreateTicketEndpoint: 201 with the ticket; the mail with its
// attachment reaches the outbox; bad input names its field.
func TestCreateTicketEndpoint(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		c := h.bearer(h.agentToken)
		var got linkedTicket
		c.do("POST", "/api/v1/tickets", map[string]any{"mailbox_id": h.mailbox, "to": []string{"erin@customer.test"}, "subject": "Your order",
			"body": "It shipped.", "attachments": []map[string]string{{"filename": "invoice.txt", "content_type": "text/plain",
				"data": base64.StdEncoding.EncodeToString([]byte("total 10"))}}}).must(t, 201).json(t, &got)
		if got.Status != "pending" || got.Requester.Email != "erin@customer.test" || got.MessageCount != 1 {
			t.Fatalf("created %+v", got)
		}
		msgs, err := h.st.ListMessages(h.ctx, got.ID)
		if err != nil || len(msgs) != 1 || len(msgs[0].Attachments) != 1 {
			t.Fatalf("messages %+v %v", msgs, err)
		}
		waitFor(t, "the mail in the outbox", func() bool {
			m, err := h.st.GetMessage(h.ctx, h.st.DB(), msgs[0].ID)
			return err == nil && m.DeliveryStatus == store.DeliverySent
		})
		if f := h.outboxFile(msgs[0].MessageID); f == "" {
			t.Fatal("no outbox file")
		}
		for field, body := range map[string]map[string]any{
			"to":         {"mailbox_id": h.mailbox, "to": []string{}, "subject": "S", "body": "B"},
			"mailbox_id": {"mailbox_id": 999, "to": []string{"a@b.test"}, "subject": "S", "body": "B"},
			"subject":    {"mailbox_id": h.mailbox, "to": []string{"a@b.test"}, "subject": "", "body": "B"},
		} {
			r := c.do("POST", "/api/v1/tickets", body).must(t, 422)
			if _, f := r.errorOf(t); f != field {
				t.Errorf("field %q, want %q", f, field)
			}
		}
	})
}

// TestNotificationEndpoints: a user sees their own notifications only, the
// unread count, marks them read, and changes their settings.
func TestNotificationEndpoints(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		for _, u := range []int64{h.agent.ID, h.agent.ID, h.admin.ID} {
			if err := h.st.AddNotification(h.ctx, h.st.DB().W(), store.Notification{UserID: u, TicketID: id, Kind: "assigned", Actor: "x",
				InApp: true, CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		c := h.bearer(h.agentToken)
		var page struct {
			Items []struct {
				ID      int64  `json:"id"`
				Subject string `json:"subject"`
				Read    bool   `json:"read"`
			} `json:"items"`
			Unread   int                        `json:"unread"`
			Settings map[string]map[string]bool `json:"settings"`
		}
		c.do("GET", "/api/v1/notifications", nil).must(t, 200).json(t, &page)
		if len(page.Items) != 2 || page.Unread != 2 || page.Items[0].Subject != "Printer 1 is on fire" || !page.Settings["mentioned"]["email"] {
			t.Fatalf("page %+v", page)
		}
		var upd struct{ Updated int }
		c.do("POST", "/api/v1/notifications/read", map[string]any{"ids": []int64{page.Items[0].ID}}).must(t, 200).json(t, &upd)
		if upd.Updated != 1 {
			t.Fatalf("updated %d", upd.Updated)
		}
		c.do("POST", "/api/v1/notifications/read", map[string]any{}).must(t, 200).json(t, &upd)
		if upd.Updated != 1 {
			t.Fatalf("mark all updated %d, want the one left", upd.Updated)
		}
		var settings map[string]map[string]bool
		c.do("PATCH", "/api/v1/me/notifications", map[string]any{"mentioned": map[string]bool{"app": true, "email": false}}).must(t, 200).json(t, &settings)
		if settings["mentioned"]["email"] || !settings["mentioned"]["app"] || !settings["assigned"]["email"] {
			t.Fatalf("settings %+v", settings)
		}
		c.do("PATCH", "/api/v1/me/notifications", map[string]any{"birthdays": map[string]bool{"app": true, "email": true}}).must(t, 422)
	})
}
