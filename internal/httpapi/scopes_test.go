package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"
)

// scopedToken makes a token for the admin with these scopes (through the
// API, with the admin's unscoped token) and returns its secret.
func (h *harness) scopedToken(t *testing.T, scopes ...string) string {
	t.Helper()
	var tok struct {
		Token  string   `json:"token"`
		Scopes []string `json:"scopes"`
	}
	h.bearer(h.adminToken).do("POST", "/api/v1/tokens", map[string]any{"name": "integration", "scopes": scopes}).must(t, 201).json(t, &tok)
	if len(tok.Scopes) != len(scopes) {
		t.Fatalf("scopes %v, asked %v", tok.Scopes, scopes)
	}
	return tok.Token
}

// TestTokenScopes: a token limited to read-only or to endpoint groups
// reaches only those routes (403 token_scope elsewhere); a token without
// scopes reaches everything its role allows.
func TestTokenScopes(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		ticketPath := fmt.Sprintf("/api/v1/tickets/%d", id)
		type call struct {
			method, path string
			body         any
			want         int
		}
		cases := []struct {
			scopes []string
			calls  []call
		}{
			{nil, []call{
				{"GET", "/api/v1/tickets", nil, 200}, {"PATCH", ticketPath, map[string]any{"priority": "high"}, 200},
				{"GET", "/api/v1/webhooks", nil, 200}, {"GET", "/api/v1/me", nil, 200},
			}},
			{[]string{"read"}, []call{
				{"GET", "/api/v1/tickets", nil, 200}, {"GET", "/api/v1/mailboxes", nil, 200}, {"GET", "/api/v1/reports/summary", nil, 200},
				{"PATCH", ticketPath, map[string]any{"priority": "low"}, 403}, {"POST", ticketPath + "/notes", map[string]any{"body": "x"}, 403},
				{"POST", "/api/v1/tokens", map[string]any{"name": "x"}, 403},
			}},
			{[]string{"tickets"}, []call{
				{"GET", "/api/v1/tickets", nil, 200}, {"POST", ticketPath + "/notes", map[string]any{"body": "from an integration"}, 201},
				{"GET", "/api/v1/views", nil, 200}, {"GET", "/api/v1/mailboxes", nil, 403}, {"GET", "/api/v1/users", nil, 403},
				{"GET", "/api/v1/me", nil, 403}, {"GET", "/api/v1/reports/summary", nil, 403},
			}},
			{[]string{"read", "reports"}, []call{
				{"GET", "/api/v1/reports/summary", nil, 200}, {"GET", "/api/v1/tickets", nil, 403},
			}},
			{[]string{"webhooks", "mailboxes"}, []call{
				{"GET", "/api/v1/webhooks", nil, 200}, {"GET", "/api/v1/mailboxes", nil, 200}, {"GET", "/api/v1/teams", nil, 403},
				{"GET", ticketPath, nil, 403},
			}},
			{[]string{"account"}, []call{
				{"GET", "/api/v1/me", nil, 200}, {"GET", "/api/v1/tokens", nil, 200}, {"GET", "/api/v1/tickets", nil, 403},
			}},
		}
		for _, c := range cases {
			token := h.adminToken
			if c.scopes != nil {
				token = h.scopedToken(t, c.scopes...)
			}
			for _, cl := range c.calls {
				t.Run(fmt.Sprint(c.scopes, " ", cl.method, " ", cl.path), func(t *testing.T) {
					r := h.bearer(token).do(cl.method, cl.path, cl.body).must(t, cl.want)
					if cl.want == http.StatusForbidden {
						if code, _ := r.errorOf(t); code != "token_scope" {
							t.Fatalf("code %s", code)
						}
					}
				})
			}
		}
	})
}

// TestTokenScopesOnCreation: scopes are checked, and a scoped token makes
// no token broader than itself.
func TestTokenScopesOnCreation(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		r := h.bearer(h.adminToken).do("POST", "/api/v1/tokens", map[string]any{"name": "x", "scopes": []string{"everything"}}).must(t, 422)
		if _, field := r.errorOf(t); field != "scopes" {
			t.Fatalf("field %q", field)
		}
		acct := h.scopedToken(t, "account", "tickets")
		for _, c := range []struct {
			scopes []string
			want   int
		}{
			{nil, 422}, {[]string{"account", "mailboxes"}, 422}, {[]string{"tickets"}, 201}, {[]string{"read", "account"}, 201},
		} {
			t.Run(fmt.Sprint(c.scopes), func(t *testing.T) {
				h.bearer(acct).do("POST", "/api/v1/tokens", map[string]any{"name": "child", "scopes": c.scopes}).must(t, c.want)
			})
		}
		var list struct {
			Items []struct {
				Name   string   `json:"name"`
				Scopes []string `json:"scopes"`
			} `json:"items"`
		}
		h.bearer(h.adminToken).do("GET", "/api/v1/tokens", nil).must(t, 200).json(t, &list)
		if len(list.Items) == 0 || fmt.Sprint(list.Items[0].Scopes) != "[read account]" {
			t.Fatalf("tokens %+v", list.Items)
		}
	})
}
