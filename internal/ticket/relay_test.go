package ticket_test

import (
	"crypto/tls"
	"net/netip"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout/smtpouttest"
	"github.com/ticketer/ticketer/internal/netguard"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// setRelayURL stores a relay URL on the mailbox, sealed, as a saved one is.
func (o *outEnv) setRelayURL(raw string) {
	o.t.Helper()
	box, _ := secret.ParseKeys(testKey)
	sealed, err := box.Seal(raw)
	if err != nil {
		o.t.Fatal(err)
	}
	if _, err := o.st.DB().Exec(o.ctx, `UPDATE mailboxes SET smtp_relay = $1 WHERE id = $2`, sealed, o.mb); err != nil {
		o.t.Fatal(err)
	}
}

func (o *outEnv) mailbox() store.Mailbox {
	o.t.Helper()
	mb, err := o.st.GetMailbox(o.ctx, o.st.DB().W(), o.mb)
	if err != nil {
		o.t.Fatal(err)
	}
	return mb
}

func (o *outEnv) sendJobs() int {
	return o.count(`SELECT count(*) FROM river_job WHERE kind = 'send_message'`)
}

// waitingForMailbox sends once through a relay that cannot work (STARTTLS
// required, not offered) and checks the mail waits and the mailbox says why.
func (o *outEnv) waitingForMailbox() {
	o.t.Helper()
	if err := o.send(o.svc, 1); err != nil {
		o.t.Fatalf("a configuration error must end the job, got %v", err)
	}
	m, mb := o.ack(), o.mailbox()
	if m.DeliveryStatus != store.DeliveryWaiting || m.DeliveryAttempts != 1 || !strings.Contains(m.DeliveryError, "STARTTLS is required") {
		o.t.Fatalf("message: %s attempts=%d %q", m.DeliveryStatus, m.DeliveryAttempts, m.DeliveryError)
	}
	if mb.RelayError != m.DeliveryError || !mb.RelayErrorSince.Equal(o.now) {
		o.t.Fatalf("mailbox error %q since %v; message error %q", mb.RelayError, mb.RelayErrorSince, m.DeliveryError)
	}
}

func TestRelayThatCannotWorkWaitsForTheMailbox(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		o.relay.start(t)
		o.setRelayURL("smtp://" + o.relay.addr + "?tls=starttls")
		o.waitingForMailbox()
		o.sawDeliveryEvent()
		// A job run again (a crash, a rescue) leaves it alone.
		if err := o.send(o.svc, 2); err != nil {
			t.Fatal(err)
		}
		if m := o.ack(); m.DeliveryStatus != store.DeliveryWaiting || m.DeliveryAttempts != 1 {
			t.Fatalf("run again: %s attempts=%d", m.DeliveryStatus, m.DeliveryAttempts)
		}
		// "Test connection" reports the same words.
		res, err := o.svc.TestMailbox(o.ctx, o.mb)
		if err != nil || res.OK || res.Message != o.mailbox().RelayError {
			t.Fatalf("test: %+v (%v); mailbox says %q", res, err, o.mailbox().RelayError)
		}
		// Saving the fixed relay queues the mail again, with a new job.
		jobs := o.sendJobs()
		fixed := "smtp://" + o.relay.addr
		if _, err := o.svc.UpdateMailbox(o.ctx, o.mb, ticket.MailboxUpdate{SMTPRelay: &fixed}); err != nil {
			t.Fatal(err)
		}
		if m, mb := o.ack(), o.mailbox(); m.DeliveryStatus != store.DeliveryQueued || mb.RelayError != "" || !mb.RelayErrorSince.IsZero() {
			t.Fatalf("after save: message %s, mailbox error %q", m.DeliveryStatus, mb.RelayError)
		}
		if n := o.sendJobs(); n != jobs+1 {
			t.Fatalf("send jobs %d -> %d, want one more", jobs, n)
		}
		if len(o.relay.deliveries()) != 0 {
			t.Fatal("delivered while waiting")
		}
		if err := o.send(o.svc, 1); err != nil {
			t.Fatal(err)
		}
		o.checkOneDelivery()
		if m := o.ack(); m.DeliveryStatus != store.DeliverySent {
			t.Fatalf("after the fix: %s %q", m.DeliveryStatus, m.DeliveryError)
		}
	})
}

