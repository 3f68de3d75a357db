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

// TestCapListenerCounts: a client's connections are counted up to its cap,
// each release gives one back, and its count is forgotten with its last.
func TestCapListenerCounts(t *testing.T) {
	t.Parallel()
	l := &capListener{s: New(Config{MaxConns: 3, MaxConnsPerClient: 2}, nil), perClient: map[string]int{}}
	for i := range 2 {
		if !l.acquire("a") {
			t.Fatalf("a client's connection %d of 2 refused", i+1)
		}
	}
	if l.acquire("a") {
		t.Fatal("a client's third connection taken past its cap of 2")
	}
	l.release("a")
	if n := l.perClient["a"]; n != 1 || l.total != 1 {
		t.Fatalf("after one release: the client counts %d, all %d; want 1 and 1", n, l.total)
	}
	if !l.acquire("a") {
		t.Fatal("a connection given back is not taken again")
	}
	l.release("a")
	l.release("a")
	if _, ok := l.perClient["a"]; ok || l.total != 0 {
		t.Fatalf("after the last release: %v, all %d; want the client forgotten and 0", l.perClient, l.total)
	}
}

// TestEndTransactionRestoresTheSessionDeadline: the end of a transaction
// bounds the connection by its session again (and a connection without
// limits, nil, has nothing to end).
func TestEndTransactionRestoresTheSessionDeadline(t *testing.T) {
	t.Parallel()
	end := time.Now().Add(time.Hour)
	c := &limitedConn{sessionEnd: end, until: end.Add(-30 * time.Minute)}
	c.endTransaction()
	if !c.until.Equal(end) {
		t.Errorf("after the transaction the connection ends at %v, want the session's end %v", c.until, end)
	}
	var none *limitedConn
	none.endTransaction()
}

// TestSpoolKeepsAFullMemoryInMemory: a message of exactly the memory's size
// stays in memory; one byte more goes to a file.
func TestSpoolKeepsAFullMemoryInMemory(t *testing.T) {
	t.Parallel()
	sp := &spool{dir: t.TempDir(), mem: 4}
	defer sp.Close()
	if _, err := sp.Write([]byte("abcd")); err != nil || sp.f != nil {
		t.Fatalf("4 bytes in a 4-byte memory: err %v, spooled to a file: %v", err, sp.f != nil)
	}
	if _, err := sp.Write([]byte("e")); err != nil || sp.f == nil {
		t.Fatalf("the 5th byte: err %v, spooled to a file: %v", err, sp.f != nil)
	}
}
