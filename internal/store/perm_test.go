package store_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ticketer/ticketer/internal/store"
)

// TestSQLiteFilesArePrivate: the database and its -wal and -shm files are
// 0600 even with a permissive umask. Not parallel: the umask is per process.
func TestSQLiteFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "t.db")
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

// TestSQLiteFolderMustExist: a mistyped path is an error, not new folders.
func TestSQLiteFolderMustExist(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := store.Open(context.Background(), filepath.Join(dir, "nonexistent", "x.db")); err == nil {
		t.Fatal("opened a database in a folder that does not exist")
	}
	if _, err := os.Stat(filepath.Join(dir, "nonexistent")); !os.IsNotExist(err) {
		t.Fatalf("the folder was created: %v", err)
	}
}

// TestSQLiteWriterSettings: the writer's connection settings. Statement
// journals (each ingested message is a savepoint of its batch) live in
// memory: in a temporary file they cost the import a write syscall per
// page, about a tenth of its CPU. The writer keeps 8 MiB of pages (with
// the default 2 MiB the import kept reading pages back from the file); a
// reader keeps SQLite's default.
func TestSQLiteWriterSettings(t *testing.T) {
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "1", "foreign_keys": "1", "temp_store": "2", "busy_timeout": "10000", "cache_size": "-8192"} {
		var got string
		if err := db.Writer.QueryRowContext(context.Background(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	var readerCache string
	if err := db.QueryRow(context.Background(), "PRAGMA cache_size").Scan(&readerCache); err != nil {
		t.Fatal(err)
	}
	if readerCache != "-2000" {
		t.Errorf("a reader's PRAGMA cache_size = %s, want SQLite's default -2000", readerCache)
	}
}
