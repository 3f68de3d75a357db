// Package blobtest starts a real S3 server (versitygw) for tests outside
// the blob package.
package blobtest

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Versity starts versitygw with a posix backend holding one bucket and
// returns its s3:// URL; it sets the AWS credentials in the test's
// environment. Without versitygw the test skips, unless
// TICKETER_TEST_REQUIRE_S3 is set.
func Versity(t testing.TB, bucket string) (url string, env []string) {
	t.Helper()
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		if os.Getenv("TICKETER_TEST_REQUIRE_S3") != "" {
			t.Fatal("versitygw required but not on PATH: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0")
		}
		t.Skip("versitygw not installed")
	}
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, bucket), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	// --keep-alive: versitygw closes every connection after one request
	// unless told otherwise, where S3 keeps it; each upload of a move then
	// paid a TCP connect and accept (a tenth of the move's own CPU).
	// --quiet: no request log line per request.
	cmd := exec.Command(bin, "--access", "testkey", "--secret", "testsecret", "--port", addr, "--keep-alive", "--quiet", "posix", root)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if i > 200 {
			t.Fatalf("versitygw did not start: %v", err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "testkey")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testsecret")
	return fmt.Sprintf("s3://%s?endpoint=http://%s&region=us-east-1&use_path_style=true&request_checksum_calculation=when_required", bucket, addr),
		[]string{"AWS_ACCESS_KEY_ID=testkey", "AWS_SECRET_ACCESS_KEY=testsecret"}
}
