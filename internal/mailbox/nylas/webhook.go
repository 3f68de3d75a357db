package nylas

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/store"
)

// Webhook receives Nylas notifications at the URL registered in the Nylas
// dashboard (e.g. POST/GET /api/v1/mailboxes/nylas/webhook; no session:
// the signature is the authentication). GET answers the challenge Nylas
// sends when the webhook is created; POST verifies x-nylas-signature (hex
// HMAC-SHA256 of the body with the webhook secret) and, for
// message.created, fetches the raw message and delivers it at once. A
// failure answers 500 so Nylas retries; polling catches up in any case.
type Webhook struct {
	Secret   string
	Store    *store.Store
	Receiver mailbox.Receiver
	Config   Config
	Log      *slog.Logger
}

// notification is Nylas's webhook payload (CloudEvents-like).
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

func (h *Webhook) notify(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	if !Valid(h.Secret, body, r.Header.Get("X-Nylas-Signature")) {
		h.log().Warn("nylas webhook with a bad signature refused", "remote", r.RemoteAddr)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil {
		http.Error(w, "malformed notification", http.StatusBadRequest)
		return
	}
	if n.Type != "message.created" && n.Type != "message.created.truncated" {
		w.WriteHeader(http.StatusOK)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	mb, cr, ok, err := h.mailboxOf(ctx, n.Data.Object.GrantID)
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
	host := mailbox.NewHost(h.Store, h.Receiver, mb.MailboxID, mb.Address, h.log())
	conn := New(h.Config, host, cr, time.Time{})
	if err := conn.deliver(ctx, n.Data.Object.ID); err != nil {
		h.log().Error("nylas webhook: fetch message; Nylas will retry", "mailbox", mb.MailboxID, "message", n.Data.Object.ID, "err", conn.loud(ctx, err))
		http.Error(w, "temporary failure", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// mailboxOf finds the enabled Nylas mailbox of a grant.
func (h *Webhook) mailboxOf(ctx context.Context, grant string) (store.Connector, Credentials, bool, error) {
	cs, err := h.Store.ConnectorMailboxes(ctx)
	if err != nil {
		return store.Connector{}, Credentials{}, false, err
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
			return c, cr, true, nil
		}
	}
	return store.Connector{}, Credentials{}, false, nil
}
