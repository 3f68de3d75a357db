package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/httpapi/oapi"
	"github.com/ticketer/ticketer/internal/store"
)

type apiTicket struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Priority string `json:"priority"`
	Assignee *struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
	} `json:"assignee"`
	Tags            []string `json:"tags"`
	MessageCount    int      `json:"message_count"`
	SolvedAt        *string  `json:"solved_at"`
	FirstResponseAt *string  `json:"first_response_at"`
}

type apiEvent struct {
	Actor   string `json:"actor"`
	ActorID *int64 `json:"actor_id"`
	Kind    string `json:"kind"`
	Field   string `json:"field"`
	Before  string `json:"before"`
	After   string `json:"after"`
}

type apiMessage struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	MessageID   string `json:"message_id"`
	Subject     string `json:"subject"`
	Text        string `json:"text"`
	HTML        string `json:"html"`
	Attachments []struct {
		ID       int64  `json:"id"`
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
	} `json:"attachments"`
	To       []struct{ Email string } `json:"to"`
	Cc       []struct{ Email string } `json:"cc"`
	Delivery *struct {
		Status string `json:"status"`
		Error  string `json:"error"`
	} `json:"delivery"`
}

func (h *harness) events(id int64) []apiEvent {
	var list struct{ Items []apiEvent }
	h.bearer(h.agentToken).do("GET", fmt.Sprintf("/api/v1/tickets/%d/events", id), nil).must(h.t, 200).json(h.t, &list)
	for _, e := range list.Items {
		if !oapi.EventKind(e.Kind).Valid() { // the spec's EventKind enum lists every kind the code writes
			h.t.Fatalf("event kind %q is not in the spec's EventKind enum", e.Kind)
		}
	}
	return list.Items
}

// sendJobs counts the send jobs for one message.
func (h *harness) sendJobs(messageID int64) int {
	h.t.Helper()
	query := `SELECT args::text FROM river_job WHERE kind = 'send_message'`
	if h.st.DB().Dialect == store.SQLite {
		query = `SELECT json(args) FROM river_job WHERE kind = 'send_message'` // River stores SQLite JSONB
	}
	rows, err := h.st.DB().Query(h.ctx, query)
	if err != nil {
		h.t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			h.t.Fatal(err)
		}
		var args struct {
			MessageID int64 `json:"message_id"`
		}
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			h.t.Fatalf("job args %q: %v", raw, err)
		}
		if args.MessageID == messageID {
			n++
		}
	}
	return n
}

// wantAgentEvents fails unless a ticket's events by the agent are want, as
// field:before>after, each naming its field in its kind.
func (h *harness) wantAgentEvents(id int64, want ...string) {
	h.t.Helper()
	var got []string
	for _, e := range h.events(id) {
		if e.ActorID != nil && *e.ActorID == h.agent.ID {
			got = append(got, fmt.Sprintf("%s:%s>%s", e.Field, e.Before, e.After))
			if e.Actor != "agent@acme.test" || e.Kind != e.Field+"_changed" {
				h.t.Fatalf("event %+v", e)
			}
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		h.t.Fatalf("events\n got %v\nwant %v", got, want)
	}
}

func TestStatusTransitions(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		path := fmt.Sprintf("/api/v1/tickets/%d", id)
		agent := h.bearer(h.agentToken)
		var tk apiTicket

		// Transitions, in order, from new: each step starts where the last
		// left the ticket, so this is one sequence rather than a table.
		steps := []struct {
			status string
			code   int
		}{
			{"open", 200}, {"new", 409}, {"closed", 409}, {"pending", 200}, {"solved", 200},
			{"closed", 200}, {"pending", 409}, {"solved", 409}, {"open", 200}, {"bogus", 422},
		}
		for _, s := range steps {
			r := agent.do("PATCH", path, map[string]string{"status": s.status})
			if r.status != s.code {
				t.Fatalf("-> %s: %d, want %d: %s", s.status, r.status, s.code, r.body)
			}
			if s.code == 200 {
				r.json(t, &tk)
				if tk.Status != s.status {
					t.Fatalf("status %s, want %s", tk.Status, s.status)
				}
				if solved := s.status == "solved" || s.status == "closed"; solved != (tk.SolvedAt != nil) {
					t.Fatalf("%s: solved_at %v", s.status, tk.SolvedAt)
				}
			}
			if s.code == 422 {
				if _, field := r.errorOf(t); field != "status" {
					t.Fatalf("field %q", field)
				}
			}
		}
		h.wantAgentEvents(id, "status:new>open", "status:open>pending", "status:pending>solved", "status:solved>closed", "status:closed>open")
	})
}

