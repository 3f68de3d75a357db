// Package backup makes and restores consistent online backups of a
// Ticketer install, and checks them.
//
// A backup is a folder, or the same files in one tar file:
//
//	database/ticketer.db     SQLite: the database, taken with VACUUM INTO
//	tables/NNN-TABLE.copy    PostgreSQL: each table in COPY text format, in
//	                         foreign-key order, all read in one snapshot
//	encryption.key           SQLite: the generated key file, when one is used
//	blobs/KEY                every raw message and attachment, by blob key
//	manifest.json            format, version, engine, schema version, row
//	                         counts, and the size and sha256 of every file
//
// The database is read first and the blobs after it: a blob is always
// stored before the row that refers to it, and blobs are never rewritten,
// so every blob the database snapshot names is in the backup.
package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Format and Version name the layout above; Version changes when a reader
// of the previous layout could no longer restore it.
const (
	Format  = "ticketer-backup"
	Version = 1
)

// File names inside a backup.
const (
	ManifestName = "manifest.json"
	DatabaseName = "database/ticketer.db"
	KeyName      = "encryption.key"
	tablesDir    = "tables/"
	blobsDir     = "blobs/"
)

// Manifest describes a backup.
type Manifest struct {
	Format    string    `json:"format"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	// Engine is "sqlite" or "postgres": a backup restores onto the engine
	// it was taken from (moving engines is `ticketer move`).
	Engine string `json:"engine"`
	// SchemaVersion is the newest Ticketer migration applied; a restore
	// needs a binary with the same migrations.
	SchemaVersion int `json:"schema_version"`
	// Tables lists, on PostgreSQL, each table's file, columns and row
	// count at the snapshot, in load order; a restore checks the counts.
	Tables []TableFile `json:"tables,omitempty"`
	Files  []File      `json:"files"`
}

// TableFile is one PostgreSQL table of a backup.
type TableFile struct {
	Name    string   `json:"name"`
	File    string   `json:"file"`
	Columns []string `json:"columns"`
	Rows    int64    `json:"rows"`
}

// File is one file of the backup.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func parseManifest(data []byte) (Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("manifest is not valid JSON: %w", err)
	}
	if m.Format != Format {
		return m, fmt.Errorf("manifest format %q, want %q", m.Format, Format)
	}
	if m.Version < 1 || m.Version > Version {
		return m, fmt.Errorf("backup format version %d; this ticketer reads versions 1 to %d", m.Version, Version)
	}
	if m.Engine != "sqlite" && m.Engine != "postgres" {
		return m, fmt.Errorf("manifest engine %q", m.Engine)
	}
	if len(m.Files) == 0 {
		return m, errors.New("manifest lists no files")
	}
	return m, nil
}

// Blobs counts the blob files the manifest lists.
func (m Manifest) Blobs() int {
	n := 0
	for _, f := range m.Files {
		if len(f.Path) > len(blobsDir) && f.Path[:len(blobsDir)] == blobsDir {
			n++
		}
	}
	return n
}
