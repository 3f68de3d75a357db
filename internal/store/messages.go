package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Message kinds and delivery states.
const (
	KindInbound   = "inbound"
	KindOutbound  = "outbound"
	KindNote      = "note"
	KindAutoReply = "auto_reply"

	// Parties of a message besides the requester's conversation.
	PartyForward    = "forward"
	PartyThirdParty = "third_party"

	DeliveryQueued  = "queued"
	DeliverySending = "sending"
	DeliverySent    = "sent"
	DeliveryFailed  = "failed"
	// DeliveryWaiting: the mailbox's relay cannot work as configured; the
	// message has no job and goes out once the mailbox is fixed.
	DeliveryWaiting = "waiting"
	// DeliveryRetrying: an attempt failed for a reason that may pass; the
	// next attempt runs at DeliveryNextAt.
	DeliveryRetrying = "retrying"
)

// Undelivered lists the delivery states of a reply that has not reached the
// customer and needs a look: retrying, failed, waiting for its mailbox.
var Undelivered = []string{DeliveryRetrying, DeliveryFailed, DeliveryWaiting}

// Message is one email (or note) on a ticket.
type Message struct {
	ID               int64
	TicketID         int64
	Kind             string
	MessageID        string
	DedupeKey        string // "" stores NULL (notes)
	InReplyTo        string
	References       []string
	From             Address
	To, Cc           []Address
	Subject          string
	Text             string
	HTML             string // sanitized
	VisibleText      string
	RawKey           string
	SHA256           string
	Size             int64
	SentAt           time.Time
	CreatedAt        time.Time
	AuthorID         int64
	AutoReason       string
	Problems         string
	DeliveryStatus   string // "" for messages that are not sent by us
	DeliveryError    string
	DeliveryAttempts int
	DeliveredAt      time.Time
	DeliveryNextAt   time.Time // retrying: when the next attempt runs
	Attachments      []Attachment
	// ThreadedBy says how an inbound message found its ticket (see
	// ticket.ThreadedBy), ThreadedKey the key that matched.
	ThreadedBy, ThreadedKey string
	// Party is "" for the conversation with the requester, PartyForward
	// for a forward to a third party, PartyThirdParty for its answer.
	Party string
	// Truncated: read by a bounded list (MessagePage), and the subject or a
	// body was cut.
	Truncated bool
}

// MessagePage asks for a bounded page of a ticket's messages.
type MessagePage struct {
	Limit int // messages; callers ask for one more to learn of a next page
	// Cursor: the (created_at, id) of the last message of the previous page.
	AfterTime time.Time
	AfterID   int64
	// SubjectChars and BodyChars cut longer subjects and bodies (text, html,
	// visible text) in the query, setting Truncated.
	SubjectChars, BodyChars int
}

// CutChars cuts s to n characters (runes), adding mark when it cut.
func CutChars(s string, n int, mark string) (string, bool) {
	if len(s) <= n { // bytes >= runes: short enough
		return s, false
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos] + mark, true
		}
		i++
	}
	return s, false
}

// ListMessagesPage is ListMessages in bounded pages: long subjects and bodies
// are cut by the database (a page never reads a whole 10 MB body).
func (s *Store) ListMessagesPage(ctx context.Context, ticketID int64, p MessagePage) ([]Message, error) {
	cols := strings.Replace(messageCols, "subject, text_body, html_body, visible_text",
		fmt.Sprintf("substr(subject, 1, %[1]d), substr(text_body, 1, %[2]d), substr(html_body, 1, %[2]d), substr(visible_text, 1, %[2]d)",
			p.SubjectChars+1, p.BodyChars+1), 1)
	query, args := `SELECT `+cols+` FROM messages WHERE ticket_id = $1`, []any{ticketID}
	if p.AfterID != 0 {
		query += ` AND (created_at > $2 OR (created_at = $2 AND id > $3))`
		args = append(args, p.AfterTime.UTC(), p.AfterID)
	}
	query += fmt.Sprintf(` ORDER BY created_at, id LIMIT %d`, p.Limit)
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		var cut [4]bool
		m.Subject, cut[0] = CutChars(m.Subject, p.SubjectChars, "…")
		m.Text, cut[1] = CutChars(m.Text, p.BodyChars, "")
		m.HTML, cut[2] = CutChars(m.HTML, p.BodyChars, "")
		m.VisibleText, cut[3] = CutChars(m.VisibleText, p.BodyChars, "")
		m.Truncated = cut[0] || cut[1] || cut[2] || cut[3]
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return out, s.loadAttachments(ctx, s.db, out)
}

