package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/store"
)

// Migrating a database from nothing costs seconds on PostgreSQL (a
// transaction per migration), and the tests open hundreds. So each engine's
// schema is built once into a template, named by a digest of the migrations
// and River's version, and every test database starts as a copy of it. The
// template is found again by name (in PostgreSQL, in the temp dir), so test
// processes share it and nothing is kept in package state; two processes that
// build it at once each build their own under a temporary name and the first
// rename wins.

// templateKey names the schema the migrations of dialect d build.
func templateKey(t testing.TB, d store.Dialect) string {
	t.Helper()
	digest, err := store.MigrationsDigest(d)
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	h := sha256.New()
	h.Write([]byte(digest))
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/riverqueue/river" {
				h.Write([]byte(dep.Version))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// migrate applies our migrations and River's to dsn.
func migrate(ctx context.Context, dsn string) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		return err
	}
	if db.Dialect == store.SQLite {
		// The copy takes the main file only: everything must be in it.
		if _, err := db.Exec(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	return nil
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// sqliteTemplate returns the path of the migrated SQLite template, building
// it when missing.
func sqliteTemplate(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(os.TempDir(), "ticketer-test-templates")
	path := filepath.Join(dir, "sqlite-"+templateKey(t, store.SQLite)+".db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("template dir: %v", err)
	}
	work, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		t.Fatalf("template dir: %v", err)
	}
	defer os.RemoveAll(work)
	built := filepath.Join(work, "ticketer.db")
	if err := migrate(context.Background(), built); err != nil {
		t.Fatalf("build the SQLite template: %v", err)
	}
	// Same directory, so the rename is atomic: a reader sees the whole file
	// or none.
	if err := os.Rename(built, path); err != nil {
		t.Fatalf("install the SQLite template: %v", err)
	}
	return path
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// postgresTemplate returns the name of the migrated PostgreSQL template
// database, building it when missing. conn is on the admin database.
func postgresTemplate(t testing.TB, conn *pgx.Conn) string {
	t.Helper()
	ctx := context.Background()
	name := "ticketer_tpl_" + templateKey(t, store.Postgres)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, name).Scan(&n); err != nil {
		t.Fatalf("look for the template: %v", err)
	}
	if n > 0 {
		return name
	}
	work := "ticketer_tplbuild_" + randomSuffix()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+work); err != nil {
		t.Fatalf("template: %v", err)
	}
	u := AdminURLFor(t, work)
	if err := migrate(ctx, u); err != nil {
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+work+" WITH (FORCE)")
		t.Fatalf("build the PostgreSQL template: %v", err)
	}
	// Nobody may connect to a template while it is copied; this keeps it so.
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+work+" WITH ALLOW_CONNECTIONS false"); err != nil {
		t.Fatalf("template: %v", err)
	}
	// The migrating pool's backends may take a moment to leave.
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, err := conn.Exec(ctx, "ALTER DATABASE "+work+" RENAME TO "+name)
		if err == nil {
			return name
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // another process won
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+work+" WITH (FORCE)")
			return name
		}
		if time.Now().After(deadline) {
			_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+work+" WITH (FORCE)")
			t.Fatalf("install the PostgreSQL template: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
