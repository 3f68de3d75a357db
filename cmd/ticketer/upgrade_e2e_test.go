package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketer/ticketer/internal/store/storetest"
)

// fixtureVersion is the release the upgrade fixture was written by: the
// newest migration of main when it was made (scripts/upgrade-fixture.sh).
const fixtureVersion = 6

var statusLine = regexp.MustCompile(`(?m)^(\d{4})\s+(\S+)\s+(applied|pending)`)

// TestUpgradeFromPreviousRelease opens a database the previous release
// wrote (migrations 0001-0006 and its rows), lists its migrations, migrates
// it to this binary's schema and serves its tickets, on both engines.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	fixture := filepath.Join("testdata", "upgrade", fmt.Sprintf("v%04d", fixtureVersion))
	storetest.EmptyEngines(t, func(t *testing.T, dsn string) { // the dump fills an empty database
		dataDir := t.TempDir()
		if err := os.CopyFS(filepath.Join(dataDir, "blobs"), os.DirFS(filepath.Join(fixture, "blobs"))); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(dsn, ".db") {
			dsn = filepath.Join(dataDir, "ticketer.db")
			copyFile(t, filepath.Join(fixture, "sqlite.db"), dsn)
		} else {
			loadDump(t, dsn, filepath.Join(fixture, "postgres.sql"))
		}
		cli := (&server{t: t, env: map[string]string{
			"TICKETER_DATA_DIR": dataDir, "TICKETER_DATABASE_URL": dsn, "TICKETER_LOG_LEVEL": "warn",
			"TICKETER_ENCRYPTION_KEY_BASE64": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
		}})

		before, err := cli.cli("", "migrate", "--status")
		if err != nil {
			t.Fatal(err)
		}
		rows := statusLine.FindAllStringSubmatch(before, -1)
		if len(rows) < fixtureVersion {
			t.Fatalf("migrate --status listed %d migrations:\n%s", len(rows), before)
		}
		pending := 0
		for _, r := range rows {
			v, err := strconv.Atoi(r[1])
			if err != nil {
				t.Fatal(err)
			}
			if want := map[bool]string{true: "applied", false: "pending"}[v <= fixtureVersion]; r[3] != want {
				t.Fatalf("migration %s is %s, want %s:\n%s", r[1], r[3], want, before)
			}
			if r[3] == "pending" {
				pending++
			}
		}
		if !strings.Contains(before, fmt.Sprintf("%d pending", pending)) {
			t.Fatalf("status does not count %d pending:\n%s", pending, before)
		}
		if _, err := cli.cli("", "migrate"); err != nil {
			t.Fatal(err)
		}
		after, err := cli.cli("", "migrate", "--status")
		if err != nil || !strings.Contains(after, "\n0 pending") {
			t.Fatalf("after migrate: %v\n%s", err, after)
		}

		s := startServer(t, dsn, cli.env)
		var list ticketList
		s.get("/api/v1/tickets", &list)
		got := map[string]int{}
		for _, tk := range list.Items {
			got[tk.Subject] = int(tk.ID)
		}
		if len(list.Items) != 2 || got["Where is my order?"] == 0 || got["Broken screen"] == 0 {
			t.Fatalf("tickets after the upgrade: %+v", list.Items)
		}
		var order messageList
		s.get(fmt.Sprintf("/api/v1/tickets/%d/messages", got["Where is my order?"]), &order)
		var inbound []string
		for _, m := range order.Items {
			if m.Kind == "inbound" {
				inbound = append(inbound, strings.TrimSpace(m.Text))
			}
		}
		if strings.Join(inbound, "|") != "Hello, order 1001 has not arrived yet.|Any news? It is still not here." {
			t.Fatalf("the order ticket's mail: %q", inbound)
		}
		var screen messageList
		s.get(fmt.Sprintf("/api/v1/tickets/%d/messages", got["Broken screen"]), &screen)
		if len(screen.Items) == 0 || len(screen.Items[0].Attachments) != 1 {
			t.Fatalf("the screen ticket: %+v", screen.Items)
		}
		code, body := s.getBytes(fmt.Sprintf("/api/v1/attachments/%d/content", screen.Items[0].Attachments[0].ID))
		if code != 200 || strings.TrimSpace(string(body)) != "crack across the top left corner" {
			t.Fatalf("attachment: %d %q", code, body)
		}
		var mbs struct {
			Items []struct {
				Address      string `json:"address"`
				HasSMTPRelay bool   `json:"has_smtp_relay"`
			} `json:"items"`
		}
		s.get("/api/v1/mailboxes", &mbs)
		found := false
		for _, mb := range mbs.Items {
			found = found || (mb.Address == "support@acme.test" && mb.HasSMTPRelay)
		}
		if !found {
			t.Fatalf("the mailbox with its sealed relay: %+v", mbs.Items)
		}
	})
}

// loadDump runs a plain pg_dump file in one simple-protocol batch.
func loadDump(t *testing.T, dsn, path string) {
	t.Helper()
	sql, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.PgConn().Exec(ctx, string(sql)).ReadAll(); err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
}
