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
