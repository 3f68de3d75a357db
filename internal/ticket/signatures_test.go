package ticket_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestSignaturesAppended: the agent's signature, then the mailbox's, under
// a "-- " line, placeholders filled for the ticket; without them a reply is
// its body alone.
func TestSignaturesAppended(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		_, tk := e.newConversation()
		agent := e.agent()
		m, err := e.svc.Reply(e.ctx, agent, tk.ID, ticket.ReplyInput{Body: "On it."})
		if err != nil {
			t.Fatal(err)
		}
		if m.Text != "On it.\n" {
			t.Fatalf("a reply without signatures is %q", m.Text)
		}
		if err := e.svc.SetMySignature(e.ctx, agent, "{{agent.name}}, for {{requester.first_name}}"); err != nil {
			t.Fatal(err)
		}
		sig := "Acme Support\nTicket #{{ticket.id}}"
		if _, err := e.svc.UpdateMailbox(e.ctx, e.mb, ticket.MailboxUpdate{Signature: &sig}); err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.MySignature(e.ctx, agent); err != nil || got != "{{agent.name}}, for {{requester.first_name}}" {
			t.Fatalf("my signature %q %v", got, err)
		}
		m, err = e.svc.Reply(e.ctx, agent, tk.ID, ticket.ReplyInput{Body: "Fixed.\n"})
		if err != nil {
			t.Fatal(err)
		}
		want := "Fixed.\n\n-- \nAgent, for Alice\n\nAcme Support\nTicket #" + strconv.FormatInt(tk.ID, 10) + "\n"
		if m.Text != want {
			t.Fatalf("reply text %q, want %q", m.Text, want)
		}
	})
}

// TestSignatureRefusals: an unknown placeholder, or one too long, is a 422
// naming the signature.
func TestSignatureRefusals(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		agent := e.agent()
		long := make([]byte, 5000)
		for i := range long {
			long[i] = 'x'
		}
		for _, c := range []struct{ name, sig string }{{"placeholder", "{{agent.nmae}}"}, {"too long", string(long)}} {
			t.Run(c.name, func(t *testing.T) {
				var de *domain.Error
				if err := e.svc.SetMySignature(e.ctx, agent, c.sig); !errors.As(err, &de) || de.Field != "signature" || de.Kind != domain.KindInvalid {
					t.Fatalf("agent: %v", err)
				}
				sig := c.sig
				if _, err := e.svc.UpdateMailbox(e.ctx, e.mb, ticket.MailboxUpdate{Signature: &sig}); !errors.As(err, &de) || de.Field != "signature" {
					t.Fatalf("mailbox: %v", err)
				}
			})
		}
	})
}
