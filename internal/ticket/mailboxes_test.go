package ticket_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestMailboxChecks: a mailbox's name (1 to 200 characters) and
// acknowledgement templates are checked on creation and change; its
// default team must exist; without a relay, its test names the outbox.
func TestMailboxChecks(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		bad := "Re: {{ .Subject"
		for _, c := range []struct {
			in    ticket.MailboxInput
			field string
		}{
			{ticket.MailboxInput{Name: " ", Address: "a@acme.test"}, "name"},
			{ticket.MailboxInput{Name: strings.Repeat("x", 201), Address: "a@acme.test"}, "name"},
			{ticket.MailboxInput{Name: "A", Address: "a@acme.test", AckSubject: bad}, "ack_subject"},
			{ticket.MailboxInput{Name: "A", Address: "a@acme.test", AckBody: bad}, "ack_body"},
		} {
			if _, err := e.svc.CreateMailbox(e.ctx, c.in); !isField(err, domain.KindInvalid, c.field) {
				t.Errorf("create %+v: %v, want refused on %s", c.in, err, c.field)
			}
		}
		for _, c := range []struct {
			in    ticket.MailboxUpdate
			field string
		}{
			{ticket.MailboxUpdate{Name: ptr("")}, "name"},
			{ticket.MailboxUpdate{Name: ptr(strings.Repeat("x", 201))}, "name"},
			{ticket.MailboxUpdate{AckSubject: &bad}, "ack_subject"},
			{ticket.MailboxUpdate{AckBody: &bad}, "ack_body"},
		} {
			if _, err := e.svc.UpdateMailbox(e.ctx, e.mb, c.in); !isField(err, domain.KindInvalid, c.field) {
				t.Errorf("update %+v: %v, want refused on %s", c.in, err, c.field)
			}
		}
		long := strings.Repeat("x", 200)
		if mb, err := e.svc.UpdateMailbox(e.ctx, e.mb, ticket.MailboxUpdate{Name: ptr(" " + long + " "), AckSubject: ptr("Re: {{ .Subject }}")}); err != nil || mb.Name != long {
			t.Fatalf("the longest name: %+v %v", mb.Name, err)
		}
		if _, err := e.svc.CreateMailbox(e.ctx, ticket.MailboxInput{Name: "Teamless", Address: "teamless@acme.test", TeamID: 999999}); err == nil {
			t.Fatal("a mailbox with a team that does not exist was created")
		}
		team, err := e.svc.CreateTeam(e.ctx, e.agent(), ticket.TeamInput{Name: ptr("Billing")})
		if err != nil {
			t.Fatal(err)
		}
		mb, err := e.svc.CreateMailbox(e.ctx, ticket.MailboxInput{Name: " " + long, Address: " Billing@Acme.test ", TeamID: team.ID,
			IMAPSince: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil || mb.Name != long || mb.Address != "billing@acme.test" || mb.TeamID != team.ID || !mb.AckEnabled || mb.Provider != "smtp" {
			t.Fatalf("created %+v %v", mb, err)
		}
		got, err := e.svc.TestMailbox(e.ctx, mb.ID)
		if err != nil || !got.OK || got.Transport != "outbox" || !strings.HasSuffix(got.Message, e.outbox) {
			t.Fatalf("tested %+v %v", got, err)
		}
	})
}
