package notify_test

import (
	"context"
	"os"
	"path/filepath"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/store"
)

// envQueue and envSender reach the environment's queue and ticket service,
// which exist only once the workers are registered.
type envQueue struct{ e *mailboxtest.Env }

func (q envQueue) Enqueue(ctx context.Context, tx *store.Tx, args river.JobArgs) error {
	return q.e.Queue.Enqueue(ctx, tx, args)
}

type envSender struct{ e *mailboxtest.Env }

func (s envSender) SendNotice(ctx context.Context, mb store.Mailbox, out mail.Outgoing) error {
	return s.e.Svc.SendNotice(ctx, mb, out)
}

// filepathGlob reads every file of a folder.
func filepathGlob(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	return out, nil
}
