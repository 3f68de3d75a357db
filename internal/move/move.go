// Package move copies a whole SQLite install (every table, River's queued
// jobs included, and every blob) into an empty PostgreSQL database and,
// optionally, another blob store such as S3.
//
// Each table is copied in one transaction and recorded in a ledger table
// in the target (pgcopy.MoveLedger), so a move that stops half way (a crash,
// Ctrl-C) resumes where it stopped: finished tables are kept, an unfinished
// one is emptied and copied again, and blobs already in the target are not
// sent twice. Each blob is checked by the target as it arrives: S3 hashes
// what it received against the sha256 the key names and says so. The end
// checks row counts, the content hashes of every row that has one, and
// that every blob is in the target with that sha256 (asked of S3, or read
// back where the store keeps no checksum); only then is the ledger dropped.
package move

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/pgcopy"
	"github.com/ticketer/ticketer/internal/store"
)

// DefaultBlobWorkers is how many blobs are copied at once unless
// Options.BlobWorkers says otherwise: S3 answers each request in a round
// trip, and enough in flight hide it.
const DefaultBlobWorkers = 16

// Options is one move.
type Options struct {
	From      *store.DB // SQLite, migrated, with no serve running on it
	To        *store.DB // PostgreSQL, migrated
	FromBlobs *blob.Store
	ToBlobs   *blob.Store // nil: the blobs stay where they are
	// BlobWorkers is how many blobs are uploaded (and verified) at once;
	// 0 is DefaultBlobWorkers.
	BlobWorkers int
	// Progress, when set, is told of each table and blob batch done.
	Progress func(what string, n int)
	Now      func() time.Time
}

// Report is what a move did.
type Report struct {
	Tables   map[string]int64 // rows copied (or found copied) per table
	Messages int64
	Blobs    int
	// BlobBytes is the size of the blobs copied; BlobPutMean the mean time
	// one upload waited for the target (Options.BlobWorkers wait at once).
	BlobBytes   int64
	BlobPutMean time.Duration
	// BlobsReadBack is how many blobs verify read back from the target,
	// which kept no checksum of them to compare.
	BlobsReadBack int
	Resumed       bool // a previous, unfinished move was continued
	Elapsed       time.Duration
	// The phases of Elapsed: the tables and the blobs, copied at the same
	// time (each measured from the start), then the final verification.
	TablesElapsed, BlobsElapsed, VerifyElapsed time.Duration
}

// MessagesPerSecond is the move's throughput in messages.
func (r Report) MessagesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Messages) / r.Elapsed.Seconds()
}

// ErrNotEmpty is returned when the target database holds data that no
// unfinished move of ours put there.
var ErrNotEmpty = errors.New("the target database is not empty")

// Move copies everything, or finishes a move that stopped.
func Move(ctx context.Context, o Options) (Report, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Progress == nil {
		o.Progress = func(string, int) {}
	}
	if o.BlobWorkers <= 0 {
		o.BlobWorkers = DefaultBlobWorkers
	}
	start := o.Now()
	rep := Report{Tables: map[string]int64{}}
	if o.From.Dialect != store.SQLite || o.To.Dialect != store.Postgres {
		return rep, errors.New("move copies a SQLite install into PostgreSQL")
	}
	if err := sameSchema(ctx, o.From, o.To); err != nil {
		return rep, err
	}
	tables, err := pgcopy.Tables(ctx, o.To.Pool)
	if err != nil {
		return rep, err
	}
	if err := allTablesHavePlace(ctx, o.From, tables); err != nil {
		return rep, err
	}
	done, resumed, err := ledger(ctx, o.To, tables)
	if err != nil {
		return rep, err
	}
	rep.Resumed = resumed
	// The blobs do not depend on the rows: they are copied while the tables
	// load (one is PostgreSQL's work, the other the blob store's).
	progress := o.Progress
	var progressMu sync.Mutex
	o.Progress = func(what string, n int) {
		progressMu.Lock()
		defer progressMu.Unlock()
		progress(what, n)
	}
	type blobsResult struct {
		blobCopy
		took time.Duration
		err  error
	}
	blobsDone := make(chan blobsResult, 1)
	blobsCtx, stopBlobs := context.WithCancel(ctx)
	defer stopBlobs()
	go func() {
		var r blobsResult
		if o.ToBlobs != nil {
			r.blobCopy, r.err = copyBlobs(blobsCtx, o)
		}
		r.took = o.Now().Sub(start)
		blobsDone <- r
	}()
	if err := copyTables(ctx, o, tables, done, resumed, rep.Tables); err != nil {
		stopBlobs()
		<-blobsDone
		return rep, err
	}
	rep.Messages = rep.Tables["messages"]
	rep.TablesElapsed = o.Now().Sub(start)
	blobs := <-blobsDone
	rep.Blobs, rep.BlobBytes, rep.BlobsElapsed = len(blobs.checked), blobs.bytes, blobs.took
	if rep.Blobs > 0 {
		rep.BlobPutMean = blobs.putTime / time.Duration(rep.Blobs)
	}
	if blobs.err != nil {
		return rep, blobs.err
	}
	mark := o.Now()
	if rep.BlobsReadBack, err = verify(ctx, o, tables, blobs.checked); err != nil {
		return rep, err
	}
	rep.VerifyElapsed = o.Now().Sub(mark)
	if _, err := o.To.Exec(ctx, "DROP TABLE "+pgcopy.MoveLedger); err != nil {
		return rep, fmt.Errorf("drop the move ledger: %w", err)
	}
	rep.Elapsed = o.Now().Sub(start)
	return rep, nil
}

