package imap_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/mailbox/imap/imaptest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// startMemServer runs go-imap's in-memory server; idle=false leaves IDLE
// out of its capabilities.
func startMemServer(t testing.TB, idle bool) server {
	t.Helper()
	return server{addr: imaptest.StartMemServer(t, idle), user: imaptest.User, pass: imaptest.Password}
}

func TestMemServerStory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		runStory(t, startMemServer(t, true), dsn)
	})
}

// A server without IDLE is polled.
func TestPollingWithoutIdle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		srv := startMemServer(t, false)
		srv.appendMsgs(t, "INBOX", testMsg("first"))
		h := newHarness(t, dsn, "imap://agent:secret@"+srv.addr+"/INBOX?tls=none", func(c *imap.Config) {
			c.PollInterval = 100 * time.Millisecond
		})
		h.start()
		h.waitTicket("first")
		srv.appendMsgs(t, "INBOX", testMsg("polled"))
		h.waitTicket("polled")
		if c := h.counts(); c.inbound != 2 || c.messages != 2 {
			t.Fatalf("counts: %+v", c)
		}
	})
}

// Wrong credentials put the mailbox in error with the reason and keep retrying.
func TestLoginFailureShowsOnMailbox(t *testing.T) {
	srv := startMemServer(t, true)
	h := newHarness(t, storetest.SQLiteURL(t), "imap://agent:wrong@"+srv.addr+"/INBOX?tls=none", nil)
	h.start()
	st := waitStatus(t, h, func(s store.SyncStatus) bool { return s.Status == store.SyncError })
	if st.ErrorSince.IsZero() || st.LastError == "" {
		t.Fatalf("status: %+v", st)
	}
	first := st.ErrorSince
	// Later failures keep the time of the first one. The marker proves a
	// later failure was written: only the next retry replaces it.
	const marker = "test marker: replaced by the next failure"
	if _, err := h.db.W().Exec(h.ctx, `UPDATE mailboxes SET last_error = $1 WHERE id = $2`, marker, h.mb); err != nil {
		t.Fatal(err)
	}
	later := waitStatus(t, h, func(s store.SyncStatus) bool { return s.LastError != marker })
	if later.Status != store.SyncError || later.LastError == "" || !later.ErrorSince.Equal(first) {
		t.Fatalf("a later failure must keep the first one's time %v: %+v", first, later)
	}
}

// The sent folder is synced too: a reply an agent wrote from their own mail
// client lands on the customer's ticket through threading.
func TestSentFolderRepliesLandOnTheTicket(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		srv := startMemServer(t, true)
		srv.create(t, "Sent")
		question := "From: Dana <dana@customer.test>\r\nTo: support@acme.test\r\nSubject: Broken widget\r\n" +
			"Message-ID: <q1@customer.test>\r\nDate: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nMy widget is broken.\r\n"
		answer := "From: Support <support@acme.test>\r\nTo: dana@customer.test\r\nSubject: Re: Broken widget\r\n" +
			"Message-ID: <a1@acme.test>\r\nIn-Reply-To: <q1@customer.test>\r\nReferences: <q1@customer.test>\r\n" +
			"Date: Mon, 02 Nov 2026 11:00:00 +0000\r\n\r\nPlease try turning it off and on.\r\n"
		srv.appendMsgs(t, "INBOX", []byte(question))
		srv.appendMsgs(t, "Sent", []byte(answer))
		h := newHarness(t, dsn, "imap://agent:secret@"+srv.addr+"/INBOX?tls=none&sent=Sent", nil)
		h.start()
		h.waitUntil("both messages", func(c counts) bool { return c.inbound == 2 && c.pending == 0 })
		if n := h.count(`SELECT count(*) FROM tickets`); n != 1 {
			t.Fatalf("tickets: %d, want the reply on the question's ticket", n)
		}
		if n := h.count(`SELECT count(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id WHERE m.message_id IN ('q1@customer.test', 'a1@acme.test') OR m.message_id IN ('<q1@customer.test>', '<a1@acme.test>')`); n != 2 {
			t.Fatalf("messages on the ticket: %d", n)
		}
		if n := h.count(`SELECT count(*) FROM inbound WHERE source = 'imap-sent' AND provider_id LIKE 'imap-sent:%'`); n != 1 {
			t.Fatalf("sent-folder inbound rows: %d", n)
		}
		// The agent's answer is ours, already delivered: not a customer's message.
		if n := h.count(`SELECT count(*) FROM messages WHERE kind = 'outbound' AND delivery_status = 'sent' AND subject = 'Re: Broken widget'`); n != 1 {
			t.Fatalf("the sent-folder answer is not stored as our delivered reply")
		}
	})
}

