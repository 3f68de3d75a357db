package ticket_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// csatOn turns satisfaction surveys on (or off) for a mailbox.
func (e *env) csatOn(mailbox int64, on bool) {
	e.t.Helper()
	if err := e.st.UpdateMailbox(e.ctx, mailbox, store.MailboxChange{CSAT: &on}); err != nil {
		e.t.Fatal(err)
	}
}

// solve solves a ticket as an agent would.
func (e *env) solve(id int64, agent store.User) {
	e.t.Helper()
	solved := domain.StatusSolved
	if _, err := e.svc.UpdateTicket(e.ctx, agent, id, ticket.TicketUpdate{Status: &solved}); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) surveys(ticketID int64) []store.Message {
	var out []store.Message
	for _, m := range e.messages(ticketID) {
		if m.AutoReason == "csat_survey" {
			out = append(out, m)
		}
	}
	return out
}

var surveyLink = regexp.MustCompile(`/survey/([A-Za-z0-9_-]{20,})\?rating=good`)

// surveyToken is the token of the ticket's one survey mail.
func (e *env) surveyToken(ticketID int64) string {
	e.t.Helper()
	list := e.surveys(ticketID)
	if len(list) != 1 {
		e.t.Fatalf("ticket %d: %d survey mails, want 1", ticketID, len(list))
	}
	m := surveyLink.FindStringSubmatch(list[0].Text)
	if m == nil {
		e.t.Fatalf("no survey link in %q", list[0].Text)
	}
	return m[1]
}

