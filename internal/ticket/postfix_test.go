package ticket_test

import (
	"bytes"
	"fmt"
	netmail "net/mail"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout/postfixtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// TestRepliesThroughPostfix: the acknowledgement and an agent's reply go
// through a real Postfix and land in the customer's Maildir with their
// threading headers; only the acknowledgement is Auto-Submitted.
func TestRepliesThroughPostfix(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		pf := postfixtest.Start(t, postfixtest.Options{Listeners: []postfixtest.Listener{{Name: "smtp"}}, Mailboxes: []string{"alice@customer.test"}})
		o := newOutEnv(t, dsn, nil)
		o.setRelayURL(fmt.Sprintf("smtp://127.0.0.1:%d?tls=none", pf.Port("smtp")))
		o.baseURL = "https://help.acme.test"
		svc := o.service(t, nil)
		if err := o.send(svc, 1); err != nil {
			t.Fatalf("%v\n%s", err, pf.Log())
		}
		uid, err := o.st.CreateUser(o.ctx, store.User{Email: "bob@acme.test", Name: "Bob Agent", Role: "agent", CreatedAt: o.now})
		if err != nil {
			t.Fatal(err)
		}
		reply, err := svc.Reply(o.ctx, store.User{ID: uid, Email: "bob@acme.test", Name: "Bob Agent", Role: "agent"}, o.ticket, ticket.ReplyInput{Body: "We are on it."})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SendMessage(o.ctx, reply.ID, 1, 12); err != nil {
			t.Fatal(err)
		}
		ack := o.ack()
		byID := map[string]netmail.Header{}
		for _, raw := range pf.Messages(t, "alice@customer.test", 2) {
			m, err := netmail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			byID[strings.Trim(m.Header.Get("Message-Id"), "<>")] = m.Header
		}
		for _, tc := range []struct {
			name, id, autoSubmitted string
		}{
			{"acknowledgement", ack.MessageID, "auto-replied"},
			{"reply", reply.MessageID, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h, ok := byID[tc.id]
				if !ok {
					t.Fatalf("no message %s in the Maildir (have %v)\n%s", tc.id, keys(byID), pf.Log())
				}
				checks := map[string]bool{
					"Return-Path is the mailbox":         h.Get("Return-Path") == "<support@acme.test>",
					"In-Reply-To the customer's message": h.Get("In-Reply-To") == "<m1@customer.test>",
					"References the customer's message":  strings.Contains(h.Get("References"), "<m1@customer.test>"),
					"ticket header":                      h.Get("X-Ticketer-Ticket") == fmt.Sprint(o.ticket),
					"Auto-Submitted":                     h.Get("Auto-Submitted") == tc.autoSubmitted,
					"EHLO is the base URL's host":        strings.Contains(h.Get("Received"), "from help.acme.test"),
					"subject carries the ticket number":  strings.Contains(h.Get("Subject"), fmt.Sprintf("[#%d]", o.ticket)),
				}
				for what, ok := range checks {
					if !ok {
						t.Errorf("%s: %v", what, h)
					}
				}
			})
		}
		for _, id := range []int64{ack.ID, reply.ID} {
			if m, err := o.st.GetMessage(o.ctx, o.st.DB(), id); err != nil || m.DeliveryStatus != store.DeliverySent {
				t.Fatalf("message %d: %s (%v)", id, m.DeliveryStatus, err)
			}
		}
	})
}

func keys(m map[string]netmail.Header) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
