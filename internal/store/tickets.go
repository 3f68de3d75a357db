package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
)

// Ticket is one conversation.
type Ticket struct {
	ID              int64
	Subject         string
	Status          domain.Status
	Priority        domain.Priority
	Assignee        *UserRef
	Team            *TeamRef // nil: no team
	RequesterID     int64
	Requester       Address
	MailboxID       int64
	Tags            []string
	MessageCount    int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	FirstResponseAt time.Time
	SolvedAt        time.Time
	SpamAt          time.Time // zero unless marked as spam
	MergedInto      int64     // the ticket this one was merged into, or 0
	SplitFrom       int64     // the ticket this one was split off, or 0
	SnoozeUntil     time.Time // zero unless snoozed
	// Undelivered counts the ticket's agent replies that have not reached the
	// customer and need a look (Undelivered states).
	Undelivered int
	// SLA is the ticket's SLA clock, nil when no policy applies.
	SLA *TicketSLA
	// CSAT is the requester's latest satisfaction rating, nil without one.
	CSAT *CSAT

	sortRank int // the list order's rank or text (TicketSort.CursorOf)
	sortText string
}

const ticketCols = `SELECT t.id, t.subject, t.status, t.priority, t.assignee_id, u.email, u.name,
	t.requester_id, c.email, c.name, t.mailbox_id, t.message_count, t.created_at, t.updated_at, t.first_response_at, t.solved_at,
	(SELECT count(*) FROM messages m WHERE m.ticket_id = t.id AND m.delivery_status IN ('retrying', 'failed', 'waiting')
		AND m.author_id IS NOT NULL), t.spam_at, t.merged_into, t.split_from, t.snooze_until, t.team_id, tm.name,
	sl.policy_id, sl.policy_name, sl.first_response_due_at, sl.next_response_due_at, sl.resolution_due_at, sl.paused_at, sl.breaches,
	t.sla_due_at, t.sla_check_at,
	t.csat_rating, t.csat_comment, t.csat_at`

const ticketFrom = `
	FROM tickets t JOIN contacts c ON c.id = t.requester_id LEFT JOIN users u ON u.id = t.assignee_id
	LEFT JOIN teams tm ON tm.id = t.team_id LEFT JOIN ticket_sla sl ON sl.ticket_id = t.id`

const ticketSelect = ticketCols + ticketFrom

