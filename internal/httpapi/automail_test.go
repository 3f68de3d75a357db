package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestAutomaticMailAPI: kept automatic mail is listed with its reason and
// headers, an agent turns it into a ticket once, and admins download its raw
// bytes.
func TestAutomaticMailAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		_, agentTok := h.user("mail-agent@acme.test", "Mail Agent", "agent", "agent-password-1")
		_, adminTok := h.user("mail-admin@acme.test", "Mail Admin", "admin", "admin-password-1")
		agent, admin := h.bearer(agentTok), h.bearer(adminTok)
		raw := "From: Lena <lena@customer.test>\nTo: support@acme.test\nSubject: Automatic reply: hello\n" +
			"Message-ID: <ooo-1@customer.test>\nAuto-Submitted: auto-replied\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n\nI am away.\n"
		if _, err := h.svc.Import(h.ctx, h.mailbox, []byte(strings.ReplaceAll(raw, "\n", "\r\n"))); err != nil {
			t.Fatal(err)
		}
		var list struct {
			Items []struct {
				ID        int64  `json:"id"`
				Reason    string `json:"reason"`
				MessageID string `json:"message_id"`
				Subject   string `json:"subject"`
				From      struct {
					Email string `json:"email"`
				} `json:"from"`
			} `json:"items"`
		}
		agent.do("GET", "/api/v1/inbound?status=automatic", nil).must(t, 200).json(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("automatic items: %+v", list.Items)
		}
		it := list.Items[0]
		if it.Reason != "auto_reply" || it.MessageID != "ooo-1@customer.test" || it.From.Email != "lena@customer.test" || it.Subject != "Automatic reply: hello" {
			t.Fatalf("item %+v", it)
		}
		agent.do("GET", fmt.Sprintf("/api/v1/inbound/%d/raw", it.ID), nil).must(t, 403)
		r := admin.do("GET", fmt.Sprintf("/api/v1/inbound/%d/raw", it.ID), nil).must(t, 200)
		if r.header.Get("Content-Type") != "message/rfc822" || !strings.Contains(string(r.body), "Message-ID: <ooo-1@customer.test>") ||
			!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("raw download: %v %q", r.header, r.body)
		}
		var tk struct {
			ID int64 `json:"id"`
		}
		agent.do("POST", fmt.Sprintf("/api/v1/inbound/%d/ticket", it.ID), nil).must(t, 201).json(t, &tk)
		agent.do("POST", fmt.Sprintf("/api/v1/inbound/%d/ticket", it.ID), nil).must(t, 409)
		var msgs struct {
			Items []struct {
				ThreadedBy  *string `json:"threaded_by"`
				ThreadedKey *string `json:"threaded_key"`
			} `json:"items"`
		}
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID), nil).must(t, 200).json(t, &msgs)
		if len(msgs.Items) != 1 || msgs.Items[0].ThreadedBy == nil || *msgs.Items[0].ThreadedBy != "new" {
			t.Fatalf("messages of the new ticket: %+v", msgs.Items)
		}
		agent.do("GET", "/api/v1/inbound?status=automatic", nil).must(t, 200).json(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("still listed as automatic: %+v", list.Items)
		}
		admin.do("POST", fmt.Sprintf("/api/v1/inbound/%d/retry", it.ID), nil).must(t, 409)
	})
}

// TestSpamAPI: marking a ticket as spam hides it and blocks its requester;
// restoring brings both back; blocked senders are listed, added and removed.
func TestSpamAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		_, tok := h.user("mail-agent@acme.test", "Mail Agent", "agent", "agent-password-1")
		c := h.bearer(tok)
		id := h.newTicket(1, "")
		c.do("POST", fmt.Sprintf("/api/v1/tickets/%d/spam", id), nil).must(t, 200)
		var page struct {
			Items []struct {
				ID     int64   `json:"id"`
				SpamAt *string `json:"spam_at"`
			} `json:"items"`
		}
		c.do("GET", "/api/v1/tickets", nil).must(t, 200).json(t, &page)
		if len(page.Items) != 0 {
			t.Fatalf("spam ticket listed: %+v", page.Items)
		}
		c.do("GET", "/api/v1/tickets?spam=true", nil).must(t, 200).json(t, &page)
		if len(page.Items) != 1 || page.Items[0].SpamAt == nil {
			t.Fatalf("spam list: %+v", page.Items)
		}
		var blocked struct {
			Items []struct {
				ID       int64  `json:"id"`
				Value    string `json:"value"`
				TicketID *int64 `json:"ticket_id"`
			} `json:"items"`
		}
		c.do("GET", "/api/v1/blocked-senders", nil).must(t, 200).json(t, &blocked)
		if len(blocked.Items) != 1 || blocked.Items[0].Value != "carol@customer.test" || blocked.Items[0].TicketID == nil || *blocked.Items[0].TicketID != id {
			t.Fatalf("blocked: %+v", blocked.Items)
		}
		c.do("DELETE", fmt.Sprintf("/api/v1/tickets/%d/spam", id), nil).must(t, 200)
		c.do("GET", "/api/v1/tickets", nil).must(t, 200).json(t, &page)
		if len(page.Items) != 1 || page.Items[0].SpamAt != nil {
			t.Fatalf("restored: %+v", page.Items)
		}
		c.do("GET", "/api/v1/blocked-senders", nil).must(t, 200).json(t, &blocked)
		if len(blocked.Items) != 0 {
			t.Fatalf("still blocked after restore: %+v", blocked.Items)
		}
		c.do("POST", "/api/v1/blocked-senders", map[string]string{"value": "not a domain"}).must(t, 422)
		var b struct {
			ID int64 `json:"id"`
		}
		c.do("POST", "/api/v1/blocked-senders", map[string]string{"value": "spam.test"}).must(t, 201).json(t, &b)
		c.do("POST", "/api/v1/blocked-senders", map[string]string{"value": "x@other.test"}).must(t, 201)
		c.do("DELETE", fmt.Sprintf("/api/v1/blocked-senders/%d", b.ID), nil).must(t, 204)
		c.do("DELETE", "/api/v1/blocked-senders?value=x@other.test", nil).must(t, 204)
		c.do("DELETE", "/api/v1/blocked-senders?value=x@other.test", nil).must(t, 404)
		c.do("GET", "/api/v1/blocked-senders", nil).must(t, 200).json(t, &blocked)
		if len(blocked.Items) != 0 {
			t.Fatalf("left: %+v", blocked.Items)
		}
	})
}

// TestMailboxReopenDays: the reopen window is a mailbox setting, 30 days by
// default, from 1 to 3650.
func TestMailboxReopenDays(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		_, tok := h.user("mail-admin@acme.test", "Mail Admin", "admin", "admin-password-1")
		c := h.bearer(tok)
		var mb struct {
			ReopenDays int `json:"reopen_days"`
		}
		path := fmt.Sprintf("/api/v1/mailboxes/%d", h.mailbox)
		c.do("GET", "/api/v1/mailboxes", nil).must(t, 200)
		c.do("PATCH", path, map[string]int{"reopen_days": 90}).must(t, 200).json(t, &mb)
		if mb.ReopenDays != 90 {
			t.Fatalf("reopen_days %d, want 90", mb.ReopenDays)
		}
		for _, bad := range []int{0, 3651} {
			c.do("PATCH", path, map[string]int{"reopen_days": bad}).must(t, 422)
		}
	})
}