// TestSurveyMailedWhenSolved: solving a ticket of a mailbox with csat on
// queues one survey mail to the requester (an outbound message, delivered
// by the send job), with Good and Bad links, automatic per RFC 3834, and
// records csat_sent; the rating is then on the ticket and in its trail.
func TestSurveyMailedWhenSolved(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.csatOn(e.mb, true)
		_, tk := e.newConversation()
		e.solve(tk.ID, e.agent())
		list := e.surveys(tk.ID)
		if len(list) != 1 {
			t.Fatalf("%d surveys", len(list))
		}
		m := list[0]
		if m.Kind != store.KindOutbound || m.DeliveryStatus != store.DeliveryQueued || len(m.To) != 1 || m.To[0].Email != "alice@customer.test" {
			t.Fatalf("survey message %+v", m)
		}
		if !strings.Contains(m.Text, "?rating=good") || !strings.Contains(m.Text, "?rating=bad") {
			t.Fatalf("survey text %q", m.Text)
		}
		raw, err := e.blobs.Get(e.ctx, m.RawKey)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), "Auto-Submitted: auto-generated") {
			t.Errorf("the survey is not marked automatic:\n%s", raw)
		}
		if got := e.ticket(tk.ID); got.MessageCount != tk.MessageCount || got.CSAT != nil {
			t.Errorf("the survey counts in the conversation or rates: %+v", got)
		}
		if !contains(e.eventKinds(tk.ID), "csat_sent:alice@customer.test") {
			t.Errorf("events %v", e.eventKinds(tk.ID))
		}
		e.now = e.now.Add(time.Hour)
		v, err := e.svc.RateSurvey(e.ctx, e.surveyToken(tk.ID), "good", "  Quick and kind  ")
		if err != nil {
			t.Fatal(err)
		}
		want := store.CSAT{Rating: "good", Comment: "Quick and kind", At: e.now}
		if v.TicketID != tk.ID || v.CSAT == nil || *v.CSAT != want {
			t.Fatalf("view %+v", v)
		}
		if got := e.ticket(tk.ID).CSAT; got == nil || *got != want {
			t.Fatalf("ticket csat %+v", got)
		}
		evs, _ := e.st.ListEvents(e.ctx, tk.ID)
		last := evs[len(evs)-1]
		if last.Kind != "csat_rated" || last.NewValue != "good" || last.OldValue != "" || last.Actor != "alice@customer.test" {
			t.Fatalf("last event %+v", last)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestSurveyTokens: what a survey link may do, one behaviour per case.
func TestSurveyTokens(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  func(t *testing.T, e *env, a, b int64)
	}{
		{"a second answer with the same link replaces the first", func(t *testing.T, e *env, a, _ int64) {
			tok := e.surveyToken(a)
			if _, err := e.svc.RateSurvey(e.ctx, tok, "good", ""); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.RateSurvey(e.ctx, tok, "bad", "changed my mind"); err != nil {
				t.Fatal(err)
			}
			if got := e.ticket(a).CSAT; got == nil || got.Rating != "bad" || got.Comment != "changed my mind" {
				t.Fatalf("csat %+v", got)
			}
			evs, _ := e.st.ListEvents(e.ctx, a)
			last := evs[len(evs)-1]
			if last.Kind != "csat_rated" || last.OldValue != "good" || last.NewValue != "bad" {
				t.Fatalf("last event %+v", last)
			}
		}},
		{"the link works until 30 days, not after", func(t *testing.T, e *env, a, _ int64) {
			tok := e.surveyToken(a)
			start := e.now
			e.now = start.Add(ticket.SurveyTTL - time.Second)
			if _, err := e.svc.RateSurvey(e.ctx, tok, "good", ""); err != nil {
				t.Fatalf("a second before expiry: %v", err)
			}
			e.now = start.Add(ticket.SurveyTTL)
			if _, err := e.svc.Survey(e.ctx, tok); !errors.Is(err, ticket.ErrSurveyExpired) {
				t.Fatalf("read at expiry: %v", err)
			}
			if _, err := e.svc.RateSurvey(e.ctx, tok, "bad", ""); !errors.Is(err, ticket.ErrSurveyExpired) {
				t.Fatalf("rate at expiry: %v", err)
			}
			if got := e.ticket(a).CSAT; got == nil || got.Rating != "good" {
				t.Fatalf("an expired link changed the rating: %+v", got)
			}
		}},
		{"reading the link (a scanner's GET) stores nothing", func(t *testing.T, e *env, a, _ int64) {
			before := len(e.eventKinds(a))
			v, err := e.svc.Survey(e.ctx, e.surveyToken(a))
			if err != nil {
				t.Fatal(err)
			}
			if v.TicketID != a || v.CSAT != nil || e.ticket(a).CSAT != nil || len(e.eventKinds(a)) != before {
				t.Fatalf("view %+v; ticket %+v", v, e.ticket(a).CSAT)
			}
		}},
		{"a link rates its own ticket only", func(t *testing.T, e *env, a, b int64) {
			if _, err := e.svc.RateSurvey(e.ctx, e.surveyToken(b), "bad", ""); err != nil {
				t.Fatal(err)
			}
			if e.ticket(a).CSAT != nil || e.ticket(b).CSAT == nil {
				t.Fatalf("a: %+v, b: %+v", e.ticket(a).CSAT, e.ticket(b).CSAT)
			}
		}},
		{"an unknown or altered link is not found", func(t *testing.T, e *env, a, _ int64) {
			tok := e.surveyToken(a)
			altered := []byte(tok)
			altered[0] = map[bool]byte{true: 'B', false: 'A'}[altered[0] == 'A'] // differs for sure
			for _, bad := range []string{"", "nope", string(altered)} {
				if _, err := e.svc.RateSurvey(e.ctx, bad, "good", ""); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("%q: %v", bad, err)
				}
			}
			if e.ticket(a).CSAT != nil {
				t.Fatal("rated")
			}
		}},
		{"a rating is good or bad, a comment bounded", func(t *testing.T, e *env, a, _ int64) {
			tok := e.surveyToken(a)
			for _, c := range []struct{ rating, comment, field string }{
				{"great", "", "rating"}, {"", "", "rating"}, {"good", strings.Repeat("x", ticket.MaxSurveyComment+1), "comment"},
			} {
				_, err := e.svc.RateSurvey(e.ctx, tok, c.rating, c.comment)
				if de, ok := domain.As(err); !ok || de.Field != c.field {
					t.Errorf("%q: %v", c.rating, err)
				}
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Engines(t, func(t *testing.T, dsn string) {
				e := newEnv(t, dsn)
				e.csatOn(e.mb, true)
				agent := e.agent()
				_, a := e.newConversation()
				b := e.receive(e.mb, msg("From: carol@customer.test", "To: support@acme.test", "Subject: Other", "Message-ID: <other@customer.test>"))
				e.solve(a.ID, agent)
				e.solve(b.TicketID, agent)
				c.run(t, e, a.ID, b.TicketID)
			})
		})
	}
}