// Priority, assignee and tags change together or alone; each change is one
// event and an unchanged field records nothing.
func TestUpdateTicketFields(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		path := fmt.Sprintf("/api/v1/tickets/%d", id)
		agent := h.bearer(h.agentToken)
		var tk apiTicket

		body := fmt.Sprintf(`{"priority":"urgent","assignee_id":%d,"tags":["Billing"," vip ","billing"]}`, h.agent.ID)
		agent.do("PATCH", path, body).must(t, 200).json(t, &tk)
		if tk.Priority != "urgent" || tk.Assignee == nil || tk.Assignee.ID != h.agent.ID || strings.Join(tk.Tags, ",") != "billing,vip" {
			t.Fatalf("ticket %+v", tk)
		}
		// Unchanged fields record nothing; assignee_id null unassigns.
		agent.do("PATCH", path, `{"priority":"urgent","assignee_id":null}`).must(t, 200).json(t, &tk)
		if tk.Assignee != nil {
			t.Fatalf("still assigned: %+v", tk.Assignee)
		}
		// Absent assignee_id leaves the assignee alone.
		agent.do("PATCH", path, fmt.Sprintf(`{"assignee_id":%d}`, h.admin.ID)).must(t, 200)
		agent.do("PATCH", path, `{"priority":"low"}`).must(t, 200).json(t, &tk)
		if tk.Assignee == nil || tk.Assignee.ID != h.admin.ID {
			t.Fatalf("assignee lost: %+v", tk)
		}
		h.wantAgentEvents(id, "priority:normal>urgent", "assignee:>agent@acme.test", "tags:>billing,vip", "assignee:agent@acme.test>",
			"assignee:>admin@acme.test", "priority:urgent>low")
	})
}

// Invalid bodies name their field.
func TestUpdateTicketRefusesBadBodies(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		path := fmt.Sprintf("/api/v1/tickets/%d", id)
		disabled, _ := h.user("gone@acme.test", "Gone", "agent", "gone-password-1")
		h.bearer(h.adminToken).do("PATCH", fmt.Sprintf("/api/v1/users/%d", disabled.ID), `{"disabled":true}`).must(t, 200)
		for _, c := range []struct {
			name   string
			body   string
			status int
			field  string
		}{
			{"unknown priority", `{"priority":"asap"}`, 422, "priority"},
			{"no such assignee", `{"assignee_id":424242}`, 422, "assignee_id"},
			{"disabled assignee", fmt.Sprintf(`{"assignee_id":%d}`, disabled.ID), 422, "assignee_id"},
			{"tag with a space", `{"tags":["has space"]}`, 422, "tags"},
			{"tags not an array", `{"tags":"billing"}`, 400, "tags"},
			{"status not a string", `{"status":5}`, 400, "status"},
			{"truncated JSON", `{"status":`, 400, "body"},
			{"empty body", ``, 400, "body"},
			{"too large", `{"tags":["` + strings.Repeat("x", 2<<20) + `"]}`, 413, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel() // none of these changes the ticket
				r := h.on(t).bearer(h.agentToken).do("PATCH", path, c.body)
				if r.status != c.status {
					t.Fatalf("%d, want %d: %s", r.status, c.status, r.body)
				}
				if _, field := r.errorOf(t); field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
	})
}

