package ticket_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestReplyStoppedByNewerMessage: a reply naming the message the agent last
// saw is refused, carrying the newer messages, when the customer wrote or
// another agent replied since; notes, the agent's own replies and
// acknowledgements do not stop it; force sends anyway.
func TestReplyStoppedByNewerMessage(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		cases := []struct {
			name    string
			between func(e *env, ticketID int64, from string)
			stopped bool
		}{
			{"nothing new", func(*env, int64, string) {}, false},
			{"customer wrote", func(e *env, id int64, from string) {
				e.receive(e.mb, msg("From: "+from, "To: support@acme.test", "Subject: Re: Another matter",
					"Message-ID: <again@customer.test>", "In-Reply-To: <case1@customer.test>", "BODY:It is spreading!\r\n"))
			}, true},
			{"another agent replied", func(e *env, id int64, _ string) {
				if _, err := e.svc.Reply(e.ctx, e.agent(), id, ticket.ReplyInput{Body: "Call the fire brigade."}); err != nil {
					e.t.Fatal(err)
				}
			}, true},
			{"another agent's note", func(e *env, id int64, _ string) {
				if _, err := e.svc.AddNote(e.ctx, e.agent(), id, "I know this customer."); err != nil {
					e.t.Fatal(err)
				}
			}, false},
		}
		e := newEnv(t, dsn)
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.t = t
				from := fmt.Sprintf("Alice <alice%d@customer.test>", i)
				_, id := e.newConversationFrom(from, fmt.Sprintf("<case%d@customer.test>", i))
				tk := e.ticket(id)
				msgs := e.messages(tk.ID)
				if len(e.acks(tk.ID)) != 1 {
					t.Fatalf("want the acknowledgement stored after the customer's message: %d messages", len(msgs))
				}
				seen := msgs[0].ID // the customer's first message; the acknowledgement after it stops nothing
				me := e.agent()
				c.between(e, tk.ID, from)
				_, err := e.svc.Reply(e.ctx, me, tk.ID, ticket.ReplyInput{Body: "Sorry to hear that.", AfterMessageID: seen})
				var newer *ticket.NewerMessagesError
				if !c.stopped {
					if err != nil {
						t.Fatalf("reply refused: %v", err)
					}
					return
				}
				if !errors.As(err, &newer) || len(newer.Messages) != 1 || newer.Messages[0].ID <= seen {
					t.Fatalf("want a refusal with the newer message, got %v", err)
				}
				if de, ok := domain.As(err); !ok || de.Kind != domain.KindConflict {
					t.Fatalf("the refusal is a conflict: %v", err)
				}
				before := len(e.messages(tk.ID))
				// Having read it, a reply after it goes; so does force.
				if _, err := e.svc.Reply(e.ctx, me, tk.ID, ticket.ReplyInput{Body: "Read it.", AfterMessageID: newer.Messages[0].ID}); err != nil {
					t.Fatalf("after the newest: %v", err)
				}
				if _, err := e.svc.Reply(e.ctx, me, tk.ID, ticket.ReplyInput{Body: "Anyway.", AfterMessageID: seen, Force: true}); err != nil {
					t.Fatalf("forced: %v", err)
				}
				if got := len(e.messages(tk.ID)); got != before+2 {
					t.Fatalf("messages %d, want %d", got, before+2)
				}
			})
		}
	})
}

// TestReplyAfterMessageOfAnotherTicket: the id must be one of the ticket's
// messages (422 naming after_message_id), so a typo cannot skip the check.
func TestReplyAfterMessageOfAnotherTicket(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		_, other := e.newConversationFrom("Bob <bob@else.test>", "<other@else.test>")
		for _, id := range []int64{e.messages(other)[0].ID, 999999, -1} {
			_, err := e.svc.Reply(e.ctx, e.agent(), tk.ID, ticket.ReplyInput{Body: "x", AfterMessageID: id})
			if de, ok := domain.As(err); !ok || de.Kind != domain.KindInvalid || de.Field != "after_message_id" {
				t.Fatalf("after %d: %v", id, err)
			}
		}
	})
}

// TestNewerMessagesCapped: a refusal carries at most NewerMessagesMax
// messages, the oldest first.
func TestNewerMessagesCapped(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		seen := e.messages(tk.ID)[0].ID
		for range ticket.NewerMessagesMax + 1 {
			if _, err := e.svc.Reply(e.ctx, e.agent(), tk.ID, ticket.ReplyInput{Body: "me too"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.Reply(e.ctx, e.agent(), tk.ID, ticket.ReplyInput{Body: "late", AfterMessageID: seen})
		var newer *ticket.NewerMessagesError
		if !errors.As(err, &newer) || len(newer.Messages) != ticket.NewerMessagesMax {
			t.Fatalf("want %d messages, got %v", ticket.NewerMessagesMax, err)
		}
		for i := 1; i < len(newer.Messages); i++ {
			if newer.Messages[i].ID < newer.Messages[i-1].ID {
				t.Fatal("not oldest first")
			}
		}
	})
}
