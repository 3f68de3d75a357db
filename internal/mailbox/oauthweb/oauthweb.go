// Package oauthweb holds what the OAuth connect flows of the mailbox
// connectors (Gmail, Microsoft) share: a state signed and bound to the
// admin's session with an expiry, the redirect back to the UI with the
// outcome, and the API's error shape.
package oauthweb

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
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
