// Package store holds every SQL statement of Ticketer. It runs the same SQL on
// SQLite (modernc.org/sqlite) and PostgreSQL (pgx v5); the few places where the
// dialects differ ask DB.Dialect.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the database engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Domain errors: the storage boundary translates driver errors into these.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
)

// Querier is what both a DB and a Tx offer, so store methods run in or out of
// a transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Rows is the common part of *sql.Rows and pgx.Rows.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is the common part of *sql.Row and pgx.Row.
type Row interface {
	Scan(dest ...any) error
}

// DB is an open database of either dialect.
type DB struct {
	Dialect Dialect
	// SQLite: one writer connection (River and every transaction) and a pool of
	// readers, so API reads never queue behind an ingestion transaction.
	Writer *sql.DB
	reader *sql.DB
	// stmts caches statements prepared on the writer: SQLite re-parses SQL
	// on every call otherwise, and ingestion runs the same few statements
	// thousands of times.
	stmts   sync.Map // query -> *sql.Stmt
	pending sync.Map // query -> true: seen in a transaction, not prepared yet
	// PostgreSQL.
	Pool *pgxpool.Pool
	// statements counts the statements run in transactions (Statements).
	statements atomic.Int64
}

// Statements is how many statements transactions have run on db since it
// was opened, deferred ones included: tests pin what a path costs with it.
func (db *DB) Statements() int64 { return db.statements.Load() }

// createPrivate makes sure the SQLite file exists and is readable by its
// owner only, whatever the umask: SQLite gives the -wal and -shm files the
// mode of the database file. Its folder must exist: a mistyped path fails
// here instead of growing folders.
func createPrivate(path string) error {
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return fmt.Errorf("sqlite database %s: its folder must exist: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite database %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("sqlite database %s: %w", p, err)
		}
	}
	return nil
}

// Open connects to url: "postgres://..." or "postgresql://..." selects
// PostgreSQL; "sqlite:///path/file.db", "file:..." or a plain path selects SQLite.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("parse database url: %w", err)
		}
		if cfg.MaxConns < 8 {
			cfg.MaxConns = 8
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("connect postgres: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connect postgres %s: %w", cfg.ConnConfig.Host, err)
		}
		return &DB{Dialect: Postgres, Pool: pool}, nil
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errors.New("sqlite database path is empty")
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	q.Set("_time_format", "sqlite")
	q.Set("_txlock", "immediate")
	// The one writer keeps 8 MiB of pages (SQLite's default is 2 MiB):
	// an ingest touches index pages all over a growing database, and with
	// the default the import kept reading pages back from the file. The
	// 10,000-message import with 100 rules: 1.61 and 1.76 ms CPU a message
	// against 1.91 and 2.07, peak RSS 93 MB against 77 (32 MiB: no faster
	// than 8, 133 MB). Readers keep the default: there are four.
	writerCache := url.Values{"_pragma": {"cache_size(-8192)"}}
	writer, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode()+"&"+writerCache.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	q.Set("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "query_only(1)")
	q.Del("_txlock")
	reader, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open sqlite reader: %w", err)
	}
	reader.SetMaxOpenConns(4)
	return &DB{Dialect: SQLite, Writer: writer, reader: reader}, nil
}

// Close releases every connection.
func (db *DB) Close() {
	if db.Pool != nil {
		db.Pool.Close()
	}
	if db.Writer != nil {
		db.stmts.Range(func(_, v any) bool {
			v.(*sql.Stmt).Close()
			return true
		})
		db.Writer.Close()
	}
	if db.reader != nil {
		db.reader.Close()
	}
}

// Ping checks the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error {
	if db.Pool != nil {
		return db.Pool.Ping(ctx)
	}
	return db.Writer.PingContext(ctx)
}

// Tx is an open transaction. Native returns the driver's own transaction
// (*sql.Tx or pgx.Tx) so River can insert jobs in it.
type Tx struct {
	sqlTx *sql.Tx
	pgTx  pgx.Tx
	// Dialect lets callers that need a dialect-specific statement choose it.
	Dialect Dialect
	db      *DB
	after   []func()
	// deferred holds PostgreSQL statements whose results nobody waits for;
	// they go to the server together with the next statement (one round trip
	// for many), and before commit.
	deferred []deferredStmt
	// memo holds what TxMemo read once for the transaction.
	memo map[any]any
	// before runs when fn is done, before the commit (BeforeCommit).
	before []func(context.Context) error
}

// BeforeCommit registers fn to run once the transaction's work is done,
// just before it commits, in order of registration (fn may register more);
// an error rolls the transaction back. The job queue inserts a
// transaction's jobs there, all in one statement.
func (tx *Tx) BeforeCommit(fn func(ctx context.Context) error) { tx.before = append(tx.before, fn) }

func (tx *Tx) runBeforeCommit(ctx context.Context) error {
	for i := 0; i < len(tx.before); i++ {
		if err := tx.before[i](ctx); err != nil {
			return err
		}
	}
	return nil
}

