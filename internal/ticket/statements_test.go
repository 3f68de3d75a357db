package ticket_test

import (
	"fmt"
	"testing"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestImportStatements pins how many statements the import makes for a new
// conversation and for a reply, with enabled rules of both triggers (one of
// which tags the ticket): each statement is a good part of a message's cost
// in the writer. A step that adds or saves one changes these counts; change
// them with the reason.
func TestImportStatements(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for i, r := range []struct{ when, cond, actions string }{
			{"created", `[{"field":"subject","op":"contains","value":"printer"}]`, `[{"type":"add_tag","value":"hardware"}]`},
			{"created", `[{"field":"body","op":"contains","value":"no such phrase"}]`, `[{"type":"set_priority","value":"high"}]`},
			{"customer_replied", `[{"field":"subject","op":"contains","value":"printer"}]`, `[{"type":"add_tag","value":"followup"}]`},
			{"customer_replied", `[{"field":"from_domain","op":"equals","value":"nowhere.test"}]`, `[{"type":"set_priority","value":"high"}]`},
		} {
			if _, err := e.st.CreateRule(e.ctx, e.st.DB().W(), store.Rule{Name: fmt.Sprintf("rule %d", i), Enabled: true, When: r.when, Match: "all",
				Conditions: r.cond, Actions: r.actions, CreatedAt: e.now}); err != nil {
				t.Fatal(err)
			}
		}
		db := e.st.DB()
		// count imports raws in one batch and returns its statements.
		count := func(raws ...[]byte) int64 {
			t.Helper()
			var items []*ticket.ImportItem
			for _, raw := range raws {
				items = append(items, e.svc.PrepareImport(e.ctx, e.mb, raw))
			}
			before := db.Statements()
			_, errs := e.svc.ImportBatch(e.ctx, items)
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			return db.Statements() - before
		}
		// The first batch reads what a batch reads once (rules, mailboxes...).
		count(msg("From: a@c.test", "Subject: warm up", "Message-ID: <w@c.test>"))
		one := count(msg("From: b@c.test", "Subject: printer on fire", "Message-ID: <p1@c.test>"))
		two := count(msg("From: c@c.test", "Subject: printer on fire", "Message-ID: <p2@c.test>"),
			msg("From: d@c.test", "Subject: printer smoking", "Message-ID: <p3@c.test>"))
		conversation := two - one // what one more new conversation costs in a batch
		withReply := count(msg("From: e@c.test", "Subject: printer", "Message-ID: <p4@c.test>"),
			msg("From: e@c.test", "Subject: Re: printer", "Message-ID: <p5@c.test>", "In-Reply-To: <p4@c.test>"))
		reply := withReply - one
		t.Logf("statements: a batch of one new conversation %d, one more %d, a reply %d", one, conversation, reply)
		// 19 and 16 before a change's audit entries went in one statement,
		// the rules took the message as inserted instead of reading it back
		// with its attachments, and a new ticket's SLA clock was not read
		// when there is no policy; 15 and 13 before the batch's senders
		// went into their tickets' participants by id, without a second
		// upsert.
		if conversation != 14 || reply != 12 {
			t.Errorf("a new conversation costs %d statements, a reply %d; want 14 and 12", conversation, reply)
		}
	})
}

// TestImportParticipants checks what a batch records of the people of its
// messages: its senders go in by the ids its upsert gave, the others through
// an upsert of their own, and a name the batch's upsert did not give (a
// sender known without one, named in Cc) is still stored.
func TestImportParticipants(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		var items []*ticket.ImportItem
		for _, raw := range [][]byte{
			msg("From: x@c.test", "To: support@acme.test", "Cc: Carol <carol@c.test>", "Subject: printer", "Message-ID: <i1@c.test>"),
			msg("From: x@c.test", "To: support@acme.test", "Cc: Xavier <x@c.test>", "Subject: Re: printer", "Message-ID: <i2@c.test>", "In-Reply-To: <i1@c.test>"),
			msg("From: Yves <y@c.test>", "To: support@acme.test", "Subject: scanner", "Message-ID: <i3@c.test>"),
			msg("From: y@c.test", "To: support@acme.test", "Cc: Yvonne <y@c.test>", "Subject: Re: scanner", "Message-ID: <i4@c.test>", "In-Reply-To: <i3@c.test>"),
		} {
			items = append(items, e.svc.PrepareImport(e.ctx, e.mb, raw))
		}
		results, errs := e.svc.ImportBatch(e.ctx, items)
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if results[0].TicketID != results[1].TicketID || results[2].TicketID != results[3].TicketID {
			t.Fatalf("replies opened tickets of their own: %+v", results)
		}
		q := e.st.DB().W()
		for _, c := range []struct {
			ticket      int64
			email, name string
		}{
			{results[0].TicketID, "x@c.test", "Xavier"},
			{results[0].TicketID, "carol@c.test", "Carol"},
			{results[2].TicketID, "y@c.test", "Yves"}, // the name first given stays
		} {
			ok, err := e.st.IsParticipant(e.ctx, q, c.ticket, c.email)
			if err != nil || !ok {
				t.Errorf("%s on ticket %d: participant %v, %v", c.email, c.ticket, ok, err)
			}
			var name string
			if err := q.QueryRow(e.ctx, `SELECT name FROM contacts WHERE email = $1`, c.email).Scan(&name); err != nil || name != c.name {
				t.Errorf("%s is named %q (%v), want %q", c.email, name, err, c.name)
			}
		}
		for _, c := range []struct {
			ticket int64
			email  string
		}{{results[0].TicketID, "y@c.test"}, {results[2].TicketID, "x@c.test"}, {results[2].TicketID, "carol@c.test"}} {
			if ok, err := e.st.IsParticipant(e.ctx, q, c.ticket, c.email); err != nil || ok {
				t.Errorf("%s on ticket %d: participant %v, %v; want not", c.email, c.ticket, ok, err)
			}
		}
	})
}
