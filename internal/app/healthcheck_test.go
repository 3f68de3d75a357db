package app

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDialAddr(t *testing.T) {
	t.Parallel()
	for listen, want := range map[string]string{
		"0.0.0.0:8080":  "127.0.0.1:8080",
		"[::]:8080":     "127.0.0.1:8080",
		":8080":         "127.0.0.1:8080",
		"127.0.0.1:9":   "127.0.0.1:9",
		"10.1.2.3:8080": "10.1.2.3:8080",
		"ticketer:8080": "ticketer:8080",
		"[::1]:8080":    "[::1]:8080",
	} {
		t.Run(listen, func(t *testing.T) {
			t.Parallel()
			if got := dialAddr(listen); got != want {
				t.Fatalf("dialAddr(%q) = %q, want %q", listen, got, want)
			}
		})
	}
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	cases := []struct {
		name    string
		status  int
		addr    string // when set, no server: this address
		wantErr string
	}{
		{name: "ready", status: http.StatusOK},
		{name: "not ready", status: http.StatusServiceUnavailable, wantErr: "503"},
		{name: "nothing listening", addr: closedAddr, wantErr: "connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			addr := c.addr
			if addr == "" {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != "/readyz" {
						http.NotFound(w, r)
						return
					}
					w.WriteHeader(c.status)
					io.WriteString(w, `{"database":"ok"}`)
				}))
				defer srv.Close()
				addr = strings.TrimPrefix(srv.URL, "http://")
			}
			var out bytes.Buffer
			env := Env{Lookup: func(string) (string, bool) { return "", false }, Stdout: &out, Stderr: io.Discard,
				Args: []string{"healthcheck", "--http-addr", addr}}
			err := Run(context.Background(), env)
			if c.wantErr == "" {
				if err != nil || !strings.HasPrefix(out.String(), "ok ") {
					t.Fatalf("err %v, out %q", err, out.String())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("want error containing %q, got %v", c.wantErr, err)
			}
		})
	}
}
