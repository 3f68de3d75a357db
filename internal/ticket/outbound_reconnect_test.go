package ticket_test

import (
	"context"
	"errors"
	"testing"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// refusedThenOK refuses the mailbox's credentials until reconnected is set.
type refusedThenOK struct {
	reconnected bool
	sent        int
}

func (r *refusedThenOK) Send(context.Context, string, []string, []byte) error {
	if !r.reconnected {
		return &smtpout.ReconnectError{Err: errors.New("nylas authorization failed: 401")}
	}
	r.sent++
	return nil
}

// A refused credential is not the message's fault: even on its last
// attempt it is retrying (next attempt in ReconnectRetry) and the job is snoozed (attempts not used up),
// then goes out once the mailbox is reconnected.
func TestRefusedCredentialWaitsForReconnection(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		tr := &refusedThenOK{}
		o := newOutEnv(t, dsn, func(store.Mailbox) (smtpout.Sender, error) { return tr, nil })
		err := o.send(o.svc, 12)
		var snooze *river.JobSnoozeError
		if !errors.As(err, &snooze) || snooze.Duration != ticket.ReconnectRetry {
			t.Fatalf("want the job snoozed for %s, got %v", ticket.ReconnectRetry, err)
		}
		if m := o.ack(); m.DeliveryStatus != store.DeliveryRetrying || m.DeliveryError == "" || !m.DeliveryNextAt.Equal(o.now.Add(ticket.ReconnectRetry)) {
			t.Fatalf("waiting message: %s %q", m.DeliveryStatus, m.DeliveryError)
		}
		tr.reconnected = true
		if err := o.send(o.svc, 12); err != nil {
			t.Fatal(err)
		}
		if m := o.ack(); m.DeliveryStatus != store.DeliverySent || tr.sent != 1 {
			t.Fatalf("after reconnection: %s, sent %d", m.DeliveryStatus, tr.sent)
		}
	})
}