// scanTicket reads a ticketSelect row; a sorted row (the list's) has the
// order's rank and text after it (TicketSort.sortColumns), then its tags
// (listTags).
func scanTicket(r Row, sorted bool) (Ticket, error) {
	var t Ticket
	var aID sql.NullInt64
	var aEmail, aName sql.NullString
	var first, solved, spam, snooze sql.NullTime
	var merged, split, teamID sql.NullInt64
	var teamName, csatRating sql.NullString
	var csatComment string
	var csatAt sql.NullTime
	var slaPolicy sql.NullInt64
	var slaName, slaBreaches sql.NullString
	var slaFirst, slaNext, slaDone, slaPaused, slaDue, slaCheck sql.NullTime
	dest := []any{&t.ID, &t.Subject, &t.Status, &t.Priority, &aID, &aEmail, &aName,
		&t.RequesterID, &t.Requester.Email, &t.Requester.Name, &t.MailboxID, &t.MessageCount, &t.CreatedAt, &t.UpdatedAt, &first, &solved, &t.Undelivered, &spam,
		&merged, &split, &snooze, &teamID, &teamName,
		&slaPolicy, &slaName, &slaFirst, &slaNext, &slaDone, &slaPaused, &slaBreaches, &slaDue, &slaCheck, &csatRating, &csatComment, &csatAt}
	var tags sql.NullString
	if sorted {
		dest = append(dest, &t.sortRank, &t.sortText, &tags)
	}
	err := r.Scan(dest...)
	t.SpamAt, t.SnoozeUntil = timeOf(spam), timeOf(snooze)
	t.MergedInto, t.SplitFrom = merged.Int64, split.Int64
	t.Assignee = scanUserRef(aID, aEmail, aName)
	if teamID.Valid {
		t.Team = &TeamRef{ID: teamID.Int64, Name: teamName.String}
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	t.FirstResponseAt, t.SolvedAt = timeOf(first), timeOf(solved)
	if slaPolicy.Valid {
		t.SLA = &TicketSLA{PolicyID: slaPolicy.Int64, PolicyName: slaName.String, FirstResponseDue: timeOf(slaFirst),
			NextResponseDue: timeOf(slaNext), Done: timeOf(slaDone), PausedAt: timeOf(slaPaused), Breaches: slaBreaches.String,
			DueAt: timeOf(slaDue), CheckAt: timeOf(slaCheck)}
	}
	t.Tags = []string{}
	if tags.String != "" {
		t.Tags = strings.Split(tags.String, tagSep)
		slices.Sort(t.Tags)
	}
	if csatRating.Valid {
		t.CSAT = &CSAT{Rating: csatRating.String, Comment: csatComment, At: timeOf(csatAt)}
	}
	return t, err
}

// CreateTicket inserts a ticket and returns its id. With t.ID set (reserved
// by ReserveIDs) the insert needs no answer and is deferred.
func (s *Store) CreateTicket(ctx context.Context, q Querier, t Ticket) (int64, error) {
	args := []any{t.Subject, t.Status, t.Priority, t.RequesterID, t.MailboxID, t.MessageCount, t.CreatedAt.UTC()}
	const cols = `INSERT INTO tickets (subject, status, priority, requester_id, mailbox_id, message_count, created_at, updated_at`
	const values = `) VALUES ($1, $2, $3, $4, $5, $6, $7, $7`
	if t.ID != 0 {
		if err := deferExec(ctx, q, cols+`, id`+values+`, $8)`, append(args, t.ID)...); err != nil {
			return 0, fmt.Errorf("create ticket: %w", err)
		}
		return t.ID, nil
	}
	var id int64
	if err := q.QueryRow(ctx, cols+values+`) RETURNING id`, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("create ticket: %w", err)
	}
	return id, nil
}

// ReserveIDs takes n ids from the sequence of table ("tickets" or
// "messages") for inserts that need no answer (CreateTicket and
// InsertMessage with the ID set): on PostgreSQL, one round trip instead of
// one per row. SQLite, where a statement costs no round trip, has no
// sequence to take from: it returns none, and the inserts assign ids.
func (s *Store) ReserveIDs(ctx context.Context, q Querier, table string, n int) ([]int64, error) {
	if s.db.Dialect != Postgres || n == 0 {
		return nil, nil
	}
	if table != "tickets" && table != "messages" {
		return nil, fmt.Errorf("reserve ids: no sequence for %q", table)
	}
	ids := make([]int64, 0, n)
	err := scanAll(q.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n))(func(r Rows) error {
		var id int64
		err := r.Scan(&id)
		ids = append(ids, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reserve %s ids: %w", table, err)
	}
	return ids, nil
}

// GetTicket returns one ticket with its tags, in one statement (the change
// path's hooks read it per change: rules, webhooks).
func (s *Store) GetTicket(ctx context.Context, q Querier, id int64) (Ticket, error) {
	t, err := scanTicket(q.QueryRow(ctx, ticketCols+`, 0, '', `+s.listTags()+ticketFrom+` WHERE t.id = $1`, id), true)
	if err != nil {
		return t, fmt.Errorf("ticket %d: %w", id, err)
	}
	return t, nil
}

// TicketStatus returns a ticket's status alone (ingestion asks it per reply).
func (s *Store) TicketStatus(ctx context.Context, q Querier, id int64) (domain.Status, error) {
	var status domain.Status
	if err := q.QueryRow(ctx, `SELECT status FROM tickets WHERE id = $1`, id).Scan(&status); err != nil {
		return "", fmt.Errorf("ticket %d: %w", id, err)
	}
	return status, nil
}

// TicketExists reports whether a ticket id exists.
func (s *Store) TicketExists(ctx context.Context, q Querier, id int64) (bool, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM tickets WHERE id = $1`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("ticket %d: %w", id, err)
	}
	return n > 0, nil
}

// TicketFilter selects tickets for the list.
type TicketFilter struct {
	Statuses   []string
	MailboxID  int64
	AssigneeID int64 // 0: any
	Unassigned bool
	TeamID     int64 // 0: any
	Requester  string
	Tag        string
	Query      string // full-text search: every term in the subject or a message's visible text (see search.go)
	// Spam lists the tickets marked as spam, which every other list leaves out.
	Spam  bool
	Limit int
	// Sort orders the list; the zero value is newest activity first.
	Sort TicketSort
	// After is the sort key of the last ticket of the previous page
	// (TicketSort.CursorOf); the zero value starts at the first page.
	After TicketCursor
	// SubjectChars, when set, cuts subjects longer than that many
	// characters (in the query: a list never reads whole huge subjects),
	// ending them with "…". Sort keys are read apart, whole.
	SubjectChars int
}

// TicketSortKey names what the ticket list is ordered by.
type TicketSortKey string

// The ticket list's orders. Each reads an index in its order (migrations
// 0001 and 0017), so the first page of a million tickets reads 50 rows.
const (
	SortUpdated  TicketSortKey = "updated"  // last activity
	SortCreated  TicketSortKey = "created"  // opened
	SortPriority TicketSortKey = "priority" // low, normal, high, urgent; then last activity
	SortStatus   TicketSortKey = "status"   // new, open, pending, solved, closed; then last activity
	SortSubject  TicketSortKey = "subject"  // the subject's first 100 characters, lower case
	// SortDue: the next SLA due time, soonest (or most overdue) first;
	// tickets without a running one follow, by last activity. Ascending
	// unless asked otherwise.
	SortDue TicketSortKey = "due"
)

// TicketSortKeys lists the orders.
func TicketSortKeys() []TicketSortKey {
	return []TicketSortKey{SortUpdated, SortCreated, SortPriority, SortStatus, SortSubject, SortDue}
}

// TicketSort is an order of the ticket list: a key, ascending or not. The
// ticket id breaks ties, in the same direction.
type TicketSort struct {
	Key TicketSortKey
	Asc bool
}

// DefaultTicketSort is newest activity first.
var DefaultTicketSort = TicketSort{Key: SortUpdated}

// TicketCursor is the sort key of one ticket: Rank (priority, status), Text
// (subject), Time (updated or created time), as the order uses them.
type TicketCursor struct {
	Rank int
	Text string
	Time time.Time
	ID   int64
}

// The sort expressions. The indexes of migration 0017 are on these exact
// expressions: change both together.
const (
	priorityRank = `CASE t.priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 ELSE 3 END`
	statusRank   = `CASE t.status WHEN 'new' THEN 0 WHEN 'open' THEN 1 WHEN 'pending' THEN 2 WHEN 'solved' THEN 3 ELSE 4 END`
	subjectKey   = `lower(substr(t.subject, 1, 100))`
	// dueRank and dueKey: migration 0100's tickets_sla_due.
	dueRank = `CASE WHEN t.sla_due_at IS NULL THEN 1 ELSE 0 END`
	dueKey  = `COALESCE(t.sla_due_at, t.updated_at)`
)

// columns are the order's columns, most significant first, ending with the id.
func (o TicketSort) columns() []string {
	switch o.Key {
	case SortCreated:
		return []string{"t.created_at", "t.id"}
	case SortPriority:
		return []string{priorityRank, "t.updated_at", "t.id"}
	case SortStatus:
		return []string{statusRank, "t.updated_at", "t.id"}
	case SortSubject:
		return []string{subjectKey, "t.id"}
	case SortDue:
		return []string{dueRank, dueKey, "t.id"}
	default:
		return []string{"t.updated_at", "t.id"}
	}
}

// cursorArgs are the cursor's values for columns.
func (o TicketSort) cursorArgs(c TicketCursor) []any {
	switch o.Key {
	case SortPriority, SortStatus, SortDue:
		return []any{c.Rank, c.Time.UTC(), c.ID}
	case SortSubject:
		return []any{c.Text, c.ID}
	default:
		return []any{c.Time.UTC(), c.ID}
	}
}

// CursorOf is the sort key of a ticket the list returned.
func (o TicketSort) CursorOf(t Ticket) TicketCursor {
	switch o.Key {
	case SortCreated:
		return TicketCursor{Time: t.CreatedAt, ID: t.ID}
	case SortPriority, SortStatus:
		return TicketCursor{Rank: t.sortRank, Time: t.UpdatedAt, ID: t.ID}
	case SortSubject:
		return TicketCursor{Text: t.sortText, ID: t.ID}
	case SortDue:
		if t.SLA != nil && !t.SLA.DueAt.IsZero() {
			return TicketCursor{Rank: 0, Time: t.SLA.DueAt, ID: t.ID}
		}
		return TicketCursor{Rank: 1, Time: t.UpdatedAt, ID: t.ID}
	default:
		return TicketCursor{Time: t.UpdatedAt, ID: t.ID}
	}
}

// sortColumns select the rank and text of the order (constants when it has none).
func (o TicketSort) sortColumns() string {
	switch o.Key {
	case SortPriority:
		return priorityRank + ", ''"
	case SortStatus:
		return statusRank + ", ''"
	case SortSubject:
		return "0, " + subjectKey
	default:
		return "0, ''"
	}
}

// ListTickets returns a page of tickets in f.Sort's order; callers ask for
// one more than they show to learn whether there is a next page.
func (s *Store) ListTickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	query, args, empty, err := s.listQuery(ctx, f)
	if err != nil || empty {
		return []Ticket{}, err
	}
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	out := []Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows, true)
		if err != nil {
			return nil, fmt.Errorf("list tickets: %w", err)
		}
		if f.SubjectChars > 0 {
			t.Subject, _ = CutChars(t.Subject, f.SubjectChars, "…")
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	return out, nil
}

// tagSep joins a row's tags: a control character, which no tag has
// (ticket.normalizeTags).
const tagSep = "\x1f"

// listTags is a row's tags, joined by tagSep, in the row itself: a list
// page or a ticket is one statement and one round trip (not a second for
// its tags).
func (s *Store) listTags() string {
	if s.db.Dialect == Postgres {
		return `(SELECT string_agg(g.tag, chr(31)) FROM ticket_tags g WHERE g.ticket_id = t.id)`
	}
	return `(SELECT group_concat(g.tag, char(31)) FROM ticket_tags g WHERE g.ticket_id = t.id)`
}

// ticketWhere turns a filter (but its order and cursor) into WHERE
// conditions on tickets t; none says nothing can match (a search of
// punctuation only). The list and the view counts share it.
func (s *Store) ticketWhere(ctx context.Context, f TicketFilter, arg func(any) string) (where []string, none bool, err error) {
	if len(f.Statuses) > 0 {
		var ph []string
		for _, st := range f.Statuses {
			ph = append(ph, arg(st))
		}
		where = append(where, "t.status IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Spam {
		where = append(where, "t.spam_at IS NOT NULL")
	} else {
		where = append(where, "t.spam_at IS NULL")
	}
	if f.MailboxID != 0 {
		where = append(where, "t.mailbox_id = "+arg(f.MailboxID))
	}
	if f.AssigneeID != 0 {
		where = append(where, "t.assignee_id = "+arg(f.AssigneeID))
	}
	if f.Unassigned {
		where = append(where, "t.assignee_id IS NULL")
	}
	if f.TeamID != 0 {
		where = append(where, "t.team_id = "+arg(f.TeamID))
	}
	if f.Requester != "" {
		// By id, so the requester index serves the page.
		where = append(where, "t.requester_id = (SELECT id FROM contacts WHERE email = "+arg(strings.ToLower(f.Requester))+")")
	}
	if f.Tag != "" {
		where = append(where, "EXISTS (SELECT 1 FROM ticket_tags g WHERE g.ticket_id = t.id AND g.tag = "+arg(f.Tag)+")")
	}
	if strings.TrimSpace(f.Query) != "" {
		terms := searchTerms(f.Query)
		if len(terms) == 0 {
			return nil, true, nil // only punctuation: nothing can match
		}
		clause, err := s.searchClause(ctx, terms, arg)
		if err != nil {
			return nil, false, err
		}
		if clause == "" {
			return nil, true, nil
		}
		where = append(where, clause)
	}
	return where, false, nil
}

// listQuery builds the list's query; empty says nothing can match.
func (s *Store) listQuery(ctx context.Context, f TicketFilter) (query string, args []any, empty bool, err error) {
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	where, empty, err := s.ticketWhere(ctx, f, arg)
	if err != nil {
		return "", nil, false, fmt.Errorf("list tickets: %w", err)
	}
	if empty {
		return "", nil, true, nil
	}
	cols, dir, cmp := f.Sort.columns(), " DESC", "<"
	if f.Sort.Asc {
		dir, cmp = " ASC", ">"
	}
	if f.After.ID != 0 {
		// A row value comparison: both engines read it as a range of the
		// order's index.
		var ph []string
		for _, v := range f.Sort.cursorArgs(f.After) {
			ph = append(ph, arg(v))
		}
		where = append(where, "("+strings.Join(cols, ", ")+") "+cmp+" ("+strings.Join(ph, ", ")+")")
	}
	query = ticketCols + ", " + f.Sort.sortColumns() + ", " + s.listTags() + ticketFrom
	if f.SubjectChars > 0 {
		query = strings.Replace(query, "t.subject", fmt.Sprintf("substr(t.subject, 1, %d)", f.SubjectChars+1), 1)
	}
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	query += " ORDER BY " + strings.Join(cols, dir+", ") + dir + " LIMIT " + arg(limit)
	return query, args, false, nil
}

func (s *Store) loadTags(ctx context.Context, q Querier, list []Ticket) error {
	if len(list) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(list))
	args := make([]any, len(list))
	for i, t := range list {
		idx[t.ID] = i
		args[i] = t.ID
	}
	rows, err := q.Query(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (`+placeholders(1, len(args))+`) ORDER BY tag`, args...)
	if err != nil {
		return fmt.Errorf("load tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return fmt.Errorf("load tags: %w", err)
		}
		list[idx[id]].Tags = append(list[idx[id]].Tags, tag)
	}
	return rows.Err()
}

// TouchTicket records new activity: a later updated_at and added messages.
func (s *Store) TouchTicket(ctx context.Context, q Querier, id int64, at time.Time, addMessages int) error {
	err := deferExec(ctx, q, `UPDATE tickets SET updated_at = CASE WHEN updated_at > $2 THEN updated_at ELSE $2 END,
		message_count = message_count + $3 WHERE id = $1`, id, at.UTC(), addMessages)
	if err != nil {
		return fmt.Errorf("touch ticket %d: %w", id, err)
	}
	return nil
}

// SetTicketStatus changes the status, keeping solved_at in step.
func (s *Store) SetTicketStatus(ctx context.Context, q Querier, id int64, status domain.Status, at time.Time) error {
	var solved sql.NullTime
	if status == domain.StatusSolved || status == domain.StatusClosed {
		solved = nullTime(at)
	}
	_, err := q.Exec(ctx, `UPDATE tickets SET status = $2, solved_at = $3, updated_at = $4 WHERE id = $1`, id, status, solved, at.UTC())
	if err != nil {
		return fmt.Errorf("set status of ticket %d: %w", id, err)
	}
	return nil
}

// TicketByThreadKeys returns the ticket the first known key maps to; keys are
// tried in order, so callers put the strongest evidence first.
func (s *Store) TicketByThreadKeys(ctx context.Context, q Querier, keys []string) (int64, bool, error) {
	found, err := s.ThreadKeyTickets(ctx, q, keys)
	if err != nil {
		return 0, false, err
	}
	for _, k := range keys {
		if id, ok := found[k]; ok {
			return id, true, nil
		}
	}
	return 0, false, nil
}

// ThreadKeyTickets returns the ticket of each key that is known.
func (s *Store) ThreadKeyTickets(ctx context.Context, q Querier, keys []string) (map[string]int64, error) {
	found := map[string]int64{}
	err := queryIn(ctx, q, `SELECT key, ticket_id FROM thread_keys WHERE key IN (`, keys, func(r Rows) error {
		var k string
		var id int64
		err := r.Scan(&k, &id)
		found[k] = id
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("thread lookup: %w", err)
	}
	return found, nil
}

// TicketStatuses returns the status of each ticket that exists.
func (s *Store) TicketStatuses(ctx context.Context, q Querier, ids []int64) (map[int64]domain.Status, error) {
	found := map[int64]domain.Status{}
	err := queryIn(ctx, q, `SELECT id, status FROM tickets WHERE id IN (`, ids, func(r Rows) error {
		var id int64
		var status domain.Status
		err := r.Scan(&id, &status)
		found[id] = status
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("ticket statuses: %w", err)
	}
	return found, nil
}

// AddThreadKeys maps keys to a ticket; a key already mapped keeps its ticket.
func (s *Store) AddThreadKeys(ctx context.Context, q Querier, ticketID int64, keys []string) error {
	var args []any
	seen := map[string]bool{}
	for _, k := range keys {
		if k != "" && !seen[k] {
			seen[k] = true
			args = append(args, k, ticketID)
		}
	}
	// One statement per rowChunk keys: a long References chain costs one
	// round trip or a few.
	return inChunks(len(args)/2, rowChunk, func(lo, hi int) error {
		if err := deferExec(ctx, q, `INSERT INTO thread_keys (key, ticket_id) VALUES `+valuesList(hi-lo, 2)+
			` ON CONFLICT (key) DO NOTHING`, args[2*lo:2*hi]...); err != nil {
			return fmt.Errorf("add thread keys: %w", err)
		}
		return nil
	})
}

// Event is one entry of a ticket's audit trail.
type Event struct {
	ID        int64
	TicketID  int64
	ActorID   int64
	Actor     string
	Kind      string
	Field     string
	OldValue  string
	NewValue  string
	CreatedAt time.Time
}

// AddEvent appends to the audit trail.
func (s *Store) AddEvent(ctx context.Context, q Querier, e Event) error {
	return s.AddEvents(ctx, q, []Event{e})
}

// AddEvents appends entries to the audit trail in their order (their ids
// ascend in it), in one statement per rowChunk entries: a change's entries
// (a new ticket and the rules that fired on it are several) cost one.
func (s *Store) AddEvents(ctx context.Context, q Querier, events []Event) error {
	const width = 8
	args := make([]any, 0, width*len(events))
	for _, e := range events {
		args = append(args, e.TicketID, nullInt(e.ActorID), e.Actor, e.Kind, e.Field, e.OldValue, e.NewValue, e.CreatedAt.UTC())
	}
	return inChunks(len(events), rowChunk, func(lo, hi int) error {
		if err := deferExec(ctx, q, `INSERT INTO ticket_events (ticket_id, actor_id, actor, kind, field, old_value, new_value, created_at)
		VALUES `+valuesList(hi-lo, width), args[width*lo:width*hi]...); err != nil {
			return fmt.Errorf("add event: %w", err)
		}
		return nil
	})
}

// ListEvents returns a ticket's audit trail, oldest first.
func (s *Store) ListEvents(ctx context.Context, ticketID int64) ([]Event, error) {
	rows, err := s.db.Query(ctx, `SELECT id, ticket_id, actor_id, actor, kind, field, old_value, new_value, created_at
		FROM ticket_events WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var actor sql.NullInt64
		if err := rows.Scan(&e.ID, &e.TicketID, &actor, &e.Actor, &e.Kind, &e.Field, &e.OldValue, &e.NewValue, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		e.ActorID, e.CreatedAt = actor.Int64, e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
