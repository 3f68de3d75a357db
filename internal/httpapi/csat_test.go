package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/survey"
	"github.com/ticketer/ticketer/internal/ticket"
)

var surveyTokenRE = regexp.MustCompile(`/survey/([A-Za-z0-9_-]+)\?rating=good`)

// solvedWithSurvey turns csat on for the mailbox (PATCH, as an admin),
// solves a new ticket and returns it with its survey link's token.
func (h *harness) solvedWithSurvey(t *testing.T) (int64, string) {
	t.Helper()
	var mb struct {
		CSAT bool `json:"csat"`
	}
	h.bearer(h.adminToken).do("PATCH", fmt.Sprintf("/api/v1/mailboxes/%d", h.mailbox), map[string]any{"csat": true}).must(t, 200).json(t, &mb)
	if !mb.CSAT {
		t.Fatal("csat not on")
	}
	id := h.newTicket(1, "")
	h.bearer(h.agentToken).do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", id), map[string]any{"status": "solved"}).must(t, 200)
	msgs, err := h.st.ListMessages(h.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.AutoReason == "csat_survey" {
			if sm := surveyTokenRE.FindStringSubmatch(m.Text); sm != nil {
				return id, sm[1]
			}
		}
	}
	t.Fatalf("no survey mail among %d messages", len(msgs))
	return 0, ""
}

// form posts a survey form.
func (h *harness) surveyPost(token string, v url.Values) response {
	c := h.browser()
	c.hdr = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	return c.do("POST", "/survey/"+token, v.Encode())
}

func (h *harness) ticketCSAT(t *testing.T, id int64) *struct{ Rating, Comment string } {
	t.Helper()
	var tk struct {
		CSAT *struct{ Rating, Comment string } `json:"csat"`
	}
	h.bearer(h.agentToken).do("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil).must(t, 200).json(t, &tk)
	return tk.CSAT
}

// TestSurveyPage: the link's GET shows the rating chosen and stores
// nothing; the POST (with the form's token) stores it; the ticket, its
// events and the report show it.
func TestSurveyPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id, tok := h.solvedWithSurvey(t)
		page := h.anon().do("GET", "/survey/"+tok+"?rating=bad", nil).must(t, 200)
		if page.header.Get("Content-Security-Policy") != survey.CSP || !bytes.Contains(page.body, []byte(`value="bad" checked`)) {
			t.Fatalf("page (%s): %s", page.header.Get("Content-Security-Policy"), page.body)
		}
		if c := h.ticketCSAT(t, id); c != nil {
			t.Fatalf("a GET rated: %+v", c)
		}
		// Without the form's token (a forged post): refused.
		h.surveyPost(tok, url.Values{"rating": {"bad"}}).must(t, http.StatusForbidden)
		h.surveyPost(tok, url.Values{"rating": {"meh"}, "csrf": {survey.CSRF(tok)}}).must(t, http.StatusUnprocessableEntity)
		if c := h.ticketCSAT(t, id); c != nil {
			t.Fatalf("a refused post rated: %+v", c)
		}
		done := h.surveyPost(tok, url.Values{"rating": {"bad"}, "comment": {"Too slow"}, "csrf": {survey.CSRF(tok)}}).must(t, 200) // 303 followed
		if !bytes.Contains(done.body, []byte("Thank you")) || !bytes.Contains(done.body, []byte("Bad")) {
			t.Fatalf("after the post: %s", done.body)
		}
		if c := h.ticketCSAT(t, id); c == nil || c.Rating != "bad" || c.Comment != "Too slow" {
			t.Fatalf("csat %+v", c)
		}
		// Changed with the same link.
		h.surveyPost(tok, url.Values{"rating": {"good"}, "csrf": {survey.CSRF(tok)}}).must(t, 200)
		if c := h.ticketCSAT(t, id); c == nil || c.Rating != "good" || c.Comment != "" {
			t.Fatalf("csat after the change %+v", c)
		}
		var evs struct {
			Items []struct{ Kind, Before, After string }
		}
		h.bearer(h.agentToken).do("GET", fmt.Sprintf("/api/v1/tickets/%d/events", id), nil).must(t, 200).json(t, &evs)
		last := evs.Items[len(evs.Items)-1]
		if last.Kind != "csat_rated" || last.Before != "bad" || last.After != "good" {
			t.Fatalf("last event %+v", last)
		}
		var rep struct {
			Rows []struct {
				Key           string   `json:"key"`
				CSATResponses int64    `json:"csat_responses"`
				CSATGoodPct   *float64 `json:"csat_good_pct"`
			} `json:"rows"`
		}
		h.bearer(h.agentToken).do("GET", "/api/v1/reports/summary?from=2026-11-02&to=2026-11-02", nil).must(t, 200).json(t, &rep)
		if len(rep.Rows) != 1 || rep.Rows[0].CSATResponses != 1 || rep.Rows[0].CSATGoodPct == nil || *rep.Rows[0].CSATGoodPct != 100 {
			t.Fatalf("report %+v", rep.Rows)
		}
	})
}

// TestSurveyLinkDead: an unknown link is 404, an expired one 410, for the
// page and the form alike.
func TestSurveyLinkDead(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		_, tok := h.solvedWithSurvey(t)
		other := "x" + tok[1:]
		if other == tok {
			other = "y" + tok[1:]
		}
		for _, path := range []string{"/survey/" + other, "/survey/nope"} {
			r := h.anon().do("GET", path, nil).must(t, http.StatusNotFound)
			if !strings.Contains(string(r.body), "not known") {
				t.Fatalf("%s: %s", path, r.body)
			}
		}
		h.surveyPost(other, url.Values{"rating": {"good"}, "csrf": {survey.CSRF(other)}}).must(t, http.StatusNotFound)
		h.clock.advance(ticket.SurveyTTL)
		r := h.anon().do("GET", "/survey/"+tok, nil).must(t, http.StatusGone)
		if !strings.Contains(string(r.body), "closed") {
			t.Fatalf("expired: %s", r.body)
		}
		h.surveyPost(tok, url.Values{"rating": {"good"}, "csrf": {survey.CSRF(tok)}}).must(t, http.StatusGone)
	})
}
