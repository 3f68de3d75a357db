package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Full-text search. The query is split on spaces into terms; a ticket matches
// when every term appears in its subject, in the visible text of one of its
// messages, or in the address or display name of its requester or of a From,
// To or Cc of one of its messages (terms may be found in different places).
// An address is found by its whole self, its local part or its domain
// (migration 0013_search_addresses). Matching is by whole
// word, case-insensitive; a term with punctuation ("foo-bar", "v2.1") is a
// phrase of its words. Nothing the user types is query syntax, so no input can
// make the search fail.
//
// Each ticket has one search document: its subject, its requester, and the
// visible text and addresses of all its messages, kept in step by triggers
// (see migrations 0003_search and 0013_search_addresses).
// SQLite uses FTS5 (ticket_fts, rowid = ticket id) and
// quotes every term as an FTS5 string, so AND/OR/NOT/NEAR, column filters, '*'
// and quotes are plain text. PostgreSQL uses the tsvector column tickets.search with a
// GIN index and plainto_tsquery over the 'simple' configuration (no stemming,
// so any language works; it accepts any text and parses the term exactly like
// the indexed text, so an address such as alice@example.org is one token on
// both sides).

// densityWindow is how many of the newest tickets tell how common a term is.
const densityWindow = 2000

// maxSearchTerms bounds the work one query can ask for.
const maxSearchTerms = 8

// searchTerms returns the searchable terms of a query: whitespace-separated,
// each holding at least one letter or digit.
func searchTerms(q string) []string {
	var terms []string
	for _, f := range strings.Fields(strings.ToValidUTF8(q, " ")) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) < 0 {
			continue
		}
		if len(f) > 200 {
			f = strings.ToValidUTF8(f[:200], "")
		}
		terms = append(terms, f)
		if len(terms) == maxSearchTerms {
			break
		}
	}
	return terms
}

// fts5String quotes a term as an FTS5 string (a phrase of its tokens).
func fts5String(term string) string {
	return `"` + strings.ReplaceAll(term, `"`, `""`) + `"`
}

// denseMatches is the number of matching tickets from which SQLite walks the
// tickets by activity and tests each one, rather than fetch every match and
// sort them: with that many matches a page fills quickly; with fewer,
// fetching and sorting them is cheaper.
// (Store.searchDense holds it, so tests can exercise both plans.)
const denseMatches = 1000

// searchClause returns the WHERE condition matching tickets whose search
// document holds every term; arg binds a value and returns its placeholder.
// On SQLite it first counts the matches (up to denseMatches) to choose the
// plan; none at all returns "" (nothing can match).
func (s *Store) searchClause(ctx context.Context, terms []string, arg func(any) string) (string, error) {
	if s.db.Dialect == Postgres {
		// PostgreSQL's planner knows how common each word is (statistics on
		// the tsvector) and chooses between the GIN index and the activity
		// order by itself.
		qs := make([]string, len(terms))
		for i, term := range terms {
			qs[i] = "plainto_tsquery('simple', " + arg(term) + ")"
		}
		return "t.search @@ (" + strings.Join(qs, " && ") + ")", nil
	}
	quoted := make([]string, len(terms))
	for i, term := range terms {
		quoted[i] = fts5String(term)
	}
	match := strings.Join(quoted, " ")
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM ticket_fts WHERE ticket_fts MATCH $1 LIMIT `+strconv.Itoa(s.searchDense)+`)`, match).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("search: %w", err)
	}
	if n == 0 {
		return "", nil
	}
	in := "t.id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH " + arg(match) + ")"
	if n >= s.searchDense {
		// How common is it? Among the newest tickets (a rowid range: FTS5
		// seeks to it, so this costs what the window holds).
		var recent, window int
		if err := s.db.QueryRow(ctx, `SELECT count(*), (SELECT count(*) FROM tickets WHERE id > (SELECT max(id) FROM tickets) - $2)
			FROM ticket_fts WHERE ticket_fts MATCH $1 AND rowid > (SELECT max(id) FROM tickets) - $2`, match, densityWindow).Scan(&recent, &window); err != nil {
			return "", fmt.Errorf("search: %w", err)
		}
		if window > 0 && recent*20 >= window {
			// In one ticket in twenty or more: walk the tickets by activity
			// and probe each (a seek in the term's doclist), so a page costs
			// a few dozen to a few hundred probes, whatever the matches number.
			return "EXISTS (SELECT 1 FROM ticket_fts f WHERE f.ticket_fts MATCH " + arg(match) + " AND f.rowid = t.id)", nil
		}
		// Many matches: the unary + stops SQLite from driving the query by
		// the matches (fetch them all, then sort); it walks the tickets by
		// activity instead and tests each against the matches (read once into
		// a temporary index), so a page fills after a few rows. (A per-ticket
		// FTS5 probe instead of the IN list measured ten times slower.)
		in = "+" + in
	}
	return in, nil
}

// OptimizeSearch merges the SQLite search index into one segment (FTS5
// 'optimize'): writes leave it in many segments and deleted entries, which
// makes each lookup slower (measured: 13 times slower per probe after a bulk
// load of 100,000 tickets). Run after bulk loads. A no-op on PostgreSQL.
func (s *Store) OptimizeSearch(ctx context.Context) error {
	if s.db.Dialect != SQLite {
		return nil
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO ticket_fts (ticket_fts) VALUES ('optimize')`); err != nil {
		return fmt.Errorf("optimize search index: %w", err)
	}
	return nil
}

// MergeSearch does a bounded amount of merging of the SQLite search index
// (FTS5 'merge', about pages pages of work), so a server keeps it compact
// without ever holding the writer long. A no-op on PostgreSQL.
func (s *Store) MergeSearch(ctx context.Context, pages int) error {
	if s.db.Dialect != SQLite {
		return nil
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO ticket_fts (ticket_fts, rank) VALUES ('merge', $1)`, pages); err != nil {
		return fmt.Errorf("merge search index: %w", err)
	}
	return nil
}