// TestNoSurvey: when no survey goes out.
func TestNoSurvey(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  func(t *testing.T, dsn string)
	}{
		{"mailbox off", func(t *testing.T, dsn string) {
			e := newEnv(t, dsn)
			_, tk := e.newConversation()
			e.solve(tk.ID, e.agent())
			if n := len(e.surveys(tk.ID)); n != 0 {
				t.Fatalf("%d surveys", n)
			}
		}},
		{"the requester is a robot", func(t *testing.T, dsn string) {
			e := newEnv(t, dsn)
			e.csatOn(e.mb, true)
			// Mail from a robot opens no ticket: an agent writes to one first.
			agent := e.agent()
			tk, err := e.svc.CreateOutbound(e.ctx, agent, ticket.NewTicketInput{MailboxID: e.mb, To: []string{"no-reply@vendor.test"}, Subject: "Your order", Body: "Hello"})
			if err != nil {
				t.Fatal(err)
			}
			e.solve(tk.ID, agent)
			if st := e.ticket(tk.ID).Status; st != domain.StatusSolved {
				t.Fatalf("status %s", st)
			}
			if n := len(e.surveys(tk.ID)); n != 0 {
				t.Fatalf("%d surveys to a robot", n)
			}
		}},
		{"the ticket's last mail is automatic", func(t *testing.T, dsn string) {
			e := newEnv(t, dsn)
			e.csatOn(e.mb, true)
			_, tk := e.newConversation()
			res := e.receive(e.mb, msg("From: alice@customer.test", "To: support@acme.test", "Subject: Out of office",
				"Auto-Submitted: auto-replied", "In-Reply-To: <m1@customer.test>", "Message-ID: <ooo@customer.test>"))
			if res.TicketID != tk.ID {
				t.Fatalf("the auto-reply went to %+v", res)
			}
			e.solve(tk.ID, e.agent())
			if n := len(e.surveys(tk.ID)); n != 0 {
				t.Fatalf("%d surveys to automatic mail", n)
			}
		}},
		{"at most two per address a day, one per ticket while it lives", func(t *testing.T, dsn string) {
			e := newEnv(t, dsn)
			e.csatOn(e.mb, true)
			agent := e.agent()
			var ids []int64
			for i, id := range []string{"<r1@customer.test>", "<r2@customer.test>", "<r3@customer.test>"} {
				res := e.receive(e.mb, msg("From: dave@customer.test", "To: support@acme.test", "Subject: Q"+string(rune('1'+i)), "Message-ID: "+id))
				e.solve(res.TicketID, agent)
				ids = append(ids, res.TicketID)
			}
			got := []int{len(e.surveys(ids[0])), len(e.surveys(ids[1])), len(e.surveys(ids[2]))}
			if got[0] != 1 || got[1] != 1 || got[2] != 0 {
				t.Fatalf("surveys per ticket %v, want [1 1 0]", got)
			}
			// Reopened by the customer and solved again the next day: the
			// first survey still works, no second one.
			e.now = e.now.Add(ticket.SurveyWindow + time.Minute)
			e.receive(e.mb, msg("From: dave@customer.test", "To: support@acme.test", "Subject: Re: Q1", "In-Reply-To: <r1@customer.test>",
				"Message-ID: <r1b@customer.test>"))
			if st := e.ticket(ids[0]).Status; st != domain.StatusOpen {
				t.Fatalf("not reopened: %s", st)
			}
			e.solve(ids[0], agent)
			if n := len(e.surveys(ids[0])); n != 1 {
				t.Fatalf("%d surveys for one ticket", n)
			}
			// A day later the limit has room again.
			e.receive(e.mb, msg("From: dave@customer.test", "To: support@acme.test", "Subject: Q4", "Message-ID: <r4@customer.test>"))
			res := e.receive(e.mb, msg("From: dave@customer.test", "To: support@acme.test", "Subject: Q5", "Message-ID: <r5@customer.test>"))
			e.solve(res.TicketID, agent)
			if n := len(e.surveys(res.TicketID)); n != 1 {
				t.Fatalf("%d surveys after the window", n)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			storetest.Engines(t, func(t *testing.T, dsn string) { c.run(t, dsn) })
		})
	}
}