// A backfill from a day skips older mail; later mail is still synced.
func TestBackfillSince(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		srv := startMemServer(t, true)
		old, recent := testMsg("old"), testMsg("recent")
		c := srv.client(t)
		for _, m := range []struct {
			raw  []byte
			date time.Time
		}{{old, time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC)}, {recent, time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)}} {
			cmd := c.Append("INBOX", int64(len(m.raw)), &goimap.AppendOptions{Time: m.date})
			if _, err := cmd.Write(m.raw); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := cmd.Wait(); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		h := newHarness(t, dsn, "imap://agent:secret@"+srv.addr+"/INBOX?tls=none", nil)
		if err := h.st.SetConnectorSettings(h.ctx, h.mb, "imap", "", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		h.start()
		h.waitTicket("recent")
		waitStatus(t, h, func(s store.SyncStatus) bool { return s.Backfilled })
		srv.appendMsgs(t, "INBOX", testMsg("new"))
		h.waitTicket("new")
		if h.ticketWithSubject("old") || h.counts().inbound != 2 {
			t.Fatalf("mail before the backfill day was fetched: %+v", h.counts())
		}
	})
}

// failingReceiver fails one delivery, like a database that is briefly down.
type failingReceiver struct {
	mailbox.Receiver
	n, failAt int
}

func (f *failingReceiver) Receive(ctx context.Context, r ticket.Received) (int64, error) {
	f.n++
	if f.n == f.failAt {
		return 0, errors.New("database unavailable")
	}
	return f.Receiver.Receive(ctx, r)
}

// The resume point only moves past messages that were committed: a failed
// delivery is fetched again, the ones before it are not.
func TestResumePointOnlyAfterCommit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		srv := startMemServer(t, true)
		for i := range 5 {
			srv.appendMsgs(t, "INBOX", testMsg(fmt.Sprintf("resume %d", i)))
		}
		h := newHarness(t, dsn, "imap://x:y@127.0.0.1/INBOX", nil)
		cfg, err := imap.ParseURL("imap://agent:secret@" + srv.addr + "/INBOX?tls=none&batch=10")
		if err != nil {
			t.Fatal(err)
		}
		recv := &failingReceiver{Receiver: h.svc, failAt: 4}
		conn := imap.New(cfg, mailbox.NewHost(h.st, recv, h.mb, "support@acme.test", slog.New(slog.DiscardHandler)))
		defer conn.Close()
		if err := conn.Sync(h.ctx); err == nil || !strings.Contains(err.Error(), "database unavailable") {
			t.Fatalf("sync: %v", err)
		}
		c, err := h.st.GetConnector(h.ctx, h.mb)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(c.SyncState, `"last_uid":3`) {
			t.Fatalf("state after the failure: %s", c.SyncState)
		}
		if err := conn.Sync(h.ctx); err != nil {
			t.Fatal(err)
		}
		got := h.waitUntil("all five", func(c counts) bool { return c.messages == 5 && c.pending == 0 })
		if got.inbound != 5 {
			t.Fatalf("re-fetched committed messages: %+v", got)
		}
	})
}
