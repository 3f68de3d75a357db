// Package oauthweb holds what the OAuth connect flows of the mailbox
// connectors (Gmail, Microsoft) share: a state signed and bound to the
// admin's session with an expiry, the redirect back to the UI with the
// outcome, and the API's error shape.
package oauthweb

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/store"
)

// MAC is the base64url HMAC-SHA256 of session and payload under key, with
// label telling its uses apart ("" for the state itself).
func MAC(key []byte, label, session string, payload []byte) string {
	m := hmac.New(sha256.New, key)
	if label != "" {
		m.Write([]byte(label))
		m.Write([]byte{0})
	}
	m.Write([]byte(session))
	m.Write([]byte{0})
	m.Write(payload)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Expiry is the field every state carries: Unix seconds.
type Expiry struct {
	Expires int64 `json:"e"`
}

// Encode signs v (a struct embedding or carrying Expiry's "e") for session:
// it returns the state and the payload it signs.
func Encode(key []byte, session string, v any) (state string, payload []byte) {
	payload, _ = json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + MAC(key, "", session, payload), payload
}

// Decode checks state's signature for session and its expiry against now,
// then decodes it into v; it returns the signed payload.
func Decode(key []byte, session, state string, now time.Time, v any) ([]byte, error) {
	enc, sig, ok := strings.Cut(state, ".")
	if !ok {
		return nil, errors.New("malformed state")
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return nil, errors.New("malformed state")
	}
	if !hmac.Equal([]byte(sig), []byte(MAC(key, "", session, payload))) {
		return nil, errors.New("the state does not belong to this session: start the connection again")
	}
	var e Expiry
	if json.Unmarshal(payload, &e) != nil || json.Unmarshal(payload, v) != nil {
		return nil, errors.New("malformed state")
	}
	if now.Unix() > e.Expires {
		return nil, errors.New("the connection attempt expired: start again")
	}
	return payload, nil
}

// Nonce makes each state unique.
func Nonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Finish sends the browser back to done with ?provider=connected or
// ?provider=error&reason=..., and the mailbox when known.
func Finish(w http.ResponseWriter, r *http.Request, done, provider string, mailboxID int64, err error) {
	if done == "" {
		done = "/"
	}
	v := url.Values{}
	if err != nil {
		v.Set(provider, "error")
		v.Set("reason", err.Error())
	} else {
		v.Set(provider, "connected")
	}
	if mailboxID != 0 {
		v.Set("mailbox", strconv.FormatInt(mailboxID, 10))
	}
	sep := "?"
	if strings.Contains(done, "?") {
		sep = "&"
	}
	http.Redirect(w, r, done+sep+v.Encode(), http.StatusFound)
}

// Error writes the API's error shape.
func Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// Start is what both flows' first step takes: a session, an existing
// mailbox and an optional first day of the backfill.
type Start struct {
	Session string
	Mailbox int64
	Since   string // YYYY-MM-DD or ""
}

// ParseStart checks the start request; when it answers false it has
// already written the error.
func ParseStart(w http.ResponseWriter, r *http.Request, session func(*http.Request) (string, error),
	exists func(ctx context.Context, id int64) error) (Start, bool) {
	var s Start
	var err error
	if s.Session, err = session(r); err != nil || s.Session == "" {
		Error(w, http.StatusUnauthorized, "unauthorized", "log in first")
		return s, false
	}
	q := r.URL.Query()
	if s.Mailbox, err = strconv.ParseInt(q.Get("mailbox_id"), 10, 64); err != nil || s.Mailbox <= 0 {
		Error(w, http.StatusBadRequest, "bad_request", "mailbox_id is required: create the mailbox first, then connect it")
		return s, false
	}
	if err := exists(r.Context(), s.Mailbox); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			Error(w, http.StatusNotFound, "not_found", "no such mailbox")
			return s, false
		}
		Error(w, http.StatusInternalServerError, "internal", "could not read the mailbox")
		return s, false
	}
	s.Since = q.Get("since")
	if s.Since != "" {
		if _, err := time.Parse("2006-01-02", s.Since); err != nil {
			Error(w, http.StatusBadRequest, "bad_request", "since must be a day, YYYY-MM-DD")
			return s, false
		}
	}
	return s, true
}

// MailboxExists is ParseStart's check against the store.
func MailboxExists(st *store.Store) func(ctx context.Context, id int64) error {
	return func(ctx context.Context, id int64) error {
		_, err := st.GetMailbox(ctx, st.DB().W(), id)
		return err
	}
}
