package blob_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ticketer/ticketer/internal/blob"
	"github.com/ticketer/ticketer/internal/blob/blobtest"
)

// backends runs fn on a file:// bucket and on S3 served by versitygw (a real
// S3 server with a posix backend; .ci/run installs it). Without versitygw on
// PATH the S3 half is skipped, unless TICKETER_TEST_REQUIRE_S3 is set.
func backends(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("file", func(t *testing.T) { fn(t, blob.FileURL(t.TempDir())) })
	t.Run("s3", func(t *testing.T) { fn(t, startVersity(t)) })
}

func startVersity(t *testing.T) string {
	url, _ := blobtest.Versity(t, "tickets")
	return url
}

func TestContentAddressedStore(t *testing.T) {
	backends(t, func(t *testing.T, url string) {
		ctx := context.Background()
		s, err := blob.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
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
		s, err := blob.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
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
