package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHandler(t *testing.T) {
	files := fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><div id=root></div>")},
		"placeholder.html":     {Data: []byte("not built")},
		"favicon.svg":          {Data: []byte("<svg/>")},
		"assets/index-abc.js":  {Data: []byte("console.log(1)")},
		"assets/index-abc.css": {Data: []byte("body{}")},
	}
	h := newHandler(files)
	tests := []struct {
		method, path string
		status       int
		body         string
		cache        string
		ctype        string
	}{
		{"GET", "/", 200, "id=root", "no-cache", "text/html"},
		{"GET", "/tickets/42", 200, "id=root", "no-cache", "text/html"},
		{"GET", "/queue/status/open?q=x", 200, "id=root", "no-cache", "text/html"},
		{"GET", "/assets/index-abc.js", 200, "console.log", "public, max-age=31536000, immutable", "javascript"},
		{"GET", "/assets/index-abc.css", 200, "body{}", "public, max-age=31536000, immutable", "text/css"},
		{"GET", "/assets/gone-123.js", 404, "", "", ""},
		{"GET", "/missing.png", 404, "", "", ""},
		{"GET", "/favicon.svg", 200, "<svg/>", "no-cache", "image/svg+xml"},
		{"GET", "/../../etc/passwd", 200, "id=root", "no-cache", "text/html"},
		{"HEAD", "/tickets/1", 200, "", "no-cache", "text/html"},
		{"POST", "/", 405, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			switch body := rec.Body.String(); {
			case tt.method == "HEAD" && body != "":
				t.Errorf("HEAD answered with a body %q", body)
			case tt.body == "" && strings.Contains(body, "id=root"):
				// An error or HEAD row: never the app's shell.
				t.Errorf("body %q is the index page", body)
			case !strings.Contains(body, tt.body):
				t.Errorf("body %q does not contain %q", body, tt.body)
			}
			if got := rec.Header().Get("Cache-Control"); tt.cache != "" && got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			if got := rec.Header().Get("Content-Type"); tt.ctype == "" && strings.Contains(got, "text/html") || !strings.Contains(got, tt.ctype) {
				t.Errorf("Content-Type %q, want %q (never HTML for an error)", got, tt.ctype)
			}
			csp := rec.Header().Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}

func TestHandlerGzip(t *testing.T) {
	js := strings.Repeat("console.log('ticketer');\n", 200)
	h := newHandler(fstest.MapFS{"index.html": {Data: []byte("x")}, "assets/app-1.js": {Data: []byte(js)}})
	for _, enc := range []string{"gzip, deflate, br", ""} {
		req := httptest.NewRequest("GET", "/assets/app-1.js", nil)
		req.Header.Set("Accept-Encoding", enc)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("%q: status %d", enc, rec.Code)
		}
		body := rec.Body.Bytes()
		if enc != "" {
			if rec.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("not gzipped")
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		} else if rec.Header().Get("Content-Encoding") != "" {
			t.Fatalf("gzipped without Accept-Encoding")
		}
		if string(body) != js {
			t.Fatalf("%q: body differs", enc)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
			t.Fatalf("Content-Type %q", ct)
		}
	}
}

func TestHandlerWithoutBuild(t *testing.T) {
	h := newHandler(fstest.MapFS{"placeholder.html": {Data: []byte("run make web")}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/tickets/1", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "make web") {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

// The embedded folder always holds a page: the built UI or the placeholder.
func TestEmbedded(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Ticketer") {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}
