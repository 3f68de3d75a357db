package blob

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// PutKeySum stores data at key, like PutKey, and has the store check it on
// arrival against sum, the hex sha256 of the bytes meant. On S3 the write
// carries x-amz-checksum-sha256: the server hashes what it received, refuses
// the write when it differs (BadDigest), and answers with the checksum it
// stored. verified reports such an answer, equal to sum. Other stores, and
// S3 servers that ignore checksums, leave it false: read the blob back.
//
// The body itself goes unsigned (UNSIGNED-PAYLOAD): the signed checksum
// header already binds it, and so neither side hashes it twice.
func (s *Store) PutKeySum(ctx context.Context, key, sum string, data []byte) (verified bool, err error) {
	return s.PutKeySumFrom(ctx, key, sum, bytes.NewReader(data), int64(len(data)))
}

// PutKeySumFrom is PutKeySum with the size bytes of r, from its start, so
// a large blob is streamed, not held in memory. r is read again from its
// start if the request is retried.
func (s *Store) PutKeySumFrom(ctx context.Context, key, sum string, r io.ReadSeeker, size int64) (verified bool, err error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return false, fmt.Errorf("blob rewind %s: %w", key, err)
	}
	if s.s3 == nil {
		return false, s.putKeyFrom(ctx, key, r, size)
	}
	raw, err := hex.DecodeString(sum)
	if err != nil || len(raw) != 32 {
		return false, fmt.Errorf("blob write %s: %q is not a hex sha256", key, sum)
	}
	want := base64.StdEncoding.EncodeToString(raw)
	out, err := s.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(s.s3Bucket), Key: aws.String(key),
		Body: r, ContentLength: aws.Int64(size), ContentType: aws.String("application/octet-stream"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256, ChecksumSHA256: aws.String(want)},
		s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware))
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "BadDigest" {
			return false, fmt.Errorf("blob write %s: %w: the store received bytes whose sha256 is not %s", key, ErrChecksum, sum)
		}
		return false, fmt.Errorf("blob write %s: %w", key, err)
	}
	got := aws.ToString(out.ChecksumSHA256)
	if got != "" && got != want {
		return false, fmt.Errorf("blob write %s: %w: the store answered sha256 %s, not %s", key, ErrChecksum, b64hex(got), sum)
	}
	return got == want, nil
}

// ErrChecksum is returned when a store's checksum of a blob differs from
// the one expected.
var ErrChecksum = errors.New("checksum mismatch")

// StoredSum returns the hex sha256 the store recorded for key when it was
// written with one (S3's x-amz-checksum-sha256, asked for by a HEAD), or ""
// when the store keeps none: the caller must then read the blob to check it.
func (s *Store) StoredSum(ctx context.Context, key string) (string, error) {
	if s.s3 == nil {
		if ok, err := s.exists(ctx, key); err != nil || !ok {
			return "", notFound(key, err)
		}
		return "", nil
	}
	out, err := s.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.s3Bucket), Key: aws.String(key),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		if isNotFound(err) {
			return "", notFound(key, nil)
		}
		return "", fmt.Errorf("blob head %s: %w", key, err)
	}
	return b64hex(aws.ToString(out.ChecksumSHA256)), nil
}

func notFound(key string, err error) error {
	if err != nil {
		return fmt.Errorf("blob exists %s: %w", key, err)
	}
	return fmt.Errorf("%s: %w", key, ErrNotFound)
}

// b64hex turns a base64 checksum into hex; "" stays "".
func b64hex(s string) string {
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return s
	}
	return hex.EncodeToString(raw)
}

// OpenSized opens a blob to be read, and read again, from its start, with
// its size: a folder's file is streamed; an S3 object, whose body cannot be
// rewound, is read into memory.
func (s *Store) OpenSized(ctx context.Context, key string) (io.ReadSeekCloser, int64, error) {
	if s.dir == "" {
		data, err := s.Get(ctx, key)
		if err != nil {
			return nil, 0, err
		}
		return nopCloser{bytes.NewReader(data)}, int64(len(data)), nil
	}
	rc, err := s.Open(ctx, key)
	if err != nil {
		return nil, 0, err
	}
	f := rc.(*os.File) // a folder's blob is a file (Open)
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("blob stat %s: %w", key, err)
	}
	return f, fi.Size(), nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }
