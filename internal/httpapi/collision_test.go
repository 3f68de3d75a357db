package httpapi_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/store/storetest"
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

type apiPresence struct {
	Viewers []struct {
		UserID int64  `json:"user_id"`
		Name   string `json:"name"`
		Typing bool   `json:"typing"`
	} `json:"viewers"`
	HeartbeatSeconds int `json:"heartbeat_seconds"`
	TTLSeconds       int `json:"ttl_seconds"`
}

// TestPresenceEndpoints: two agents on one ticket each see the other (who
// types), the stream's subscribers hear of it, a leave removes the leaver;
// the page is told to announce every 10 s and counts as gone after 30 s.
func TestPresenceEndpoints(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		h := newHarness(t, dsn, harnessOpts{live: true})
		sub := h.live.Subscribe()
		defer sub.Close()
		id := h.newTicket(1, "")
		path := fmt.Sprintf("/api/v1/tickets/%d/presence", id)
		bea, beaToken := h.user("bea@acme.test", "Bea Agent", domain.RoleAgent, "bea-password-1")
		al, beaC := h.bearer(h.agentToken), h.bearer(beaToken)

		var p apiPresence
		al.do("POST", path, map[string]any{"typing": false}).must(t, 200).json(t, &p)
		if len(p.Viewers) != 0 || p.HeartbeatSeconds != 10 || p.TTLSeconds != 30 {
			t.Fatalf("first viewer: %+v", p)
		}
		waitFor(t, "Bea sees Al", func() bool {
			p = apiPresence{}
			beaC.do("POST", path, map[string]any{"typing": true}).must(t, 200).json(t, &p)
			return len(p.Viewers) == 1
		})
		if p.Viewers[0].UserID != h.agent.ID || p.Viewers[0].Name != "Al Agent" || p.Viewers[0].Typing {
			t.Fatalf("Bea sees %+v", p.Viewers)
		}
		waitFor(t, "Al sees Bea typing", func() bool {
			p = apiPresence{}
			al.do("POST", path, map[string]any{}).must(t, 200).json(t, &p)
			return len(p.Viewers) == 1 && p.Viewers[0].UserID == bea.ID && p.Viewers[0].Typing
		})
		// The stream carried the changes: Al came, Bea came typing.
		var last live.Event
		waitFor(t, "presence.changed with both", func() bool {
			select {
			case ev := <-sub.Events():
				last = ev
			case <-time.After(time.Second):
			}
			return last.Type == live.PresenceChanged && last.Presence != nil && len(last.Presence.Viewers) == 2
		})
		beaC.do("DELETE", path, nil).must(t, 204)
		waitFor(t, "Bea gone", func() bool {
			p = apiPresence{}
			al.do("POST", path, map[string]any{}).must(t, 200).json(t, &p)
			return len(p.Viewers) == 0
		})
		al.do("POST", "/api/v1/tickets/99999999/presence", map[string]any{}).must(t, 404)
	})
}