// copyTables copies every table the ledger does not list as done, then
// moves the sequences on; rows holds each table's count. The search
// documents are built once their inputs are in, on their own connection,
// while the tables after them load (the UPDATE of tickets.search takes
// locks that the foreign-key checks of those loads do not wait for).
func copyTables(ctx context.Context, o Options, tables []pgcopy.Table, done map[string]int64, resumed bool, rows map[string]int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	search := make(chan error, 1)
	started := false
	start := func() {
		started = true
		tickets := int(rows["tickets"])
		go func() {
			err := rebuildSearch(ctx, o.To)
			if err == nil {
				o.Progress("search documents", tickets)
			}
			search <- err
		}()
	}
	startSearch := func() {
		// The tables a ticket's search document is built from
		// (ticketer_ticket_document).
		for _, name := range []string{"tickets", "messages", "contacts"} {
			if _, ok := rows[name]; !ok {
				return
			}
		}
		if !started {
			start()
		}
	}
	for _, t := range tables {
		if n, ok := done[t.Name]; ok {
			rows[t.Name] = n
			startSearch()
			continue
		}
		n, err := copyTable(ctx, o.From, o.To, t, resumed)
		if err != nil {
			if started {
				cancel()
				<-search
			}
			return err
		}
		rows[t.Name] = n
		o.Progress(t.Name, int(n))
		startSearch()
	}
	if !started {
		start() // a schema without one of the inputs: built after every table
	}
	if err := <-search; err != nil {
		return err
	}
	return resetSequences(ctx, o.To)
}

func sameSchema(ctx context.Context, from, to *store.DB) error {
	var a, b int
	if err := from.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&a); err != nil {
		return fmt.Errorf("source schema version: %w", err)
	}
	if err := to.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&b); err != nil {
		return fmt.Errorf("target schema version: %w", err)
	}
	if a != b {
		return fmt.Errorf("source schema version %d, target %d: migrate both with this ticketer first", a, b)
	}
	return nil
}

// ledger creates the ledger, or reads it when a move is being resumed; a
// target with rows and no ledger is refused.
func ledger(ctx context.Context, to *store.DB, tables []pgcopy.Table) (map[string]int64, bool, error) {
	var exists bool
	if err := to.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, pgcopy.MoveLedger).Scan(&exists); err != nil {
		return nil, false, err
	}
	done := map[string]int64{}
	if exists {
		rows, err := to.Pool.Query(ctx, "SELECT table_name, rows FROM "+pgcopy.MoveLedger)
		if err != nil {
			return nil, false, err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				return nil, false, err
			}
			done[name] = n
		}
		return done, true, rows.Err()
	}
	for _, t := range tables {
		n, err := pgcopy.CountRows(ctx, to.Pool, t.Name)
		if err != nil {
			return nil, false, err
		}
		if n > 0 {
			return nil, false, fmt.Errorf("%w: table %s has %d rows", ErrNotEmpty, t.Name, n)
		}
	}
	_, err := to.Exec(ctx, "CREATE TABLE "+pgcopy.MoveLedger+` (table_name TEXT PRIMARY KEY, rows BIGINT NOT NULL, finished_at TIMESTAMPTZ NOT NULL DEFAULT now())`)
	return done, false, err
}

