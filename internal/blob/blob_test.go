package blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/blob/blobtest"
	"github.com/ticketer/ticketer/internal/move"
)

// backends runs fn on a file:// bucket and on S3 served by versitygw (a real
// S3 server with a posix backend; .ci/run installs it). Without versitygw on
// PATH the S3 half is skipped, unless TICKETER_TEST_REQUIRE_S3 is set.
func backends(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("file", func(t *testing.T) { fn(t, blob.FileURL(t.TempDir())) })
	t.Run("s3", func(t *testing.T) { fn(t, startVersity(t)) })
}

// openStore opens the store at url for the rest of the test.
func openStore(t *testing.T, url string) *blob.Store {
	t.Helper()
	s, err := blob.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func startVersity(t *testing.T) string {
	url, _ := blobtest.Versity(t, "tickets")
	return url
}

func TestContentAddressedStore(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openStore(t, url)
		if err := s.Ping(ctx); err != nil {
			t.Fatal(err)
		}
		data := []byte("From: a@b\r\n\r\nhello\r\n")
		key, sum, err := s.Put(ctx, "raw", data)
		if err != nil {
			t.Fatal(err)
		}
		if sum != blob.Sum(data) || key != blob.Key("raw", sum) {
			t.Fatalf("key %s sum %s", key, sum)
		}
		key2, _, err := s.Put(ctx, "raw", data)
		if err != nil || key2 != key {
			t.Fatalf("second put: %s %v", key2, err)
		}
		got, err := s.Get(ctx, key)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("get: %q %v", got, err)
		}
		rc, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		streamed, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(streamed, data) {
			t.Fatal("stream differs")
		}
		if _, err := s.Get(ctx, "raw/00/missing"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("missing key: %v", err)
		}
		big := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
		k, _, err := s.Put(ctx, "att", big)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, k); err != nil || !bytes.Equal(got, big) {
			t.Fatalf("big blob: %d bytes, %v", len(got), err)
		}
	})
}

func TestOpenRejectsUnknownSchemes(t *testing.T) {
	for _, u := range []string{"ftp://x", "gs://bucket", "::"} {
		if _, err := blob.Open(context.Background(), u); err == nil {
			t.Errorf("%s: want an error", u)
		}
	}
}

// A data dir may be named with characters that mean something in a URL.
func TestFileURLKeepsOddFolderNames(t *testing.T) {
	for _, name := range []string{"a#b", "a?b", "a%20b", "a b"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), name)
			s, err := blob.Open(context.Background(), blob.FileURL(dir))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			key, _, err := s.Put(context.Background(), "raw", []byte("x"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(key))); err != nil {
				t.Errorf("blob not stored under %s: %v", dir, err)
			}
		})
	}
}

// PutReader streams from a file and lands where Put would put the same bytes.
func TestPutReaderFromFile(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openStore(t, url)
		data := bytes.Repeat([]byte("streamed line\r\n"), 100_000)
		f, err := os.CreateTemp(t.TempDir(), "spool")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
		key, sum, size, err := s.PutReader(ctx, "raw", f) // the offset is at the end: PutReader must not care
		if err != nil {
			t.Fatal(err)
		}
		if sum != blob.Sum(data) || key != blob.Key("raw", sum) || size != int64(len(data)) {
			t.Fatalf("key %s sum %s size %d", key, sum, size)
		}
		if got, err := s.Get(ctx, key); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("get: %d bytes, %v", len(got), err)
		}
	})
}

// PutKeySum has S3 check each write against the sha256 meant: the right
// one is answered for (verified) and kept for StoredSum, a wrong one is
// refused. A folder keeps no checksum, so it verifies nothing.
func TestPutKeySumIsCheckedByTheStore(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s := openStore(t, url)
		isS3 := url[:5] == "s3://"
		data := []byte("From: a@b\r\n\r\nchecked\r\n")
		sum := blob.Sum(data)
		key := blob.Key("raw", sum)
		verified, err := s.PutKeySum(ctx, key, sum, data)
		if err != nil || verified != isS3 {
			t.Fatalf("put: verified %v, %v (s3: %v)", verified, err, isS3)
		}
		if got, err := s.Get(ctx, key); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("get: %q %v", got, err)
		}
		stored, err := s.StoredSum(ctx, key)
		if want := map[bool]string{true: sum, false: ""}[isS3]; err != nil || stored != want {
			t.Fatalf("stored sum %q %v, want %q", stored, err, want)
		}
		if _, err := s.StoredSum(ctx, blob.Key("raw", blob.Sum([]byte("never stored")))); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("stored sum of a missing blob: %v", err)
		}
		if !isS3 {
			return
		}
		damaged := append([]byte(nil), data...)
		damaged[0] ^= 1
		other := blob.Key("raw", blob.Sum([]byte("other")))
		if _, err := s.PutKeySum(ctx, other, sum, damaged); !errors.Is(err, blob.ErrChecksum) {
			t.Fatalf("put of bytes that are not the sha256 given: %v", err)
		}
		if _, err := s.StoredSum(ctx, other); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("a refused write is stored: %v", err)
		}
		if _, err := s.PutKeySum(ctx, other, "abc", data); err == nil {
			t.Fatal("a sum that is not a sha256 is accepted")
		}
	})
}

