package nylas

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/store"
)

// Webhook receives Nylas notifications at the URL registered in the Nylas
// dashboard (e.g. POST/GET /api/v1/mailboxes/nylas/webhook; no session:
// the signature is the authentication). GET answers the challenge Nylas
// sends when the webhook is created; POST verifies x-nylas-signature (hex
// HMAC-SHA256 of the body with the webhook secret) and, for message.created
// and its variants, commits a FetchArgs job and answers 200 at once.
//
// Nylas counts an answer later than 10 seconds as a failed delivery,
// retries it, and lowers the endpoint's health until it disables the
// webhook (https://developer.nylas.com/docs/v3/notifications/, "Failing and
// failed webhooks"). So the raw message is fetched by the job, never while
// Nylas waits; polling catches up with anything a notification missed.
type Webhook struct {
	Secret string
	Store  *store.Store
	Queue  Enqueuer
	Config Config
	Log    *slog.Logger
}

// Enqueuer inserts a job in a transaction (*jobs.Queue).
type Enqueuer interface {
	Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error
}

// maxNotification bounds a notification body, compressed or not (Nylas
// truncates objects over 1 MB and marks the type .truncated).
const maxNotification = 4 << 20

// notification is Nylas's webhook payload (a CloudEvents envelope).
type notification struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Data struct {
		Object struct {
			ID      string `json:"id"`
			GrantID string `json:"grant_id"`
		} `json:"object"`
	} `json:"data"`
}

// messageCreated reports whether a trigger type is message.created or one
// of its variants: .truncated (object over 1 MB), .transformed (field
// customisation), .cleaned (Clean Conversations), which compose, e.g.
// message.created.cleaned.transformed.truncated (Nylas changelog
// 2026-04-16 "Webhook delivery and notification updates"; notification
// schemas at https://developer.nylas.com/docs/reference/notifications/).
func messageCreated(typ string) bool {
	rest, ok := strings.CutPrefix(typ, "message.created")
	if !ok {
		return false
	}
	for _, suffix := range strings.Split(rest, ".")[1:] {
		if suffix != "truncated" && suffix != "transformed" && suffix != "cleaned" {
			return false
		}
	}
	return rest == "" || strings.HasPrefix(rest, ".")
}

func (h *Webhook) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

func (h *Webhook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		ch := r.URL.Query().Get("challenge")
		if ch == "" {
			http.Error(w, "missing challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, ch)
	case http.MethodPost:
		h.notify(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// Valid reports whether sig is the hex HMAC-SHA256 of body under secret.
func Valid(secret string, body []byte, sig string) bool {
	if secret == "" || sig == "" {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	want := hex.EncodeToString(m.Sum(nil))
	return hmac.Equal([]byte(want), []byte(strings.ToLower(strings.TrimSpace(sig))))
}

// readNotification reads and authenticates a notification. With
// compressed_delivery Nylas gzips the JSON and sets Content-Encoding: gzip
// (webhook destination schema, "compressed_delivery"). The signature covers
// the bytes Nylas sent (Nylas cookbook "Verify webhook signatures"), that is
// the compressed ones; a signature over the decompressed JSON is accepted
// too, since only a real delivery can show which Nylas signs.
func (h *Webhook) readNotification(r *http.Request) ([]byte, int, error) {
	wire, err := io.ReadAll(io.LimitReader(r.Body, maxNotification+1))
	if err != nil || len(wire) > maxNotification {
		return nil, http.StatusBadRequest, errors.New("unreadable or oversized body")
	}
	body := wire
	if strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(wire))
		if err != nil {
			return nil, http.StatusBadRequest, fmt.Errorf("gzip: %w", err)
		}
		if body, err = io.ReadAll(io.LimitReader(zr, maxNotification+1)); err != nil || len(body) > maxNotification {
			return nil, http.StatusBadRequest, errors.New("bad or oversized gzip body")
		}
	}
	sig := r.Header.Get("X-Nylas-Signature")
	if !Valid(h.Secret, wire, sig) && !Valid(h.Secret, body, sig) {
		return nil, http.StatusUnauthorized, errors.New("bad signature")
	}
	return body, 0, nil
}

func (h *Webhook) notify(w http.ResponseWriter, r *http.Request) {
	body, code, err := h.readNotification(r)
	if err != nil {
		if code == http.StatusUnauthorized {
			h.log().Warn("nylas webhook with a bad signature refused", "remote", r.RemoteAddr)
		}
		http.Error(w, err.Error(), code)
		return
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil {
		http.Error(w, "malformed notification", http.StatusBadRequest)
		return
	}
	if !messageCreated(n.Type) {
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx := r.Context()
	mb, ok, err := h.mailboxOf(ctx, n.Data.Object.GrantID)
	if err != nil {
		h.log().Error("nylas webhook: find mailbox", "err", err)
		http.Error(w, "temporary failure", http.StatusInternalServerError)
		return
	}
	if !ok {
		h.log().Warn("nylas webhook for a grant no mailbox uses", "grant", n.Data.Object.GrantID)
		w.WriteHeader(http.StatusOK)
		return
	}
	args := FetchArgs{MailboxID: mb.MailboxID, GrantID: n.Data.Object.GrantID, MessageID: n.Data.Object.ID, NotificationID: n.ID}
	if err := h.Store.DB().InTx(ctx, func(tx *store.Tx) error { return h.Queue.Enqueue(ctx, tx, args) }); err != nil {
		h.log().Error("nylas webhook: record the notification; Nylas will retry", "mailbox", mb.MailboxID, "err", err)
		http.Error(w, "temporary failure", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// mailboxOf finds the enabled Nylas mailbox of a grant.
func (h *Webhook) mailboxOf(ctx context.Context, grant string) (store.Connector, bool, error) {
	cs, err := h.Store.ConnectorMailboxes(ctx)
	if err != nil {
		return store.Connector{}, false, err
	}
	for _, c := range cs {
		if c.Provider != "nylas" {
			continue
		}
		cr, err := OpenCredentials(h.Config.Secrets, c.Credentials)
		if err != nil {
			continue
		}
		if cr.GrantID == grant {
			return c, true, nil
		}
	}
	return store.Connector{}, false, nil
}
