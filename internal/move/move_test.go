package move_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/blob/blobtest"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/move"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

type bundle struct {
	src   *mailboxtest.Env
	to    *store.DB
	blobs *blob.Store
	s3URL string
}

// setup makes a SQLite install with mail: half of it ingested, half still
// waiting as queued River jobs; and an empty PostgreSQL and S3 bucket.
func setup(t *testing.T) bundle {
	t.Helper()
	src := mailboxtest.NewWith(t, filepath.Join(t.TempDir(), "ticketer.db"), mailboxtest.Options{Manual: true})
	mb := src.Mailbox("support@acme.test", "imap")
	host := src.Host(mb, "support@acme.test")
	for i := range 40 {
		raw := fmt.Sprintf("From: c%d@customer.test\r\nTo: support@acme.test\r\nSubject: Question %d\r\nMessage-ID: <move-%d@customer.test>\r\n\r\nBody %d.\r\n", i%7, i, i, i)
		if err := host.Deliver(src.Ctx, mailbox.Message{ProviderID: fmt.Sprintf("imap:1:%d", i), Source: "imap", Raw: []byte(raw)}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			var id int64
			if err := src.DB.W().QueryRow(src.Ctx, `SELECT max(id) FROM inbound`).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if err := src.Svc.ProcessInbound(src.Ctx, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Tags, for the report's per-tag facts the triggers derive from them.
	if _, err := src.DB.Exec(src.Ctx, `INSERT INTO ticket_tags (ticket_id, tag) SELECT id, 'vip' FROM tickets WHERE id % 2 = 0`); err != nil {
		t.Fatal(err)
	}
	to := storetest.Open(t, storetest.PostgresURL(t))
	if err := jobs.Migrate(context.Background(), to); err != nil {
		t.Fatal(err)
	}
	url, _ := blobtest.Versity(t, "moved")
	blobs, err := blob.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	return bundle{src: src, to: to, blobs: blobs, s3URL: url}
}

func (b bundle) options() move.Options {
	return move.Options{From: b.src.DB, To: b.to, FromBlobs: b.src.Blobs, ToBlobs: b.blobs}
}

func count(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestMoveResumesAfterAnInterruption(t *testing.T) {
	b := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	o := b.options()
	tables := 0
	o.Progress = func(what string, n int) {
		if tables++; what == "messages" {
			cancel() // stop once messages are in, before the tables after it
		}
	}
	if _, err := move.Move(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted move: %v", err)
	}
	if n := count(t, b.to, `SELECT count(*) FROM ticketer_move`); n == 0 || n != tables {
		t.Fatalf("the ledger holds %d tables, %d were reported done", n, tables)
	}
	rep, err := move.Move(context.Background(), b.options())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Resumed {
		t.Fatal("the second move did not resume")
	}
	for _, q := range []string{
		`SELECT count(*) FROM messages`, `SELECT count(*) FROM inbound`, `SELECT count(*) FROM tickets`,
		`SELECT count(*) FROM river_job`, `SELECT count(*) FROM river_job WHERE state = 'available'`,
		`SELECT count(*) FROM message_occurrences`, `SELECT count(*) FROM contacts`,
		`SELECT count(*) FROM report_tag_facts`, `SELECT count(*) FROM report_tag_facts g JOIN ticket_tags t USING (ticket_id, tag)`,
	} {
		if a, z := count(t, b.src.DB, q), count(t, b.to, q); a != z || a == 0 {
			t.Errorf("%s: %d in SQLite, %d in PostgreSQL", q, a, z)
		}
	}
	if n := count(t, b.to, `SELECT count(*) FROM pg_tables WHERE tablename = 'ticketer_move'`); n != 0 {
		t.Fatal("the ledger is left after a finished move")
	}
	// The blobs copy while the tables load: the interrupted move may have
	// sent some or all of them, and the second sends the rest.
	keys, moved := sourceKeys(t, b.src.Blobs), sourceKeys(t, b.blobs)
	if len(moved) != len(keys) || len(keys) < 40 || rep.Blobs > len(keys) {
		t.Fatalf("the target has %d blobs (%d copied by the resumed move), the source %d", len(moved), rep.Blobs, len(keys))
	}
}

func TestMoveRefusesATargetWithData(t *testing.T) {
	b := setup(t)
	if _, err := b.to.Exec(context.Background(), `INSERT INTO contacts (email, name, created_at) VALUES ('x@y.test', '', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := move.Move(context.Background(), b.options()); !errors.Is(err, move.ErrNotEmpty) {
		t.Fatalf("move into a database with a contact: %v", err)
	}
}

func sourceKeys(t *testing.T, st *blob.Store) []string {
	t.Helper()
	var keys []string
	if err := st.Keys(context.Background(), func(k string) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatal(err)
	}
	return keys
}

// Blobs a previous, interrupted move left in the target are checked by the
// sha256 S3 kept for them (a HEAD), read back only where it kept none, and
// one whose bytes are wrong fails the move; every blob copied now is
// checked by S3 on arrival and not read back.
func TestMoveChecksBlobsByTheTargetsChecksums(t *testing.T) {
	ctx := context.Background()
	put := func(t *testing.T, b bundle, damage bool) (keys []string) {
		t.Helper()
		keys = sourceKeys(t, b.src.Blobs)
		for i, k := range keys[:2] {
			data, err := b.src.Blobs.Get(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 { // as a move copies: with its sha256
				if ok, err := b.blobs.PutKeySum(ctx, k, blob.Sum(data), data); err != nil || !ok {
					t.Fatalf("put %s: %v %v", k, ok, err)
				}
				continue
			}
			if damage {
				data = append([]byte("damaged "), data...)
			}
			if err := b.blobs.PutKey(ctx, k, data); err != nil { // no sha256 kept
				t.Fatal(err)
			}
		}
		return keys
	}
	t.Run("intact", func(t *testing.T) {
		b := setup(t)
		keys := put(t, b, false)
		rep, err := move.Move(ctx, b.options())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Blobs != len(keys)-2 || rep.BlobsReadBack != 1 {
			t.Fatalf("copied %d of %d blobs, read back %d; want %d copied and 1 read back", rep.Blobs, len(keys), rep.BlobsReadBack, len(keys)-2)
		}
	})
	t.Run("damaged in the target", func(t *testing.T) {
		b := setup(t)
		keys := put(t, b, true)
		_, err := move.Move(ctx, b.options())
		if err == nil || !strings.Contains(err.Error(), keys[1]+": sha256 ") {
			t.Fatalf("move over a damaged blob: %v", err)
		}
	})
}

// A source blob whose bytes are not the sha256 its key names is refused by
// S3 as it arrives, and the move stops with that key.
func TestMoveRefusesADamagedSourceBlob(t *testing.T) {
	b := setup(t)
	o := b.options()
	dir := t.TempDir()
	from, err := blob.Open(context.Background(), blob.FileURL(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { from.Close() })
	key := blob.Key("raw", blob.Sum([]byte("the original")))
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, key)), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, key), []byte("the original, changed on disk"), 0o640); err != nil {
		t.Fatal(err)
	}
	o.FromBlobs = from
	if _, err := move.Move(context.Background(), o); !errors.Is(err, blob.ErrChecksum) || !strings.Contains(err.Error(), key) {
		t.Fatalf("move of a damaged blob: %v", err)
	}
}

// failingS3 stands in front of an S3 server and passes the first n object
// uploads through; every later one is refused (403), like a store that
// goes away in the middle of the copy, while other uploads are in flight
// (the move then cancels them: their bodies may be cut off). settled waits
// until every request passed through has been answered by the server.
func failingS3(t *testing.T, s3URL string, n int) (flakyURL string, settled func()) {
	t.Helper()
	u, err := url.Parse(s3URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	target, err := url.Parse(q.Get("endpoint"))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // uploads the move cancels
	var inFlight sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Count(strings.Trim(r.URL.Path, "/"), "/") > 1 { // an object, not the bucket
			mu.Lock()
			ok := passed < n
			if ok {
				passed++
			}
			mu.Unlock()
			if !ok {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusForbidden)
				fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>gone</Message></Error>`)
				return
			}
		}
		inFlight.Add(1)
		defer inFlight.Done()
		// Not cancelled with the client's request: the server finishes (or
		// refuses a cut-off body) before settled returns. The Host header
		// stays ours: the signature was made for it.
		proxy.ServeHTTP(w, r.WithContext(context.WithoutCancel(r.Context())))
	}))
	t.Cleanup(srv.Close)
	q.Set("endpoint", srv.URL)
	u.RawQuery = q.Encode()
	return u.String(), inFlight.Wait
}

