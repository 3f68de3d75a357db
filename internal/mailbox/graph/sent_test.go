package graph_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mailbox/graph"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// With Sent Items synced, a reply written in Outlook lands on its ticket
// as our delivered reply; a reply sent through Ticketer, whose copy
// Exchange keeps in Sent Items, is not doubled (same Message-ID).
func TestSentItemsSynced(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s := newSetup(t, dsn)
		ctx := s.env.Ctx
		s.ms.add(fakeAccount, "AAMk-q1", day, customerMail("q1@customer.test", fakeAccount, "Broken widget"))
		conn := s.connect(t, graph.Credentials{Account: fakeAccount, SyncSent: true}, nil)
		if err := conn.Backfill(ctx, time.Time{}); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if n := s.env.Count(`SELECT count(*) FROM tickets`); n != 1 {
			t.Fatalf("tickets: %d", n)
		}
		fromOutlook := "From: Agent <" + fakeAccount + ">\r\nTo: Erin <erin@customer.test>\r\nSubject: Re: Broken widget\r\n" +
			"Message-ID: <outlook1@contoso.test>\r\nIn-Reply-To: <q1@customer.test>\r\nReferences: <q1@customer.test>\r\n" +
			"Date: Mon, 02 Nov 2026 11:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTry turning it off and on.\r\n"
		s.ms.with(func() { s.ms.addTo(fakeAccount, "sentitems", "AAMk-s1", day.Add(time.Hour), []byte(fromOutlook)) })
		if err := conn.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if n := s.env.Count(`SELECT count(*) FROM tickets`); n != 1 {
			t.Fatalf("tickets after the Outlook reply: %d, want it on the question's ticket", n)
		}
		if n := s.env.Count(`SELECT count(*) FROM messages WHERE kind = 'outbound' AND delivery_status = 'sent' AND message_id IN ('outlook1@contoso.test', '<outlook1@contoso.test>')`); n != 1 {
			t.Fatalf("the Outlook reply is not our delivered reply (%d)", n)
		}
		if n := s.env.Count(`SELECT count(*) FROM inbound WHERE source = 'graph-sent' AND provider_id = 'graph:AAMk-s1'`); n != 1 {
			t.Fatalf("sent-items inbound rows: %d", n)
		}

		// A reply through Ticketer, sent by Graph, copied to Sent Items.
		var ticketID int64
		if err := s.env.DB.W().QueryRow(ctx, `SELECT id FROM tickets`).Scan(&ticketID); err != nil {
			t.Fatal(err)
		}
		uid, err := s.env.Store.CreateUser(ctx, store.User{Email: "ann@contoso.test", Name: "Ann", Role: domain.RoleAgent, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := s.env.Svc.Reply(ctx, store.User{ID: uid, Email: "ann@contoso.test", Name: "Ann", Role: domain.RoleAgent}, ticketID, ticket.ReplyInput{Body: "Did that help?"})
		if err != nil {
			t.Fatal(err)
		}
		before := s.env.Count(`SELECT count(*) FROM messages WHERE ticket_id = $1`, ticketID)
		ours := "From: Agent <" + fakeAccount + ">\r\nTo: Erin <erin@customer.test>\r\nSubject: Re: Broken widget\r\n" +
			"Message-ID: <" + msg.MessageID + ">\r\nIn-Reply-To: <outlook1@contoso.test>\r\n" +
			"Date: Mon, 02 Nov 2026 12:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDid that help?\r\n"
		if err := conn.Send(ctx, fakeAccount, []string{"erin@customer.test"}, []byte(ours)); err != nil {
			t.Fatal(err)
		}
		if err := conn.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		s.env.Settled()
		if n := s.env.Count(`SELECT count(*) FROM inbound WHERE source = 'graph-sent'`); n != 2 {
			t.Fatalf("the Sent Items copy of our reply was not read: %d sent-items rows", n)
		}
		if after := s.env.Count(`SELECT count(*) FROM messages WHERE ticket_id = $1`, ticketID); after != before {
			t.Fatalf("our reply doubled: %d messages, %d before its Sent Items copy", after, before)
		}
	})
}

// Without the setting Sent Items is never read.
func TestSentItemsOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	s := newSetup(t, storetest.SQLiteURL(t))
	s.ms.with(func() {
		s.ms.addTo(fakeAccount, "sentitems", "AAMk-s1", day, customerMail("s1@contoso.test", "erin@customer.test", "Hi"))
	})
	conn := s.own(t)
	if err := conn.Backfill(s.env.Ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n := s.ms.requestsTo("/v1.0/me/mailFolders/sentitems/messages/delta"); n != 0 {
		t.Fatalf("sent items read without the setting: %d", n)
	}
}

