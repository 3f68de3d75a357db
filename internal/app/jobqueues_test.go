package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mailbox/graph"
	"github.com/ticketer/ticketer/internal/mailbox/health"
	"github.com/ticketer/ticketer/internal/mailbox/nylas"
	"github.com/ticketer/ticketer/internal/notify"
	"github.com/ticketer/ticketer/internal/ticket"
	"github.com/ticketer/ticketer/internal/webhook"
)

// TestEveryJobGoesToAWorkedQueue: a job on a queue the binary does not work
// (River's "default", which a job naming no queue lands on) never runs. The
// snooze wake-up did once. Every job kind in the code is listed here: the
// second half counts them in the source, so a new one cannot be left out.
func TestEveryJobGoesToAWorkedQueue(t *testing.T) {
	type job interface {
		river.JobArgs
		river.JobArgsWithInsertOpts
	}
	kinds := []job{
		ticket.IngestArgs{}, ticket.IngestArgs{Large: true}, ticket.IngestArgs{Backlog: true},
		ticket.SendArgs{}, ticket.SnoozeArgs{}, ticket.TimeRulesArgs{}, ticket.SLABreachArgs{},
		notify.MailArgs{}, health.MailArgs{}, nylas.FetchArgs{}, graph.SyncArgs{}, webhook.DeliverArgs{},
	}
	types := map[string]bool{}
	for _, k := range kinds {
		if q := k.InsertOpts().Queue; !jobs.Worked(q) {
			t.Errorf("%s goes to queue %q, which no worker takes", k.Kind(), q)
		}
		types[k.Kind()] = true
	}

	decl := regexp.MustCompile(`(?m)^func \([^)]*\) InsertOpts\(\) river\.InsertOpts`)
	found := 0
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		found += len(decl.FindAll(src, -1))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found != len(types) {
		t.Errorf("the code declares %d job kinds with InsertOpts, this test lists %d: add the new one above", found, len(types))
	}
}
