package httpapi

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/auth"
)

// TestEveryRouteHasAGroup: every authenticated /api/v1 route of the route
// table and every operation of the spec is in an endpoint group that token
// scopes can name, so a new route cannot be left out (a token with groups
// would never reach it); and every group has routes.
func TestEveryRouteHasAGroup(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?:route|enrolling)\("([A-Z]+ /api/v1/[^"]+)", (\w+),`)
	var patterns []string
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		if m[2] != "public" {
			patterns = append(patterns, m[1])
		}
	}
	for path, item := range loadSpec(t).Paths.Map() {
		for method, op := range item.Operations() {
			if op.Extensions["x-access"] != "public" && strings.HasPrefix(path, "/api/v1/") {
				patterns = append(patterns, method+" "+path)
			}
		}
	}
	if len(patterns) < 80 {
		t.Fatalf("found only %d routes: the test is not reading the table", len(patterns))
	}
	used := map[string]bool{}
	for _, p := range patterns {
		g := routeGroup(p)
		if g == "" {
			t.Errorf("%s is in no endpoint group: add its first path segment to routeGroups (scopes.go)", p)
		}
		used[g] = true
	}
	for _, g := range auth.TokenScopes() {
		if g != auth.ScopeRead && !used[g] {
			t.Errorf("group %s has no route", g)
		}
	}
	for _, g := range routeGroups {
		if !slices.Contains(auth.TokenScopes(), g) {
			t.Errorf("group %s is not a token scope", g)
		}
	}
}
