// Package pgcopy moves whole PostgreSQL tables in COPY text format: the
// table list in foreign-key order, export, load, and sequence repair. The
// backup and the move to PostgreSQL both use it.
package pgcopy

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// skipped are tables neither a backup nor a move carries: the migration ledgers (the
// restoring binary's own migrations write them, and their versions are
// checked instead) and River's leader election and notifications, which
// live only while a process runs.
var skipped = map[string]bool{
	"schema_migrations":  true,
	"river_migration":    true,
	"river_leader":       true,
	"river_notification": true,
	MoveLedger:           true,
}

// MoveLedger is the table a move to PostgreSQL records its finished tables
// in, so that it resumes after a crash; it is dropped when the move ends.
const MoveLedger = "ticketer_move"

// Skipped reports whether a table is never copied.
func Skipped(table string) bool { return skipped[table] }

// Column is one column of a PostgreSQL table.
type Column struct {
	Name string
	Type string // udt_name: int8, text, timestamptz, jsonb, _text, bit, ...
}

// Table is a PostgreSQL table a backup or a move copies.
type Table struct {
	Name    string
	Columns []Column // without derived columns (tsvector: triggers rebuild them)
}

// ColumnList is the quoted, comma-separated column names.
func (t Table) ColumnList() string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = pgx.Identifier{c.Name}.Sanitize()
	}
	return strings.Join(names, ", ")
}

// queryer is what a pgx connection and transaction offer.
// Queryer is what a pgx pool, connection and transaction offer.
type Queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// Tables lists the public tables to copy, parents before children, so
// rows load without breaking a foreign key.
func Tables(ctx context.Context, q Queryer) ([]Table, error) {
	rows, err := q.Query(ctx, `SELECT c.table_name, c.column_name, c.udt_name
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	byName := map[string]*Table{}
	var names []string
	for rows.Next() {
		var table, col, typ string
		if err := rows.Scan(&table, &col, &typ); err != nil {
			rows.Close()
			return nil, err
		}
		if skipped[table] || typ == "tsvector" {
			continue
		}
		t := byName[table]
		if t == nil {
			t = &Table{Name: table}
			byName[table] = t
			names = append(names, table)
		}
		t.Columns = append(t.Columns, Column{Name: col, Type: typ})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = q.Query(ctx, `SELECT child.relname, parent.relname FROM pg_constraint k
		JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = child.relnamespace
		WHERE k.contype = 'f' AND n.nspname = 'public'`)
	if err != nil {
		return nil, fmt.Errorf("list foreign keys: %w", err)
	}
	parents := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		if child != parent {
			parents[child] = append(parents[child], parent)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []Table
	done := map[string]bool{}
	var visit func(name string, path map[string]bool) error
	visit = func(name string, path map[string]bool) error {
		if done[name] || byName[name] == nil {
			return nil
		}
		if path[name] {
			return fmt.Errorf("foreign keys form a cycle through %s", name)
		}
		path[name] = true
		for _, p := range parents[name] {
			if err := visit(p, path); err != nil {
				return err
			}
		}
		delete(path, name)
		done[name] = true
		out = append(out, *byName[name])
		return nil
	}
	for _, n := range names {
		if err := visit(n, map[string]bool{}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CopyOut writes a table's rows in COPY text format.
func CopyOut(ctx context.Context, tx pgx.Tx, t Table, w io.Writer) (int64, error) {
	tag, err := tx.Conn().PgConn().CopyTo(ctx, w, fmt.Sprintf("COPY %s (%s) TO STDOUT", pgx.Identifier{t.Name}.Sanitize(), t.ColumnList()))
	if err != nil {
		return 0, fmt.Errorf("export %s: %w", t.Name, err)
	}
	return tag.RowsAffected(), nil
}

// CopyIn loads rows in COPY text format into a table.
func CopyIn(ctx context.Context, tx pgx.Tx, t Table, r io.Reader) (int64, error) {
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, r, fmt.Sprintf("COPY %s (%s) FROM STDIN", pgx.Identifier{t.Name}.Sanitize(), t.ColumnList()))
	if err != nil {
		return 0, fmt.Errorf("load %s: %w", t.Name, err)
	}
	return tag.RowsAffected(), nil
}

// ResetSequences moves every serial column's sequence past the loaded
// rows, so the next insert does not collide with a copied id.
func ResetSequences(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name)
		FROM information_schema.columns WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`)
	if err != nil {
		return fmt.Errorf("list sequences: %w", err)
	}
	type seq struct{ table, column, name string }
	var seqs []seq
	for rows.Next() {
		var s seq
		var name *string
		if err := rows.Scan(&s.table, &s.column, &name); err != nil {
			rows.Close()
			return err
		}
		if name != nil && !skipped[s.table] {
			s.name = *name
			seqs = append(seqs, s)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range seqs {
		q := fmt.Sprintf(`SELECT setval($1, coalesce((SELECT max(%s) FROM %s), 0) + 1, false)`,
			pgx.Identifier{s.column}.Sanitize(), pgx.Identifier{s.table}.Sanitize())
		if _, err := tx.Exec(ctx, q, s.name); err != nil {
			return fmt.Errorf("reset sequence %s: %w", s.name, err)
		}
	}
	return nil
}

// CountRows counts a table's rows.
func CountRows(ctx context.Context, q Queryer, table string) (int64, error) {
	rows, err := q.Query(ctx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		err = rows.Scan(&n)
	}
	if err == nil {
		err = rows.Err()
	}
	return n, err
}
