package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/pgcopy"
	"github.com/ticketer/ticketer/internal/store"
)

// Progress is told of each file copied (importer.Progress draws it).
type Progress interface{ Add(n int) }

type noProgress struct{}

func (noProgress) Add(int) {}

// Source is the install to back up.
type Source struct {
	DB    *store.DB
	Blobs *blob.Store
	// KeyFile is the generated encryption key of the embedded default;
	// "" when the key comes from the environment (it is then not backed up:
	// keep it apart from the backups).
	KeyFile  string
	Progress Progress
	Now      func() time.Time
}

// Backup writes a backup of src to a folder or a tar file (see openSink)
// while the install keeps running, and returns its manifest.
func Backup(ctx context.Context, src Source, to string) (Manifest, error) {
	if src.Progress == nil {
		src.Progress = noProgress{}
	}
	if src.Now == nil {
		src.Now = time.Now
	}
	m := Manifest{Format: Format, Version: Version, CreatedAt: src.Now().UTC(), Engine: string(src.DB.Dialect)}
	out, err := openSink(to)
	if err != nil {
		return m, err
	}
	fail := func(err error) (Manifest, error) {
		out.close()
		return m, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(to)), ".ticketer-backup-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp)
	if src.DB.Dialect == store.SQLite {
		err = backupSQLite(ctx, src, out, tmp, &m)
	} else {
		err = backupPostgres(ctx, src, out, tmp, &m)
	}
	if err != nil {
		return fail(err)
	}
	if src.KeyFile != "" {
		if key, err := os.ReadFile(src.KeyFile); err == nil {
			if err := m.add(out, KeyName, key); err != nil {
				return fail(err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return fail(err)
		}
	}
	// Blobs after the database: every blob its snapshot names is stored
	// by now (see the package comment).
	err = src.Blobs.Keys(ctx, func(key string) error {
		data, err := src.Blobs.Get(ctx, key)
		if err != nil {
			return err
		}
		src.Progress.Add(1)
		return m.add(out, blobsDir+key, data)
	})
	if err != nil {
		return fail(err)
	}
	data, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fail(err)
	}
	if _, err := out.add(ManifestName, int64(len(data)), bytes.NewReader(data)); err != nil {
		return fail(err)
	}
	return m, out.close()
}

func (m *Manifest) add(out sink, name string, data []byte) error {
	f, err := out.add(name, int64(len(data)), bytes.NewReader(data))
	if err != nil {
		return err
	}
	m.Files = append(m.Files, f)
	return nil
}

func (m *Manifest) addFile(out sink, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	got, err := out.add(name, st.Size(), f)
	if err != nil {
		return err
	}
	m.Files = append(m.Files, got)
	return nil
}

// backupSQLite copies the database with VACUUM INTO: one read transaction,
// so a consistent snapshot, while serve goes on writing (WAL).
func backupSQLite(ctx context.Context, src Source, out sink, tmp string, m *Manifest) error {
	if err := src.DB.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&m.SchemaVersion); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	snap := filepath.Join(tmp, "ticketer.db")
	if _, err := src.DB.Writer.ExecContext(ctx, `VACUUM INTO ?`, snap); err != nil {
		return fmt.Errorf("snapshot the database: %w", err)
	}
	src.Progress.Add(1)
	return m.addFile(out, DatabaseName, snap)
}

// backupPostgres exports every table in COPY text format, all inside one
// read-only repeatable-read transaction: one snapshot across tables.
func backupPostgres(ctx context.Context, src Source, out sink, tmp string, m *Manifest) error {
	tx, err := src.DB.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin snapshot: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&m.SchemaVersion); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	tables, err := pgcopy.Tables(ctx, tx)
	if err != nil {
		return err
	}
	for i, t := range tables {
		name := fmt.Sprintf("%s%03d-%s.copy", tablesDir, i+1, t.Name)
		path := filepath.Join(tmp, fmt.Sprintf("%03d.copy", i+1))
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		n, err := pgcopy.CopyOut(ctx, tx, t, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		if err := m.addFile(out, name, path); err != nil {
			return err
		}
		os.Remove(path)
		cols := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			cols[j] = c.Name
		}
		m.Tables = append(m.Tables, TableFile{Name: t.Name, File: name, Columns: cols, Rows: n})
		src.Progress.Add(1)
	}
	return tx.Commit(ctx)
}

// Verify reads a whole backup and checks every file against the manifest:
// present, of its size and sha256, and nothing unlisted.
func Verify(ctx context.Context, from string) (Manifest, error) {
	var m Manifest
	var manifest []byte
	seen := map[string]File{}
	err := walkBackup(from, func(name string, r io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if name == ManifestName {
			var buf bytes.Buffer
			if _, err := buf.ReadFrom(r); err != nil {
				return err
			}
			manifest = buf.Bytes()
			return nil
		}
		f, err := hashCopy(name, io.Discard, r)
		seen[name] = f
		return err
	})
	if err != nil {
		return m, err
	}
	if manifest == nil {
		return m, fmt.Errorf("%s: no %s: not a ticketer backup, or an unfinished one", from, ManifestName)
	}
	if m, err = parseManifest(manifest); err != nil {
		return m, fmt.Errorf("%s: %w", from, err)
	}
	var problems []string
	listed := map[string]bool{}
	for _, f := range m.Files {
		listed[f.Path] = true
		got, ok := seen[f.Path]
		switch {
		case !ok:
			problems = append(problems, f.Path+": missing")
		case got.Size != f.Size:
			problems = append(problems, fmt.Sprintf("%s: %d bytes, the manifest says %d", f.Path, got.Size, f.Size))
		case got.SHA256 != f.SHA256:
			problems = append(problems, f.Path+": sha256 differs from the manifest")
		}
	}
	for name := range seen {
		if !listed[name] {
			problems = append(problems, name+": not in the manifest")
		}
	}
	if len(problems) > 0 {
		if len(problems) > 10 {
			problems = append(problems[:10], fmt.Sprintf("and %d more", len(problems)-10))
		}
		return m, fmt.Errorf("backup %s does not match its manifest:\n  %s", from, strings.Join(problems, "\n  "))
	}
	return m, nil
}
