package app

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestHTTPServerCutsTrickledBodies: a body sent one byte at a time is cut
// off at the read timeout instead of holding the connection forever.
func TestHTTPServerCutsTrickledBodies(t *testing.T) {
	t.Parallel()
	readErr := make(chan error, 1)
	srv := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		readErr <- err
	}))
	if srv.ReadTimeout <= 0 || srv.ReadTimeout > httpReadTimeout || srv.ReadHeaderTimeout <= 0 || srv.IdleTimeout <= 0 {
		t.Fatalf("timeouts %v %v %v", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.IdleTimeout)
	}
	srv.ReadTimeout = 300 * time.Millisecond // the same rule, at test speed
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
	for i := 0; i < 200; i++ { // 4 s of trickle if nothing cuts it
		if _, err := c.Write([]byte("x")); err != nil {
			break
		}
		select {
		case err := <-readErr:
			if err == nil {
				t.Fatal("the trickled body was read to the end")
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	select {
	case err := <-readErr:
		if err == nil {
			t.Fatal("the trickled body was read to the end")
		}
	default:
		t.Fatal("a trickled body was still being read after 4 s")
	}
}
