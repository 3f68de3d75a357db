package ticket_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOneChangePath: the store's writers of a ticket's fields, audit trail,
// delivery states and live events are called only from the change path
// (change.go and its audit hook in hooks.go), so every change validates,
// applies the status rules, records and announces itself the same way.
func TestOneChangePath(t *testing.T) {
	t.Parallel()
	writer := regexp.MustCompile(`\.(AddEvent|PublishTx|TouchTicket|UpdateTicketFields|SetDelivery|CreateTicket|SetTicketTags|ChangeTicketTags|SetFirstResponse|RequeueFailed|SetTicketStatus|SetTicketCSAT)\(`)
	// notify publishes its own live event, to one agent: a notification is
	// not a change of the ticket.
	allowed := map[string]bool{"ticket/change.go": true, "ticket/hooks.go": true, "notify/notify.go": true}
	seen := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, "../"))
		// The store defines the writers; live defines PublishTx; the API's
		// generated code names its CreateTicket operation.
		if strings.HasPrefix(rel, "store/") || strings.HasPrefix(rel, "live/") || strings.HasPrefix(rel, "httpapi/oapi/") || allowed[rel] {
			seen++
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if writer.MatchString(line) {
				t.Errorf("%s:%d writes a ticket outside the change path: %s", rel, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 3 {
		t.Fatalf("walked %d allowed files: the test is not looking at internal/", seen)
	}
}
