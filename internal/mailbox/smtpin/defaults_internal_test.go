package smtpin

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// TestNewDefaults: New fills every setting left zero with its default, and
// keeps every setting given (1 byte, 1 recipient, 1 ns: the least values
// are kept, not replaced).
func TestNewDefaults(t *testing.T) {
	t.Parallel()
	got := New(Config{}, nil).cfg
	want := Config{MaxMessageBytes: 25 << 20, MaxRecipients: 100, ReadTimeout: 60 * time.Second, WriteTimeout: 60 * time.Second,
		Domain: "localhost", MaxConns: 200, MaxConnsPerClient: 50, TransactionTimeout: 10 * time.Minute,
		SessionTimeout: DefaultSessionTimeout, SpoolMemoryBytes: 64 << 10}
	if got.Logger != slog.Default() {
		t.Error("no logger: want slog.Default()")
	}
	got.Logger = nil
	if got != want {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	given := Config{MaxMessageBytes: 1, MaxRecipients: 1, ReadTimeout: 1, WriteTimeout: 1, Domain: "mx.acme.test", MaxConns: 1,
		MaxConnsPerClient: 1, TransactionTimeout: 1, SessionTimeout: 1, SpoolMemoryBytes: 1, Logger: log}
	if got := New(given, nil).cfg; got != given {
		t.Errorf("given settings changed:\n got %+v\nwant %+v", got, given)
	}
}
