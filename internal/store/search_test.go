package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// searchFixture creates tickets with messages, assignees, tags, requesters
// and mailboxes, all in transactions the way ingestion writes them.
type searchFixture struct {
	s                  *store.Store
	ctx                context.Context
	mb, mb2            int64
	alice, bob         int64
	agent, agent2      int64
	printer, invoice   int64 // ids by content
	cafe, notes, other int64
}

func newSearchFixture(t *testing.T, dsn string) *searchFixture {
	t.Helper()
	s, ctx := open(t, dsn)
	f := &searchFixture{s: s, ctx: ctx}
	f.mb, f.alice = seed(t, s, ctx)
	var err error
	if f.mb2, err = s.CreateMailbox(ctx, store.Mailbox{Name: "Sales", Address: "sales@example.com", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if f.bob, err = s.UpsertContact(ctx, s.DB().W(), "bob@example.net", "Bob", t0); err != nil {
		t.Fatal(err)
	}
	if f.agent, err = s.CreateUser(ctx, store.User{Email: "agent@example.com", Role: "agent", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if f.agent2, err = s.CreateUser(ctx, store.User{Email: "agent2@example.com", Role: "agent", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	n := 0
	mk := func(subject string, requester, mailbox int64, bodies ...string) int64 {
		t.Helper()
		n++
		at := t0.Add(time.Duration(n) * time.Minute)
		var id int64
		err := s.DB().InTx(ctx, func(tx *store.Tx) error {
			var err error
			if id, err = s.CreateTicket(ctx, tx, store.Ticket{Subject: subject, Status: domain.StatusNew, Priority: "normal",
				RequesterID: requester, MailboxID: mailbox, CreatedAt: at}); err != nil {
				return err
			}
			for i, b := range bodies {
				kind := store.KindInbound
				if i == len(bodies)-1 && len(bodies) > 1 {
					kind = store.KindNote
				}
				if _, err := s.InsertMessage(ctx, tx, store.Message{TicketID: id, Kind: kind, Subject: subject, Text: b + "\n\n> quoted zebra",
					VisibleText: b, CreatedAt: at}); err != nil {
					return err
				}
			}
			return s.TouchTicket(ctx, tx, id, at, len(bodies))
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.printer = mk("The printer is on fire", f.alice, f.mb, "Smoke comes out of the HP LaserJet", "Internal: call facilities")
	f.invoice = mk("Invoice question", f.bob, f.mb2, "Why was I charged twice for order #4711? See alice@example.org")
	f.cafe = mk("Café crème machine", f.alice, f.mb, "La machine à café ne chauffe plus; Kaffeemaschine kaputt")
	f.notes = mk("Release notes v2.1", f.bob, f.mb, "Where are the notes for v2.1-beta?")
	f.other = mk("Unrelated", f.alice, f.mb2)
	q := s.DB().W()
	if _, err := q.Exec(ctx, `UPDATE tickets SET assignee_id = $1 WHERE id IN ($2, $3)`, f.agent, f.printer, f.invoice); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Exec(ctx, `UPDATE tickets SET assignee_id = $1 WHERE id = $2`, f.agent2, f.cafe); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, 'hardware'), ($2, 'hardware'), ($2, 'vip')`, f.printer, f.cafe); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTicketStatus(ctx, q, f.invoice, domain.StatusSolved, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *searchFixture) list(t *testing.T, filter store.TicketFilter) []int64 {
	t.Helper()
	list, err := f.s.ListTickets(f.ctx, filter)
	if err != nil {
		t.Fatalf("%+v: %v", filter, err)
	}
	ids := []int64{}
	for _, tk := range list {
		ids = append(ids, tk.ID)
	}
	return ids
}

func TestTicketSearchAndFilters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		f := newSearchFixture(t, dsn)
		// Activity order: invoice (solved later), then notes, cafe, printer; other last touched first.
		cases := []struct {
			name   string
			filter store.TicketFilter
			want   []int64
		}{
			{"subject word", store.TicketFilter{Query: "printer"}, []int64{f.printer}},
			{"case-insensitive", store.TicketFilter{Query: "PRINTER FIRE"}, []int64{f.printer}},
			{"body word", store.TicketFilter{Query: "laserjet"}, []int64{f.printer}},
			{"internal note", store.TicketFilter{Query: "facilities"}, []int64{f.printer}},
			{"terms in subject and body", store.TicketFilter{Query: "fire smoke"}, []int64{f.printer}},
			{"every term must match", store.TicketFilter{Query: "printer invoice"}, []int64{}},
			{"quoted history is not searched", store.TicketFilter{Query: "zebra"}, []int64{}},
			{"non-English", store.TicketFilter{Query: "kaffeemaschine"}, []int64{f.cafe}},
			{"accented word", store.TicketFilter{Query: "café"}, []int64{f.cafe}},
			{"number", store.TicketFilter{Query: "4711"}, []int64{f.invoice}},
			{"hash and number", store.TicketFilter{Query: "#4711"}, []int64{f.invoice}},
			{"word in two tickets", store.TicketFilter{Query: "notes"}, []int64{f.notes}},
			{"no match", store.TicketFilter{Query: "elephant"}, []int64{}},
			{"fts syntax is text", store.TicketFilter{Query: `printer OR "invoice`}, []int64{}},
			{"fts operators alone", store.TicketFilter{Query: `NOT AND NEAR(`}, []int64{}},
			{"column filter is text", store.TicketFilter{Query: "subject:printer"}, []int64{}},
			{"star and parens", store.TicketFilter{Query: "printer* (fire)"}, []int64{f.printer}},
			{"only punctuation", store.TicketFilter{Query: `*** "" ()`}, []int64{}},
			{"sql metacharacters", store.TicketFilter{Query: `%' ; DROP TABLE tickets; --`}, []int64{}},
			{"invalid utf-8", store.TicketFilter{Query: "printer \xff\xfe"}, []int64{f.printer}},
			{"search and status", store.TicketFilter{Query: "twice", Statuses: []string{"new"}}, []int64{}},
			{"search and solved", store.TicketFilter{Query: "twice", Statuses: []string{"solved"}}, []int64{f.invoice}},
			{"status", store.TicketFilter{Statuses: []string{"new", "open"}}, []int64{f.other, f.notes, f.cafe, f.printer}},
			{"assignee", store.TicketFilter{AssigneeID: f.agent}, []int64{f.invoice, f.printer}},
			{"assignee and search", store.TicketFilter{AssigneeID: f.agent, Query: "fire"}, []int64{f.printer}},
			{"other assignee", store.TicketFilter{AssigneeID: f.agent2}, []int64{f.cafe}},
			{"unassigned", store.TicketFilter{Unassigned: true}, []int64{f.other, f.notes}},
			{"tag", store.TicketFilter{Tag: "hardware"}, []int64{f.cafe, f.printer}},
			{"tag and search", store.TicketFilter{Tag: "hardware", Query: "machine"}, []int64{f.cafe}},
			{"requester", store.TicketFilter{Requester: "BOB@example.net"}, []int64{f.invoice, f.notes}},
			{"mailbox", store.TicketFilter{MailboxID: f.mb2}, []int64{f.invoice, f.other}},
			{"mailbox and search", store.TicketFilter{MailboxID: f.mb2, Query: "charged"}, []int64{f.invoice}},
			{"everything at once", store.TicketFilter{MailboxID: f.mb, Tag: "vip", AssigneeID: f.agent2, Requester: "alice@example.org",
				Statuses: []string{"new"}, Query: "chauffe"}, []int64{f.cafe}},
		}
		for _, dense := range []int{1000, 1} { // both SQLite plans
			store.SetSearchDense(f.s, dense)
			for _, c := range cases {
				t.Run(fmt.Sprintf("%s/dense=%d", c.name, dense), func(t *testing.T) {
					if got := f.list(t, c.filter); fmt.Sprint(got) != fmt.Sprint(c.want) {
						t.Errorf("got %v, want %v", got, c.want)
					}
				})
			}
		}
	})
}

func TestSearchIndexFollowsWrites(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		f := newSearchFixture(t, dsn)
		q := f.s.DB().W()
		// A new message on an existing ticket is searchable at once.
		err := f.s.DB().InTx(f.ctx, func(tx *store.Tx) error {
			_, err := f.s.InsertMessage(f.ctx, tx, store.Message{TicketID: f.other, Kind: store.KindInbound, VisibleText: "the toner leaks", CreatedAt: t0})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.list(t, store.TicketFilter{Query: "toner"}); fmt.Sprint(got) != fmt.Sprint([]int64{f.other}) {
			t.Fatalf("new message: %v", got)
		}
		// A changed subject replaces the old words.
		if _, err := q.Exec(f.ctx, `UPDATE tickets SET subject = 'Scanner jammed' WHERE id = $1`, f.printer); err != nil {
			t.Fatal(err)
		}
		if got := f.list(t, store.TicketFilter{Query: "scanner"}); fmt.Sprint(got) != fmt.Sprint([]int64{f.printer}) {
			t.Fatalf("new subject: %v", got)
		}
		if got := f.list(t, store.TicketFilter{Query: "fire"}); len(got) != 0 {
			t.Fatalf("old subject still found: %v", got)
		}
		// Updating other columns (delivery state) leaves the index alone.
		if _, err := q.Exec(f.ctx, `UPDATE messages SET delivery_error = 'x' WHERE ticket_id = $1`, f.invoice); err != nil {
			t.Fatal(err)
		}
		if got := f.list(t, store.TicketFilter{Query: "charged"}); fmt.Sprint(got) != fmt.Sprint([]int64{f.invoice}) {
			t.Fatalf("after unrelated update: %v", got)
		}
		// Deleting a ticket removes it (and its messages) from the index.
		if _, err := q.Exec(f.ctx, `DELETE FROM tickets WHERE id = $1`, f.cafe); err != nil {
			t.Fatal(err)
		}
		if got := f.list(t, store.TicketFilter{Query: "kaffeemaschine"}); len(got) != 0 {
			t.Fatalf("deleted ticket found: %v", got)
		}
	})
}

func TestSearchPaging(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		var want []int64
		err := s.DB().InTx(ctx, func(tx *store.Tx) error {
			for i := range 25 {
				// Pairs share an activity time, so the id must break ties.
				at := t0.Add(time.Duration(i/2) * time.Minute)
				subject := fmt.Sprintf("Ticket %d", i)
				body := "nothing here"
				if i%3 != 0 {
					body = "the modem blinks red"
				}
				id, err := s.CreateTicket(ctx, tx, store.Ticket{Subject: subject, Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mb, CreatedAt: at})
				if err != nil {
					return err
				}
				if _, err := s.InsertMessage(ctx, tx, store.Message{TicketID: id, Kind: store.KindInbound, VisibleText: body, CreatedAt: at}); err != nil {
					return err
				}
				if i%3 != 0 {
					want = append(want, id)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(want)                   // newest activity first; ids break ties, highest first
		for _, dense := range []int{1000, 1} { // the SQLite plans: few matches, common term (probe per ticket)
			store.SetSearchDense(s, dense)
			pageThrough(t, s, want)
		}
		// Index maintenance changes no answer.
		if err := s.MergeSearch(ctx, 100); err != nil {
			t.Fatal(err)
		}
		if err := s.OptimizeSearch(ctx); err != nil {
			t.Fatal(err)
		}
		pageThrough(t, s, want)
	})
}

// pageThrough pages a search 4 tickets at a time and checks the order.
func pageThrough(t *testing.T, s *store.Store, want []int64) {
	t.Helper()
	var got []int64
	filter := store.TicketFilter{Query: "modem red", Limit: 4}
	for range 20 {
		list, err := s.ListTickets(context.Background(), filter)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range list {
			got = append(got, tk.ID)
		}
		if len(list) < filter.Limit {
			break
		}
		filter.After = filter.Sort.CursorOf(list[len(list)-1])
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged search: got %v\nwant %v", got, want)
	}
}

// TestSearchMigrationBackfills applies 0003_search to a database that already
// holds tickets and messages: they must be searchable afterwards.
// undoSearch takes the database back to before the search migrations (0003
// and 0013), so that running Migrate again backfills what was stored without
// an index.
func undoSearch(t *testing.T, s *store.Store, ctx context.Context) {
	t.Helper()
	db := s.DB()
	undo := []string{`DROP INDEX messages_delivery_pending`}
	if db.Dialect == store.Postgres {
		undo = append(undo, `DROP TRIGGER tickets_search ON tickets`, `DROP TRIGGER messages_search ON messages`,
			`DROP FUNCTION ticketer_message_search()`, `DROP FUNCTION ticketer_ticket_search()`,
			`DROP FUNCTION ticketer_ticket_document(BIGINT, TEXT)`, `DROP FUNCTION ticketer_ticket_document(BIGINT, TEXT, BIGINT)`,
			`DROP FUNCTION ticketer_requester_vector(BIGINT)`, `DROP FUNCTION ticketer_message_vector(TEXT, TEXT, TEXT, TEXT, TEXT)`,
			`DROP FUNCTION ticketer_address_list_words(TEXT)`, `DROP FUNCTION ticketer_address_words(TEXT, TEXT)`,
			`ALTER TABLE tickets DROP COLUMN search`)
	} else {
		for _, tr := range []string{"ticket_fts_ticket_ai", "ticket_fts_ticket_au", "ticket_fts_ticket_ad",
			"ticket_fts_message_ai", "ticket_fts_message_au", "ticket_fts_message_ad"} {
			undo = append(undo, `DROP TRIGGER `+tr)
		}
		undo = append(undo, `DROP VIEW ticket_search_documents`, `DROP TABLE ticket_fts`)
	}
	undo = append(undo, `DELETE FROM schema_migrations WHERE version IN (3, 13)`)
	for _, stmt := range undo {
		if _, err := db.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}

func TestSearchMigrationBackfills(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		db := s.DB()
		undoSearch(t, s, ctx)
		mb, contact := seed(t, s, ctx)
		var id int64
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			if id, err = s.CreateTicket(ctx, tx, store.Ticket{Subject: "Legacy subject", Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mb, CreatedAt: t0}); err != nil {
				return err
			}
			_, err = s.InsertMessage(ctx, tx, store.Message{TicketID: id, Kind: store.KindInbound, VisibleText: "archived body words",
				Cc: []store.Address{{Email: "bcc.before@partner.example"}}, CreatedAt: t0})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"legacy", "archived", "alice@example.org", "bcc.before@partner.example"} {
			list, err := s.ListTickets(ctx, store.TicketFilter{Query: q})
			if err != nil || len(list) != 1 || list[0].ID != id {
				t.Fatalf("%q after backfill: %v %v", q, list, err)
			}
		}
	})
}

// TestHugeTicketStaysWritable: a ticket whose text passes PostgreSQL's 1 MB
// tsvector limit still takes new messages (they are stored, the document
// keeps what fits) and subject changes.
func TestHugeTicketStaysWritable(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		mb, contact := seed(t, s, ctx)
		q := s.DB().W()
		id, err := s.CreateTicket(ctx, q, store.Ticket{Subject: "Huge", Status: "new", Priority: "normal", RequesterID: contact, MailboxID: mb, CreatedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(7, 8))
		word := func() string {
			b := make([]byte, 12)
			for i := range b {
				b[i] = byte('a' + r.IntN(26))
			}
			return string(b)
		}
		for i := range 14 { // 14 x ~100 KB of distinct words: past 1 MB
			var sb strings.Builder
			if i == 0 {
				sb.WriteString("firstmarker ")
			}
			for sb.Len() < 100000 {
				sb.WriteString(word() + " ")
			}
			if _, err := s.InsertMessage(ctx, q, store.Message{TicketID: id, Kind: store.KindInbound, VisibleText: sb.String(), CreatedAt: t0}); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
		}
		if _, err := q.Exec(ctx, `UPDATE tickets SET subject = 'Huge renamed' WHERE id = $1`, id); err != nil {
			t.Fatalf("subject change: %v", err)
		}
		for _, term := range []string{"firstmarker", "renamed"} {
			list, err := s.ListTickets(ctx, store.TicketFilter{Query: term})
			if err != nil || len(list) != 1 {
				t.Fatalf("%s: %v %v", term, list, err)
			}
		}
	})
}

// TestSearchFindsPeople: the requester and the From, To and Cc of every
// message are found by whole address, local part, domain and display name.
func TestSearchFindsPeople(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		t.Parallel()
		s, ctx := open(t, dsn)
		mb, _ := seed(t, s, ctx)
		contact := func(email, name string) int64 {
			t.Helper()
			id, err := s.UpsertContact(ctx, s.DB().W(), email, name, t0)
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		mk := func(subject string, requester int64, msgs ...store.Message) int64 {
			t.Helper()
			var id int64
			err := s.DB().InTx(ctx, func(tx *store.Tx) error {
				var err error
				if id, err = s.CreateTicket(ctx, tx, store.Ticket{Subject: subject, Status: domain.StatusNew, Priority: "normal",
					RequesterID: requester, MailboxID: mb, CreatedAt: t0}); err != nil {
					return err
				}
				for _, m := range msgs {
					m.TicketID, m.Kind, m.CreatedAt = id, store.KindInbound, t0
					if _, err := s.InsertMessage(ctx, tx, m); err != nil {
						return err
					}
				}
				return s.TouchTicket(ctx, tx, id, t0, len(msgs))
			})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		carol := mk("Printer on fire", contact("carol.customer@customer.example", "Carol Customer"), store.Message{
			From:        store.Address{Email: "carol.customer@customer.example", Name: "Carol Customer"},
			To:          []store.Address{{Email: "support@example.com"}, {Email: "sales@example.com", Name: "Sales Desk"}},
			Cc:          []store.Address{{Email: "finance@customer.example", Name: "Finance"}, {Email: "lead@customer.example"}},
			VisibleText: "Please help.",
		})
		// A ticket whose mail came from someone other than its requester.
		vendor := mk("Quote", contact("bob@example.net", "Bob"), store.Message{
			From: store.Address{Email: "dave@vendor.example", Name: "Dave Vendor"}, VisibleText: "Our offer.",
		})
		// A ticket with no message yet: its requester alone.
		solo := mk("Call me", contact("erin@solo.example", "Erin Example"))

		cases := []struct {
			name, query string
			want        []int64
		}{
			{"requester address", "carol.customer@customer.example", []int64{carol}},
			{"requester address, any case", "Carol.Customer@Customer.Example", []int64{carol}},
			{"requester local part", "carol.customer", []int64{carol}},
			{"requester domain", "customer.example", []int64{carol}},
			{"requester first name", "carol", []int64{carol}},
			{"requester without messages", "erin@solo.example", []int64{solo}},
			{"requester name without messages", "Erin", []int64{solo}},
			{"second To address", "sales@example.com", []int64{carol}},
			{"To display name", "desk", []int64{carol}},
			{"Cc address", "lead@customer.example", []int64{carol}},
			{"Cc local part", "lead", []int64{carol}},
			{"Cc display name", "finance", []int64{carol}},
			{"From other than the requester", "dave@vendor.example", []int64{vendor}},
			{"From domain", "vendor.example", []int64{vendor}},
			{"From display name", "dave", []int64{vendor}},
			{"address and a word", "vendor.example offer", []int64{vendor}},
			{"address nobody used", "nobody@customer.example", []int64{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				list, err := s.ListTickets(ctx, store.TicketFilter{Query: c.query})
				if err != nil {
					t.Fatal(err)
				}
				got := []int64{}
				for _, tk := range list {
					got = append(got, tk.ID)
				}
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Fatalf("%q: got %v, want %v", c.query, got, c.want)
				}
			})
		}

		// Changed addresses replace the old ones in the document.
		if _, err := s.DB().W().Exec(ctx, `UPDATE messages SET cc_addrs = $1 WHERE ticket_id = $2`,
			`[{"email":"controller@customer.example","name":""}]`, carol); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int{"controller@customer.example": 1, "lead@customer.example": 0} {
			list, err := s.ListTickets(ctx, store.TicketFilter{Query: q})
			if err != nil || len(list) != want {
				t.Fatalf("%q after the Cc changed: %v %v", q, list, err)
			}
		}
		// Address lists that are not lists of addresses index nothing and
		// never make a write fail.
		for _, bad := range []string{`not json`, `null`, `["just a string", 5]`, `{"email":"x@y.example"}`} {
			if _, err := s.DB().W().Exec(ctx, `UPDATE messages SET to_addrs = $1 WHERE ticket_id = $2`, bad, carol); err != nil {
				t.Fatalf("to_addrs %q: %v", bad, err)
			}
		}
		if list, err := s.ListTickets(ctx, store.TicketFilter{Query: "carol.customer@customer.example"}); err != nil || len(list) != 1 {
			t.Fatalf("after malformed To: %v %v", list, err)
		}
	})
}

// TestSearchIndexesTheFirst100000Characters: each message's visible text is
// searched up to its 100,000th character, on both engines (SQLite's 0092,
// PostgreSQL's left(visible_text, 100000)): a word that ends at the limit is
// found, one past it is not. Characters, not bytes: the padding is accented.
func TestSearchIndexesTheFirst100000Characters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		f := newSearchFixture(t, dsn)
		const limit = 100000
		pad := strings.Repeat("é ", (limit-1000)/2) // two characters, three bytes
		body := "nearby " + pad
		body += strings.Repeat("x", limit-len(" edgeword")-utf8.RuneCountInString(body)) + " edgeword" + " pastword"
		if n := utf8.RuneCountInString(body[:strings.Index(body, " pastword")]); n != limit {
			t.Fatalf("edgeword ends at character %d, want %d", n, limit)
		}
		var id int64
		err := f.s.DB().InTx(f.ctx, func(tx *store.Tx) error {
			var err error
			if id, err = f.s.CreateTicket(f.ctx, tx, store.Ticket{Subject: "Long", Status: domain.StatusNew, Priority: "normal",
				RequesterID: f.alice, MailboxID: f.mb, CreatedAt: t0}); err != nil {
				return err
			}
			if _, err := f.s.InsertMessage(f.ctx, tx, store.Message{TicketID: id, Kind: store.KindInbound, Subject: "Long", Text: body,
				VisibleText: body, CreatedAt: t0}); err != nil {
				return err
			}
			return f.s.TouchTicket(f.ctx, tx, id, t0, 1)
		})
		if err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]int64{"nearby": {id}, "edgeword": {id}, "pastword": {}} {
			if got := f.list(t, store.TicketFilter{Query: q}); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: got %v, want %v", q, got, want)
			}
		}
	})
}