// Attachment is a file of a message; its bytes live in the blob store.
type Attachment struct {
	ID          int64
	MessageID   int64
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	BlobKey     string
	ContentID   string
	Inline      bool
}

const messageCols = `id, ticket_id, kind, message_id, dedupe_key, in_reply_to, refs, from_email, from_name, to_addrs, cc_addrs,
	subject, text_body, html_body, visible_text, raw_key, sha256, size, sent_at, created_at, author_id, auto_reason, problems,
	delivery_status, delivery_error, delivery_attempts, delivered_at, delivery_next_at, threaded_by, threaded_key, party`

func scanMessage(r Row) (Message, error) {
	var m Message
	var dedupe, delivery sql.NullString
	var refs, to, cc string
	var sent, delivered, next sql.NullTime
	var author sql.NullInt64
	err := r.Scan(&m.ID, &m.TicketID, &m.Kind, &m.MessageID, &dedupe, &m.InReplyTo, &refs, &m.From.Email, &m.From.Name, &to, &cc,
		&m.Subject, &m.Text, &m.HTML, &m.VisibleText, &m.RawKey, &m.SHA256, &m.Size, &sent, &m.CreatedAt, &author, &m.AutoReason, &m.Problems,
		&delivery, &m.DeliveryError, &m.DeliveryAttempts, &delivered, &next, &m.ThreadedBy, &m.ThreadedKey, &m.Party)
	m.DedupeKey, m.DeliveryStatus = dedupe.String, delivery.String
	m.References = strings.Fields(refs)
	m.To, m.Cc = decodeAddrs(to), decodeAddrs(cc)
	m.SentAt, m.DeliveredAt, m.DeliveryNextAt = timeOf(sent), timeOf(delivered), timeOf(next)
	m.CreatedAt = m.CreatedAt.UTC()
	m.AuthorID = author.Int64
	m.Attachments = []Attachment{}
	return m, err
}

// AsRead is m, once InsertMessage stored it (ID set), as GetMessage reads it
// back on d, its attachments left out (nil): a caller may use it in the same
// transaction instead of reading the row it just wrote. The columns
// InsertMessage leaves to their defaults (the delivery's error, attempts and
// times) are zero. TestMessageAsRead compares it with GetMessage.
func (m Message) AsRead(d Dialect) Message {
	m.References = strings.Fields(strings.Join(m.References, " "))
	m.From.Email = strings.ToLower(m.From.Email)
	m.To, m.Cc = decodeAddrs(encodeAddrs(m.To)), decodeAddrs(encodeAddrs(m.Cc))
	m.SentAt, m.CreatedAt = timeOf(nullTime(m.SentAt)), m.CreatedAt.UTC()
	if d == Postgres {
		// timestamptz keeps microseconds (pgx drops the rest).
		m.SentAt, m.CreatedAt = m.SentAt.Truncate(time.Microsecond), m.CreatedAt.Truncate(time.Microsecond)
	}
	m.DeliveryError, m.DeliveryAttempts, m.DeliveredAt, m.DeliveryNextAt = "", 0, time.Time{}, time.Time{}
	m.Attachments, m.Truncated = nil, false
	return m
}

