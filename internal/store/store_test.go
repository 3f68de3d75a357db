package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// The conformance suite: every test runs on SQLite and on PostgreSQL.

var t0 = time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)

func open(t *testing.T, dsn string) (*store.Store, context.Context) {
	db := storetest.Open(t, dsn)
	return store.New(db), context.Background()
}

func seed(t testing.TB, s *store.Store, ctx context.Context) (mailboxID, contactID int64) {
	t.Helper()
	mb, err := s.CreateMailbox(ctx, store.Mailbox{Name: "Support", Address: "Support@Example.com", Provider: "smtp", AckEnabled: true, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.UpsertContact(ctx, s.DB().W(), "Alice@Example.org", "Alice", t0)
	if err != nil {
		t.Fatal(err)
	}
	return mb, c
}

func TestMigrateTwice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		db := storetest.Open(t, dsn)
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
	})
}

func TestMailboxes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		id, _ := seed(t, s, ctx)
		mb, err := s.MailboxByAddress(ctx, "support@example.COM")
		if err != nil || mb.ID != id || mb.Address != "support@example.com" || !mb.AckEnabled {
			t.Fatalf("by address: %+v %v", mb, err)
		}
		_, err = s.CreateMailbox(ctx, store.Mailbox{Name: "x", Address: "support@example.com", CreatedAt: t0})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate address: want ErrConflict, got %v", err)
		}
		if _, err := s.MailboxByAddress(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown address: want ErrNotFound, got %v", err)
		}
		list, err := s.ListMailboxes(ctx)
		if err != nil || len(list) != 1 {
			t.Fatalf("list: %v %v", list, err)
		}
	})
}

func TestUsersAndTokens(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		id, err := s.CreateUser(ctx, store.User{Email: "Agent@Example.com", Name: "Agent", Role: "agent", CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, store.User{Email: "agent@example.com", Role: "agent", CreatedAt: t0}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate email: %v", err)
		}
		if _, err := s.CreateAPIToken(ctx, id, "cli", "hash1", t0); err != nil {
			t.Fatal(err)
		}
		u, err := s.UserByTokenHash(ctx, "hash1")
		if err != nil || u.ID != id || u.Email != "agent@example.com" {
			t.Fatalf("by token: %+v %v", u, err)
		}
		if _, err := s.UserByTokenHash(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		if _, err := s.DB().Exec(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, true, id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UserByTokenHash(ctx, "hash1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("disabled user's token must not work: %v", err)
		}
	})
}

func TestContactsUpsert(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		q := s.DB().W()
		a, err := s.UpsertContact(ctx, q, "bob@example.org", "", t0)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.UpsertContact(ctx, q, "BOB@example.org", "Bob", t0)
		if err != nil || a != b {
			t.Fatalf("same contact expected: %d %d %v", a, b, err)
		}
		c, err := s.UpsertContact(ctx, q, "bob@example.org", "Robert", t0)
		if err != nil || c != a {
			t.Fatal(err)
		}
		var name string
		if err := q.QueryRow(ctx, `SELECT name FROM contacts WHERE id = $1`, a).Scan(&name); err != nil || name != "Bob" {
			t.Fatalf("first known name is kept: %q %v", name, err)
		}
	})
}

