package zzdiag

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/bench"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/store"
)

func TestDiag(t *testing.T) {
	ctx := context.Background()
	dsn := os.Getenv("ZZDSN")
	if dsn == "" {
		dsn = filepath.Join("/work/benchtmp", "diag.db")
	}
	n, _ := strconv.Atoi(os.Getenv("ZZN"))
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := jobs.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if _, err := bench.GenerateTickets(ctx, db, n); err != nil {
			t.Fatal(err)
		}
	}
	s := store.New(db)
	cases := []struct {
		name string
		f    store.TicketFilter
	}{
		{"first", store.TicketFilter{Limit: 26}},
		{"open", store.TicketFilter{Statuses: []string{"open"}, Limit: 26}},
		{"open,pending assignee 7", store.TicketFilter{Statuses: []string{"open", "pending"}, AssigneeID: 7, Limit: 26}},
		{"mailbox 2 solved", store.TicketFilter{MailboxID: 2, Statuses: []string{"solved"}, Limit: 26}},
		{"tag vip", store.TicketFilter{Tag: "vip", Limit: 26}},
		{"unassigned new", store.TicketFilter{Unassigned: true, Statuses: []string{"new"}, Limit: 26}},
		{"requester", store.TicketFilter{Requester: "customer42@example.org", Limit: 26}},
		{"q printer", store.TicketFilter{Query: "printer", Limit: 26}},
		{"q invoice", store.TicketFilter{Query: "invoice", Limit: 26}},
		{"q warranty", store.TicketFilter{Query: "warranty", Limit: 26}},
		{"q tardigrade", store.TicketFilter{Query: "tardigrade", Limit: 26}},
		{"q refund order", store.TicketFilter{Query: "refund order", Limit: 26}},
		{"q capybara", store.TicketFilter{Query: "capybara", Limit: 26}},
		{"q quota", store.TicketFilter{Query: "quota", Limit: 26}},
	}
	for _, c := range cases {
		best := time.Hour
		var got int
		for range 3 {
			t0 := time.Now()
			l, err := s.ListTickets(ctx, c.f)
			if err != nil {
				t.Fatal(err)
			}
			got = len(l)
			best = min(best, time.Since(t0))
		}
		t.Logf("%-26s %3d rows %v", c.name, got, best)
	}
}

func TestFTS(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join("/work/benchtmp", "diag.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH '"printer"'`,
		`SELECT count(*) FROM (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH '"printer"' ORDER BY rowid DESC LIMIT 26)`,
		`SELECT count(*) FROM (SELECT t.id FROM tickets t WHERE +t.id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH '"printer"') ORDER BY t.updated_at DESC, t.id DESC LIMIT 26)`,
		`SELECT count(*) FROM (SELECT t.id FROM tickets t WHERE EXISTS (SELECT 1 FROM ticket_fts f WHERE f.ticket_fts MATCH '"printer"' AND f.rowid = t.id) ORDER BY t.updated_at DESC, t.id DESC LIMIT 26)`,
		`SELECT count(*) FROM (SELECT t.id FROM (SELECT id, updated_at FROM tickets ORDER BY updated_at DESC, id DESC LIMIT 500) t WHERE t.id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH '"printer"') ORDER BY t.updated_at DESC, t.id DESC LIMIT 26)`,
		`SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH '"printer"' AND rowid IN (SELECT id FROM tickets ORDER BY updated_at DESC, id DESC LIMIT 500)`,
		`SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH '"quota"' AND rowid IN (SELECT id FROM tickets ORDER BY updated_at DESC, id DESC LIMIT 500)`,
		`SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH '"quota"'`,
		`SELECT count(*) FROM ticket_fts WHERE ticket_fts MATCH '"warranty"'`,
		`SELECT count(*) FROM (SELECT t.id FROM tickets t WHERE EXISTS (SELECT 1 FROM ticket_fts f WHERE f.ticket_fts MATCH '"quota"' AND f.rowid = t.id) ORDER BY t.updated_at DESC, t.id DESC LIMIT 26)`,
	} {
		best := time.Hour
		var n int
		for range 3 {
			t0 := time.Now()
			if err := db.QueryRow(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(t0))
		}
		t.Logf("%6d %10v %.110s", n, best, q)
	}
}
