package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Store is the data access layer. Methods that take a Querier run inside the
// caller's transaction (or directly on the DB); the others read from the DB.
type Store struct {
	db          *DB
	searchDense int // see denseMatches
}

// New returns a Store over db.
func New(db *DB) *Store { return &Store{db: db, searchDense: denseMatches} }

// DB returns the underlying database (for transactions).
func (s *Store) DB() *DB { return s.db }

// Address is an email address with its display name.
type Address struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

func encodeAddrs(a []Address) string {
	if a == nil {
		a = []Address{}
	}
	b, _ := json.Marshal(a)
	return string(b)
}

func decodeAddrs(s string) []Address {
	var a []Address
	if err := json.Unmarshal([]byte(s), &a); err != nil || a == nil {
		return []Address{}
	}
	return a
}

func nullTime(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: t.UTC(), Valid: true}
}

func nullInt(v int64) sql.NullInt64 {
	if v == 0 {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: v, Valid: true}
}

func timeOf(n sql.NullTime) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return n.Time.UTC()
}

// placeholders returns "$from, $from+1, ..." for n values.
func placeholders(from, n int) string {
	b := make([]byte, 0, n*4)
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, fmt.Sprintf("$%d", from+i)...)
	}
	return string(b)
}

// inChunk bounds the values of one IN list (SQLite takes at most 32,766
// parameters a statement): a batch of messages can bring thousands of keys.
const inChunk = 500

// rowChunk bounds the rows of one multi-row INSERT, for the same reason:
// 10,000 attachments of 8 columns would be 80,000 parameters.
const rowChunk = 500

// inChunks calls fn for consecutive ranges [lo, hi) of n items, each at
// most size long.
func inChunks(n, size int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; lo += size {
		if err := fn(lo, min(lo+size, n)); err != nil {
			return err
		}
	}
	return nil
}

// valuesList returns "($1, ..., $width), (...)" for rows of width columns.
func valuesList(rows, width int) string {
	var b strings.Builder
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + placeholders(1+i*width, width) + ")")
	}
	return b.String()
}

// queryIn runs query, which ends with "IN (", for each distinct value, in
// chunks, and calls scan for every row.
func queryIn[T comparable](ctx context.Context, q Querier, query string, values []T, scan func(Rows) error) error {
	seen := make(map[T]bool, len(values))
	var args []any
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			args = append(args, v)
		}
	}
	for len(args) > 0 {
		n := min(len(args), inChunk)
		if err := scanAll(q.Query(ctx, query+placeholders(1, n)+")", args[:n]...))(scan); err != nil {
			return err
		}
		args = args[n:]
	}
	return nil
}

// scanAll calls scan for every row, then closes the rows.
func scanAll(rows Rows, err error) func(scan func(Rows) error) error {
	return func(scan func(Rows) error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// deferExec runs a statement whose result is not needed: deferred into the
// transaction's next round trip when q is a PostgreSQL transaction.
func deferExec(ctx context.Context, q Querier, query string, args ...any) error {
	if tx, ok := q.(*Tx); ok {
		return tx.Defer(ctx, query, args...)
	}
	_, err := q.Exec(ctx, query, args...)
	return err
}

func nullString(v string) sql.NullString {
	if v == "" {
		return sql.NullString{}
	}
	return sql.NullString{String: v, Valid: true}
}
