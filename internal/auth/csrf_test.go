package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestCheckCSRFOnEveryMethod: a cookie request with an unsafe method needs
// the session's own token in both the header and the cookie; safe methods
// and bearer tokens need none.
func TestCheckCSRFOnEveryMethod(t *testing.T) {
	t.Parallel()
	const token = "csrf-token-of-the-session"
	session := Principal{SessionID: 7, csrfHash: HashToken(token)}
	bearer := Principal{} // a token caller: no session, no cookie
	cases := []struct {
		name           string
		p              Principal
		header, cookie string // "" is absent
		bad            bool   // refused for unsafe methods (safe ones pass anyway)
	}{
		{"session token in header and cookie", session, token, token, false},
		{"no header", session, "", token, true},
		{"no cookie", session, token, "", true},
		{"neither", session, "", "", true},
		{"header and cookie differ", session, token, "other", true},
		{"another session's token, echoed in both", session, "other", "other", true},
		{"a prefix of the token", session, token[:5], token[:5], true},
		{"bearer token, nothing", bearer, "", "", false},
	}
	methods := []struct {
		method string
		unsafe bool
	}{
		{http.MethodPost, true}, {http.MethodPut, true}, {http.MethodPatch, true}, {http.MethodDelete, true},
		{"PROPFIND", true}, // anything not known to be safe is checked
		{http.MethodGet, false}, {http.MethodHead, false}, {http.MethodOptions, false},
	}
	for _, m := range methods {
		for _, c := range cases {
			t.Run(m.method+" "+c.name, func(t *testing.T) {
				t.Parallel()
				r := httptest.NewRequest(m.method, "/api/v1/tickets/1", nil)
				if c.header != "" {
					r.Header.Set(CSRFHeader, c.header)
				}
				if c.cookie != "" {
					r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: c.cookie})
				}
				err := CheckCSRF(r, c.p)
				refused := m.unsafe && c.bad
				if refused && !errors.Is(err, ErrCSRF) {
					t.Fatalf("want ErrCSRF, got %v", err)
				}
				if !refused && err != nil {
					t.Fatalf("want nil, got %v", err)
				}
			})
		}
	}
}