// TxMemo returns what read gives for key, calling it once per transaction:
// what no change in it alters (the enabled webhooks, an agent's
// notification settings) is read once for a chunk of many ticket changes
// (the SLA breach pass), not once per change. A transaction that changes
// such a thing must not read it through TxMemo before the change.
func TxMemo[T any](tx *Tx, key any, read func() (T, error)) (T, error) {
	if v, ok := tx.memo[key]; ok {
		return v.(T), nil
	}
	v, err := read()
	if err != nil {
		return v, err
	}
	if tx.memo == nil {
		tx.memo = map[any]any{}
	}
	tx.memo[key] = v
	return v, nil
}

type deferredStmt struct {
	query string
	args  []any
}

// Defer runs a statement whose result the caller does not need: on
// PostgreSQL it is sent with the next statement of the transaction, in one
// round trip (a pipeline), and its error, if any, comes back from that
// statement or from the commit; on SQLite, where statements cost no round
// trip, it runs at once. Any later statement of tx sees its effects.
func (tx *Tx) Defer(ctx context.Context, query string, args ...any) error {
	if tx.pgTx == nil {
		_, err := tx.Exec(ctx, query, args...)
		return err
	}
	tx.db.statements.Add(1)
	tx.deferred = append(tx.deferred, deferredStmt{query, args})
	return nil
}

// flush sends the deferred statements, with query (when not empty) last in
// the same batch; it returns the batch to read query's result from.
func (tx *Tx) flush(ctx context.Context, query string, args ...any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, d := range tx.deferred {
		b.Queue(d.query, d.args...)
	}
	pending := tx.deferred
	tx.deferred = nil
	if query != "" {
		b.Queue(query, args...)
	}
	br := tx.pgTx.SendBatch(ctx, b)
	for _, d := range pending {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, fmt.Errorf("%s: %w", firstLine(d.query), translate(err))
		}
	}
	return br, nil
}

// Flush sends the deferred statements now (before handing the driver's
// transaction to other code, such as River's insert).
func (tx *Tx) Flush(ctx context.Context) error {
	if tx.pgTx == nil {
		return nil
	}
	return tx.flushAll(ctx)
}

// flushAll sends what is deferred and waits for it.
func (tx *Tx) flushAll(ctx context.Context) error {
	if len(tx.deferred) == 0 {
		return nil
	}
	br, err := tx.flush(ctx, "")
	if err != nil {
		return err
	}
	return translate(br.Close())
}

// batchRow is a QueryRow answered within a batch: the batch is closed once
// the row is read.
type batchRow struct {
	br  pgx.BatchResults
	row pgx.Row
}

func (r batchRow) Scan(dest ...any) error {
	err := translate(r.row.Scan(dest...))
	if cerr := r.br.Close(); err == nil && cerr != nil {
		err = translate(cerr)
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// AfterCommit registers fn to run once the transaction has committed; it never
// runs when the transaction rolls back. For in-process notifications that
// must not be seen before the data they announce.
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

func (tx *Tx) runAfterCommit() {
	for _, fn := range tx.after {
		fn()
	}
}

// stmt returns the cached prepared statement for query, or nil. A query not
// cached yet is noted and prepared before the next transaction begins: the
// writer's only connection is busy with this one, so preparing now would wait
// for ourselves.
func (db *DB) stmt(query string) *sql.Stmt {
	if v, ok := db.stmts.Load(query); ok {
		return v.(*sql.Stmt)
	}
	db.pending.Store(query, true)
	return nil
}

// preparePending prepares the queries noted by stmt. Called with no
// transaction open; a query that fails to prepare is simply not cached.
func (db *DB) preparePending(ctx context.Context) {
	db.pending.Range(func(k, _ any) bool {
		query := k.(string)
		db.pending.Delete(query)
		if _, ok := db.stmts.Load(query); ok {
			return true
		}
		if st, err := db.Writer.PrepareContext(ctx, query); err == nil {
			db.stmts.Store(query, st)
		}
		return true
	})
}

// Native is the driver transaction: *sql.Tx on SQLite, pgx.Tx on PostgreSQL.
func (tx *Tx) Native() any {
	if tx.pgTx != nil {
		return tx.pgTx
	}
	return tx.sqlTx
}

// InTx runs fn in a transaction, committing when fn returns nil.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.Pool != nil {
		pgTx, err := db.Pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", translate(err))
		}
		tx := &Tx{pgTx: pgTx, Dialect: Postgres, db: db}
		err = fn(tx)
		if err == nil {
			err = tx.runBeforeCommit(ctx)
		}
		if err == nil {
			err = tx.flushAll(ctx)
		}
		if err != nil {
			_ = pgTx.Rollback(context.WithoutCancel(ctx))
			return err
		}
		if err := pgTx.Commit(ctx); err != nil {
			return fmt.Errorf("commit: %w", translate(err))
		}
		tx.runAfterCommit()
		return nil
	}
	db.preparePending(ctx)
	sqlTx, err := db.Writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", translate(err))
	}
	tx := &Tx{sqlTx: sqlTx, Dialect: SQLite, db: db}
	err = fn(tx)
	if err == nil {
		err = tx.runBeforeCommit(ctx)
	}
	if err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	tx.runAfterCommit()
	return nil
}