// allTablesHavePlace refuses a source table PostgreSQL has no table for,
// except SQLite's own and the full-text index (PostgreSQL's triggers build
// their own from the copied rows).
func allTablesHavePlace(ctx context.Context, from *store.DB, tables []pgcopy.Table) error {
	rows, err := from.Writer.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		if strings.HasPrefix(name, "sqlite_") || strings.HasPrefix(name, "ticket_fts") || pgcopy.Skipped(name) ||
			slices.ContainsFunc(tables, func(t pgcopy.Table) bool { return t.Name == name }) {
			continue
		}
		return fmt.Errorf("table %s has no place in PostgreSQL", name)
	}
	return rows.Err()
}

// sourceColumns lists a SQLite table's columns; nil when it has none (no
// such table).
func sourceColumns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}

// copyTable copies the source's rows into the target table, in one
// transaction that also records it in the ledger; resuming, it first
// empties the table of what an interrupted try may have left.
func copyTable(ctx context.Context, from, to *store.DB, t pgcopy.Table, resuming bool) (int64, error) {
	src, err := sourceColumns(ctx, from.Writer, t.Name)
	if err != nil {
		return 0, err
	}
	if src == nil {
		return 0, nil // a table only PostgreSQL has
	}
	var cols []pgcopy.Column
	exprs := []string{}
	for _, c := range t.Columns {
		if !slices.Contains(src, c.Name) {
			continue // PostgreSQL-only column: its default applies
		}
		cols = append(cols, c)
		e := `"` + c.Name + `"`
		if c.Type == "jsonb" || strings.HasPrefix(c.Type, "_") {
			e = "json(" + e + ")" // River keeps JSON as SQLite JSONB blobs
		}
		exprs = append(exprs, e)
	}
	for _, c := range src {
		if !slices.ContainsFunc(t.Columns, func(pc pgcopy.Column) bool { return pc.Name == c }) {
			return 0, fmt.Errorf("table %s: column %s has no place in PostgreSQL", t.Name, c)
		}
	}
	t.Columns = cols
	tx, err := to.Pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if resuming {
		if _, err := tx.Exec(ctx, "TRUNCATE "+pgx.Identifier{t.Name}.Sanitize()+" CASCADE"); err != nil {
			return 0, fmt.Errorf("empty %s: %w", t.Name, err)
		}
	}
	// Our triggers keep derived data (the search document) in step row by
	// row; for a bulk load it is built once at the end (rebuildSearch).
	// Foreign keys are not user triggers and stay checked.
	name := pgx.Identifier{t.Name}.Sanitize()
	if _, err := tx.Exec(ctx, "ALTER TABLE "+name+" DISABLE TRIGGER USER"); err != nil {
		return 0, fmt.Errorf("load %s: %w", t.Name, err)
	}
	rows, err := from.Writer.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM "%s" ORDER BY rowid`, strings.Join(exprs, ", "), t.Name))
	if err != nil && strings.Contains(err.Error(), "no such column: rowid") {
		rows, err = from.Writer.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM "%s"`, strings.Join(exprs, ", "), t.Name))
	}
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", t.Name, err)
	}
	pr, pw := io.Pipe()
	go func() {
		defer rows.Close()
		pw.CloseWithError(writeRows(rows, cols, pw))
	}()
	n, err := pgcopy.CopyIn(ctx, tx, t, pr)
	pr.CloseWithError(io.ErrClosedPipe)
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(ctx, "ALTER TABLE "+name+" ENABLE TRIGGER USER"); err != nil {
		return 0, fmt.Errorf("load %s: %w", t.Name, err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+pgcopy.MoveLedger+" (table_name, rows) VALUES ($1, $2)", t.Name, n); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("commit %s: %w", t.Name, err)
	}
	return n, nil
}

