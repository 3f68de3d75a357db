package ticket_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// forwardFixture is a ticket with the customer's message (and its
// acknowledgement), an agent's reply with a file, and a note.
type forwardFixture struct {
	tk           store.Ticket
	agent        store.User
	first, reply store.Message
	note         store.Message
}

func (e *env) forwardFixture() forwardFixture {
	e.t.Helper()
	_, tk := e.newConversation()
	a := e.agent()
	reply, err := e.svc.Reply(e.ctx, a, tk.ID, ticket.ReplyInput{Body: "Please send the serial number.",
		Files: []ticket.File{{Name: "manual.pdf", ContentType: "application/pdf", Data: []byte("%PDF manual")}}})
	if err != nil {
		e.t.Fatal(err)
	}
	note, err := e.svc.AddNote(e.ctx, a, tk.ID, "internal: customer is on the old plan")
	if err != nil {
		e.t.Fatal(err)
	}
	var first store.Message
	for _, m := range e.messages(tk.ID) {
		if m.Kind == store.KindInbound {
			first = m
		}
	}
	return forwardFixture{tk: tk, agent: a, first: first, reply: reply, note: note}
}

// forwardedMail parses the bytes the forward will send.
func (e *env) forwardedMail(m store.Message) *mail.Message {
	e.t.Helper()
	raw, err := e.blobs.Get(e.ctx, m.RawKey)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := mail.Parse(raw)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// TestForwardWholeConversation: by default every email of the conversation
// goes (with its attachments), never the note nor the acknowledgement; the
// forward is a new mail from the mailbox with its own Message-ID, starting
// a thread of its own, queued like a reply, recorded as an event, and not
// counted in the conversation.
func TestForwardWholeConversation(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		f := e.forwardFixture()
		before := e.ticket(f.tk.ID)
		fw, err := e.svc.Forward(e.ctx, f.agent, f.tk.ID, ticket.ForwardInput{To: []string{"Vendor Help <Help@Vendor.test>"}, Body: "Can you check this printer?"})
		if err != nil {
			t.Fatal(err)
		}
		if fw.Kind != store.KindOutbound || fw.Party != store.PartyForward || fw.DeliveryStatus != store.DeliveryQueued ||
			fw.From.Email != "support@acme.test" || len(fw.To) != 1 || fw.To[0].Email != "help@vendor.test" {
			t.Fatalf("forward %+v", fw)
		}
		wantSubject := "Fwd: Printer on fire [#" + strconv.FormatInt(f.tk.ID, 10) + "]"
		p := e.forwardedMail(fw)
		if p.Subject != wantSubject || p.MessageID != fw.MessageID || len(p.InReplyTo) != 0 || len(p.References) != 0 {
			t.Fatalf("forward headers: subject %q id %q in-reply-to %v references %v", p.Subject, p.MessageID, p.InReplyTo, p.References)
		}
		for _, m := range e.messages(f.tk.ID) {
			if m.ID != fw.ID && m.MessageID == fw.MessageID {
				t.Fatalf("the forward reuses the Message-ID of message %d", m.ID)
			}
		}
		for _, want := range []string{"Can you check this printer?", "Hello, my printer is on fire.", "Please send the serial number.", "From: Alice Example <alice@customer.test>"} {
			if !strings.Contains(p.Text, want) {
				t.Errorf("forward text lacks %q:\n%s", want, p.Text)
			}
		}
		for _, never := range []string{"internal: customer is on the old plan", "We have received your message"} {
			if strings.Contains(p.Text, never) {
				t.Errorf("forward text has %q:\n%s", never, p.Text)
			}
		}
		if len(p.Attachments) != 1 || p.Attachments[0].Filename != "manual.pdf" || string(p.Attachments[0].Data) != "%PDF manual" {
			t.Errorf("forward attachments %+v", p.Attachments)
		}
		after := e.ticket(f.tk.ID)
		if after.MessageCount != before.MessageCount || after.Requester.Email != "alice@customer.test" {
			t.Errorf("ticket after the forward %+v, before %+v", after, before)
		}
		events, err := e.st.ListEvents(e.ctx, f.tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(events, func(ev store.Event) bool {
			return ev.Kind == string(ticket.EventForwarded) && ev.OldValue == strconv.FormatInt(fw.ID, 10) && ev.NewValue == "help@vendor.test" && ev.ActorID == f.agent.ID
		}) {
			t.Errorf("no forwarded event in %+v", events)
		}
	})
}