func TestTicketsListPagingAndFilters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		q := s.DB().W()
		var ids []int64
		for i := range 7 {
			id, err := s.CreateTicket(ctx, q, store.Ticket{Subject: fmt.Sprintf("Printer %d", i), Status: domain.StatusNew, Priority: "normal",
				RequesterID: contact, MailboxID: mb, CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		// Same activity time for two tickets: the id breaks the tie.
		if err := s.TouchTicket(ctx, q, ids[0], t0.Add(10*time.Minute), 2); err != nil {
			t.Fatal(err)
		}
		if err := s.TouchTicket(ctx, q, ids[1], t0.Add(10*time.Minute), 1); err != nil {
			t.Fatal(err)
		}
		// An older time never moves activity back.
		if err := s.TouchTicket(ctx, q, ids[1], t0, 0); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTicketStatus(ctx, q, ids[2], domain.StatusSolved, t0.Add(time.Minute*2)); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Exec(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, 'vip'), ($1, 'billing')`, ids[3]); err != nil {
			t.Fatal(err)
		}
		want := []int64{ids[1], ids[0], ids[6], ids[5], ids[4], ids[3], ids[2]}
		got := listAll(t, s, ctx, store.TicketFilter{Limit: 3})
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("order by activity with paging: got %v want %v", got, want)
		}
		tk, err := s.GetTicket(ctx, q, ids[0])
		if err != nil || tk.MessageCount != 2 || tk.Requester.Email != "alice@example.org" || tk.Assignee != nil {
			t.Fatalf("get: %+v %v", tk, err)
		}
		tk, err = s.GetTicket(ctx, q, ids[3])
		if err != nil || fmt.Sprint(tk.Tags) != "[billing vip]" {
			t.Fatalf("tags: %v %v", tk.Tags, err)
		}
		// The list reads each row's tags with it, sorted; none is an empty list.
		all, err := s.ListTickets(ctx, store.TicketFilter{})
		if err != nil || len(all) != 7 {
			t.Fatalf("list: %d %v", len(all), err)
		}
		for _, tk := range all {
			want := "[]"
			if tk.ID == ids[3] {
				want = "[billing vip]"
			}
			if fmt.Sprint(tk.Tags) != want || tk.Tags == nil {
				t.Fatalf("ticket %d listed with tags %#v, want %s", tk.ID, tk.Tags, want)
			}
		}
		if _, err := s.GetTicket(ctx, q, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing ticket: %v", err)
		}
		cases := []struct {
			name string
			f    store.TicketFilter
			want int
		}{
			{"status solved", store.TicketFilter{Statuses: []string{"solved"}}, 1},
			{"status new or solved", store.TicketFilter{Statuses: []string{"new", "solved"}}, 7},
			{"mailbox", store.TicketFilter{MailboxID: mb}, 7},
			{"other mailbox", store.TicketFilter{MailboxID: mb + 100}, 0},
			{"tag", store.TicketFilter{Tag: "vip"}, 1},
			{"unassigned", store.TicketFilter{Unassigned: true}, 7},
			{"requester", store.TicketFilter{Requester: "ALICE@example.org"}, 7},
			{"query", store.TicketFilter{Query: "printer 5"}, 1},
			{"query with like metacharacters", store.TicketFilter{Query: "%"}, 0},
		}
		for _, c := range cases {
			list, err := s.ListTickets(ctx, c.f)
			if err != nil || len(list) != c.want {
				t.Errorf("%s: got %d tickets, want %d (%v)", c.name, len(list), c.want, err)
			}
		}
	})
}

func TestMessagesDedupeThreadKeysOccurrences(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		db := s.DB()
		var ticketID, msgID int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			ticketID, err = s.CreateTicket(ctx, tx, store.Ticket{Subject: "Hi", Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mb, CreatedAt: t0})
			if err != nil {
				return err
			}
			msgID, err = s.InsertMessage(ctx, tx, store.Message{TicketID: ticketID, Kind: store.KindInbound, MessageID: "a@x", DedupeKey: "mid:a@x",
				References: []string{"r1@x", "r2@x"}, From: store.Address{Email: "Alice@Example.org", Name: "Alice"},
				To: []store.Address{{Email: "support@example.com"}}, Subject: "Hi", Text: "hello", CreatedAt: t0, SentAt: t0})
			if err != nil {
				return err
			}
			if _, err := s.InsertAttachment(ctx, tx, store.Attachment{MessageID: msgID, Filename: "a.pdf", ContentType: "application/pdf", Size: 3, SHA256: "abc", BlobKey: "att/abc"}); err != nil {
				return err
			}
			return s.AddThreadKeys(ctx, tx, ticketID, []string{"a@x", "r1@x", "r2@x"})
		})
		if err != nil {
			t.Fatal(err)
		}
		ref, found, err := s.MessageByDedupeKey(ctx, db, "mid:a@x")
		if err != nil || !found || ref != (store.MessageRef{ID: msgID, TicketID: ticketID}) {
			t.Fatalf("dedupe lookup: %+v %v %v", ref, found, err)
		}
		_, err = s.InsertMessage(ctx, db.W(), store.Message{TicketID: ticketID, Kind: store.KindInbound, DedupeKey: "mid:a@x", CreatedAt: t0})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second insert of a dedupe key: want ErrConflict, got %v", err)
		}
		// Notes have no dedupe key: many are allowed.
		for range 2 {
			if _, err := s.InsertMessage(ctx, db.W(), store.Message{TicketID: ticketID, Kind: store.KindNote, Text: "n", CreatedAt: t0.Add(time.Second)}); err != nil {
				t.Fatal(err)
			}
		}
		got, ok, err := s.TicketByThreadKeys(ctx, db, []string{"unknown@x", "r2@x"})
		if err != nil || !ok || got != ticketID {
			t.Fatalf("thread keys: %d %v %v", got, ok, err)
		}
		if _, ok, err := s.TicketByThreadKeys(ctx, db, []string{"nope@x"}); err != nil || ok {
			t.Fatal("unknown key matched", err)
		}
		added, err := s.AddOccurrence(ctx, db, mb, "uid:1", msgID, t0)
		if err != nil || !added {
			t.Fatal(added, err)
		}
		added, err = s.AddOccurrence(ctx, db, mb, "uid:1", msgID, t0)
		if err != nil || added {
			t.Fatalf("same occurrence twice must be a no-op: %v %v", added, err)
		}
		msgs, err := s.ListMessages(ctx, ticketID)
		if err != nil || len(msgs) != 3 {
			t.Fatalf("list: %d %v", len(msgs), err)
		}
		m := msgs[0]
		if m.From.Email != "alice@example.org" || len(m.To) != 1 || len(m.Attachments) != 1 || m.Attachments[0].Filename != "a.pdf" ||
			fmt.Sprint(m.References) != "[r1@x r2@x]" || !m.SentAt.Equal(t0) {
			t.Fatalf("message round trip: %+v", m)
		}
		if err := s.SetDelivery(ctx, db, msgID, store.DeliverySent, "", 1, t0, time.Time{}); err != nil {
			t.Fatal(err)
		}
		m, err = s.GetMessage(ctx, db, msgID)
		if err != nil || m.DeliveryStatus != "sent" || m.DeliveryAttempts != 1 || !m.DeliveredAt.Equal(t0) {
			t.Fatalf("delivery: %+v %v", m, err)
		}
	})
}

// The lookups an import batch makes in one statement: more keys than one IN
// list takes, ids reserved ahead (PostgreSQL) and rows inserted with them.
func TestBatchLookupsAndReservedIDs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		db := s.DB()
		var ticketID, ticketID2, msgID int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			tickets, err := s.ReserveIDs(ctx, tx, "tickets", 2)
			if err != nil {
				return err
			}
			messages, err := s.ReserveIDs(ctx, tx, "messages", 1)
			if err != nil {
				return err
			}
			if want := map[store.Dialect]int{store.SQLite: 0, store.Postgres: 2}[db.Dialect]; len(tickets) != want || len(messages) != want/2 {
				t.Fatalf("reserved %v and %v, want %d and %d", tickets, messages, want, want/2)
			}
			if _, err := s.ReserveIDs(ctx, tx, "contacts", 1); db.Dialect == store.Postgres && err == nil {
				t.Error("reserving ids of a table without our sequence must fail")
			}
			if len(tickets) > 0 {
				ticketID, ticketID2, msgID = tickets[0], tickets[1], messages[0]
			}
			if ticketID, err = s.CreateTicket(ctx, tx, store.Ticket{ID: ticketID, Subject: "One", Status: "new", Priority: "normal", RequesterID: contact,
				MailboxID: mb, MessageCount: 1, CreatedAt: t0}); err != nil {
				return err
			}
			if ticketID2, err = s.CreateTicket(ctx, tx, store.Ticket{ID: ticketID2, Subject: "Two", Status: "solved", Priority: "normal", RequesterID: contact,
				MailboxID: mb, CreatedAt: t0}); err != nil {
				return err
			}
			if msgID, err = s.InsertMessage(ctx, tx, store.Message{ID: msgID, TicketID: ticketID, Kind: store.KindInbound, DedupeKey: "mid:k0",
				CreatedAt: t0}); err != nil {
				return err
			}
			if err := s.AddAttachments(ctx, tx, []store.Attachment{{MessageID: msgID, Filename: "a.txt", ContentType: "text/plain", Size: 1, SHA256: "s", BlobKey: "att/s"},
				{MessageID: msgID, Filename: "b.txt", ContentType: "text/plain", Size: 2, SHA256: "t", BlobKey: "att/t"}}); err != nil {
				return err
			}
			var keys []string
			for i := range 1200 { // more than one IN list
				keys = append(keys, fmt.Sprintf("k%d", i))
			}
			if err := s.AddThreadKeys(ctx, tx, ticketID, []string{"k0", "k600", "k1199"}); err != nil {
				return err
			}
			threads, err := s.ThreadKeyTickets(ctx, tx, append(keys, "k0"))
			if err != nil {
				return err
			}
			if len(threads) != 3 || threads["k600"] != ticketID || threads["k1199"] != ticketID {
				t.Errorf("thread keys: %v", threads)
			}
			dedupe, err := s.MessagesByDedupeKeys(ctx, tx, []string{"mid:k0", "mid:none"})
			if err != nil {
				return err
			}
			if len(dedupe) != 1 || dedupe["mid:k0"] != (store.MessageRef{ID: msgID, TicketID: ticketID}) {
				t.Errorf("dedupe: %v", dedupe)
			}
			statuses, err := s.TicketStatuses(ctx, tx, []int64{ticketID, ticketID2, ticketID2 + 1000})
			if err != nil {
				return err
			}
			if len(statuses) != 2 || statuses[ticketID] != "new" || statuses[ticketID2] != "solved" {
				t.Errorf("statuses: %v", statuses)
			}
			ids, err := s.UpsertContacts(ctx, tx, []store.Address{{Email: "New@Example.org"}, {Email: "new@example.org", Name: "Nina"}, {Email: " "}}, t0)
			if err != nil {
				return err
			}
			if len(ids) != 1 || ids["new@example.org"] == 0 {
				t.Errorf("contacts: %v", ids)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if tk, err := s.GetTicket(ctx, db, ticketID); err != nil || tk.MessageCount != 1 {
			t.Errorf("ticket created with its message counted: %+v %v", tk, err)
		}
		var name string
		var atts int
		if err := db.QueryRow(ctx, `SELECT name FROM contacts WHERE email = 'new@example.org'`).Scan(&name); err != nil || name != "Nina" {
			t.Errorf("the first name given fills the contact: %q %v", name, err)
		}
		if err := db.QueryRow(ctx, `SELECT count(*) FROM attachments`).Scan(&atts); err != nil || atts != 2 {
			t.Errorf("attachments: %d %v", atts, err)
		}
	})
}

func TestInboundLifecycleAndEvents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		db := s.DB()
		id, err := s.InsertInbound(ctx, db.W(), store.Inbound{MailboxID: mb, Source: "smtp", RawKey: "raw/x", SHA256: "x", Size: 10, Status: store.InboundPending, ReceivedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := s.PendingInbound(ctx, db, mb, 5); err != nil || n != 1 {
			t.Fatalf("pending = %d, %v; want 1", n, err)
		}
		for _, took := range []time.Duration{1500 * time.Millisecond, 2 * time.Second} {
			if err := s.FailInbound(ctx, id, "boom", took, t0); err != nil {
				t.Fatal(err)
			}
		}
		failed, err := s.ListInbound(ctx, store.InboundFailed, 10)
		if err != nil || len(failed) != 1 || failed[0].Error != "boom" || failed[0].Attempts != 2 || failed[0].IngestTime != 3500*time.Millisecond {
			t.Fatalf("failed list: %+v %v", failed, err)
		}
		if err := s.FinishInbound(ctx, db, id, store.InboundDone, 0, "", t0); err != nil {
			t.Fatal(err)
		}
		in, err := s.GetInbound(ctx, db, id)
		if err != nil || in.Status != store.InboundDone || in.Attempts != 3 {
			t.Fatalf("finished: %+v %v", in, err)
		}
		tid, err := s.CreateTicket(ctx, db.W(), store.Ticket{Subject: "x", Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mb, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddEvent(ctx, db, store.Event{TicketID: tid, Actor: "system", Kind: "status_changed", Field: "status", OldValue: "new", NewValue: "open", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
		evs, err := s.ListEvents(ctx, tid)
		if err != nil || len(evs) != 1 || evs[0].NewValue != "open" || evs[0].ActorID != 0 {
			t.Fatalf("events: %+v %v", evs, err)
		}
		ok, err := s.IsParticipant(ctx, db, tid, "alice@example.org")
		if err != nil || ok {
			t.Fatal("not yet a participant")
		}
		if err := s.AddParticipant(ctx, db, tid, contact); err != nil {
			t.Fatal(err)
		}
		if err := s.AddParticipant(ctx, db, tid, contact); err != nil {
			t.Fatal(err)
		}
		ok, err = s.IsParticipant(ctx, db, tid, "ALICE@example.org")
		if err != nil || !ok {
			t.Fatal("participant expected", err)
		}
		n, err := s.CountAcksSince(ctx, db, "alice@example.org", t0.Add(-time.Hour))
		if err != nil || n != 0 {
			t.Fatal(n, err)
		}
		if err := s.RecordAck(ctx, db, "Alice@example.org", tid, t0); err != nil {
			t.Fatal(err)
		}
		n, err = s.CountAcksSince(ctx, db, "alice@example.org", t0.Add(-time.Hour))
		if err != nil || n != 1 {
			t.Fatal(n, err)
		}
		n, err = s.CountAcksSince(ctx, db, "alice@example.org", t0.Add(time.Second))
		if err != nil || n != 0 {
			t.Fatal("ack outside the window counted", n, err)
		}
	})
}

func TestTxRollback(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		boom := errors.New("boom")
		err := s.DB().InTx(ctx, func(tx *store.Tx) error {
			if _, err := s.UpsertContact(ctx, tx, "x@example.org", "", t0); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var n int
		if err := s.DB().QueryRow(ctx, `SELECT count(*) FROM contacts`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("rolled back write is visible: %d %v", n, err)
		}
	})
}

func TestAfterCommit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		db := storetest.Open(t, dsn)
		ctx := context.Background()
		var ran []string
		fail := errors.New("fail")
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			tx.AfterCommit(func() { ran = append(ran, "rolled back") })
			return fail
		}); !errors.Is(err, fail) {
			t.Fatalf("InTx returned %v, want the function's error", err)
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			tx.AfterCommit(func() {
				// Runs after commit: another connection already sees the write.
				var n int
				if err := db.QueryRow(ctx, `SELECT count(*) FROM contacts WHERE email = 'x@y.z'`).Scan(&n); err != nil || n != 1 {
					t.Errorf("after commit the write is not visible: %d %v", n, err)
				}
				ran = append(ran, "committed")
			})
			_, err := store.New(db).UpsertContact(ctx, tx, "x@y.z", "", t0)
			return err
		})
		if err != nil || fmt.Sprint(ran) != "[committed]" {
			t.Fatalf("%v %v", ran, err)
		}
	})
}

// Deferred statements are seen by every later statement of the transaction,
// committed with it, and their failure fails it.
func TestDeferredStatements(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		count := func(q store.Querier) int {
			var n int
			if err := q.QueryRow(ctx, `SELECT count(*) FROM contacts`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := s.DB().InTx(ctx, func(tx *store.Tx) error {
			for i := range 3 {
				if err := tx.Defer(ctx, `INSERT INTO contacts (email, name, created_at) VALUES ($1, '', $2)`, fmt.Sprintf("d%d@example.org", i), t0); err != nil {
					return err
				}
			}
			if n := count(tx); n != 3 {
				t.Errorf("a query after deferred inserts sees %d rows, want 3", n)
			}
			// Deferred again and left for the commit to send.
			return tx.Defer(ctx, `INSERT INTO contacts (email, name, created_at) VALUES ('last@example.org', '', $1)`, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(s.DB()); n != 4 {
			t.Fatalf("after commit: %d contacts, want 4", n)
		}
		// A deferred statement that fails fails the transaction, whole.
		err = s.DB().InTx(ctx, func(tx *store.Tx) error {
			if err := tx.Defer(ctx, `INSERT INTO contacts (email, name, created_at) VALUES ('new@example.org', '', $1)`, t0); err != nil {
				return err
			}
			return tx.Defer(ctx, `INSERT INTO contacts (email, name, created_at) VALUES ('last@example.org', '', $1)`, t0)
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate email in a deferred insert: %v, want ErrConflict", err)
		}
		if n := count(s.DB()); n != 4 {
			t.Fatalf("after a failed transaction: %d contacts, want 4", n)
		}
	})
}

// TestTxMemo: a memoised read runs once per transaction and key (again in
// the next transaction); a failed read is not kept.
func TestTxMemo(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		reads := 0
		read := func() (int, error) { reads++; return reads, nil }
		fail := errors.New("down")
		for tx := range 2 {
			err := s.DB().InTx(ctx, func(q *store.Tx) error {
				if _, err := store.TxMemo(q, "bad", func() (int, error) { return 0, fail }); !errors.Is(err, fail) {
					return fmt.Errorf("failed read: %v", err)
				}
				for range 3 {
					a, err := store.TxMemo(q, "a", read)
					if err != nil || a != tx*2+1 {
						return fmt.Errorf("a: %d %v", a, err)
					}
					b, err := store.TxMemo(q, "b", read)
					if err != nil || b != tx*2+2 {
						return fmt.Errorf("b: %d %v", b, err)
					}
				}
				if _, err := store.TxMemo(q, "bad", func() (int, error) { return 7, nil }); err != nil {
					return err
				}
				return nil
			})
			if err != nil {
				t.Fatalf("transaction %d: %v", tx, err)
			}
		}
		if reads != 4 {
			t.Fatalf("%d reads, want 4", reads)
		}
	})
}

// TestAddEventsInOrder: a change's audit entries go in one statement per
// rowChunk entries, in their order (their ids ascend as given), on both
// engines; Statements counts them, deferred ones included.
func TestAddEventsInOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		db := s.DB()
		mb, contact := seed(t, s, ctx)
		tid, err := s.CreateTicket(ctx, db.W(), store.Ticket{Subject: "x", Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mb, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 3, 501} {
			var want []store.Event
			for i := range n {
				want = append(want, store.Event{TicketID: tid, Actor: fmt.Sprintf("rule: r%d", n-i), Kind: "rule_fired", Field: "rule",
					OldValue: fmt.Sprint(i % 7), NewValue: fmt.Sprintf("r%d", n-i), CreatedAt: t0.Add(time.Duration(i) * time.Millisecond)})
			}
			old, err := s.ListEvents(ctx, tid)
			if err != nil {
				t.Fatal(err)
			}
			before := db.Statements()
			if err := db.InTx(ctx, func(tx *store.Tx) error { return s.AddEvents(ctx, tx, want) }); err != nil {
				t.Fatal(err)
			}
			if got, statements := db.Statements()-before, int64((n+499)/500); got != statements {
				t.Errorf("%d events: %d statements, want %d", n, got, statements)
			}
			got, err := s.ListEvents(ctx, tid)
			if err != nil {
				t.Fatal(err)
			}
			got = got[len(old):]
			if len(got) != n {
				t.Fatalf("%d events stored, want %d", len(got), n)
			}
			for i := range got {
				if i > 0 && got[i].ID <= got[i-1].ID {
					t.Fatalf("event %d: id %d after %d", i, got[i].ID, got[i-1].ID)
				}
				got[i].ID = 0
				if got[i] != want[i] {
					t.Fatalf("event %d: %+v, want %+v", i, got[i], want[i])
				}
			}
		}
	})
}

// TestMessageAsRead: Message.AsRead is what GetMessage reads back, in the
// same transaction, once InsertMessage stored a message (attachments
// aside), on both engines: the rules use it instead of the row.
func TestMessageAsRead(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		db := s.DB()
		mb, contact := seed(t, s, ctx)
		tid, err := s.CreateTicket(ctx, db.W(), store.Ticket{Subject: "x", Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mb, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		paris := time.FixedZone("CET", 3600)
		for i, m := range []store.Message{
			{Kind: store.KindInbound, MessageID: "a@x.test", DedupeKey: "mid:a@x.test", From: store.Address{Email: "Alice@Example.ORG", Name: "Alice"},
				To: []store.Address{{Email: "Support@Acme.test", Name: "Support \xff"}}, Subject: "Hello", Text: "body\r\nline", HTML: "<p>x</p>",
				References: []string{"r1@x.test", "r2@x.test"}, InReplyTo: "r2@x.test", SentAt: time.Date(2026, 11, 1, 10, 0, 0, 0, paris),
				CreatedAt: time.Date(2026, 11, 1, 9, 0, 0, 123456789, paris), RawKey: "raw/aa/aa", SHA256: "aa", Size: 42, AutoReason: "", Problems: "p"},
			{Kind: store.KindAutoReply, From: store.Address{Email: "ooo@x.test"}, CreatedAt: time.Date(2026, 11, 1, 9, 0, 0, 999, time.UTC),
				AutoReason: "auto_reply", ThreadedBy: "subject", ThreadedKey: "k", Party: store.PartyThirdParty, References: []string{}},
			{Kind: store.KindOutbound, DeliveryStatus: store.DeliverySent, From: store.Address{Email: "agent@acme.test"}, Cc: []store.Address{{Email: "c@x.test"}},
				CreatedAt: t0.Add(1500 * time.Nanosecond)},
		} {
			m.TicketID = tid
			err := db.InTx(ctx, func(tx *store.Tx) error {
				id, err := s.InsertMessage(ctx, tx, m)
				if err != nil {
					return err
				}
				m.ID = id
				got, err := s.GetMessage(ctx, tx, id)
				if err != nil {
					return err
				}
				got.Attachments = nil
				if want := m.AsRead(tx.Dialect); !reflect.DeepEqual(want, got) {
					t.Errorf("message %d: AsRead\n%+v\nread\n%+v", i, want, got)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
