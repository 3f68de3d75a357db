package pgcopy_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/pgcopy"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestTablesInForeignKeyOrder(t *testing.T) {
	db := storetest.Open(t, storetest.PostgresURL(t))
	if err := jobs.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	tables, err := pgcopy.Tables(context.Background(), db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, tb := range tables {
		pos[tb.Name] = i
	}
	for _, pair := range [][2]string{{"users", "tickets"}, {"contacts", "tickets"}, {"mailboxes", "tickets"}, {"tickets", "messages"},
		{"messages", "attachments"}, {"messages", "inbound"}, {"users", "sessions"}} {
		if pos[pair[0]] >= pos[pair[1]] {
			t.Errorf("%s (at %d) must come before %s (at %d)", pair[0], pos[pair[0]], pair[1], pos[pair[1]])
		}
	}
	for _, name := range []string{"schema_migrations", "river_migration", "river_leader", "river_notification", pgcopy.MoveLedger} {
		if _, ok := pos[name]; ok {
			t.Errorf("%s is listed: it is never copied", name)
		}
	}
	if _, ok := pos["river_job"]; !ok {
		t.Error("river_job is not listed: queued jobs must be copied")
	}
	tk := tables[pos["tickets"]]
	if slices.ContainsFunc(tk.Columns, func(c pgcopy.Column) bool { return c.Name == "search" }) {
		t.Error("tickets.search (tsvector, derived by triggers) is listed")
	}
}
