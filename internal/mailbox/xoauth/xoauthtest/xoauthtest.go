// Package xoauthtest is an in-process OAuth 2.0 token endpoint as Google's
// and Microsoft's behave (RFC 6749 section 5): refresh_token and
// authorization_code grants, invalid_grant for a refresh token it does not
// know, optional refresh token rotation (Microsoft).
package xoauthtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Server is the token endpoint; its fields may change between calls (under
// Lock).
type Server struct {
	URL string // the token endpoint

	mu sync.Mutex
	// Refresh are the refresh tokens it accepts.
	Refresh map[string]bool
	// Rotate answers each refresh with a new refresh token (and forgets the old).
	Rotate bool
	// ExpiresIn is the access tokens' lifetime in seconds (3600).
	ExpiresIn int
	// Codes maps an authorization code to its PKCE challenge (S256).
	Codes map[string]string
	// Issued are the access tokens handed out, in order.
	Issued []string
	// Forms are the requests' forms, in order.
	Forms []map[string]string
	n     int
}

// Start serves until the test ends.
func Start(t testing.TB) *Server {
	s := &Server{Refresh: map[string]bool{}, Codes: map[string]string{}, ExpiresIn: 3600}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/token"
	return s
}

// Lock runs f with the server's fields locked.
func (s *Server) Lock(f func(s *Server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// Count is how many access tokens were issued.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.Issued)
}

// Valid says whether token is the newest access token issued.
func (s *Server) Valid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.Issued) > 0 && s.Issued[len(s.Issued)-1] == token
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		fail(w, "invalid_request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	s.Forms = append(s.Forms, form)
	if form["client_id"] == "" || form["client_secret"] == "" {
		fail(w, "invalid_client")
		return
	}
	var refresh string
	switch form["grant_type"] {
	case "refresh_token":
		if !s.Refresh[form["refresh_token"]] {
			fail(w, "invalid_grant")
			return
		}
		refresh = form["refresh_token"]
		if s.Rotate {
			delete(s.Refresh, refresh)
			refresh = fmt.Sprintf("rt-rotated-%d", s.n+1)
			s.Refresh[refresh] = true
		}
	case "authorization_code":
		challenge, ok := s.Codes[form["code"]]
		sum := sha256.Sum256([]byte(form["code_verifier"]))
		if !ok || base64.RawURLEncoding.EncodeToString(sum[:]) != challenge {
			fail(w, "invalid_grant")
			return
		}
		delete(s.Codes, form["code"])
		refresh = fmt.Sprintf("rt-from-code-%d", s.n+1)
		s.Refresh[refresh] = true
	default:
		fail(w, "unsupported_grant_type")
		return
	}
	s.n++
	access := fmt.Sprintf("at-%d", s.n)
	s.Issued = append(s.Issued, access)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": s.ExpiresIn,
		"refresh_token": refresh})
}

func fail(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": "AADSTS70000: the grant is not valid"})
}
