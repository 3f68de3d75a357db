package ticket_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

func (e *env) eventKinds(ticketID int64) []string {
	e.t.Helper()
	evs, err := e.st.ListEvents(e.ctx, ticketID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Kind+":"+ev.NewValue)
	}
	return out
}

// duplicates receives two conversations from Alice: the second a duplicate
// of the first, tagged, with an attachment-free reply in its thread.
func (e *env) duplicates() (keep, dup int64) {
	e.t.Helper()
	_, tk := e.newConversation()
	r := e.receive(e.mb, msg("From: Alice <alice@customer.test>", "To: support@acme.test", "Subject: Printer STILL on fire", "Message-ID: <dup1@customer.test>"))
	if _, err := e.svc.UpdateTicket(e.ctx, store.User{}, r.TicketID, ticket.TicketUpdate{Tags: &[]string{"hardware"}}); err != nil {
		e.t.Fatal(err)
	}
	return tk.ID, r.TicketID
}

// TestMergeMovesEverything: messages (and their count), participants and
// tags move; the merged ticket is closed and points at the target; both
// audit trails say so.
func TestMergeMovesEverything(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		keep, dup := e.duplicates()
		before := e.ticket(keep).MessageCount + e.ticket(dup).MessageCount
		rows := len(e.messages(keep)) + len(e.messages(dup))
		got, err := e.svc.Merge(e.ctx, e.agent(), dup, keep)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != keep || got.MessageCount != before || !slices.Equal(got.Tags, []string{"hardware"}) {
			t.Fatalf("target %+v, want %d messages and the tag", got, before)
		}
		if n := len(e.messages(keep)); n != rows {
			t.Errorf("target holds %d messages, want %d", n, rows)
		}
		old := e.ticket(dup)
		if old.MergedInto != keep || old.Status != domain.StatusClosed || old.MessageCount != 0 || len(e.messages(dup)) != 0 {
			t.Errorf("merged ticket %+v", old)
		}
		if !slices.Contains(e.eventKinds(dup), "merged_into:"+strconv.FormatInt(keep, 10)) ||
			!slices.Contains(e.eventKinds(dup), "status_changed:closed") {
			t.Errorf("merged ticket events %v", e.eventKinds(dup))
		}
		if !slices.Contains(e.eventKinds(keep), "merged_from:"+strconv.FormatInt(dup, 10)) {
			t.Errorf("target events %v", e.eventKinds(keep))
		}
	})
}

// TestMergeRefusals: itself, an unknown target, twice, into a merged ticket.
func TestMergeRefusals(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		keep, dup := e.duplicates()
		_, third := e.newConversationFrom("carol@customer.test", "<c1@customer.test>")
		a := e.agent()
		if _, err := e.svc.Merge(e.ctx, a, dup, keep); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name     string
			from, to int64
			kind     domain.Kind
		}{
			{"itself", keep, keep, domain.KindInvalid},
			{"unknown target", keep, 999999, domain.KindInvalid},
			{"already merged", dup, third, domain.KindConflict},
			{"into a merged ticket", third, dup, domain.KindInvalid},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.Merge(e.ctx, a, c.from, c.to)
				var de *domain.Error
				if !errors.As(err, &de) || de.Kind != c.kind {
					t.Fatalf("err %v, want %v", err, c.kind)
				}
			})
		}
	})
}

func (e *env) newConversationFrom(from, messageID string) (ticket.Result, int64) {
	e.t.Helper()
	r := e.receive(e.mb, msg("From: "+from, "To: support@acme.test", "Subject: Another matter", "Message-ID: "+messageID))
	return r, r.TicketID
}

// TestMailToMergedTicketLandsOnTarget: a reply in the merged ticket's thread
// (by its headers) and one naming its number (subject token) both land on
// the target.
func TestMailToMergedTicketLandsOnTarget(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		keep, dup := e.duplicates()
		if _, err := e.svc.Merge(e.ctx, e.agent(), dup, keep); err != nil {
			t.Fatal(err)
		}
		cases := []struct{ name, header string }{
			{"in-reply-to", "In-Reply-To: <dup1@customer.test>"},
			{"subject token", "X-Nothing: 1"},
		}
		for i, c := range cases {
			r := e.receive(e.mb, msg("From: Alice <alice@customer.test>", "To: support@acme.test",
				"Subject: Re: Printer STILL on fire [#"+strconv.FormatInt(dup, 10)+"]", "Message-ID: <later"+strconv.Itoa(i)+"@customer.test>", c.header))
			if r.TicketID != keep {
				t.Errorf("%s: landed on %d, want %d", c.name, r.TicketID, keep)
			}
		}
		if e.ticket(dup).MessageCount != 0 {
			t.Error("the merged ticket got mail")
		}
	})
}

