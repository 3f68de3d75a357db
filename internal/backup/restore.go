package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/pgcopy"
	"github.com/ticketer/ticketer/internal/store"
)

// Target is the empty install a backup is restored into.
type Target struct {
	// SQLite: the database file to create (it must not exist). PostgreSQL:
	// DB, an empty database, and Migrate, which brings it to this binary's
	// schema (store and River migrations).
	SQLitePath string
	DB         *store.DB
	Migrate    func(ctx context.Context, db *store.DB) error
	// SchemaVersion is the newest migration this binary has.
	SchemaVersion int
	Blobs         *blob.Store
	// KeyFile is where a backed-up generated key goes; "" when the key
	// comes from the environment.
	KeyFile  string
	Progress Progress
}

// ErrNotEmpty is returned when the target holds data already.
var ErrNotEmpty = errors.New("the target is not empty")

// Restore checks the backup at from, then fills the empty target with it.
func Restore(ctx context.Context, from string, dst Target) (Manifest, error) {
	if dst.Progress == nil {
		dst.Progress = noProgress{}
	}
	m, err := Verify(ctx, from)
	if err != nil {
		return m, err
	}
	engine := "sqlite"
	if dst.DB != nil {
		engine = string(dst.DB.Dialect)
	}
	if m.Engine != engine {
		return m, fmt.Errorf("the backup is of a %s install and the target is %s (ticketer move copies SQLite onto PostgreSQL)", m.Engine, engine)
	}
	if m.SchemaVersion != dst.SchemaVersion {
		return m, fmt.Errorf("the backup has schema version %d and this ticketer %d: restore it with the release that made it, then upgrade", m.SchemaVersion, dst.SchemaVersion)
	}
	if empty, err := dst.Blobs.Empty(ctx); err != nil {
		return m, err
	} else if !empty {
		return m, fmt.Errorf("%w: the blob store holds files", ErrNotEmpty)
	}
	if engine == "sqlite" {
		return m, restoreSQLite(ctx, from, dst)
	}
	return m, restorePostgres(ctx, from, dst, m)
}

func restoreSQLite(ctx context.Context, from string, dst Target) error {
	for _, p := range []string{dst.SQLitePath, dst.KeyFile} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%w: %s exists", ErrNotEmpty, p)
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst.SQLitePath), 0o750); err != nil {
		return err
	}
	return walkBackup(from, func(name string, r io.Reader) error {
		switch {
		case name == DatabaseName:
			return writeNew(dst.SQLitePath, r)
		case name == KeyName && dst.KeyFile != "":
			return writeNew(dst.KeyFile, r)
		case strings.HasPrefix(name, blobsDir):
			return putBlob(ctx, dst, name, r)
		}
		return nil
	})
}

func restorePostgres(ctx context.Context, from string, dst Target, m Manifest) error {
	before, err := pgcopy.Tables(ctx, dst.DB.Pool)
	if err != nil {
		return err
	}
	for _, t := range before {
		if n, err := pgcopy.CountRows(ctx, dst.DB.Pool, t.Name); err != nil {
			return err
		} else if n > 0 {
			return fmt.Errorf("%w: table %s has %d rows", ErrNotEmpty, t.Name, n)
		}
	}
	if err := dst.Migrate(ctx, dst.DB); err != nil {
		return err
	}
	tables := map[string]TableFile{}
	for _, t := range m.Tables {
		tables[t.File] = t
	}
	tx, err := dst.DB.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	err = walkBackup(from, func(name string, r io.Reader) error {
		if strings.HasPrefix(name, blobsDir) {
			return putBlob(ctx, dst, name, r)
		}
		tf, ok := tables[name]
		if !ok {
			return nil
		}
		switch tf.Name {
		case "ticket_counts", "ticket_tag_counts", "report_facts", "report_tag_facts":
			// Derived: the tickets' triggers count them (and write the
			// report's facts, the tags' triggers their per-tag copies) as
			// they load, and the counts are made exact once every table is
			// in (below).
			dst.Progress.Add(1)
			return nil
		}
		t := pgcopy.Table{Name: tf.Name}
		for _, c := range tf.Columns {
			t.Columns = append(t.Columns, pgcopy.Column{Name: c})
		}
		n, err := pgcopy.CopyIn(ctx, tx, t, r)
		if err != nil {
			return err
		}
		if n != tf.Rows {
			return fmt.Errorf("table %s: loaded %d rows, the backup has %d", tf.Name, n, tf.Rows)
		}
		dst.Progress.Add(1)
		return nil
	})
	if err != nil {
		return err
	}
	for _, q := range store.RecountTickets {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("recount tickets: %w", err)
		}
	}
	if err := pgcopy.ResetSequences(ctx, tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

func putBlob(ctx context.Context, dst Target, name string, r io.Reader) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return err
	}
	dst.Progress.Add(1)
	return dst.Blobs.PutKey(ctx, strings.TrimPrefix(name, blobsDir), buf.Bytes())
}

// writeNew writes a file that must not exist yet, whole or not at all.
func writeNew(path string, r io.Reader) error {
	tmp := path + ".restoring"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if _, err := os.Stat(path); err == nil {
		os.Remove(tmp)
		return fmt.Errorf("%w: %s exists", ErrNotEmpty, path)
	}
	return os.Rename(tmp, path)
}
