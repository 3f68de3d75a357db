package store

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one schema migration: embedded in this binary, applied to
// the database, or both.
type Migration struct {
	Version int
	Name    string
	// AppliedAt is nil for a pending migration.
	AppliedAt *time.Time
	// Unknown marks a migration the database has and this binary does not
	// (it was written by a newer release).
	Unknown bool
}

// embeddedMigrations lists the dialect's migration files in version order.
func embeddedMigrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number: %w", name, err)
		}
		out = append(out, Migration{Version: version, Name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// LatestMigration is the newest migration version this binary carries.
func LatestMigration(d Dialect) (int, error) {
	ms, err := embeddedMigrations(d)
	if err != nil || len(ms) == 0 {
		return 0, err
	}
	return ms[len(ms)-1].Version, nil
}

// MigrationStatus lists every migration of the binary and of the database,
// in version order, with when each was applied. It only reads: a database
// that was never migrated shows every migration pending.
func (db *DB) MigrationStatus(ctx context.Context) ([]Migration, error) {
	ms, err := embeddedMigrations(db.Dialect)
	if err != nil {
		return nil, err
	}
	var exists bool
	q := `SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if db.Dialect == Postgres {
		q = `SELECT to_regclass('schema_migrations') IS NOT NULL`
	}
	if err := db.QueryRow(ctx, q).Scan(&exists); err != nil {
		return nil, fmt.Errorf("read migration status: %w", err)
	}
	if !exists {
		return ms, nil
	}
	rows, err := db.Query(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("read migration status: %w", err)
	}
	defer rows.Close()
	byVersion := map[int]int{}
	for i, m := range ms {
		byVersion[m.Version] = i
	}
	for rows.Next() {
		var m Migration
		var at time.Time
		if err := rows.Scan(&m.Version, &m.Name, &at); err != nil {
			return nil, err
		}
		at = at.UTC()
		if i, ok := byVersion[m.Version]; ok {
			ms[i].AppliedAt = &at
			continue
		}
		m.AppliedAt, m.Unknown = &at, true
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}
