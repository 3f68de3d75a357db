// Package storetest opens throwaway databases of both engines for tests.
package storetest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/ticketer/ticketer/internal/store"
)

// AdminURL is the PostgreSQL server tests create their databases on;
// TICKETER_TEST_POSTGRES_URL overrides it.
func AdminURL() string {
	if u := os.Getenv("TICKETER_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Engines runs fn once per engine, as subtests "sqlite" and "postgres", each
// with a fresh database that already holds the schema (ours and River's).
// PostgreSQL is skipped when unreachable, unless TICKETER_TEST_REQUIRE_POSTGRES
// is set (CI sets it, so a missing server fails the run instead).
func Engines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresURL(t)) })
}

// EmptyEngines is Engines with databases that were never migrated, for the
// tests of migrating itself.
func EmptyEngines(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, EmptySQLiteURL(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, EmptyPostgresURL(t)) })
}

// SQLiteURL returns the path of a new SQLite file in a temp dir, a copy of a
// migrated template (see template.go).
func SQLiteURL(t testing.TB) string {
	t.Helper()
	path := EmptySQLiteURL(t)
	if err := copyFile(sqliteTemplate(t), path); err != nil {
		t.Fatalf("copy the migrated template: %v", err)
	}
	return path
}

// EmptySQLiteURL returns the path of a new SQLite file that does not exist yet.
func EmptySQLiteURL(t testing.TB) string {
	return filepath.Join(t.TempDir(), "ticketer.db")
}

// PostgresURL creates a fresh database, a copy of a migrated template, and
// drops it when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return postgresURL(t, true)
}

// EmptyPostgresURL creates a fresh database that was never migrated and drops
// it when the test ends.
func EmptyPostgresURL(t testing.TB) string {
	t.Helper()
	return postgresURL(t, false)
}

func postgresURL(t testing.TB, migrated bool) string {
	t.Helper()
	ctx := context.Background()
	admin := AdminURL()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		if os.Getenv("TICKETER_TEST_REQUIRE_POSTGRES") != "" {
			t.Fatalf("postgres required but unreachable at %s: %v", admin, err)
		}
		t.Skipf("postgres unreachable at %s: %v", admin, err)
	}
	defer conn.Close(ctx)
	create := "CREATE DATABASE %s"
	if migrated {
		create += " TEMPLATE " + postgresTemplate(t, conn)
	}
	name := "ticketer_test_" + randomSuffix()
	if _, err := conn.Exec(ctx, fmt.Sprintf(create, name)); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return AdminURLFor(t, name)
}

// AdminURLFor is the URL of database name on the admin URL's server.
func AdminURLFor(t testing.TB, name string) string {
	t.Helper()
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open opens and migrates a database for dsn, closed when the test ends.
func Open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}