// InsertMessage stores a message; ErrConflict when its dedupe key exists.
func (s *Store) InsertMessage(ctx context.Context, q Querier, m Message) (int64, error) {
	var dedupe, delivery sql.NullString
	if m.DedupeKey != "" {
		dedupe = sql.NullString{String: m.DedupeKey, Valid: true}
	}
	if m.DeliveryStatus != "" {
		delivery = sql.NullString{String: m.DeliveryStatus, Valid: true}
	}
	args := []any{m.TicketID, m.Kind, m.MessageID, dedupe, m.InReplyTo, strings.Join(m.References, " "), strings.ToLower(m.From.Email), m.From.Name,
		encodeAddrs(m.To), encodeAddrs(m.Cc), m.Subject, m.Text, m.HTML, m.VisibleText, m.RawKey, m.SHA256, m.Size,
		nullTime(m.SentAt), m.CreatedAt.UTC(), nullInt(m.AuthorID), m.AutoReason, m.Problems, delivery, m.ThreadedBy, m.ThreadedKey, m.Party}
	const cols = `INSERT INTO messages (ticket_id, kind, message_id, dedupe_key, in_reply_to, refs, from_email, from_name,
		to_addrs, cc_addrs, subject, text_body, html_body, visible_text, raw_key, sha256, size, sent_at, created_at, author_id,
		auto_reason, problems, delivery_status, threaded_by, threaded_key, party`
	const values = `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26`
	if m.ID != 0 {
		// The id was reserved (ReserveIDs): nothing to wait for.
		if err := deferExec(ctx, q, cols+`, id`+values+`, $27)`, append(args, m.ID)...); err != nil {
			return 0, fmt.Errorf("insert message: %w", err)
		}
		return m.ID, nil
	}
	var id int64
	if err := q.QueryRow(ctx, cols+values+`) RETURNING id`, args...).Scan(&id); err != nil {
		return 0, fmt.Errorf("insert message: %w", err)
	}
	return id, nil
}

// InsertAttachment stores an attachment's metadata.
func (s *Store) InsertAttachment(ctx context.Context, q Querier, a Attachment) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO attachments (message_id, filename, content_type, size, sha256, blob_key, content_id, inline)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		a.MessageID, a.Filename, a.ContentType, a.Size, a.SHA256, a.BlobKey, a.ContentID, a.Inline).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert attachment: %w", err)
	}
	return id, nil
}

// AddAttachments stores the metadata of attachments whose ids nobody needs
// (deferred: no round trip of its own on PostgreSQL).
func (s *Store) AddAttachments(ctx context.Context, q Querier, atts []Attachment) error {
	if len(atts) == 0 {
		return nil
	}
	return inChunks(len(atts), rowChunk, func(lo, hi int) error {
		var args []any
		for _, a := range atts[lo:hi] {
			args = append(args, a.MessageID, a.Filename, a.ContentType, a.Size, a.SHA256, a.BlobKey, a.ContentID, a.Inline)
		}
		if err := deferExec(ctx, q, `INSERT INTO attachments (message_id, filename, content_type, size, sha256, blob_key, content_id, inline)
		VALUES `+valuesList(hi-lo, 8), args...); err != nil {
			return fmt.Errorf("insert attachments: %w", err)
		}
		return nil
	})
}

// MessageRef is where a stored message is: on a ticket, or kept as
// automatic mail (InboundID set, ID and TicketID 0).
type MessageRef struct{ ID, TicketID, InboundID int64 }

// MessageByDedupeKey finds a stored message by Message-ID or raw hash.
func (s *Store) MessageByDedupeKey(ctx context.Context, q Querier, key string) (MessageRef, bool, error) {
	refs, err := s.MessagesByDedupeKeys(ctx, q, []string{key})
	ref, found := refs[key]
	return ref, found, err
}