func TestReplyIsQueuedThreadedAndSent(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.importMail(`From: Carol Customer <carol@customer.test>
To: support@acme.test, Dan <dan@customer.test>
Cc: Erin <erin@customer.test>, support@acme.test
Subject: Re: Printer on fire
Message-ID: <m2@customer.test>
In-Reply-To: <m1@customer.test>
References: <m0@customer.test> <m1@customer.test>
Date: Mon, 2 Nov 2026 09:00:00 +0000

Please help.
`)
		agent := h.bearer(h.agentToken)
		path := fmt.Sprintf("/api/v1/tickets/%d/replies", id)
		var m apiMessage
		agent.do("POST", path, map[string]any{"body": "We are on it.\nHang on."}).must(t, 202).json(t, &m)
		if m.Kind != "outbound" || m.Delivery == nil || m.Delivery.Status != "queued" || m.MessageID == "" {
			t.Fatalf("reply %+v", m)
		}
		// The message row and its send job were written together.
		if n := h.sendJobs(m.ID); n != 1 {
			t.Fatalf("send jobs for the reply: %d", n)
		}

		var eml string
		waitFor(t, "the reply in the outbox", func() bool { eml = h.outboxFile(m.MessageID); return eml != "" })
		msg, err := netmail.ReadMessage(strings.NewReader(eml))
		if err != nil {
			t.Fatal(err)
		}
		hd := msg.Header
		checks := map[string]string{
			"From":        `"Acme Support" <support@acme.test>`,
			"To":          `"Carol Customer" <carol@customer.test>`,
			"Cc":          `"Dan" <dan@customer.test>, "Erin" <erin@customer.test>`,
			"Subject":     fmt.Sprintf("Re: Printer on fire [#%d]", id),
			"In-Reply-To": "<m2@customer.test>",
			"References":  "<m0@customer.test> <m1@customer.test> <m2@customer.test>",
			"Message-Id":  "<" + m.MessageID + ">",
			"Reply-To":    fmt.Sprintf("support+t%d@acme.test", id),
		}
		for k, want := range checks {
			if got := strings.Join(strings.Fields(hd.Get(k)), " "); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		if hd.Get("Auto-Submitted") != "" {
			t.Errorf("an agent reply is not automatic: Auto-Submitted %q", hd.Get("Auto-Submitted"))
		}
		if !strings.Contains(eml, "We are on it.") || !strings.Contains(eml, "text/html") {
			t.Errorf("body:\n%s", eml)
		}
		waitFor(t, "delivery recorded", func() bool {
			got, err := h.st.GetMessage(h.ctx, h.st.DB().W(), m.ID)
			return err == nil && got.DeliveryStatus == store.DeliverySent
		})

		var tk apiTicket
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &tk)
		if tk.Status != "open" || tk.FirstResponseAt == nil || tk.MessageCount != 2 {
			t.Fatalf("ticket after reply %+v", tk)
		}
		first := *tk.FirstResponseAt

		// cc given replaces the conversation's Cc; [] removes it. The second
		// reply still answers the customer's message and keeps the first
		// response time.
		h.clock.advance(60e9)
		agent.do("POST", path, map[string]any{"body": "Just you.", "cc": []string{}}).must(t, 202).json(t, &m)
		if len(m.Cc) != 0 || len(m.To) != 1 || m.To[0].Email != "carol@customer.test" {
			t.Fatalf("cc removed: %+v", m)
		}
		waitFor(t, "second reply", func() bool { eml = h.outboxFile(m.MessageID); return eml != "" })
		msg, _ = netmail.ReadMessage(strings.NewReader(eml))
		if msg.Header.Get("Cc") != "" || msg.Header.Get("In-Reply-To") != "<m2@customer.test>" {
			t.Fatalf("second reply headers %v", msg.Header)
		}
		agent.do("POST", path, map[string]any{"body": "Boss too.", "cc": []string{"Boss <boss@customer.test>"}}).must(t, 202).json(t, &m)
		if len(m.Cc) != 1 || m.Cc[0].Email != "boss@customer.test" {
			t.Fatalf("cc given: %+v", m.Cc)
		}
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &tk)
		if *tk.FirstResponseAt != first {
			t.Fatalf("first response moved: %s -> %s", first, *tk.FirstResponseAt)
		}

		for _, c := range []struct {
			body  any
			code  int
			field string
		}{
			{map[string]any{"body": "  \n"}, 422, "body"},
			{map[string]any{"body": "x", "cc": []string{"not an address"}}, 422, "cc"},
			{`{"body": ["x"]}`, 400, "body"},
		} {
			t.Run(fmt.Sprintf("invalid %s %v", c.field, c.body), func(t *testing.T) {
				r := h.on(t).bearer(h.agentToken).do("POST", path, c.body).must(t, c.code)
				if _, field := r.errorOf(t); field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
	})
}