// TestForwardChosenMessages: only the named messages go; a note is refused,
// and so are strangers' messages and our own addresses, each naming its field.
func TestForwardChosenMessages(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		f := e.forwardFixture()
		fw, err := e.svc.Forward(e.ctx, f.agent, f.tk.ID, ticket.ForwardInput{To: []string{"help@vendor.test"}, MessageIDs: []int64{f.first.ID}})
		if err != nil {
			t.Fatal(err)
		}
		p := e.forwardedMail(fw)
		if !strings.Contains(p.Text, "Hello, my printer is on fire.") || strings.Contains(p.Text, "Please send the serial number.") || len(p.Attachments) != 0 {
			t.Fatalf("forward of the first message only: text %q, %d attachments", p.Text, len(p.Attachments))
		}
		_, other := e.newConversationFrom("zed@elsewhere.test", "<other@elsewhere.test>")
		otherMsg := e.messages(other)[0]
		cases := []struct {
			name  string
			in    ticket.ForwardInput
			field string
		}{
			{"a note", ticket.ForwardInput{To: []string{"help@vendor.test"}, MessageIDs: []int64{f.first.ID, f.note.ID}}, "message_ids"},
			{"another ticket's message", ticket.ForwardInput{To: []string{"help@vendor.test"}, MessageIDs: []int64{otherMsg.ID}}, "message_ids"},
			{"no recipient", ticket.ForwardInput{}, "to"},
			{"our own address", ticket.ForwardInput{To: []string{"sales@acme.test"}}, "to"},
			{"not an address", ticket.ForwardInput{To: []string{"vendor"}}, "to"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.svc.Forward(e.ctx, f.agent, f.tk.ID, c.in)
				if de, ok := domain.As(err); !ok || de.Kind != domain.KindInvalid || de.Field != c.field {
					t.Fatalf("err %v, want invalid %s", err, c.field)
				}
			})
		}
	})
}

// TestThirdPartyAnswerThreadsBack: the third party's answer (by
// In-Reply-To, by References alone, by the ticket number in the subject)
// lands on the ticket as theirs: never acknowledged, the requester stays,
// the third party is no participant (no portal access), the portal does not
// show the forward nor the answer, and the next reply to the customer still
// answers the customer's message.
func TestThirdPartyAnswerThreadsBack(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		f := e.forwardFixture()
		fw, err := e.svc.Forward(e.ctx, f.agent, f.tk.ID, ticket.ForwardInput{To: []string{"help@vendor.test"}})
		if err != nil {
			t.Fatal(err)
		}
		acks := len(e.acks(f.tk.ID))
		tok := "[#" + strconv.FormatInt(f.tk.ID, 10) + "]"
		cases := []struct {
			name    string
			headers []string
		}{
			{"in-reply-to", []string{"In-Reply-To: <" + fw.MessageID + ">", "Subject: Re: Fwd: Printer on fire " + tok, "Message-ID: <v1@vendor.test>"}},
			{"references", []string{"References: <" + fw.MessageID + ">", "Subject: Re: Fwd: Printer on fire", "Message-ID: <v2@vendor.test>"}},
			{"subject token", []string{"Subject: About your printer " + tok, "Message-ID: <v3@vendor.test>"}},
			// References alone, no word in common: being the third party is what holds.
			{"references, another subject", []string{"References: <" + fw.MessageID + ">", "Subject: Fuser part 4711", "Message-ID: <v4@vendor.test>"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := e.receive(e.mb, msg(append([]string{"From: Vendor Help <help@vendor.test>", "To: support@acme.test", "BODY:It is the fuser.\r\n"}, c.headers...)...))
				if res.TicketID != f.tk.ID {
					t.Fatalf("answer landed on %d, want %d", res.TicketID, f.tk.ID)
				}
				m, err := e.st.GetMessage(e.ctx, e.st.DB(), res.MessageID)
				if err != nil {
					t.Fatal(err)
				}
				if m.Party != store.PartyThirdParty || m.Kind != store.KindInbound {
					t.Errorf("answer %s/%q, want inbound third_party", m.Kind, m.Party)
				}
			})
		}
		if n := len(e.acks(f.tk.ID)); n != acks {
			t.Errorf("%d acknowledgements, want %d: a third party is never acknowledged", n, acks)
		}
		if tk := e.ticket(f.tk.ID); tk.Requester.Email != "alice@customer.test" {
			t.Errorf("requester %s, want alice", tk.Requester.Email)
		}
		if ok, err := e.st.IsParticipant(e.ctx, e.st.DB(), f.tk.ID, "help@vendor.test"); err != nil || ok {
			t.Errorf("vendor a participant: %v %v", ok, err)
		}
		public, err := e.st.PublicMessages(e.ctx, f.tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range public {
			if m.Party != "" {
				t.Errorf("the portal shows message %d (%s)", m.ID, m.Party)
			}
		}
		r, err := e.svc.Reply(e.ctx, f.agent, f.tk.ID, ticket.ReplyInput{Body: "The vendor says it is the fuser."})
		if err != nil {
			t.Fatal(err)
		}
		if r.InReplyTo != f.first.MessageID || len(r.To) != 1 || r.To[0].Email != "alice@customer.test" || len(r.Cc) != 1 || r.Cc[0].Email != "bob@customer.test" {
			t.Errorf("reply after the answer: in-reply-to %q to %+v cc %+v", r.InReplyTo, r.To, r.Cc)
		}
	})
}

// TestRequesterIsNeverThirdParty: forwarded to the requester's own address,
// their answer stays theirs.
func TestRequesterIsNeverThirdParty(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		f := e.forwardFixture()
		fw, err := e.svc.Forward(e.ctx, f.agent, f.tk.ID, ticket.ForwardInput{To: []string{"alice@customer.test"}})
		if err != nil {
			t.Fatal(err)
		}
		res := e.receive(e.mb, msg("From: alice@customer.test", "To: support@acme.test", "Subject: Re: Fwd", "In-Reply-To: <"+fw.MessageID+">", "Message-ID: <a2@customer.test>"))
		m, err := e.st.GetMessage(e.ctx, e.st.DB(), res.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if res.TicketID != f.tk.ID || m.Party != "" {
			t.Fatalf("answer on %d with party %q", res.TicketID, m.Party)
		}
	})
}