// TestConnectionTestResumesWaitingMail: the relay is fixed on its side (it
// now offers STARTTLS); a passing test sends what waited.
func TestConnectionTestResumesWaitingMail(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		o.relay.start(t)
		o.setRelayURL("smtp://" + o.relay.addr + "?tls=starttls&insecure=1")
		o.waitingForMailbox()
		if err := o.relay.srv.Close(); err != nil {
			t.Fatal(err)
		}
		o.relay.tls = &tls.Config{Certificates: []tls.Certificate{smtpouttest.SelfSigned(t)}}
		o.relay.start(t)
		res, err := o.svc.TestMailbox(o.ctx, o.mb)
		if err != nil || !res.OK || !strings.Contains(res.Message, "1 waiting message(s) queued again") || !strings.Contains(res.Message, "Warning: insecure=1") {
			t.Fatalf("test: %+v (%v)", res, err)
		}
		if m, mb := o.ack(), o.mailbox(); m.DeliveryStatus != store.DeliveryQueued || mb.RelayError != "" {
			t.Fatalf("after the test: message %s, mailbox error %q", m.DeliveryStatus, mb.RelayError)
		}
		if err := o.send(o.svc, 1); err != nil {
			t.Fatal(err)
		}
		o.checkOneDelivery()
	})
}

func TestSavedRelayOptions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		for _, tc := range []struct{ url, errHas string }{
			{"smtp://relay.example.com?tls=maybe", `tls must be starttls, opportunistic or none, got "maybe"`},
			{"smtp://relay.example.com?tls=none", "tls=none is only allowed for a relay on this machine"},
			{"smtp://relay.example.com?ca=/nonexistent/ca.pem", "ca file"},
			{"smtp://relay.example.com?helo=localhost", "helo must be"},
		} {
			t.Run(tc.url, func(t *testing.T) {
				_, err := o.svc.CreateMailbox(o.ctx, ticket.MailboxInput{Name: "New", Address: "new@acme.test", SMTPRelay: tc.url})
				fe, ok := domain.As(err)
				if !ok || fe.Kind != domain.KindInvalid || fe.Field != "smtp_relay" || !strings.Contains(fe.Message, tc.errHas) {
					t.Fatalf("create: %v, want a smtp_relay field error containing %q", err, tc.errHas)
				}
				_, err = o.svc.UpdateMailbox(o.ctx, o.mb, ticket.MailboxUpdate{SMTPRelay: &tc.url})
				if fe, ok = domain.As(err); !ok || fe.Field != "smtp_relay" {
					t.Fatalf("update: %v, want a smtp_relay field error", err)
				}
			})
		}
		mb, err := o.svc.CreateMailbox(o.ctx, ticket.MailboxInput{Name: "New", Address: "new@acme.test", SMTPRelay: "smtp://relay.example.com?insecure=1"})
		if err != nil || !strings.Contains(mb.RelayWarning, "not verified") {
			t.Fatalf("insecure=1: warning %q (%v)", mb.RelayWarning, err)
		}
		verified := "smtp://relay.example.com?tls=starttls"
		if mb, err = o.svc.UpdateMailbox(o.ctx, mb.ID, ticket.MailboxUpdate{SMTPRelay: &verified}); err != nil || mb.RelayWarning != "" {
			t.Fatalf("verified again: warning %q (%v)", mb.RelayWarning, err)
		}
	})
}

func TestHeloDefault(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"https://help.acme.test", "help.acme.test"},
		{"http://127.0.0.1:8080", "acme.test"},
	} {
		t.Run(tc.base, func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, dsn string) {
				o := newOutEnv(t, dsn, nil)
				o.relay.start(t)
				o.baseURL = tc.base
				if err := o.send(o.service(t, nil), 1); err != nil {
					t.Fatal(err)
				}
				o.relay.mu.Lock()
				defer o.relay.mu.Unlock()
				if len(o.relay.helos) != 1 || o.relay.helos[0] != tc.want {
					t.Fatalf("EHLO %v, want %s", o.relay.helos, tc.want)
				}
			})
		})
	}
}

// TestRelayTestGoesThroughTheGuard: "test connection" may not probe a
// loopback or private port (a port scan from the server) unless the
// operator allows the address; sends to the configured relay are not
// guarded (a relay on the LAN or on this host is ordinary).
func TestRelayTestGoesThroughTheGuard(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		o := newOutEnv(t, dsn, nil)
		o.relay.start(t)
		refused := o.guardedService(t, nil, &netguard.Guard{})
		res, err := refused.TestMailbox(o.ctx, o.mb)
		if err != nil || res.OK || !strings.Contains(res.Message, "TICKETER_ALLOW_PRIVATE_TARGETS") {
			t.Fatalf("test of a loopback relay: %+v (%v); want it refused, naming the setting", res, err)
		}
		if mb := o.mailbox(); mb.RelayError != "" {
			t.Fatalf("a refused test is not the relay's error: %q", mb.RelayError)
		}
		allowed := o.guardedService(t, nil, &netguard.Guard{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		if res, err := allowed.TestMailbox(o.ctx, o.mb); err != nil || !res.OK {
			t.Fatalf("test of an allowed relay: %+v (%v)", res, err)
		}
		if err := o.send(refused, 1); err != nil {
			t.Fatal(err)
		}
		o.checkOneDelivery()
	})
}