// MessagesByDedupeKeys finds the stored messages with any of the keys.
func (s *Store) MessagesByDedupeKeys(ctx context.Context, q Querier, keys []string) (map[string]MessageRef, error) {
	found := map[string]MessageRef{}
	// Kept automatic mail has its key on its inbound row: the same mail again
	// is a copy of it. A message on a ticket wins over an inbound row.
	// One statement (the engines push the IN into both halves, each served
	// by its unique index).
	err := queryIn(ctx, q, `SELECT k, id, ticket_id, inbound_id FROM (
		SELECT dedupe_key AS k, id, ticket_id, 0 AS inbound_id FROM messages
		UNION ALL SELECT dedupe_key, 0, 0, id FROM inbound WHERE dedupe_key IS NOT NULL) u WHERE k IN (`, keys, func(r Rows) error {
		var k string
		var ref MessageRef
		err := r.Scan(&k, &ref.ID, &ref.TicketID, &ref.InboundID)
		if old, ok := found[k]; !ok || old.ID == 0 {
			found[k] = ref
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe lookup: %w", err)
	}
	return found, nil
}

// OutboundByMessageID finds one of our sent messages by its Message-ID.
func (s *Store) OutboundByMessageID(ctx context.Context, q Querier, messageID string) (Message, bool, error) {
	m, err := scanMessage(q.QueryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE message_id = $1 AND kind = $2`, messageID, KindOutbound))
	if isNotFound(err) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("outbound lookup: %w", err)
	}
	return m, true, nil
}

// GetMessage returns one message with its attachments.
func (s *Store) GetMessage(ctx context.Context, q Querier, id int64) (Message, error) {
	m, err := scanMessage(q.QueryRow(ctx, `SELECT `+messageCols+` FROM messages WHERE id = $1`, id))
	if err != nil {
		return m, fmt.Errorf("message %d: %w", id, err)
	}
	list := []Message{m}
	if err := s.loadAttachments(ctx, q, list); err != nil {
		return m, err
	}
	return list[0], nil
}

// ListMessages returns a ticket's messages oldest first, with attachments.
func (s *Store) ListMessages(ctx context.Context, ticketID int64) ([]Message, error) {
	rows, err := s.db.Query(ctx, `SELECT `+messageCols+` FROM messages WHERE ticket_id = $1 ORDER BY created_at, id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list messages: %w", err)
	}
	return out, s.loadAttachments(ctx, s.db, out)
}

func (s *Store) loadAttachments(ctx context.Context, q Querier, list []Message) error {
	if len(list) == 0 {
		return nil
	}
	idx := make(map[int64]int, len(list))
	args := make([]any, len(list))
	for i, m := range list {
		idx[m.ID] = i
		args[i] = m.ID
	}
	rows, err := q.Query(ctx, `SELECT id, message_id, filename, content_type, size, sha256, blob_key, content_id, inline
		FROM attachments WHERE message_id IN (`+placeholders(1, len(args))+`) ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("load attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return fmt.Errorf("load attachments: %w", err)
		}
		i := idx[a.MessageID]
		list[i].Attachments = append(list[i].Attachments, a)
	}
	return rows.Err()
}

func scanAttachment(r Row) (Attachment, error) {
	var a Attachment
	err := r.Scan(&a.ID, &a.MessageID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.BlobKey, &a.ContentID, &a.Inline)
	return a, err
}

// GetAttachment returns one attachment's metadata.
func (s *Store) GetAttachment(ctx context.Context, id int64) (Attachment, error) {
	a, err := scanAttachment(s.db.QueryRow(ctx, `SELECT id, message_id, filename, content_type, size, sha256, blob_key, content_id, inline
		FROM attachments WHERE id = $1`, id))
	if err != nil {
		return a, fmt.Errorf("attachment %d: %w", id, err)
	}
	return a, nil
}

// SetDelivery records the delivery state of an outbound message; next is
// when a retrying message's next attempt runs (zero for other states).
func (s *Store) SetDelivery(ctx context.Context, q Querier, id int64, status, errText string, addAttempts int, at, next time.Time) error {
	var delivered sql.NullTime
	if status == DeliverySent {
		delivered = nullTime(at)
	}
	_, err := q.Exec(ctx, `UPDATE messages SET delivery_status = $2, delivery_error = $3, delivery_attempts = delivery_attempts + $4,
		delivered_at = COALESCE($5, delivered_at), delivery_next_at = $6 WHERE id = $1`, id, status, errText, addAttempts, delivered, nullTime(next))
	if err != nil {
		return fmt.Errorf("set delivery of message %d: %w", id, err)
	}
	return nil
}

// SetRawKey records where a composed outbound message's bytes are stored.
func (s *Store) SetRawKey(ctx context.Context, q Querier, id int64, key, sha string, size int64) error {
	_, err := q.Exec(ctx, `UPDATE messages SET raw_key = $2, sha256 = $3, size = $4 WHERE id = $1`, id, key, sha, size)
	if err != nil {
		return fmt.Errorf("set raw key of message %d: %w", id, err)
	}
	return nil
}

// CountAcksSince counts acknowledgements sent to email since a time (rate limit).
func (s *Store) CountAcksSince(ctx context.Context, q Querier, email string, since time.Time) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT count(*) FROM acknowledgements WHERE email = $1 AND created_at >= $2`,
		strings.ToLower(email), since.UTC()).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count acknowledgements: %w", err)
	}
	return n, nil
}

// RecordAck notes an acknowledgement sent to email.
func (s *Store) RecordAck(ctx context.Context, q Querier, email string, ticketID int64, at time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO acknowledgements (email, ticket_id, created_at) VALUES ($1, $2, $3)`,
		strings.ToLower(email), ticketID, at.UTC())
	if err != nil {
		return fmt.Errorf("record acknowledgement: %w", err)
	}
	return nil
}

// AddOccurrence records that a mailbox saw a message under a provider id;
// it reports whether this occurrence is new.
func (s *Store) AddOccurrence(ctx context.Context, q Querier, mailboxID int64, providerID string, messageID int64, at time.Time) (bool, error) {
	n, err := q.Exec(ctx, `INSERT INTO message_occurrences (mailbox_id, provider_id, message_id, seen_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (mailbox_id, provider_id) DO NOTHING`, mailboxID, providerID, messageID, at.UTC())
	if err != nil {
		return false, fmt.Errorf("add occurrence: %w", err)
	}
	return n > 0, nil
}

// NoteOccurrence records that a message was seen again (like AddOccurrence),
// deferred into the transaction's next round trip.
func (s *Store) NoteOccurrence(ctx context.Context, q Querier, mailboxID int64, providerID string, messageID int64, at time.Time) error {
	if err := deferExec(ctx, q, `INSERT INTO message_occurrences (mailbox_id, provider_id, message_id, seen_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (mailbox_id, provider_id) DO NOTHING`, mailboxID, providerID, messageID, at.UTC()); err != nil {
		return fmt.Errorf("add occurrence: %w", err)
	}
	return nil
}

// CountOccurrences counts the occurrences of a message (tests, diagnostics).
func (s *Store) CountOccurrences(ctx context.Context, messageID int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM message_occurrences WHERE message_id = $1`, messageID).Scan(&n)
	return n, err
}

// NewerMessages lists, oldest first and at most limit, the messages of a
// ticket stored after message afterID that an agent about to reply should
// read first: inbound mail (the customer, a Cc, a third party) and replies
// by other agents. Notes and automatic outbound mail (acknowledgements,
// author NULL) are left out. Bodies are cut to bodyChars like a page.
func (s *Store) NewerMessages(ctx context.Context, q Querier, ticketID, afterID, agentID int64, limit, bodyChars int) ([]Message, error) {
	cols := strings.Replace(messageCols, "text_body, html_body, visible_text",
		fmt.Sprintf("substr(text_body, 1, %[1]d), substr(html_body, 1, %[1]d), substr(visible_text, 1, %[1]d)", bodyChars+1), 1)
	rows, err := q.Query(ctx, `SELECT `+cols+` FROM messages
		WHERE ticket_id = $1 AND id > $2
		  AND (kind = 'inbound' OR (kind = 'outbound' AND author_id IS NOT NULL AND author_id <> $3))
		ORDER BY created_at, id LIMIT `+strconv.Itoa(limit), ticketID, afterID, agentID)
	if err != nil {
		return nil, fmt.Errorf("newer messages: %w", err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("newer messages: %w", err)
		}
		var cut [3]bool
		m.Text, cut[0] = CutChars(m.Text, bodyChars, "")
		m.HTML, cut[1] = CutChars(m.HTML, bodyChars, "")
		m.VisibleText, cut[2] = CutChars(m.VisibleText, bodyChars, "")
		m.Truncated = cut[0] || cut[1] || cut[2]
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("newer messages: %w", err)
	}
	return out, s.loadAttachments(ctx, q, out)
}