// Exec implements Querier outside a transaction (the writer on SQLite).
func (db *DB) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if db.Pool != nil {
		tag, err := db.Pool.Exec(ctx, query, args...)
		return tag.RowsAffected(), translate(err)
	}
	return sqlExec(ctx, db.Writer, query, args...)
}

// Query implements Querier; on SQLite it reads from the reader pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	if db.Pool != nil {
		rows, err := db.Pool.Query(ctx, query, args...)
		if err != nil {
			return nil, translate(err)
		}
		return pgRows{rows}, nil
	}
	return sqlQuery(ctx, db.reader, query, args...)
}

// QueryRow implements Querier; on SQLite it reads from the reader pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) Row {
	if db.Pool != nil {
		return pgRow{db.Pool.QueryRow(ctx, query, args...)}
	}
	return sqlRow{db.reader.QueryRowContext(ctx, query, args...)}
}

// Exec implements Querier.
func (tx *Tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tx.db.statements.Add(1)
	if tx.pgTx != nil {
		if err := tx.flushAll(ctx); err != nil {
			return 0, err
		}
		tag, err := tx.pgTx.Exec(ctx, query, args...)
		return tag.RowsAffected(), translate(err)
	}
	if st := tx.db.stmt(query); st != nil {
		res, err := tx.sqlTx.StmtContext(ctx, st).ExecContext(ctx, args...)
		if err != nil {
			return 0, translate(err)
		}
		n, _ := res.RowsAffected()
		return n, nil
	}
	return sqlExec(ctx, tx.sqlTx, query, args...)
}

// Query implements Querier.
func (tx *Tx) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	tx.db.statements.Add(1)
	if tx.pgTx != nil {
		if err := tx.flushAll(ctx); err != nil {
			return nil, err
		}
		rows, err := tx.pgTx.Query(ctx, query, args...)
		if err != nil {
			return nil, translate(err)
		}
		return pgRows{rows}, nil
	}
	if st := tx.db.stmt(query); st != nil {
		rows, err := tx.sqlTx.StmtContext(ctx, st).QueryContext(ctx, args...)
		if err != nil {
			return nil, translate(err)
		}
		return sqlRows{rows}, nil
	}
	return sqlQuery(ctx, tx.sqlTx, query, args...)
}

// QueryRow implements Querier.
func (tx *Tx) QueryRow(ctx context.Context, query string, args ...any) Row {
	tx.db.statements.Add(1)
	if tx.pgTx != nil {
		if len(tx.deferred) > 0 {
			// The deferred statements and this one: one round trip.
			br, err := tx.flush(ctx, query, args...)
			if err != nil {
				return errRow{err}
			}
			return batchRow{br: br, row: br.QueryRow()}
		}
		return pgRow{tx.pgTx.QueryRow(ctx, query, args...)}
	}
	if st := tx.db.stmt(query); st != nil {
		return sqlRow{tx.sqlTx.StmtContext(ctx, st).QueryRowContext(ctx, args...)}
	}
	return sqlRow{tx.sqlTx.QueryRowContext(ctx, query, args...)}
}

type sqlConn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func sqlExec(ctx context.Context, c sqlConn, query string, args ...any) (int64, error) {
	res, err := c.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, translate(err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

func sqlQuery(ctx context.Context, c sqlConn, query string, args ...any) (Rows, error) {
	rows, err := c.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	return sqlRows{rows}, nil
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close()                 { _ = r.Rows.Close() }
func (r sqlRows) Scan(dest ...any) error { return translate(r.Rows.Scan(dest...)) }

type sqlRow struct{ *sql.Row }

func (r sqlRow) Scan(dest ...any) error { return translate(r.Row.Scan(dest...)) }

type pgRows struct{ pgx.Rows }

func (r pgRows) Scan(dest ...any) error { return translate(r.Rows.Scan(dest...)) }

type pgRow struct{ pgx.Row }

func (r pgRow) Scan(dest ...any) error { return translate(r.Row.Scan(dest...)) }

// translate maps driver errors to the domain errors, keeping the original
// wrapped for logs.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) && (sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return fmt.Errorf("%w: %w", ErrConflict, err)
	}
	return err
}

// W returns a Querier whose reads go to the writer connection: for
// INSERT ... RETURNING outside a transaction, and reads that must see a write
// just committed.
func (db *DB) W() Querier {
	if db.Pool != nil {
		return db
	}
	return writerQ{db}
}

type writerQ struct{ db *DB }

func (w writerQ) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	return w.db.Exec(ctx, query, args...)
}

func (w writerQ) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	return sqlQuery(ctx, w.db.Writer, query, args...)
}

func (w writerQ) QueryRow(ctx context.Context, query string, args ...any) Row {
	return sqlRow{w.db.Writer.QueryRowContext(ctx, query, args...)}
}