// sent=true on the connect flow is kept in the sealed credentials.
func TestOAuthSentItemsSetting(t *testing.T) {
	t.Parallel()
	fs := newFlow(t, storetest.SQLiteURL(t))
	alice := fs.browser("alice-session")
	for _, tc := range []struct {
		query string
		want  bool
	}{{"", false}, {"&sent=true", true}} {
		cb, _ := fs.consent(t, alice, fmt.Sprintf("mailbox_id=%d%s", fs.mb, tc.query))
		resp, err := alice.Get(cb.String())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		c, err := fs.env.Store.GetConnector(fs.env.Ctx, fs.mb)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := fs.env.Box.Open(c.Credentials)
		if err != nil || strings.Contains(plain, `"sync_sent":true`) != tc.want {
			t.Fatalf("%q: sealed credentials %q %v", tc.query, plain, err)
		}
	}
	resp, err := alice.Get(fs.srv.URL + fmt.Sprintf("/api/v1/mailboxes/microsoft/oauth/start?mailbox_id=%d&sent=maybe", fs.mb))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "sent must be true or false") {
		t.Fatalf("sent=maybe: %d %s", resp.StatusCode, body)
	}
}

// With notifications, Sent Items has its own subscription: a reply written
// in Outlook arrives on its notification; reconnecting without Sent Items
// drops that subscription.
func TestSentItemsSubscribed(t *testing.T) {
	t.Parallel()
	s := newSubSetup(t, storetest.SQLiteURL(t))
	ctx := s.env.Ctx
	s.ms.add(fakeAccount, "AAMk-q1", day, customerMail("q1@customer.test", fakeAccount, "Broken widget"))
	conn := s.connect(t, graph.Credentials{Account: fakeAccount, SyncSent: true}, nil)
	s.backfilled(t, conn)
	stop := s.watch(t, conn)
	s.env.WaitUntil("two subscriptions, stored", func() bool {
		if len(s.ms.subscriptions()) != 2 {
			return false
		}
		for _, f := range []string{"inbox", "sentitems"} {
			if _, err := s.env.Store.GraphSubscriptionOf(ctx, s.mb, f); err != nil {
				return false
			}
		}
		return true
	})
	var folders []string
	for _, sub := range s.ms.subscriptions() {
		folders = append(folders, sub.folder+" "+sub.resource)
	}
	slices.Sort(folders)
	if !slices.Equal(folders, []string{"inbox /me/mailFolders('inbox')/messages", "sentitems /me/mailFolders('sentitems')/messages"}) {
		t.Fatalf("subscriptions: %v", folders)
	}
	s.env.WaitUntil("the question", func() bool { return s.env.Messages(s.mb) == 1 })
	fromOutlook := "From: Agent <" + fakeAccount + ">\r\nTo: Erin <erin@customer.test>\r\nSubject: Re: Broken widget\r\n" +
		"Message-ID: <outlook1@contoso.test>\r\nIn-Reply-To: <q1@customer.test>\r\n" +
		"Date: Mon, 02 Nov 2026 11:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTry turning it off and on.\r\n"
	s.ms.with(func() { s.ms.addTo(fakeAccount, "sentitems", "AAMk-s1", day.Add(time.Hour), []byte(fromOutlook)) })
	if codes := s.ms.notifyIn(fakeAccount, "sentitems", "AAMk-s1", ""); !slices.Equal(codes, []int{http.StatusAccepted}) {
		t.Fatalf("notification answered %v", codes)
	}
	s.env.WaitUntil("the Outlook reply on the ticket", func() bool {
		return s.env.Count(`SELECT count(*) FROM messages WHERE kind = 'outbound' AND delivery_status = 'sent'`) == 1
	})
	stop()

	// The notification's sync job may still run: the refresh token it
	// rotates must not bring Sent Items back over this reconnection.
	conn = s.connect(t, graph.Credentials{Account: fakeAccount}, nil)
	s.backfilled(t, conn)
	stop = s.watch(t, conn)
	defer stop()
	s.env.WaitUntil("the Sent Items subscription dropped", func() bool {
		subs := s.ms.subscriptions()
		return len(subs) == 1 && subs[0].folder == "inbox"
	})
}