// TestSplitMovesMessageAndItsReplies: the message and our reply to it become
// a new ticket (requester: its sender), linked both ways; the rest stays;
// later mail in the split thread lands on the new ticket.
func TestSplitMovesMessageAndItsReplies(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		other := e.receive(e.mb, msg("From: Bob <bob@customer.test>", "To: support@acme.test", "Subject: Re: Printer on fire",
			"In-Reply-To: <m1@customer.test>", "Message-ID: <b1@customer.test>", "BODY:Also, my scanner is broken.\r\n"))
		a := e.agent()
		if _, err := e.svc.AddNote(e.ctx, a, tk.ID, "a note stays"); err != nil {
			t.Fatal(err)
		}
		reply, err := e.svc.Reply(e.ctx, a, tk.ID, ticket.ReplyInput{Body: "About the scanner: try this."})
		if err != nil {
			t.Fatal(err)
		}
		countBefore := e.ticket(tk.ID).MessageCount
		got, err := e.svc.Split(e.ctx, a, other.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if got.SplitFrom != tk.ID || got.Requester.Email != "bob@customer.test" || got.MessageCount != 2 || got.MailboxID != e.mb {
			t.Fatalf("new ticket %+v", got)
		}
		var moved []int64
		for _, m := range e.messages(got.ID) {
			moved = append(moved, m.ID)
		}
		if !slices.Equal(moved, []int64{other.MessageID, reply.ID}) {
			t.Errorf("moved %v, want the message and the reply answering it", moved)
		}
		if n := e.ticket(tk.ID).MessageCount; n != countBefore-2 {
			t.Errorf("source count %d, want %d", n, countBefore-2)
		}
		if !slices.Contains(e.eventKinds(tk.ID), "split_to:"+strconv.FormatInt(got.ID, 10)) ||
			!slices.Contains(e.eventKinds(got.ID), "split_from:"+strconv.FormatInt(tk.ID, 10)) {
			t.Errorf("events %v / %v", e.eventKinds(tk.ID), e.eventKinds(got.ID))
		}
		if splits, _ := e.st.SplitsOf(e.ctx, e.st.DB(), tk.ID); !slices.Equal(splits, []int64{got.ID}) {
			t.Errorf("splits of source %v", splits)
		}
		later := e.receive(e.mb, msg("From: Bob <bob@customer.test>", "To: support@acme.test", "Subject: Re: Printer on fire",
			"In-Reply-To: <b1@customer.test>", "Message-ID: <b2@customer.test>"))
		if later.TicketID != got.ID {
			t.Errorf("a reply in the split thread landed on %d, want %d", later.TicketID, got.ID)
		}
	})
}

// TestSplitRefusals: a note, our own reply, and the ticket's whole thread
// cannot be split off.
func TestSplitRefusals(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		res, tk := e.newConversation()
		a := e.agent()
		note, err := e.svc.AddNote(e.ctx, a, tk.ID, "note")
		if err != nil {
			t.Fatal(err)
		}
		for name, id := range map[string]int64{"note": note.ID, "ack": e.acks(tk.ID)[0].ID} {
			t.Run(name, func(t *testing.T) {
				_, err := e.svc.Split(e.ctx, a, id)
				if de, ok := domain.As(err); !ok || de.Kind != domain.KindConflict {
					t.Fatalf("err %v, want a conflict", err)
				}
			})
		}
		// The ack answers the first message: it goes along, and the ticket
		// would be empty.
		_, err = e.svc.Split(e.ctx, a, res.MessageID)
		if de, ok := domain.As(err); !ok || de.Kind != domain.KindConflict {
			t.Fatalf("whole-thread split: err %v, want a conflict", err)
		}
	})
}

