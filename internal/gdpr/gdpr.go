// Package gdpr answers a person's data requests: an export of everything
// held about them (GDPR article 15) and its erasure (article 17).
package gdpr

import (
	"archive/zip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/store"
)

// Service exports and erases people's data.
type Service struct {
	Store *store.Store
	Blobs *blob.Store
	Now   func() time.Time
}

// exportedMessage is one message in the export's ticket.json.
type exportedMessage struct {
	ID          int64                `json:"id"`
	Kind        string               `json:"kind"`
	MessageID   string               `json:"message_id"`
	From        store.Address        `json:"from"`
	To          []store.Address      `json:"to"`
	Cc          []store.Address      `json:"cc"`
	Subject     string               `json:"subject"`
	Text        string               `json:"text"`
	CreatedAt   time.Time            `json:"created_at"`
	Raw         string               `json:"raw,omitempty"` // the file in this ZIP
	Attachments []exportedAttachment `json:"attachments"`
}

type exportedAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	File        string `json:"file"` // the file in this ZIP
}

type exportedTicket struct {
	ID        int64             `json:"id"`
	Subject   string            `json:"subject"`
	Status    string            `json:"status"`
	CreatedAt time.Time         `json:"created_at"`
	Messages  []exportedMessage `json:"messages"`
}

// Person finds a contact for the viewer (an admin: the routes allow no one
// else); store.ErrNotFound when there is none.
func (s *Service) Person(ctx context.Context, viewer store.User, id int64) (store.PersonRecord, error) {
	return s.Store.PersonByID(ctx, id)
}

// Export writes a ZIP of a person's contact record, their tickets with
// every message (as JSON and as the original .eml) and the attachments.
func (s *Service) Export(ctx context.Context, p store.PersonRecord, w io.Writer) error {
	ids, err := s.Store.PersonTickets(ctx, p)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	put := func(name string, data []byte) error {
		f, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	putJSON := func(name string, v any) error {
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		return put(name, data)
	}
	if err := putJSON("contact.json", map[string]any{"email": p.Email, "name": p.Name, "tickets": ids,
		"exported_at": s.now().UTC()}); err != nil {
		return err
	}
	for _, id := range ids {
		t, err := s.Store.GetTicket(ctx, s.Store.DB(), id)
		if err != nil {
			return err
		}
		msgs, err := s.Store.ListMessages(ctx, id)
		if err != nil {
			return err
		}
		dir := fmt.Sprintf("tickets/%d/", id)
		et := exportedTicket{ID: t.ID, Subject: t.Subject, Status: string(t.Status), CreatedAt: t.CreatedAt}
		for _, m := range msgs {
			em := exportedMessage{ID: m.ID, Kind: m.Kind, MessageID: m.MessageID, From: m.From, To: m.To, Cc: m.Cc,
				Subject: m.Subject, Text: m.Text, CreatedAt: m.CreatedAt, Attachments: []exportedAttachment{}}
			if m.Kind == "note" {
				continue // agents' internal notes are the team's, not the person's mail
			}
			if m.RawKey != "" {
				raw, err := s.Blobs.Get(ctx, m.RawKey)
				if err != nil && !errors.Is(err, blob.ErrNotFound) {
					return err
				}
				if err == nil {
					em.Raw = fmt.Sprintf("%smessages/%d.eml", dir, m.ID)
					if err := put(em.Raw, raw); err != nil {
						return err
					}
				}
			}
			for _, a := range m.Attachments {
				data, err := s.Blobs.Get(ctx, a.BlobKey)
				if err != nil {
					return err
				}
				name := fmt.Sprintf("%sattachments/%d-%s", dir, a.ID, safeName(a.Filename))
				if err := put(name, data); err != nil {
					return err
				}
				em.Attachments = append(em.Attachments, exportedAttachment{Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, File: name})
			}
			et.Messages = append(et.Messages, em)
		}
		if err := putJSON(dir+"ticket.json", et); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Result is what an erasure did.
type Result struct {
	store.Erasure
	BlobsDeleted int
}

// Erase removes a person's data from the database, the search index and
// the blob store (see store.EraseContact); blobs other rows still name
// (the same file sent by someone else) are kept.
func (s *Service) Erase(ctx context.Context, p store.PersonRecord, actorID int64, actor string) (Result, error) {
	var r Result
	var err error
	if r.Erasure, err = s.Store.EraseContact(ctx, p, actorID, actor, s.now()); err != nil {
		return r, err
	}
	r.BlobsDeleted, err = s.deleteUnused(ctx, r.BlobKeys)
	return r, err
}

// deleteUnused deletes the blobs no row names any more.
func (s *Service) deleteUnused(ctx context.Context, keys []string) (int, error) {
	n := 0
	for _, k := range keys {
		used, err := s.Store.BlobInUse(ctx, k)
		if err != nil {
			return n, err
		}
		if used {
			continue
		}
		if err := s.Blobs.Delete(ctx, k); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ApplyRetention erases, the same way, the closed tickets the mailboxes'
// retention rules have expired, and returns how many. Running it on two
// replicas at once erases nothing twice that matters: an erased ticket is
// no longer due.
func (s *Service) ApplyRetention(ctx context.Context) (int, error) {
	ids, err := s.Store.RetentionDue(ctx, s.now())
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		e, err := s.Store.EraseTicket(ctx, id, "retention", s.now())
		if err != nil {
			return i, err
		}
		if _, err := s.deleteUnused(ctx, e.BlobKeys); err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// safeName keeps an attachment's name inside its folder of the ZIP.
func safeName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || name == ".." || name == "" {
		return "attachment"
	}
	return name
}
