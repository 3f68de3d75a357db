package auth

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestNewHashesNothing: building the service runs no argon2id (64 MiB a
// hash): an idle server does not hold a sign-in's memory from its start.
// Unknown users are still checked against a hash with the real parameters,
// which no password matches.
func TestNewHashesNothing(t *testing.T) {
	st := store.New(storetest.Open(t, storetest.SQLiteURL(t)))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s, err := New(Config{Store: st, BaseURL: "http://localhost:8080"})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Fatalf("New allocated %d MiB; want no password hash at start", grew>>20)
	}
	real, err := HashPassword("a real password here")
	if err != nil {
		t.Fatal(err)
	}
	params := func(h string) string { return strings.Join(strings.Split(h, "$")[1:4], "$") }
	if params(s.dummy) != params(real) {
		t.Fatalf("dummy hash parameters %q, real %q: an unknown user would answer faster", params(s.dummy), params(real))
	}
	for _, pw := range []string{"", "a real password here", "not a real password, for timing only"} {
		if CheckPassword(s.dummy, pw) {
			t.Fatalf("the dummy hash matches %q", pw)
		}
	}
}

// TestPasswordCheckLeavesNoGarbage: a password check collects the 64 MiB
// argon2id leaves behind before it returns, so the next check reuses that
// memory instead of the heap growing by a hash's worth per sign-in until
// the collector's pacing catches up (the abuse suite's 64 parallel
// sign-ins went from 422 to 237 MB peak). Not parallel: another test's
// hash in flight would be counted.
func TestPasswordCheckLeavesNoGarbage(t *testing.T) {
	hash, err := HashPassword("a real password here")
	if err != nil {
		t.Fatal(err)
	}
	for _, check := range []func(){
		func() { CheckPassword(hash, "a wrong password here") },
		func() { _, _ = HashPassword("another real password") },
	} {
		runtime.GC()
		check()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if m.HeapAlloc > argonMemory*1024/2 {
			t.Fatalf("heap holds %d MiB after a hash (argon2id uses %d MiB): its memory was not collected", m.HeapAlloc>>20, argonMemory>>10)
		}
	}
}

// TestSignInHandsMemoryBack: when the last password check running ends,
// the 64 MiB it used go back to the system at once, not minutes later
// (one sign-in would otherwise double an idle server's memory). Not
// parallel: another test's hash in flight would keep it.
func TestSignInHandsMemoryBack(t *testing.T) {
	b, replica := setupLimits(t, storetest.SQLiteURL(t))
	s := replica(Config{})
	if err := login(b, s, "wrong", "10.0.0.1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatal(err)
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if kept := m.HeapIdle - m.HeapReleased; kept > argonMemory*1024/2 {
		t.Fatalf("the process keeps %d MiB of free heap after a sign-in (argon2id uses %d MiB)", kept>>20, argonMemory>>10)
	}
}