// TestCreateOutboundTicket: the ticket is the agent's, pending, with the
// first To as requester; the mail is queued from the mailbox address, and
// the customer's answer threads onto the ticket and reopens it.
func TestCreateOutboundTicket(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		a := e.agent()
		tk, err := e.svc.CreateOutbound(e.ctx, a, ticket.NewTicketInput{MailboxID: e.mb, To: []string{"Dana <Dana@Customer.test>"},
			Cc: []string{"eve@customer.test"}, Subject: "Your renewal", Body: "Hello Dana,\nyour plan renews soon.",
			Files: []ticket.File{{Name: "quote.txt", ContentType: "text/plain", Data: []byte("42 EUR")}}})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != domain.StatusPending || tk.Assignee == nil || tk.Assignee.ID != a.ID || tk.Requester.Email != "dana@customer.test" || tk.MessageCount != 1 {
			t.Fatalf("ticket %+v", tk)
		}
		ms := e.messages(tk.ID)
		if len(ms) != 1 || ms[0].Kind != store.KindOutbound || ms[0].DeliveryStatus != store.DeliveryQueued || ms[0].From.Email != "support@acme.test" ||
			len(ms[0].Cc) != 1 || len(ms[0].Attachments) != 1 || ms[0].Subject != "Your renewal [#"+strconv.FormatInt(tk.ID, 10)+"]" {
			t.Fatalf("message %+v", ms)
		}
		answer := e.receive(e.mb, msg("From: Dana <dana@customer.test>", "To: support@acme.test", "Subject: Re: Your renewal",
			"In-Reply-To: <"+ms[0].MessageID+">", "Message-ID: <d1@customer.test>"))
		if answer.TicketID != tk.ID {
			t.Fatalf("answer landed on %d, want %d", answer.TicketID, tk.ID)
		}
		if st := e.ticket(tk.ID).Status; st != domain.StatusOpen {
			t.Errorf("status after the answer %s, want open", st)
		}
	})
}

// TestCreateOutboundRefusals: each input rule names its field.
func TestCreateOutboundRefusals(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		a := e.agent()
		ok := ticket.NewTicketInput{MailboxID: e.mb, To: []string{"dana@customer.test"}, Subject: "S", Body: "B"}
		cases := []struct {
			name  string
			edit  func(*ticket.NewTicketInput)
			field string
		}{
			{"no recipient", func(in *ticket.NewTicketInput) { in.To = nil }, "to"},
			{"bad recipient", func(in *ticket.NewTicketInput) { in.To = []string{"not an address"} }, "to"},
			{"bad cc", func(in *ticket.NewTicketInput) { in.Cc = []string{"x"} }, "cc"},
			{"no subject", func(in *ticket.NewTicketInput) { in.Subject = "  " }, "subject"},
			{"no body", func(in *ticket.NewTicketInput) { in.Body = "" }, "body"},
			{"unknown mailbox", func(in *ticket.NewTicketInput) { in.MailboxID = 9999 }, "mailbox_id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := ok
				c.edit(&in)
				_, err := e.svc.CreateOutbound(e.ctx, a, in)
				var de *domain.Error
				if !errors.As(err, &de) || de.Field != c.field {
					t.Fatalf("err %v, want one on %s", err, c.field)
				}
			})
		}
		if n := e.count(`SELECT count(*) FROM tickets`); n != 0 {
			t.Errorf("%d tickets stored from refused input", n)
		}
	})
}

// TestSearchFollowsMergeAndSplit: a word only in moved messages finds the
// ticket they moved to, and no longer the one they left (both engines'
// deferred rebuild, migration 0036).
func TestSearchFollowsMergeAndSplit(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		find := func(word string) []int64 {
			t.Helper()
			list, err := e.st.ListTickets(e.ctx, store.TicketFilter{Query: word, Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, tk := range list {
				ids = append(ids, tk.ID)
			}
			slices.Sort(ids)
			return ids
		}
		_, tk := e.newConversation()
		dup := e.receive(e.mb, msg("From: Alice <alice@customer.test>", "To: support@acme.test", "Subject: Again",
			"Message-ID: <x1@customer.test>", "BODY:The zanzibar fuser melted.\r\n")).TicketID
		a := e.agent()
		if _, err := e.svc.Merge(e.ctx, a, dup, tk.ID); err != nil {
			t.Fatal(err)
		}
		if got := find("zanzibar"); !slices.Equal(got, []int64{tk.ID}) {
			t.Fatalf("after merge: %v, want only %d", got, tk.ID)
		}
		later := e.receive(e.mb, msg("From: Bob <bob@customer.test>", "To: support@acme.test", "Subject: Re: Printer on fire",
			"In-Reply-To: <m1@customer.test>", "Message-ID: <q1@customer.test>", "BODY:Quokka scanner question.\r\n"))
		split, err := e.svc.Split(e.ctx, a, later.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if got := find("quokka"); !slices.Equal(got, []int64{split.ID}) {
			t.Fatalf("after split: %v, want only %d", got, split.ID)
		}
		if n := e.count(`SELECT count(*) FROM search_deferred`); n != 0 {
			t.Errorf("%d rows left in search_deferred", n)
		}
	})
}
