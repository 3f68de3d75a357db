package httpapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// JSON shapes of ARCHITECTURE section 6.

type userJSON struct {
	ID    int64  `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role,omitempty"`
}

type addressJSON struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

type ticketJSON struct {
	ID           int64       `json:"id"`
	Subject      string      `json:"subject"`
	Status       string      `json:"status"`
	Priority     string      `json:"priority"`
	Assignee     *userJSON   `json:"assignee"`
	Requester    addressJSON `json:"requester"`
	MailboxID    int64       `json:"mailbox_id"`
	Tags         []string    `json:"tags"`
	MessageCount int         `json:"message_count"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

type attachmentJSON struct {
	ID          int64  `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline"`
}

type deliveryJSON struct {
	Status   string `json:"status"`
	Error    string `json:"error"`
	Attempts int    `json:"attempts"`
}

type messageJSON struct {
	ID          int64            `json:"id"`
	Kind        string           `json:"kind"`
	MessageID   string           `json:"message_id"`
	From        addressJSON      `json:"from"`
	To          []addressJSON    `json:"to"`
	Cc          []addressJSON    `json:"cc"`
	Subject     string           `json:"subject"`
	Text        string           `json:"text"`
	HTML        string           `json:"html"`
	VisibleText string           `json:"visible_text"`
	Attachments []attachmentJSON `json:"attachments"`
	CreatedAt   time.Time        `json:"created_at"`
	Delivery    *deliveryJSON    `json:"delivery"`
	AutoReason  string           `json:"auto_reason,omitempty"`
	Problems    string           `json:"problems,omitempty"`
}

func toTicketJSON(t store.Ticket) ticketJSON {
	out := ticketJSON{ID: t.ID, Subject: t.Subject, Status: t.Status, Priority: t.Priority,
		Requester: addressJSON{Email: t.Requester.Email, Name: t.Requester.Name}, MailboxID: t.MailboxID,
		Tags: t.Tags, MessageCount: t.MessageCount, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
	if t.Assignee != nil {
		out.Assignee = &userJSON{ID: t.Assignee.ID, Email: t.Assignee.Email, Name: t.Assignee.Name}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return out
}

func toAddrs(list []store.Address) []addressJSON {
	out := make([]addressJSON, 0, len(list))
	for _, a := range list {
		out = append(out, addressJSON{Email: a.Email, Name: a.Name})
	}
	return out
}

func toMessageJSON(m store.Message) messageJSON {
	out := messageJSON{ID: m.ID, Kind: m.Kind, MessageID: m.MessageID, From: addressJSON{Email: m.From.Email, Name: m.From.Name},
		To: toAddrs(m.To), Cc: toAddrs(m.Cc), Subject: m.Subject, Text: m.Text, HTML: m.HTML, VisibleText: m.VisibleText,
		Attachments: []attachmentJSON{}, CreatedAt: m.CreatedAt, AutoReason: m.AutoReason, Problems: m.Problems}
	for _, a := range m.Attachments {
		out.Attachments = append(out.Attachments, attachmentJSON{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType,
			Size: a.Size, ContentID: a.ContentID, Inline: a.Inline})
	}
	if m.DeliveryStatus != "" {
		out.Delivery = &deliveryJSON{Status: m.DeliveryStatus, Error: m.DeliveryError, Attempts: m.DeliveryAttempts}
	}
	return out
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	checks := map[string]string{"database": "ok", "blobs": "ok"}
	status := http.StatusOK
	if err := s.db.Ping(r.Context()); err != nil {
		checks["database"], status = err.Error(), http.StatusServiceUnavailable
	}
	if err := s.blobs.Ping(r.Context()); err != nil {
		checks["blobs"], status = err.Error(), http.StatusServiceUnavailable
	}
	writeJSON(w, status, checks)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, `<!doctype html><title>Ticketer</title><h1>Ticketer</h1>
<p>The API is at <code>/api/v1</code>. The web UI is not part of this build yet.</p>`)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	writeJSON(w, http.StatusOK, userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role})
}

