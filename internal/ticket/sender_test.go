package ticket_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// The acknowledgement and the replies carry the ticket number in one form.
func TestAckAndReplyShareTheSubjectForm(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o, reply := replyEnv(t, dsn)
		want := mail.TicketSubject("Printer", o.ticket)
		if ack := o.ack(); ack.Subject != want || reply.Subject != want {
			t.Fatalf("acknowledgement %q, reply %q, want both %q", ack.Subject, reply.Subject, want)
		}
	})
}

// With the mailbox's setting, a reply comes from "Agent Name via Mailbox";
// without it, from the mailbox's name alone.
func TestReplySenderName(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		agent := store.User{Email: "bob@acme.test", Name: "Bob Agent", Role: domain.RoleAgent, CreatedAt: o.now}
		var err error
		if agent.ID, err = o.st.CreateUser(o.ctx, agent); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			on   bool
			want string
		}{{false, "Acme Support"}, {true, "Bob Agent via Acme Support"}} {
			t.Run(fmt.Sprint(c.on), func(t *testing.T) {
				mb, err := o.svc.UpdateMailbox(o.ctx, o.mb, ticket.MailboxUpdate{SenderAgentName: &c.on})
				if err != nil || mb.SenderAgentName != c.on {
					t.Fatalf("update: %+v %v", mb, err)
				}
				reply, err := o.svc.Reply(o.ctx, agent, o.ticket, ticket.ReplyInput{Body: "On it."})
				if err != nil {
					t.Fatal(err)
				}
				raw, err := o.blobs.Get(o.ctx, reply.RawKey)
				if err != nil {
					t.Fatal(err)
				}
				if reply.From.Name != c.want || !strings.Contains(string(raw), "From: \""+c.want+"\" <support@acme.test>") {
					t.Fatalf("from %q; raw:\n%s", reply.From.Name, raw[:min(len(raw), 400)])
				}
			})
		}
	})
}

// Marking a mailbox for system mail unmarks the others.
func TestOneSystemMailbox(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		yes := true
		for _, id := range []int64{e.mb, e.mb2} {
			if _, err := e.svc.UpdateMailbox(e.ctx, id, ticket.MailboxUpdate{SystemMail: &yes}); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.count(`SELECT count(*) FROM mailboxes WHERE system_mail`); n != 1 {
			t.Fatalf("%d mailboxes marked", n)
		}
		if n := e.count(`SELECT count(*) FROM mailboxes WHERE system_mail AND id = $1`, e.mb2); n != 1 {
			t.Fatal("the last marked is not the one")
		}
	})
}

// A reply ends with the ticket's "view this ticket online" link, in its
// text and HTML parts, when a base URL is configured and the mailbox is
// open to the portal; without either, no link.
func TestReplyPortalLink(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		agent := store.User{Email: "bob@acme.test", Name: "Bob Agent", Role: domain.RoleAgent, CreatedAt: o.now}
		var err error
		if agent.ID, err = o.st.CreateUser(o.ctx, agent); err != nil {
			t.Fatal(err)
		}
		link := fmt.Sprintf("https://help.acme.test/portal/tickets/%d", o.ticket)
		for _, c := range []struct {
			name    string
			baseURL string
			portal  bool
			want    bool
		}{{"portal mailbox", "https://help.acme.test/", true, true}, {"mailbox not in the portal", "https://help.acme.test/", false, false},
			{"no base URL", "", true, false}} {
			t.Run(c.name, func(t *testing.T) {
				o.baseURL = c.baseURL
				svc := o.service(t, nil)
				if _, err := svc.UpdateMailbox(o.ctx, o.mb, ticket.MailboxUpdate{Portal: &c.portal}); err != nil {
					t.Fatal(err)
				}
				reply, err := svc.Reply(o.ctx, agent, o.ticket, ticket.ReplyInput{Body: "On it."})
				if err != nil {
					t.Fatal(err)
				}
				raw, err := o.blobs.Get(o.ctx, reply.RawKey)
				if err != nil {
					t.Fatal(err)
				}
				m, err := mail.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				text := strings.Contains(m.Text, "On it.\n\nView this ticket online: "+link+"\n")
				html := strings.Contains(m.HTML, `<p><a href="`+link+`">View this ticket online</a></p>`)
				if text != c.want || html != c.want || strings.Contains(string(raw), "/portal/") != c.want {
					t.Fatalf("link in text %v, in HTML %v, want %v:\n%s\n%s", text, html, c.want, m.Text, m.HTML)
				}
			})
		}
	})
}
