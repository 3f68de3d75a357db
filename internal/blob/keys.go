package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// healthPrefix holds Ping's marker, which is not content.
const healthPrefix = "health/"

// Keys calls fn with every stored key, in key order, except Ping's marker
// and unfinished writes: what a backup or a move copies. (A folder is
// walked name by name, which is key order for keys of one shape, as ours
// are: prefix/xx/sha256.)
func (s *Store) Keys(ctx context.Context, fn func(key string) error) error {
	skip := func(key string) bool {
		return strings.HasPrefix(key, healthPrefix) || strings.Contains(key, "/.tmp-") || strings.HasPrefix(key, ".tmp-") ||
			strings.HasSuffix(key, ".attrs") // gocloud.dev's sidecars, in folders it wrote
	}
	if s.dir != "" {
		err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("blob list: %w", err)
			}
			if d.IsDir() {
				return ctx.Err()
			}
			rel, err := filepath.Rel(s.dir, path)
			if err != nil {
				return err
			}
			if key := filepath.ToSlash(rel); !skip(key) {
				return fn(key)
			}
			return nil
		})
		return err
	}
	pages := s3.NewListObjectsV2Paginator(s.s3, &s3.ListObjectsV2Input{Bucket: aws.String(s.s3Bucket)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("blob list: %w", err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") || skip(key) {
				continue
			}
			if err := fn(key); err != nil {
				return err
			}
		}
	}
	return nil
}

// PutKey stores data under a key given by the caller (a restore or a move
// writing back keys Put chose), unless something is stored there already.
func (s *Store) PutKey(ctx context.Context, key string, data []byte) error {
	return s.putKeyFrom(ctx, key, bytes.NewReader(data), int64(len(data)))
}

// Empty reports whether nothing but Ping's marker is stored.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	empty := true
	errStop := errors.New("stop")
	err := s.Keys(ctx, func(string) error { empty = false; return errStop })
	if err != nil && !errors.Is(err, errStop) {
		return false, err
	}
	return empty, nil
}

// Delete removes a blob; a key that is not stored is not an error (an
// erasure run twice).
func (s *Store) Delete(ctx context.Context, key string) error {
	if s.dir != "" {
		path, err := s.path(key)
		if err != nil {
			return err
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob delete %s: %w", key, err)
		}
		return nil
	}
	_, err := s.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.s3Bucket), Key: aws.String(key)})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("blob delete %s: %w", key, err)
	}
	return nil
}
