package smtpin_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/smtpin"
)

// An address already in use is an error at once, not a listener that never
// answers.
func TestListenAndServeReportsABusyAddress(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	srv := smtpin.New(smtpin.Config{Addr: busy.Addr().String(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, nil)
	if err := srv.ListenAndServe(context.Background()); err == nil {
		t.Fatal("ListenAndServe on a busy address returned nil")
	}
}
