package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ticketer/ticketer/internal/backup"
	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/config"
	"github.com/ticketer/ticketer/internal/importer"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/store"
)

// opened is the database and blob store of the configured install, opened
// without migrating: backup, restore and migrate --status only read it
// first.
type opened struct {
	cfg   config.Config
	db    *store.DB
	blobs *blob.Store
}

func openInstall(ctx context.Context, e Env, name string, withDB, withBlobs bool) (*opened, error) {
	cfg, _, err := config.Load(name, nil, e.Lookup, e.Stderr)
	if err != nil {
		return nil, err
	}
	o := &opened{cfg: cfg}
	if withDB {
		if o.db, err = store.Open(ctx, cfg.DatabaseURL); err != nil {
			return nil, err
		}
	}
	if !withBlobs {
		return o, nil
	}
	if o.blobs, err = blob.Open(ctx, cfg.BlobURL); err != nil {
		o.close()
		return nil, err
	}
	return o, nil
}

func (o *opened) close() {
	if o.blobs != nil {
		_ = o.blobs.Close()
	}
	if o.db != nil {
		o.db.Close()
	}
}

// keyFile is the generated key file when the install uses one.
func (o *opened) keyFile() string {
	if o.cfg.EncryptionKey != "" {
		return ""
	}
	return o.cfg.KeyFile()
}

// terminalProgress draws a progress bar on stderr when it is a terminal.
func terminalProgress(e Env, total func() int) *importer.Progress {
	if f, ok := e.Stderr.(*os.File); ok && importer.IsTerminal(f) {
		return importer.NewProgress(e.Stderr, true, total(), time.Now)
	}
	return nil
}

func runBackup(ctx context.Context, e Env, args []string) error {
	fs := newFlags("backup", e)
	to := fs.String("to", "", "write the backup to this new tar FILE, or into this empty DIR (a path ending in / or an existing folder)")
	verify := fs.String("verify", "", "check the backup FILE or DIR against its manifest, and change nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*to == "") == (*verify == "") || fs.NArg() > 0 {
		return errors.New("usage: ticketer backup --to FILE|DIR, or ticketer backup --verify FILE|DIR")
	}
	if *verify != "" {
		m, err := backup.Verify(ctx, *verify)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "ok: %s backup of %s, schema %d, %d files (%d blobs)\n", m.Engine, m.CreatedAt.Format(time.RFC3339), m.SchemaVersion, len(m.Files), m.Blobs())
		return nil
	}
	o, err := openInstall(ctx, e, "backup", true, true)
	if err != nil {
		return err
	}
	defer o.close()
	src := backup.Source{DB: o.db, Blobs: o.blobs, KeyFile: o.keyFile()}
	if p := terminalProgress(e, func() int {
		n := 0
		_ = o.blobs.Keys(ctx, func(string) error { n++; return nil })
		return n + 1
	}); p != nil {
		src.Progress = p
		defer p.Done()
	}
	start := time.Now()
	m, err := backup.Backup(ctx, src, *to)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	var size int64
	for _, f := range m.Files {
		size += f.Size
	}
	fmt.Fprintf(e.Stdout, "backup %s: %s, schema %d, %d files (%d blobs), %.1f MB in %s\n", *to, m.Engine, m.SchemaVersion,
		len(m.Files), m.Blobs(), float64(size)/1e6, time.Since(start).Round(time.Millisecond))
	return nil
}

func runRestore(ctx context.Context, e Env, args []string) error {
	fs := newFlags("restore", e)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: ticketer restore FILE|DIR (into the configured, empty, data dir or database)")
	}
	from := fs.Arg(0)
	cfg, _, err := config.Load("restore", nil, e.Lookup, e.Stderr)
	if err != nil {
		return err
	}
	o, err := openInstall(ctx, e, "restore", cfg.IsPostgres(), true)
	if err != nil {
		return err
	}
	defer o.close()
	dialect := store.SQLite
	if o.db != nil {
		dialect = o.db.Dialect
	}
	latest, err := store.LatestMigration(dialect)
	if err != nil {
		return err
	}
	dst := backup.Target{DB: o.db, Blobs: o.blobs, KeyFile: o.keyFile(), SchemaVersion: latest,
		SQLitePath: sqlitePath(cfg.DatabaseURL), Migrate: migrateAll}
	if p := terminalProgress(e, func() int { return 0 }); p != nil {
		dst.Progress = p
		defer p.Done()
	}
	m, err := backup.Restore(ctx, from, dst)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(e.Stdout, "restored %s backup of %s: %d files (%d blobs)\n", m.Engine, m.CreatedAt.Format(time.RFC3339), len(m.Files), m.Blobs())
	return nil
}

// migrateAll applies Ticketer's and River's migrations.
func migrateAll(ctx context.Context, db *store.DB) error {
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, db)
}

// sqlitePath is the file of a SQLite database URL, as store.Open reads it.
func sqlitePath(dsn string) string {
	p := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

func runMigrate(ctx context.Context, e Env, args []string) error {
	fs := newFlags("migrate", e)
	status := fs.Bool("status", false, "list applied and pending migrations, and change nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*status {
		return withApp(ctx, e, "migrate", false, func(a *App) error {
			fmt.Fprintln(e.Stderr, "migrations applied")
			return nil
		})
	}
	o, err := openInstall(ctx, e, "migrate", true, false)
	if err != nil {
		return err
	}
	defer o.close()
	ms, err := o.db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tNAME\tSTATUS")
	pending := 0
	for _, m := range ms {
		state := "pending"
		switch {
		case m.Unknown:
			state = "applied " + m.AppliedAt.Format(time.RFC3339) + " (not in this binary: written by a newer release)"
		case m.AppliedAt != nil:
			state = "applied " + m.AppliedAt.Format(time.RFC3339)
		default:
			pending++
		}
		fmt.Fprintf(tw, "%04d\t%s\t%s\n", m.Version, m.Name, state)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "%d pending\n", pending)
	return nil
}
