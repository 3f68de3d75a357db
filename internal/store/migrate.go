package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migrate applies the embedded migrations of the DB's dialect that are not yet
// applied, each in its own transaction, in version order.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	ms, err := embeddedMigrations(db.Dialect)
	if err != nil {
		return err
	}
	// One read of what is applied first: a database that is up to date (every
	// start but the first after an upgrade) then costs no transaction per
	// migration. Pending ones are checked again under the lock below.
	applied, err := db.appliedVersions(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		name, version := m.Name, m.Version
		if applied[version] {
			continue
		}
		body, err := migrationFS.ReadFile("migrations/" + string(db.Dialect) + "/" + name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		err = db.InTx(ctx, func(tx *Tx) error {
			if tx.Dialect == Postgres {
				// Two replicas starting at once must not both migrate.
				if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7355608)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(string(body)) {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", firstLine(stmt), err)
				}
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				version, name, time.Now().UTC())
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
	}
	return nil
}

func (db *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := db.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("read applied migrations: %w", err)
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// MigrationsDigest is a SHA-256 over the dialect's embedded migration files,
// names and contents: two binaries with the same digest build the same schema
// (tests key their migrated template databases by it).
func MigrationsDigest(d Dialect) (string, error) {
	ms, err := embeddedMigrations(d)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		body, err := migrationFS.ReadFile("migrations/" + string(d) + "/" + m.Name)
		if err != nil {
			return "", fmt.Errorf("read migration %s: %w", m.Name, err)
		}
		fmt.Fprintf(h, "%s\n%d\n", m.Name, len(body))
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// splitStatements splits a migration file on semicolons at line ends. Two
// kinds of statement hold semicolons inside: a CREATE TRIGGER with a
// BEGIN ... END body (SQLite; "BEGIN" ends a line) ends only at a line that
// is "END;", and a
// dollar-quoted body ($$ ... $$, PostgreSQL functions) ends only once its
// closing $$ has been seen.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	inTrigger, inBody, inDollar := false, false, false
	for line := range strings.SplitSeq(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		if cur.Len() == 0 {
			inTrigger, inBody = isCreateTrigger(trimmed), false
		}
		if inTrigger && !inBody {
			f := strings.Fields(strings.ToUpper(trimmed))
			inBody = f[len(f)-1] == "BEGIN"
		}
		if strings.Count(line, "$$")%2 == 1 {
			inDollar = !inDollar
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		end := strings.HasSuffix(trimmed, ";") && !inDollar
		if inBody {
			end = strings.EqualFold(trimmed, "END;")
		}
		if end {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// isCreateTrigger reports whether a statement's first line starts a trigger:
// CREATE [TEMP|TEMPORARY] TRIGGER.
func isCreateTrigger(firstLine string) bool {
	f := strings.Fields(strings.ToUpper(firstLine))
	if len(f) > 1 && (f[1] == "TEMP" || f[1] == "TEMPORARY") {
		f = append(f[:1], f[2:]...)
	}
	return len(f) > 1 && f[0] == "CREATE" && f[1] == "TRIGGER"
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