// writeRows writes SQLite rows as COPY text lines.
func writeRows(rows *sql.Rows, cols []pgcopy.Column, w io.Writer) error {
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var line []byte
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		line = line[:0]
		for i, v := range vals {
			s, err := copyValue(v, cols[i].Type)
			if err != nil {
				return fmt.Errorf("column %s: %w", cols[i].Name, err)
			}
			if i > 0 {
				line = append(line, '\t')
			}
			line = append(line, s...)
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return rows.Err()
}

// rebuildSearch computes every ticket's search document once, with the
// function the search migration's triggers use (they were off during the
// load). Running it again gives the same documents, so a resumed move may.
func rebuildSearch(ctx context.Context, to *store.DB) error {
	var exists bool
	// to_regprocedure, not to_regproc: the function has overloads since
	// migration 0013, and to_regproc answers NULL for an overloaded name.
	if err := to.QueryRow(ctx, `SELECT to_regprocedure('ticketer_ticket_document(bigint,text)') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return err
	}
	if _, err := to.Exec(ctx, `UPDATE tickets SET search = ticketer_ticket_document(id, subject)`); err != nil {
		return fmt.Errorf("build the search index: %w", err)
	}
	return nil
}

func resetSequences(ctx context.Context, to *store.DB) error {
	tx, err := to.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := pgcopy.ResetSequences(ctx, tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// blobCopy is what copyBlobs did: the keys it copied, each true when the
// target answered with the sha256 the key names, and their bytes.
type blobCopy struct {
	checked map[string]bool
	bytes   int64
	// putTime adds up every PUT's round trip; over the blob count it is the
	// mean latency one upload waits for the store.
	putTime time.Duration
}

// copyBlobs copies every blob the target lacks, o.BlobWorkers at a time, each
// streamed from the source and checked by the target on arrival against
// the sha256 its key names (see blob.PutKeySum). Only a finished upload is
// in the target (an S3 PUT, like a folder's rename, is all or nothing), so
// the target's listing is the exact record of what is done: a move that
// stops anywhere resumes by sending every key the listing lacks, whatever
// order the workers finished in. Keys it found there are checked by verify.
func copyBlobs(ctx context.Context, o Options) (blobCopy, error) {
	from, to := o.FromBlobs, o.ToBlobs
	have := map[string]bool{}
	res := blobCopy{checked: map[string]bool{}}
	if err := to.Keys(ctx, func(k string) error { have[k] = true; return nil }); err != nil {
		return res, err
	}
	var mu sync.Mutex
	err := eachBlob(ctx, from, o.BlobWorkers, func(k string) bool { return have[k] }, func(ctx context.Context, k string) error {
		ok, size, took, err := copyBlob(ctx, from, to, k, o.Now)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		res.checked[k] = ok
		res.bytes += size
		res.putTime += took
		if len(res.checked)%500 == 0 {
			o.Progress("blobs", 500)
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("copy blobs: %w", err)
	}
	return res, nil
}

// copyBlob streams one blob into the target with the sha256 its key names
// (hashed from the source for a key that names none). It returns whether
// the target answered with that sha256, the size, and the PUT's time.
func copyBlob(ctx context.Context, from, to *blob.Store, k string, now func() time.Time) (bool, int64, time.Duration, error) {
	r, size, err := from.OpenSized(ctx, k)
	if err != nil {
		return false, 0, 0, err
	}
	defer r.Close()
	sum, ok := keySum(k)
	if !ok {
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			return false, 0, 0, fmt.Errorf("blob read %s: %w", k, err)
		}
		sum = hex.EncodeToString(h.Sum(nil))
	}
	start := now()
	ok, err = to.PutKeySumFrom(ctx, k, sum, r, size)
	return ok, size, now().Sub(start), err
}

// keySum is the sha256 a content-addressed key names (blob.Key).
func keySum(key string) (string, bool) {
	sum := path.Base(key)
	if _, err := hex.DecodeString(sum); err != nil || len(sum) != 64 {
		return "", false
	}
	return sum, true
}

// eachBlob calls fn for every key of the store that skip does not reject,
// workers at a time; the first error stops it.
func eachBlob(ctx context.Context, st *blob.Store, workers int, skip func(string) bool, fn func(ctx context.Context, key string) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	keys := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				if err := fn(ctx, k); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	err := st.Keys(ctx, func(k string) error {
		if skip(k) {
			return nil
		}
		select {
		case keys <- k:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	close(keys)
	wg.Wait()
	if cause := context.Cause(ctx); err == nil && cause != nil {
		err = cause
	}
	return err
}

// verify compares row counts and the hash of every row's content hash
// (tables with a sha256 column), then checks the blobs (verifyBlobs). It
// returns how many blobs it read back.
func verify(ctx context.Context, o Options, tables []pgcopy.Table, checked map[string]bool) (int, error) {
	var problems []string
	for _, t := range tables {
		src, err := sourceColumns(ctx, o.From.Writer, t.Name)
		if err != nil {
			return 0, err
		}
		if src == nil {
			continue
		}
		var a, b int64
		if err := o.From.Writer.QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*) FROM "%s"`, t.Name)).Scan(&a); err != nil {
			return 0, err
		}
		if b, err = pgcopy.CountRows(ctx, o.To.Pool, t.Name); err != nil {
			return 0, err
		}
		if a != b {
			problems = append(problems, fmt.Sprintf("%s: %d rows in SQLite, %d in PostgreSQL", t.Name, a, b))
			continue
		}
		if !slices.Contains(src, "sha256") || !slices.Contains(src, "id") {
			continue
		}
		q := fmt.Sprintf(`SELECT id, sha256 FROM "%s" ORDER BY id`, t.Name)
		ha, err := hashRows(ctx, o.From, q)
		if err != nil {
			return 0, err
		}
		hb, err := hashRows(ctx, o.To, q)
		if err != nil {
			return 0, err
		}
		if ha != hb {
			problems = append(problems, t.Name+": the rows' content hashes differ")
		}
	}
	readBack := 0
	if o.ToBlobs != nil {
		more, n, err := verifyBlobs(ctx, o.FromBlobs, o.ToBlobs, o.BlobWorkers, checked)
		if err != nil {
			return n, err
		}
		problems, readBack = append(problems, more...), n
	}
	if len(problems) > 0 {
		return readBack, fmt.Errorf("the moved copy differs:\n  %s", strings.Join(problems, "\n  "))
	}
	return readBack, nil
}

