package httpapi_test

import (
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ticketer/ticketer/api"
)

// unsafeOperations lists every POST, PUT, PATCH and DELETE of the spec that
// needs a signed-in caller, by method, path parameters filled with an id
// that does not exist.
func unsafeOperations(t *testing.T) map[string][]string {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	ops := map[string][]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			switch method {
			case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			default:
				continue
			}
			if op.Security != nil && len(*op.Security) == 0 {
				continue // public (security: []): sign-in, invitations, webhooks
			}
			ops[method] = append(ops[method], param.ReplaceAllString(path, "999999"))
		}
	}
	for _, paths := range ops {
		sort.Strings(paths)
	}
	return ops
}

// TestCSRFOnEveryUnsafeRoute: for each unsafe method, every route of the spec
// refuses a session-cookie request without the session's CSRF token (403
// "csrf", before the handler runs) and lets one with it through. PUT has no
// route today; the spec is read, so one added later is checked too (and
// auth's TestCheckCSRFOnEveryMethod covers PUT itself).
func TestCSRFOnEveryUnsafeRoute(t *testing.T) {
	ops := unsafeOperations(t)
	for _, method := range []string{http.MethodPost, http.MethodPatch, http.MethodDelete} {
		if len(ops[method]) == 0 {
			t.Fatalf("the spec has no signed-in %s route: the table below lost its case", method)
		}
	}
	eachEngine(t, func(t *testing.T, h *harness) {
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			for _, path := range ops[method] {
				name := method + " " + path
				c := h.login("admin@acme.test", adminPassword) // admin: the role check cannot answer first
				token := c.csrf
				for _, bad := range []string{"", "wrong" + token, token[:len(token)/2]} {
					c.csrf = bad
					r := c.do(method, path, "{}")
					if r.status != http.StatusForbidden {
						t.Fatalf("%s with CSRF token %q: status %d, want 403: %s", name, bad, r.status, r.body)
					}
					if code, _ := r.errorOf(t); code != "csrf" {
						t.Fatalf("%s with CSRF token %q: error %q, want csrf", name, bad, code)
					}
				}
				// The same request with the token gets past the check (the id
				// does not exist, or the body is incomplete: the handler says so).
				c.csrf = token
				r := c.do(method, path, "{}")
				if r.status == http.StatusForbidden || r.status == http.StatusUnauthorized || r.status == http.StatusMethodNotAllowed {
					t.Fatalf("%s with the session's token: status %d: %s", name, r.status, r.body)
				}
				if r.status >= 400 && strings.Contains(string(r.body), `"csrf"`) {
					t.Fatalf("%s with the session's token refused as csrf: %s", name, r.body)
				}
			}
		}
	})
}