func multipartReply(t *testing.T, fields map[string]string, files map[string][]byte) multipartBody {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		fw, err := w.CreateFormFile("files", name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return multipartBody{data: b.Bytes(), contentType: w.FormDataContentType()}
}

func TestReplyWithAttachments(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		path := fmt.Sprintf("/api/v1/tickets/%d/replies", id)
		agent := h.bearer(h.agentToken)
		invoice := []byte("%PDF-1.4 pretend invoice\x00\x01\x02")
		var m apiMessage
		agent.do("POST", path, multipartReply(t, map[string]string{"body": "Invoice attached.", "cc": "x@customer.test"},
			map[string][]byte{"invoice.pdf": invoice})).must(t, 202).json(t, &m)
		if len(m.Attachments) != 1 || m.Attachments[0].Filename != "invoice.pdf" || m.Attachments[0].Size != int64(len(invoice)) ||
			len(m.Cc) != 1 {
			t.Fatalf("reply %+v", m)
		}
		r := agent.do("GET", fmt.Sprintf("/api/v1/attachments/%d/content", m.Attachments[0].ID), nil).must(t, 200)
		if !bytes.Equal(r.body, invoice) || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") ||
			r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("Content-Type") != "application/octet-stream" {
			t.Fatalf("download headers %v", r.header)
		}
		var eml string
		waitFor(t, "the reply in the outbox", func() bool { eml = h.outboxFile(m.MessageID); return eml != "" })
		msg, err := netmail.ReadMessage(strings.NewReader(eml))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/mixed") || !strings.Contains(eml, "filename=invoice.pdf") || !strings.Contains(eml, "JVBERi0xLjQgcHJldGVuZCBpbnZvaWNlAAEC") {
			t.Fatalf("no attachment in the mail:\n%s", eml)
		}

		// Over 25 MiB in total: 413, nothing stored.
		before, _ := h.st.ListMessages(h.ctx, id)
		big := bytes.Repeat([]byte("x"), 25<<20+1)
		r = agent.do("POST", path, multipartReply(t, map[string]string{"body": "too big"}, map[string][]byte{"big.bin": big})).must(t, 413)
		if code, _ := r.errorOf(t); code != "too_large" {
			t.Fatal(code)
		}
		after, _ := h.st.ListMessages(h.ctx, id)
		if len(after) != len(before) {
			t.Fatalf("a refused reply was stored: %d -> %d messages", len(before), len(after))
		}
		r = agent.do("POST", path, multipartReply(t, map[string]string{"cc": "x@customer.test"}, nil)).must(t, 422)
		if _, field := r.errorOf(t); field != "body" {
			t.Fatal(field)
		}
	})
}

