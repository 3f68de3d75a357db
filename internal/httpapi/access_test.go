package httpapi_test

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/ticketer/ticketer/api"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

type specOperation struct {
	method, path, id, access string
}

// specOperations lists every operation of api/openapi.yaml with its x-access.
func specOperations(t *testing.T) []specOperation {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(api.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var out []specOperation
	for path, item := range doc.Paths {
		for method, node := range item {
			switch method {
			case "get", "post", "put", "patch", "delete":
			default:
				continue
			}
			var op struct {
				ID     string `yaml:"operationId"`
				Access string `yaml:"x-access"`
			}
			if err := node.Decode(&op); err != nil {
				t.Fatal(err)
			}
			if op.Access != "public" && op.Access != "agent" && op.Access != "admin" {
				t.Fatalf("%s %s: x-access %q must be public, agent or admin", method, path, op.Access)
			}
			out = append(out, specOperation{strings.ToUpper(method), path, op.ID, op.Access})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path+out[i].method < out[j].path+out[j].method })
	if len(out) < 29 {
		t.Fatalf("only %d operations in the spec", len(out))
	}
	return out
}

// TestRouteAccess walks every operation of the spec as anonymous, agent and
// admin, and checks the route exists and enforces the operation's x-access.
func TestRouteAccess(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		tk := h.newTicket(1, "")
		_ = tk
		for _, op := range specOperations(t) {
			path := strings.ReplaceAll(op.path, "{id}", "1")
			if op.path == "/api/v1/tokens/{id}" {
				path = "/api/v1/tokens/999999" // never revoke the tokens this test uses
			}
			body := any(nil)
			if op.method != "GET" && op.method != "DELETE" {
				body = "{}"
			}
			t.Run(op.method+" "+op.path, func(t *testing.T) {
				agentToken, adminToken := h.agentToken, h.adminToken
				if op.path == "/api/v1/auth/logout-everywhere" { // revokes all the caller's tokens: spare users
					_, agentToken = h.user("spare-agent@acme.test", "Spare Agent", domain.RoleAgent, agentPassword)
					_, adminToken = h.user("spare-admin@acme.test", "Spare Admin", domain.RoleAdmin, agentPassword)
				}
				callers := []struct {
					name    string
					c       *client
					allowed bool
				}{
					{"anonymous", h.on(t).anon(), op.access == "public"},
					{"agent", h.on(t).bearer(agentToken), op.access != "admin"},
					{"admin", h.on(t).bearer(adminToken), true},
				}
				for _, caller := range callers {
					r := caller.c.do(op.method, path, body)
					if r.status == http.StatusNotFound && strings.Contains(string(r.body), "no such endpoint") ||
						r.status == http.StatusMethodNotAllowed {
						t.Fatalf("%s: route not registered: %d %s", caller.name, r.status, r.body)
					}
					switch {
					case r.status >= 500:
						t.Errorf("%s: server error %d: %s", caller.name, r.status, r.body)
					case caller.allowed && (r.status == 401 || r.status == 403):
						t.Errorf("%s: refused (%d) but x-access is %s: %s", caller.name, r.status, op.access, r.body)
					case !caller.allowed && caller.name == "anonymous" && r.status != 401:
						t.Errorf("anonymous: status %d, want 401: %s", r.status, r.body)
					case !caller.allowed && caller.name == "agent" && r.status != 403:
						t.Errorf("agent: status %d, want 403: %s", r.status, r.body)
					}
					if !caller.allowed {
						if code, _ := r.errorOf(t); code != "unauthorized" && code != "forbidden" {
							t.Errorf("%s: error code %q", caller.name, code)
						}
					}
				}
			})
		}
		// The bearer tokens still work: nothing above revoked or disabled them.
		h.bearer(h.agentToken).do("GET", "/api/v1/me", nil).must(t, 200)
	})
}

func TestUnknownRoutesAndIDs(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		cases := []struct {
			method, path string
			body         any
			status       int
			field        string
		}{
			{"GET", "/api/v1/nothing", nil, 404, ""},
			{"GET", "/api/v1/tickets/424242", nil, 404, ""},
			{"PATCH", "/api/v1/tickets/424242", `{"priority":"high"}`, 404, ""},
			{"GET", "/api/v1/tickets/424242/messages", nil, 404, ""},
			{"GET", "/api/v1/tickets/424242/events", nil, 404, ""},
			{"POST", "/api/v1/tickets/424242/replies", `{"body":"hi"}`, 404, ""},
			{"POST", "/api/v1/tickets/424242/notes", `{"body":"hi"}`, 404, ""},
			{"POST", "/api/v1/messages/424242/retry", nil, 404, ""},
			{"GET", "/api/v1/attachments/424242/content", nil, 404, ""},
			{"PATCH", "/api/v1/users/424242", `{"name":"x"}`, 404, ""},
			{"PATCH", "/api/v1/mailboxes/424242", `{"name":"x"}`, 404, ""},
			{"POST", "/api/v1/mailboxes/424242/test", nil, 404, ""},
			{"DELETE", "/api/v1/tokens/424242", nil, 404, ""},
			{"GET", "/api/v1/tickets/abc", nil, 400, "id"},
			{"GET", "/api/v1/tickets?limit=abc", nil, 400, "limit"},
			{"GET", "/api/v1/tickets?limit=0", nil, 400, "limit"},
			{"GET", "/api/v1/tickets?status=bogus", nil, 400, "status"},
			{"GET", "/api/v1/tickets?assignee=someone", nil, 400, "assignee"},
			{"GET", "/api/v1/tickets?cursor=!!", nil, 400, "cursor"},
			{"GET", "/api/v1/inbound?status=bogus", nil, 400, "status"},
		}
		for _, c := range cases {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				t.Parallel() // none of these finds anything to change
				r := h.on(t).bearer(h.adminToken).do(c.method, c.path, c.body)
				if r.status != c.status {
					t.Fatalf("%d, want %d: %s", r.status, c.status, r.body)
				}
				if _, field := r.errorOf(t); field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}
	})
}

func TestSpecIsServed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, storetest.SQLiteURL(t), harnessOpts{})
	r := h.anon().do("GET", "/api/openapi.yaml", nil).must(t, 200)
	if string(r.body) != string(api.OpenAPI) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/yaml") {
		t.Fatalf("spec: %q", r.header.Get("Content-Type"))
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		h.anon().do("GET", p, nil).must(t, 200)
	}
	if r := h.anon().do("GET", "/api/v1/tickets", nil); r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("security headers missing: %v", r.header)
	}
}

// TestSpecIsValidOpenAPI validates the document the TypeScript client and the
// server are generated from.
func TestSpecIsValidOpenAPI(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Fatalf("openapi %s, want 3.0.x", doc.OpenAPI)
	}
}
