// Package blob keeps raw mail and attachments, content-addressed, in a
// folder by default, or in an S3 bucket at scale.
//
// It speaks to S3 with the AWS SDK's S3 client alone. (It used gocloud.dev
// before, whose generic bucket brought gRPC, OpenTelemetry and Google's
// API client into the binary for nothing we use: about a tenth of the
// container image.)
package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrNotFound is returned for a key that is not stored.
var ErrNotFound = errors.New("blob not found")

// Store is a content-addressed blob store: a folder (dir) or an S3 bucket.
type Store struct {
	// s3 and s3Bucket are set for S3.
	s3       *s3.Client
	s3Bucket string
	// dir is set for file:// stores: a blob is a file at its key, written
	// as a temp file and renamed.
	dir  string
	dirs sync.Map // folders known to exist
}

// Open opens a blob store URL: "file:///abs/dir" or
// "s3://bucket?endpoint=...&region=..." (the options are listed at openS3).
func Open(ctx context.Context, rawURL string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob url %q: %w", rawURL, err)
	}
	switch u.Scheme {
	case "file":
		dir := fileDir(u)
		if dir == "" {
			return nil, fmt.Errorf("blob url %q: no folder", rawURL)
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create blob folder: %w", err)
		}
		return &Store{dir: dir}, nil
	case "s3":
		client, err := openS3(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("blob url %q: %w", u.Redacted(), err)
		}
		return &Store{s3: client, s3Bucket: u.Host}, nil
	default:
		return nil, fmt.Errorf("blob url %q: scheme must be file:// or s3://", rawURL)
	}
}

// Close releases the store (nothing is held open between calls).
func (s *Store) Close() error { return nil }

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
	exists, err := s.exists(ctx, key)
	if err != nil {
		return "", "", 0, fmt.Errorf("blob exists %s: %w", key, err)
	}
	if exists {
		return key, sum, size, nil
	}
	return key, sum, size, s.putKeyFrom(ctx, key, r, size)
}

// putKeyFrom writes size bytes of r at key in the folder or S3. Large
// blobs go up in one PutObject too: the SDK's multipart path trips several
// S3-compatible servers.
func (s *Store) putKeyFrom(ctx context.Context, key string, r io.Reader, size int64) error {
	if s.dir != "" {
		return s.writeFileFrom(key, r)
	}
	_, err := s.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.s3Bucket), Key: aws.String(key),
		Body: r, ContentLength: aws.Int64(size), ContentType: aws.String("application/octet-stream")})
	if err != nil {
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
	path, err := s.path(key)
	if err != nil {
		return err
	}
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

// path is a key's file in the folder. Keys are slash-separated names with
// no "." or ".." element (a key read from a backup must not escape it).
func (s *Store) path(key string) (string, error) {
	if !fs.ValidPath(key) || key == "." || strings.Contains(key, `\`) {
		return "", fmt.Errorf("blob key %q is not a valid key", key)
	}
	return filepath.Join(s.dir, filepath.FromSlash(key)), nil
}

// exists reports whether key is stored.
func (s *Store) exists(ctx context.Context, key string) (bool, error) {
	if s.dir != "" {
		path, err := s.path(key)
		if err != nil {
			return false, err
		}
		_, err = os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		return err == nil, err
	}
	_, err := s.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.s3Bucket), Key: aws.String(key)})
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Get reads a whole blob.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	rc, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("blob read %s: %w", key, err)
	}
	return data, nil
}

// Open streams a blob; the caller closes it.
func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if s.dir != "" {
		path, err := s.path(key)
		if err != nil {
			return nil, err
		}
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", key, ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("blob open %s: %w", key, err)
		}
		return f, nil
	}
	out, err := s.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.s3Bucket), Key: aws.String(key)})
	if isNotFound(err) {
		return nil, fmt.Errorf("%s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("blob open %s: %w", key, err)
	}
	return out.Body, nil
}

// Ping checks the store answers (readiness): a write and read of a marker.
func (s *Store) Ping(ctx context.Context) error {
	const key = "health/ping"
	var err error
	if s.dir != "" {
		err = s.writeFile(key, []byte("ok"))
	} else {
		err = s.putKeyFrom(ctx, key, bytes.NewReader([]byte("ok")), 2)
	}
	if err != nil {
		return fmt.Errorf("blob store write: %w", err)
	}
	got, err := s.Get(ctx, key)
	if err != nil || !bytes.Equal(got, []byte("ok")) {
		return fmt.Errorf("blob store read: %w", err)
	}
	return nil
}

// writeFile replaces the file at key (Ping's marker, which is rewritten).
func (s *Store) writeFile(key string, data []byte) error {
	path, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o640)
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
