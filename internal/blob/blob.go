// Package blob keeps raw mail and attachments, content-addressed, in a
// gocloud.dev bucket: a folder by default, S3 at scale.
package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gocloud.dev/blob"
	"gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/s3blob" // s3:// URLs
	"gocloud.dev/gcerrors"
)

// ErrNotFound is returned for a key that is not stored.
var ErrNotFound = errors.New("blob not found")

// Store is a content-addressed blob store.
type Store struct {
	bucket *blob.Bucket
	// s3 and s3Bucket are set for S3: large blobs go up in one PutObject,
	// because the SDK's multipart path trips several S3-compatible servers.
	s3       *s3.Client
	s3Bucket string
	// dir is set for file:// stores: writes go straight to files (temp file
	// and rename), skipping fileblob's per-write MD5 and extra syscalls.
	dir  string
	dirs sync.Map // folders known to exist
}

// Open opens a bucket URL: "file:///abs/dir" or "s3://bucket?endpoint=...&region=...".
func Open(ctx context.Context, rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob url %q: %w", rawURL, err)
	}
	var b *blob.Bucket
	switch u.Scheme {
	case "file":
		dir := fileDir(u)
		if dir == "" {
			return nil, fmt.Errorf("blob url %q: no folder", rawURL)
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create blob folder: %w", err)
		}
		// No sidecar attribute files: our blobs need no metadata, and one
		// file per message is half the writes.
		b, err = fileblob.OpenBucket(dir, &fileblob.Options{Metadata: fileblob.MetadataDontWrite, NoTempDir: true, DirFileMode: 0o750})
	case "s3":
		b, err = blob.OpenBucket(ctx, rawURL)
	default:
		return nil, fmt.Errorf("blob url %q: scheme must be file:// or s3://", rawURL)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob store: %w", err)
	}
	st := &Store{bucket: b}
	if u.Scheme == "file" {
		st.dir = fileDir(u)
	}
	var client *s3.Client
	if u.Scheme == "s3" && b.As(&client) {
		st.s3, st.s3Bucket = client, u.Host
	}
	return st, nil
}

// Close releases the bucket.
func (s *Store) Close() error { return s.bucket.Close() }

// Sum returns the hex sha256 of data.
func Sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// Key is where content with that hash lives under a prefix ("raw", "att").
// One level of 256 folders: enough to keep folders small for millions of
// messages, and few enough that creating folders does not cost a syscall
// per message (it did, measurably, with two levels).
func Key(prefix, sum string) string {
	return prefix + "/" + sum[:2] + "/" + sum
}

// Put stores data under prefix by its sha256 and returns the key and hash.
// Storing the same bytes again is a no-op.
func (s *Store) Put(ctx context.Context, prefix string, data []byte) (key, sum string, err error) {
	key, sum, _, err = s.PutReader(ctx, prefix, bytes.NewReader(data))
	return key, sum, err
}

// PutReader stores the bytes of r, from its start, like Put but without
// holding them in memory: one pass hashes them (the key depends on the
// hash), a second writes them. It returns the size too.
func (s *Store) PutReader(ctx context.Context, prefix string, r io.ReadSeeker) (key, sum string, size int64, err error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", "", 0, fmt.Errorf("blob rewind: %w", err)
	}
	h := sha256.New()
	if size, err = io.Copy(h, r); err != nil {
		return "", "", 0, fmt.Errorf("blob hash: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	key = Key(prefix, sum)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", "", 0, fmt.Errorf("blob rewind: %w", err)
	}
	if s.dir != "" {
		return key, sum, size, s.writeFileFrom(key, r)
	}
	exists, err := s.bucket.Exists(ctx, key)
	if err != nil {
		return "", "", 0, fmt.Errorf("blob exists %s: %w", key, err)
	}
	if exists {
		return key, sum, size, nil
	}
	return key, sum, size, s.putKeyFrom(ctx, key, r, size)
}

// putKeyFrom writes size bytes of r at key in the folder, S3 or bucket.
func (s *Store) putKeyFrom(ctx context.Context, key string, r io.Reader, size int64) error {
	if s.dir != "" {
		return s.writeFileFrom(key, r)
	}
	if s.s3 != nil {
		_, err := s.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.s3Bucket), Key: aws.String(key),
			Body: r, ContentLength: aws.Int64(size), ContentType: aws.String("application/octet-stream")})
		if err != nil {
			return fmt.Errorf("blob write %s: %w", key, err)
		}
		return nil
	}
	w, err := s.bucket.NewWriter(ctx, key, nil)
	if err != nil {
		return fmt.Errorf("blob write %s: %w", key, err)
	}
	if _, err := io.Copy(w, r); err != nil {
		_ = w.Close()
		return fmt.Errorf("blob write %s: %w", key, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("blob write %s: %w", key, err)
	}
	return nil
}

func fileDir(u *url.URL) string {
	if u.Host != "" && u.Host != "localhost" {
		return filepath.Join(u.Host, u.Path) // file://relative/dir
	}
	return u.Path
}

// writeFileFrom stores the bytes of r at key unless it is there already.
// The temp file and rename make the blob appear whole or not at all.
func (s *Store) writeFileFrom(key string, r io.Reader) error {
	path := filepath.Join(s.dir, filepath.FromSlash(key))
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	parent := filepath.Dir(path)
	if _, ok := s.dirs.Load(parent); !ok {
		if err := os.MkdirAll(parent, 0o750); err != nil {
			return fmt.Errorf("blob write %s: %w", key, err)
		}
		s.dirs.Store(parent, true)
	}
	f, err := os.CreateTemp(parent, ".tmp-*")
	if err != nil {
		return fmt.Errorf("blob write %s: %w", key, err)
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		os.Remove(f.Name())
		return fmt.Errorf("blob write %s: %w", key, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("blob write %s: %w", key, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("blob write %s: %w", key, err)
	}
	return nil
}

// Get reads a whole blob.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	r, err := s.bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blob read %s: %w", key, err)
	}
	defer r.Close()
	// Sized once: reading a 20 MB message by doubling would take 48 MB.
	buf := bytes.NewBuffer(make([]byte, 0, r.Size()+bytes.MinRead))
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("blob read %s: %w", key, err)
	}
	return buf.Bytes(), nil
}

// Open streams a blob; the caller closes it.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	r, err := s.bucket.NewReader(ctx, key, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blob open %s: %w", key, err)
	}
	return r, nil
}

// Ping checks the store answers (readiness): a write and read of a marker.
func (s *Store) Ping(ctx context.Context) error {
	const key = "health/ping"
	if err := s.bucket.WriteAll(ctx, key, []byte("ok"), nil); err != nil {
		return fmt.Errorf("blob store write: %w", err)
	}
	got, err := s.bucket.ReadAll(ctx, key)
	if err != nil || !bytes.Equal(got, []byte("ok")) {
		return fmt.Errorf("blob store read: %w", err)
	}
	return nil
}

// FileURL is the file:// URL of a folder.
func FileURL(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	// Escaped: a folder named with '#', '?' or '%' must not turn into a
	// fragment, a query or an escape.
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(strings.TrimSuffix(abs, "/"))}).String()
}
