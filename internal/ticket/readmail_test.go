package ticket_test

import (
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestMailboxReads: mailboxes and received mail are read through the
// service, which refuses a state of received mail that does not exist.
func TestMailboxReads(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true})
		mb := e.Mailbox("support@acme.test", "smtp")
		viewer := store.User{ID: 1, Role: domain.RoleAgent}
		list, err := e.Svc.Mailboxes(e.Ctx, viewer)
		if err != nil || len(list) != 1 || list[0].ID != mb {
			t.Fatalf("mailboxes %+v, %v", list, err)
		}
		if m, err := e.Svc.Mailbox(e.Ctx, viewer, mb); err != nil || m.Address != "support@acme.test" {
			t.Fatalf("mailbox %+v, %v", m, err)
		}
		for _, status := range ticket.InboundStatuses() {
			if _, err := e.Svc.Inbound(e.Ctx, viewer, status, 10); err != nil {
				t.Errorf("inbound %s: %v", status, err)
			}
		}
		_, err = e.Svc.Inbound(e.Ctx, viewer, "lost", 10)
		if de, ok := domain.As(err); !ok || de.Kind != domain.KindBadRequest || de.Field != "status" {
			t.Fatalf("inbound lost: %v, want a bad request on status", err)
		}
	})
}
