package httpapi

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHandlersReadThroughServices: handlers ask the services, which take the
// caller, and never the store, so that who may see what is decided in one
// place. The one use of the store left builds the GDPR service.
func TestHandlersReadThroughServices(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	direct := regexp.MustCompile(`s\.store\.[A-Z]\w*\(`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d reads the store directly: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
	if len(files) < 10 {
		t.Fatalf("found only %d files: the test is not looking at the handlers", len(files))
	}
}
