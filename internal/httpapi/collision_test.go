package httpapi_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestReplyCollision: a reply naming the newest message the agent saw is
// refused with 409 newer_messages carrying the customer's newer message
// (JSON and multipart alike); with force it is sent.
func TestReplyCollision(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		agent := h.bearer(h.agentToken)
		var list struct{ Items []apiMessage }
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages", id), nil).must(t, 200).json(t, &list)
		seen := list.Items[0].ID
		h.importMail(`From: Carol Customer <carol@customer.test>
To: support@acme.test
Subject: Re: Printer 1 is on fire
Message-ID: <t1-again@customer.test>
In-Reply-To: <t1@customer.test>
Date: Mon, 2 Nov 2026 09:05:00 +0000

Never mind, it is out now.
`)
		path := fmt.Sprintf("/api/v1/tickets/%d/replies", id)
		for _, c := range []struct {
			name string
			body any
		}{
			{"json", map[string]any{"body": "Sending the fire brigade.", "after_message_id": seen}},
			{"multipart", multipartReply(t, map[string]string{"body": "Sending the fire brigade.", "after_message_id": strconv.FormatInt(seen, 10)}, nil)},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := agent.do("POST", path, c.body).must(t, 409)
				if code, _ := r.errorOf(t); code != "newer_messages" {
					t.Fatalf("code %q", code)
				}
				var got struct{ Messages []apiMessage }
				r.json(t, &got)
				if len(got.Messages) != 1 || got.Messages[0].Kind != "inbound" || !strings.Contains(got.Messages[0].Text, "it is out now") {
					t.Fatalf("newer messages %+v", got.Messages)
				}
			})
		}
		var m apiMessage
		agent.do("POST", path, map[string]any{"body": "Good to hear.", "after_message_id": seen, "force": true}).must(t, 202).json(t, &m)
		if m.Kind != "outbound" {
			t.Fatalf("forced reply %+v", m)
		}
		r := agent.do("POST", path, map[string]any{"body": "x", "after_message_id": 99999999}).must(t, 422)
		if _, field := r.errorOf(t); field != "after_message_id" {
			t.Fatalf("field %q", field)
		}
	})
}
