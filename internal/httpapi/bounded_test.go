package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The bounds the messages and ticket lists promise (the spec says them too).
const (
	listSubjectChars   = 1000
	listBodyChars      = 100_000
	maxPageSize        = 200
	messagesPageByDflt = 200
)

// TestAnswersAreBounded: a huge subject is stored whole but listed cut at
// listSubjectChars; a huge body is cut at listBodyChars in the messages list
// with truncated set, and the body endpoint has it whole; a ticket of many
// messages comes in pages, and without a limit a page is maxPageSize long.
func TestAnswersAreBounded(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		agent := h.bearer(h.agentToken)
		subject := strings.Repeat("é", 3*listSubjectChars)
		html := "<p>" + strings.Repeat("ü", listBodyChars) + "</p>"
		tk := h.importMail(fmt.Sprintf("From: c@customer.test\nTo: support@acme.test\nSubject: %s\nMessage-ID: <big@customer.test>\n"+
			"MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n%s\n", subject, html))

		var page struct {
			Items []struct {
				ID      int64  `json:"id"`
				Subject string `json:"subject"`
			} `json:"items"`
		}
		agent.do("GET", "/api/v1/tickets", nil).must(t, 200).json(t, &page)
		if got := page.Items[0].Subject; utf8.RuneCountInString(got) != listSubjectChars+1 || !strings.HasSuffix(got, "…") {
			t.Fatalf("listed subject: %d characters, want %d and a mark", utf8.RuneCountInString(got), listSubjectChars+1)
		}
		var one struct {
			Subject string `json:"subject"`
		}
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d", tk), nil).must(t, 200).json(t, &one)
		if one.Subject != subject {
			t.Fatalf("the ticket's own subject is cut: %d characters", utf8.RuneCountInString(one.Subject))
		}

		var msgs struct {
			Items []struct {
				ID        int64  `json:"id"`
				HTML      string `json:"html"`
				Subject   string `json:"subject"`
				Truncated *bool  `json:"truncated"`
			} `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		r := agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages", tk), nil).must(t, 200)
		r.json(t, &msgs)
		m := msgs.Items[0]
		if utf8.RuneCountInString(m.HTML) != listBodyChars || m.Truncated == nil || !*m.Truncated || msgs.NextCursor != nil {
			t.Fatalf("listed html %d characters, truncated %v, next %v; want %d, true, none", utf8.RuneCountInString(m.HTML), m.Truncated, msgs.NextCursor, listBodyChars)
		}
		if len(r.body) > 2*4*(listBodyChars+listSubjectChars)+64<<10 {
			t.Fatalf("the messages answer is %d bytes", len(r.body))
		}
		var body struct {
			Subject string `json:"subject"`
			HTML    string `json:"html"`
		}
		agent.do("GET", fmt.Sprintf("/api/v1/messages/%d/body", m.ID), nil).must(t, 200).json(t, &body)
		if body.Subject != subject || !strings.Contains(body.HTML, strings.Repeat("ü", listBodyChars)) {
			t.Fatalf("the body endpoint: subject %d, html %d characters; want them whole", utf8.RuneCountInString(body.Subject), utf8.RuneCountInString(body.HTML))
		}
		agent.do("GET", "/api/v1/messages/999999/body", nil).must(t, 404)

		// Many messages: the replies of one thread, in pages.
		for i := range maxPageSize + 4 {
			if _, err := h.st.DB().Exec(h.ctx, `INSERT INTO messages (ticket_id, kind, message_id, from_email, from_name, to_addrs, cc_addrs,
				subject, text_body, html_body, visible_text, raw_key, sha256, size, created_at, auto_reason, problems, refs, in_reply_to)
				VALUES ($1, 'note', '', 'a@acme.test', '', '', '', 'n', $2, '', '', '', '', 0, $3, '', '', '', '')`,
				tk, fmt.Sprint("note ", i), h.clock.Now().Add(time.Duration(i+1)*time.Second).UTC()); err != nil {
				t.Fatal(err)
			}
		}
		seen, pages, cursor := 0, 0, ""
		for {
			path := fmt.Sprintf("/api/v1/tickets/%d/messages?limit=100", tk)
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			msgs.NextCursor = nil
			msgs.Items = nil
			agent.do("GET", path, nil).must(t, 200).json(t, &msgs)
			seen, pages = seen+len(msgs.Items), pages+1
			if msgs.NextCursor == nil {
				break
			}
			cursor = *msgs.NextCursor
		}
		if want := maxPageSize + 5; seen != want || pages != 3 {
			t.Fatalf("paged: %d messages in %d pages, want %d in 3", seen, pages, want)
		}
		msgs.NextCursor = nil
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages", tk), nil).must(t, 200).json(t, &msgs)
		if len(msgs.Items) != messagesPageByDflt || msgs.NextCursor == nil {
			t.Fatalf("no limit: %d messages, next %v; want %d and a cursor", len(msgs.Items), msgs.NextCursor, messagesPageByDflt)
		}
		agent.do("GET", fmt.Sprintf("/api/v1/tickets/%d/messages?limit=0", tk), nil).must(t, 400)
	})
}
