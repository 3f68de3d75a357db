package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"gocloud.dev/gcerrors"
)

// healthPrefix holds Ping's marker, which is not content.
const healthPrefix = "health/"

// Keys calls fn with every stored key, in key order, except Ping's marker:
// what a backup or a move copies.
func (s *Store) Keys(ctx context.Context, fn func(key string) error) error {
	it := s.bucket.List(nil)
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("blob list: %w", err)
		}
		if obj.IsDir || strings.HasPrefix(obj.Key, healthPrefix) || strings.Contains(obj.Key, "/.tmp-") {
			continue
		}
		if err := fn(obj.Key); err != nil {
			return err
		}
	}
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
	err := s.bucket.Delete(ctx, key)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("blob delete %s: %w", key, err)
	}
	return nil
}