// verifyBlobs checks that every source blob is in the target (one listing)
// with the right content. A blob the target answered for with its sha256
// as it was copied (checked) needs nothing more. Blobs an interrupted move
// copied are asked for the checksum the target stored (a HEAD), and read
// back and hashed only where it kept none. It returns the problems found
// and how many blobs it read back.
func verifyBlobs(ctx context.Context, from, to *blob.Store, workers int, checked map[string]bool) ([]string, int, error) {
	present := map[string]bool{}
	if err := to.Keys(ctx, func(k string) error { present[k] = true; return nil }); err != nil {
		return nil, 0, err
	}
	var mu sync.Mutex
	var problems []string
	readBack := 0
	err := eachBlob(ctx, from, workers, func(k string) bool { return present[k] && checked[k] }, func(ctx context.Context, k string) error {
		problem, read, err := checkBlob(ctx, from, to, k, present[k])
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if read {
			readBack++
		}
		if problem != "" {
			problems = append(problems, k+": "+problem)
		}
		return nil
	})
	return problems, readBack, err
}

// checkBlob checks one blob of the target against the sha256 its key names
// (or, for a key that names none, the source's bytes).
func checkBlob(ctx context.Context, from, to *blob.Store, k string, present bool) (problem string, readBack bool, err error) {
	if !present {
		return "not in the target", false, nil
	}
	want, ok := keySum(k)
	if !ok {
		data, err := from.Get(ctx, k)
		if err != nil {
			return "", false, err
		}
		want = blob.Sum(data)
	}
	got, err := to.StoredSum(ctx, k)
	if errors.Is(err, blob.ErrNotFound) {
		return "not in the target", false, nil
	}
	if err != nil {
		return "", false, err
	}
	if got == "" {
		data, err := to.Get(ctx, k)
		if err != nil {
			return err.Error(), true, nil
		}
		got, readBack = blob.Sum(data), true
	}
	if got != want {
		return "sha256 " + got + " in the target", readBack, nil
	}
	return "", readBack, nil
}

func hashRows(ctx context.Context, db *store.DB, q string) (string, error) {
	rows, err := db.Query(ctx, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var id int64
		var sum string
		if err := rows.Scan(&id, &sum); err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%d %s\n", id, sum)
	}
	return hex.EncodeToString(h.Sum(nil)), rows.Err()
}