func TestNotesAreNeverMailed(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		agent := h.bearer(h.agentToken)
		var m apiMessage
		agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/notes", id), map[string]string{"body": "Customer is on the gold plan."}).must(t, 201).json(t, &m)
		if m.Kind != "note" || m.Delivery != nil || m.Text != "Customer is on the gold plan." {
			t.Fatalf("note %+v", m)
		}
		var n int
		if err := h.st.DB().QueryRow(h.ctx, `SELECT count(*) FROM river_job WHERE kind = 'send_message'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("send jobs: %d %v", n, err)
		}
		if entries, _ := os.ReadDir(h.outbox); len(entries) != 0 {
			t.Fatalf("outbox not empty: %v", entries)
		}
		var list struct{ Items []apiMessage }
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages", id), nil).must(t, 200).json(t, &list)
		if len(list.Items) != 2 || list.Items[1].Kind != "note" {
			t.Fatalf("messages %+v", list.Items)
		}
		var tk apiTicket
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &tk)
		if tk.FirstResponseAt != nil || tk.Status != "new" {
			t.Fatalf("a note is not a response: %+v", tk)
		}
		r := agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/notes", id), map[string]string{"body": ""}).must(t, 422)
		if _, field := r.errorOf(t); field != "body" {
			t.Fatal(field)
		}
		if evs := h.events(id); evs[len(evs)-1].Kind != "note_added" {
			t.Fatalf("events %+v", evs)
		}
	})
}

func TestRetryFailedMessage(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		agent := h.bearer(h.agentToken)
		var m apiMessage
		agent.do("POST", fmt.Sprintf("/api/v1/tickets/%d/replies", id), map[string]string{"body": "Hello"}).must(t, 202).json(t, &m)
		waitFor(t, "sent", func() bool {
			got, err := h.st.GetMessage(h.ctx, h.st.DB().W(), m.ID)
			return err == nil && got.DeliveryStatus == store.DeliverySent
		})
		retry := fmt.Sprintf("/api/v1/messages/%d/retry", m.ID)
		if code, _ := agent.do("POST", retry, nil).must(t, 409).errorOf(t); code != "conflict" {
			t.Fatal(code)
		}
		// It failed (say the relay refused it); the file is gone from the outbox.
		if err := h.st.SetDelivery(h.ctx, h.st.DB(), m.ID, store.DeliveryFailed, "550 mailbox unavailable", 0, h.clock.Now(), time.Time{}); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(h.outbox)
		for _, e := range entries {
			_ = os.Remove(h.outbox + "/" + e.Name())
		}
		var got apiMessage
		agent.do("POST", retry, nil).must(t, 202).json(t, &got)
		if got.Delivery == nil || got.Delivery.Status != "queued" || got.Delivery.Error != "" {
			t.Fatalf("retried %+v", got.Delivery)
		}
		waitFor(t, "resent", func() bool { return h.outboxFile(m.MessageID) != "" })
		waitFor(t, "sent again", func() bool {
			got, err := h.st.GetMessage(h.ctx, h.st.DB().W(), m.ID)
			return err == nil && got.DeliveryStatus == store.DeliverySent
		})
		// An inbound message is not ours to send.
		msgs, _ := h.st.ListMessages(h.ctx, id)
		agent.do("POST", fmt.Sprintf("/api/v1/messages/%d/retry", msgs[0].ID), nil).must(t, 409)
		if evs := h.events(id); evs[len(evs)-1].Kind != "delivery_retried" {
			t.Fatalf("events %+v", evs)
		}
	})
}

func TestHostileHTMLComesOutInert(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		fixture, err := os.ReadFile("../mail/testdata/hostile_html.eml")
		if err != nil {
			t.Fatal(err)
		}
		res, err := h.svc.Import(h.ctx, h.mailbox, fixture)
		if err != nil || res.TicketID == 0 {
			t.Fatalf("import: %+v %v", res, err)
		}
		extra := h.importMail(`From: Mallory <mallory@evil.example>
To: support@acme.test
Subject: more
Message-ID: <hostile2@evil.example>
Content-Type: text/html; charset=utf-8

<div style="background-image: url(javascript:alert(1)); width: expression(alert(2))">x</div>
<svg xmlns="http://www.w3.org/2000/svg"><a xlink:href="javascript:alert(3)"><text>t</text></a><animate onbegin="alert(4)"/></svg>
<img src=x onerror=alert(5)><IMG SRC="jav&#x09;ascript:alert(6)">
<form action="javascript:alert(7)"><input type="submit" formaction="javascript:alert(8)"></form>
<a href="  javascript:alert(9)">sp</a><details open ontoggle="alert(10)">d</details><base href="javascript:alert(11)//">
`)
		for _, tk := range []int64{res.TicketID, extra} {
			r := h.bearer(h.agentToken).do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages", tk), nil).must(t, 200)
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || r.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("headers %v", r.header)
			}
			if bytes.Contains(r.body, []byte("<script")) || bytes.Contains(r.body, []byte("<")) {
				t.Fatalf("raw < in the JSON (it must be escaped): %s", r.body)
			}
			var list struct{ Items []apiMessage }
			r.json(t, &list)
			html := strings.ToLower(list.Items[0].HTML)
			if html == "" {
				t.Fatal("no html kept at all")
			}
			for _, bad := range []string{"<script", "onerror", "onload", "onclick", "onmouseover", "ontoggle", "onbegin", "javascript:",
				"vbscript:", "expression(", "<svg", "<form", "<input", "<iframe", "<object", "<embed", "<base", "<meta", "<style",
				"<link", "data:text/html", "formaction"} {
				if strings.Contains(html, bad) {
					t.Errorf("ticket %d: %q survived in %s", tk, bad, list.Items[0].HTML)
				}
			}
		}
	})
}