var validStatuses = map[string]bool{"new": true, "open": true, "pending": true, "solved": true, "closed": true}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.TicketFilter{Limit: 50, Query: strings.TrimSpace(q.Get("q")), Tag: q.Get("tag"), Requester: q.Get("requester")}
	if v := q.Get("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			if !validStatuses[st] {
				writeError(w, http.StatusBadRequest, "invalid_status", "status: must be new, open, pending, solved or closed (comma-separated)")
				return
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	if v := q.Get("mailbox"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			writeError(w, http.StatusBadRequest, "invalid_mailbox", "mailbox: must be a mailbox id")
			return
		}
		f.MailboxID = id
	}
	switch v := q.Get("assignee"); v {
	case "":
	case "none":
		f.Unassigned = true
	case "me":
		f.AssigneeID = userFrom(r.Context()).ID
	default:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			writeError(w, http.StatusBadRequest, "invalid_assignee", "assignee: must be a user id, me or none")
			return
		}
		f.AssigneeID = id
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			writeError(w, http.StatusBadRequest, "invalid_limit", "limit: must be between 1 and 200")
			return
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		t, id, err := decodeCursor(v)
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_cursor", "cursor: "+err.Error())
			return
		}
		f.AfterTime, f.AfterID = t, id
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	list, err := s.store.ListTickets(r.Context(), f)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	var next *string
	if len(list) > limit {
		list = list[:limit]
		c := encodeCursor(list[limit-1].UpdatedAt, list[limit-1].ID)
		next = &c
	}
	items := make([]ticketJSON, 0, len(list))
	for _, t := range list {
		items = append(items, toTicketJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": next})
}

func encodeCursor(t time.Time, id int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", t.UnixMicro(), id))
}

func decodeCursor(c string) (time.Time, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, 0, errors.New("malformed")
	}
	ts, id, ok := strings.Cut(string(b), ".")
	micros, err1 := strconv.ParseInt(ts, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return time.Time{}, 0, errors.New("malformed")
	}
	return time.UnixMicro(micros).UTC(), n, nil
}

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		writeError(w, http.StatusBadRequest, "invalid_id", "id: must be a positive number")
		return 0, false
	}
	return id, true
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	t, err := s.store.GetTicket(r.Context(), s.db, id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if exists, err := s.store.TicketExists(r.Context(), s.db, id); err != nil || !exists {
		s.internal(w, r, errors.Join(err, store.ErrNotFound))
		return
	}
	list, err := s.store.ListMessages(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	items := make([]messageJSON, 0, len(list))
	for _, m := range list {
		items = append(items, toMessageJSON(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

type eventJSON struct {
	ID        int64     `json:"id"`
	Actor     string    `json:"actor"`
	ActorID   *int64    `json:"actor_id"`
	Kind      string    `json:"kind"`
	Field     string    `json:"field"`
	Before    string    `json:"before"`
	After     string    `json:"after"`
	CreatedAt time.Time `json:"created_at"`
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if exists, err := s.store.TicketExists(r.Context(), s.db, id); err != nil || !exists {
		s.internal(w, r, errors.Join(err, store.ErrNotFound))
		return
	}
	list, err := s.store.ListEvents(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	items := make([]eventJSON, 0, len(list))
	for _, e := range list {
		ej := eventJSON{ID: e.ID, Actor: e.Actor, Kind: e.Kind, Field: e.Field, Before: e.OldValue, After: e.NewValue, CreatedAt: e.CreatedAt}
		if e.ActorID != 0 {
			ej.ActorID = &e.ActorID
		}
		items = append(items, ej)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Server) attachmentContent(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	a, err := s.store.GetAttachment(r.Context(), id)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	rc, err := s.blobs.Open(r.Context(), a.BlobKey)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	defer rc.Close()
	h := w.Header()
	// Always a download, never rendered in our origin: email content is hostile.
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	h.Set("Content-Length", strconv.FormatInt(a.Size, 10))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = io.Copy(w, rc)
}

type mailboxJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Address    string     `json:"address"`
	Provider   string     `json:"provider"`
	HasRelay   bool       `json:"has_smtp_relay"`
	AckEnabled bool       `json:"ack_enabled"`
	Status     string     `json:"status"`
	LastError  string     `json:"last_error"`
	LastSyncAt *time.Time `json:"last_sync_at"`
	CreatedAt  time.Time  `json:"created_at"`
}

func (s *Server) listMailboxes(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.ListMailboxes(r.Context())
	if err != nil {
		s.internal(w, r, err)
		return
	}
	items := make([]mailboxJSON, 0, len(list))
	for _, m := range list {
		mj := mailboxJSON{ID: m.ID, Name: m.Name, Address: m.Address, Provider: m.Provider, HasRelay: m.SMTPRelay != "",
			AckEnabled: m.AckEnabled, Status: m.Status, LastError: m.LastError, CreatedAt: m.CreatedAt}
		if !m.LastSyncAt.IsZero() {
			mj.LastSyncAt = &m.LastSyncAt
		}
		items = append(items, mj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

type inboundJSON struct {
	ID         int64     `json:"id"`
	MailboxID  int64     `json:"mailbox_id"`
	Source     string    `json:"source"`
	Status     string    `json:"status"`
	Error      string    `json:"error"`
	Attempts   int       `json:"attempts"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	ReceivedAt time.Time `json:"received_at"`
}

// listInbound shows received mail by processing status: failed messages are
// kept with their error and retried, and this is where they are visible.
func (s *Server) listInbound(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("status")
	if status == "" {
		status = store.InboundFailed
	}
	switch status {
	case store.InboundPending, store.InboundDone, store.InboundDuplicate, store.InboundIgnored, store.InboundFailed:
	default:
		writeError(w, http.StatusBadRequest, "invalid_status", "status: must be pending, done, duplicate, ignored or failed")
		return
	}
	list, err := s.store.ListInbound(r.Context(), status, 200)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	items := make([]inboundJSON, 0, len(list))
	for _, in := range list {
		items = append(items, inboundJSON{ID: in.ID, MailboxID: in.MailboxID, Source: in.Source, Status: in.Status, Error: in.Error,
			Attempts: in.Attempts, Size: in.Size, SHA256: in.SHA256, ReceivedAt: in.ReceivedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