// An s3:// URL takes the options it documents, each checked, and no others.
func TestOpenChecksS3Options(t *testing.T) {
	for _, tc := range []struct {
		url, err string
	}{
		{"s3://b?endpoint=http://127.0.0.1:9&region=us-east-1&use_path_style=true&request_checksum_calculation=when_required", ""},
		{"s3://b?region=eu-1&disable_https=1&anonymous=true&response_checksum_validation=when_supported", ""},
		{"s3://b?regoin=eu-1", `unknown option "regoin"`},
		{"s3://b?use_path_style=yes", "use_path_style"},
		{"s3://b?request_checksum_calculation=always", "when_supported or when_required"},
		{"s3://?region=eu-1", "no bucket"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			s, err := blob.Open(context.Background(), tc.url)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want an error with %q", err, tc.err)
			}
		})
	}
}

// A key names a file inside the folder and never outside it (keys come
// back from backups).
func TestFolderKeysStayInside(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.Open(context.Background(), blob.FileURL(filepath.Join(dir, "blobs")))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"../outside", "raw/../../outside", "/etc/passwd", "raw//x", `raw\x`, ""} {
		if err := s.PutKey(context.Background(), key, []byte("x")); err == nil {
			t.Errorf("key %q accepted", key)
		}
		if _, err := s.Get(context.Background(), key); err == nil || errors.Is(err, blob.ErrNotFound) {
			t.Errorf("get %q: %v, want an invalid-key error", key, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "outside")); err == nil {
		t.Fatal("a blob was written outside the folder")
	}
}

// TestGetReadsIntoOneBuffer: a blob is read into a buffer of its size, not
// grown by doubling (a 20 MB message would cost 48 MB to read).
func TestGetReadsIntoOneBuffer(t *testing.T) {
	ctx := context.Background()
	s, err := blob.Open(ctx, blob.FileURL(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	data := bytes.Repeat([]byte("0123456789abcdef"), (8<<20)/16)
	key, _, err := s.Put(ctx, "raw", data)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := s.Get(ctx, key)
	runtime.ReadMemStats(&after)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get: %v, %d bytes", err, len(got))
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 10<<20 {
		t.Fatalf("reading 8 MiB allocated %d MiB", grew>>20)
	}
}

// An upload to S3 is signed without hashing its body (UNSIGNED-PAYLOAD)
// and carries only the sha256 its key names, which the server checks: the
// client hashes nothing, computes no CRC of its own (the SDK's default for
// PutObject), and does not switch to aws-chunked trailers. Uploads in
// flight at once reuse their connections (S3ConnsPerHost): three rounds of
// a move's uploads at once open that many connections, not one per upload
// beyond the SDK's ten.
func TestS3UploadsAreSignedUnhashedOnKeptConnections(t *testing.T) {
	const workers, rounds = move.DefaultBlobWorkers, 3
	var mu sync.Mutex
	var problems []string
	conns := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		sum := sha256.Sum256(body)
		switch {
		case err != nil:
			problems = append(problems, err.Error())
		case r.Method != http.MethodPut:
			problems = append(problems, "method "+r.Method)
		case r.Header.Get("X-Amz-Content-Sha256") != "UNSIGNED-PAYLOAD":
			problems = append(problems, "x-amz-content-sha256: "+r.Header.Get("X-Amz-Content-Sha256"))
		case r.Header.Get("X-Amz-Checksum-Sha256") != base64.StdEncoding.EncodeToString(sum[:]):
			problems = append(problems, "x-amz-checksum-sha256: "+r.Header.Get("X-Amz-Checksum-Sha256"))
		case !strings.HasSuffix(r.URL.Path, hex.EncodeToString(sum[:])):
			problems = append(problems, "path "+r.URL.Path)
		}
		for name := range r.Header {
			lower := strings.ToLower(name)
			if lower == "x-amz-trailer" || lower == "content-md5" || lower == "x-amz-decoded-content-length" ||
				strings.HasPrefix(lower, "x-amz-checksum-") && lower != "x-amz-checksum-sha256" {
				problems = append(problems, "header "+name+": "+r.Header.Get(name))
			}
		}
		if strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked") {
			problems = append(problems, "content-encoding "+r.Header.Get("Content-Encoding"))
		}
		w.Header().Set("X-Amz-Checksum-Sha256", r.Header.Get("X-Amz-Checksum-Sha256"))
		w.Header().Set("ETag", `"x"`)
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	// No request_checksum_calculation: the SDK's default, as a deployment has.
	s := openStore(t, "s3://b?endpoint="+srv.URL+"&region=us-east-1&use_path_style=true")
	ctx := context.Background()
	for round := range rounds {
		var wg sync.WaitGroup
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := bytes.Repeat([]byte{byte(round), byte(i)}, 50_000)
				sum := blob.Sum(data)
				if ok, err := s.PutKeySum(ctx, blob.Key("raw", sum), sum, data); err != nil || !ok {
					t.Errorf("put: verified %v, %v", ok, err)
				}
			}()
		}
		wg.Wait()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("uploads sent:\n%s", strings.Join(problems, "\n"))
	}
	if conns > workers {
		t.Fatalf("%d uploads, %d at a time, opened %d connections", workers*rounds, workers, conns)
	}
	if blob.S3ConnsPerHost < workers {
		t.Fatalf("S3ConnsPerHost %d is below the %d uploads a move makes at once", blob.S3ConnsPerHost, workers)
	}
}