// A move whose blob store fails in the middle of the concurrent upload
// stops; run again, it sends exactly the blobs the target lacks (none
// twice, none skipped), and the target ends with every blob, byte for
// byte, each with the sha256 S3 kept for it.
func TestMoveResumesAfterTheBlobStoreFailsMidCopy(t *testing.T) {
	ctx := context.Background()
	b := setup(t)
	keys := sourceKeys(t, b.src.Blobs)
	const passed = 15
	if len(keys) < 2*passed {
		t.Fatalf("only %d source blobs", len(keys))
	}
	flakyURL, settled := failingS3(t, b.s3URL, passed)
	flaky, err := blob.Open(ctx, flakyURL)
	if err != nil {
		t.Fatal(err)
	}
	o := b.options()
	o.ToBlobs, o.BlobWorkers = flaky, 4
	if _, err := move.Move(ctx, o); err == nil || !strings.Contains(err.Error(), "copy blobs") {
		t.Fatalf("move into a failing blob store: %v", err)
	}
	settled()
	// Uploads let through but still in flight when the refusal stopped the
	// move were cancelled: at most workers-1 of them are missing.
	left := sourceKeys(t, b.blobs)
	if len(left) > passed || len(left) < passed-(o.BlobWorkers-1) {
		t.Fatalf("the failed move left %d blobs in the target, %d uploads were let through", len(left), passed)
	}
	if n := count(t, b.to, `SELECT count(*) FROM pg_tables WHERE tablename = 'ticketer_move'`); n != 1 {
		t.Fatal("the failed move dropped its ledger")
	}
	rep, err := move.Move(ctx, b.options())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Resumed || rep.Blobs != len(keys)-len(left) || rep.BlobsReadBack != 0 {
		t.Fatalf("resumed %v, copied %d blobs, read back %d; want %d copied, none read back", rep.Resumed, rep.Blobs, rep.BlobsReadBack, len(keys)-len(left))
	}
	moved := sourceKeys(t, b.blobs)
	if !slices.Equal(moved, keys) {
		t.Fatalf("the target holds %d blobs, the source %d", len(moved), len(keys))
	}
	for _, k := range keys {
		want, err := b.src.Blobs.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.blobs.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := b.blobs.StoredSum(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) || sum != blob.Sum(want) {
			t.Errorf("%s: %d bytes in the target (stored sha256 %q), %d in the source", k, len(got), sum, len(want))
		}
	}
}
