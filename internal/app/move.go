package app

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/config"
	"github.com/ticketer/ticketer/internal/move"
	"github.com/ticketer/ticketer/internal/store"
)

func runMove(ctx context.Context, e Env, args []string) error {
	fs := newFlags("move", e)
	toDB := fs.String("to-database", "", "the empty PostgreSQL database to move into: postgres://...")
	toBlobs := fs.String("to-blobs", "", "the blob store to copy raw mail and attachments into: s3://bucket?endpoint=...; without it they stay where they are")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *toDB == "" || fs.NArg() > 0 {
		return errors.New("usage: ticketer move --to-database postgres://... [--to-blobs s3://...]")
	}
	if !(config.Config{DatabaseURL: *toDB}).IsPostgres() {
		return fmt.Errorf("move: --to-database must be a postgres:// URL, got %q", *toDB)
	}
	cfg, _, err := config.Load("move", nil, e.Lookup, e.Stderr)
	if err != nil {
		return err
	}
	if cfg.IsPostgres() {
		return errors.New("move: the configured install is on PostgreSQL already; move copies an embedded (SQLite) install")
	}
	// No serve may write the source while it is copied.
	release, err := lockDataDir(cfg.DataDir)
	if err != nil {
		return fmt.Errorf("move: stop serve first: %w", err)
	}
	defer release()
	o := move.Options{Progress: func(what string, n int) { fmt.Fprintf(e.Stderr, "moved %s: %d\n", what, n) }}
	var closers []func()
	defer func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}()
	openDB := func(url string) (*store.DB, error) {
		db, err := store.Open(ctx, url)
		if err != nil {
			return nil, err
		}
		closers = append(closers, db.Close)
		return db, migrateAll(ctx, db)
	}
	openBlobs := func(url string) (*blob.Store, error) {
		b, err := blob.Open(ctx, url)
		if err != nil {
			return nil, err
		}
		closers = append(closers, func() { _ = b.Close() })
		return b, nil
	}
	if o.From, err = openDB(cfg.DatabaseURL); err != nil {
		return err
	}
	if o.To, err = openDB(*toDB); err != nil {
		return err
	}
	if o.FromBlobs, err = openBlobs(cfg.BlobURL); err != nil {
		return err
	}
	if *toBlobs != "" {
		if o.ToBlobs, err = openBlobs(*toBlobs); err != nil {
			return err
		}
	}
	rep, err := move.Move(ctx, o)
	if err != nil {
		return fmt.Errorf("move: %w (run the same command again to resume)", err)
	}
	blobs := ""
	if rep.Blobs > 0 {
		blobs = fmt.Sprintf(" (%.1f MB, %.1f MB/s, %s per upload on average)", float64(rep.BlobBytes)/1e6,
			float64(rep.BlobBytes)/1e6/rep.BlobsElapsed.Seconds(), rep.BlobPutMean.Round(100*time.Microsecond))
	}
	fmt.Fprintf(e.Stdout, "moved %d tables, %d messages, %d blobs in %s (%.0f msgs/s; tables %s (%.0f msgs/s) and blobs %s%s side by side, then verification %s); row counts, content hashes and blobs verified (%d blobs read back, the others by the target's sha256)\n",
		len(rep.Tables), rep.Messages, rep.Blobs, rep.Elapsed.Round(time.Millisecond), rep.MessagesPerSecond(),
		rep.TablesElapsed.Round(time.Millisecond), float64(rep.Messages)/rep.TablesElapsed.Seconds(), rep.BlobsElapsed.Round(time.Millisecond), blobs,
		rep.VerifyElapsed.Round(time.Millisecond), rep.BlobsReadBack)
	key := "TICKETER_ENCRYPTION_KEY_BASE64 as it is now"
	if cfg.EncryptionKey == "" {
		key = "TICKETER_ENCRYPTION_KEY_BASE64 set to the contents of " + cfg.KeyFile()
	}
	blobURL := cfg.BlobURL
	if *toBlobs != "" {
		blobURL = *toBlobs
	}
	fmt.Fprintf(e.Stderr, "next: run serve with TICKETER_DATABASE_URL=%s, TICKETER_BLOB_URL=%s and %s (the sealed credentials need it)\n",
		redactURL(*toDB), blobURL, key)
	return nil
}

// redactURL hides a URL's password for printing.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the database URL"
	}
	return u.Redacted()
}
