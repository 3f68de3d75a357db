// Package web serves the agents' web UI: the Vite build in web/dist, embedded
// in the binary. Unknown paths get index.html so client routes (/tickets/42)
// deep-link; hashed files under /assets/ are cached for a year.
package web

import (
	"bytes"
	"compress/gzip"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// dist holds the built UI. A placeholder.html is committed so the Go
// build works without Node; `make web` (or `make run`) builds the real one.
//
//go:embed all:dist
var dist embed.FS

// ContentSecurityPolicy is sent with every UI response. Mail HTML is shown in
// a sandboxed srcdoc iframe, which inherits this policy and adds its own
// stricter meta policy (remote images blocked until the agent asks);
// img-src allows http(s) only so that "Load images" can work inside it,
// the app itself renders no remote images.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob: https: http:; font-src 'self'; connect-src 'self'; " +
	"frame-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// Handler serves the embedded UI.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder exists
	}
	return newHandler(sub)
}

func newHandler(files fs.FS) http.Handler {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		// Not built: the committed placeholder says how to build it.
		if index, err = fs.ReadFile(files, "placeholder.html"); err != nil {
			index = []byte("<!doctype html><title>Ticketer</title><p>The web UI is not built: run <code>make web</code>.</p>")
		}
	}
	serveIndex := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(index))
	}
	static := http.FileServerFS(files)
	gzipped := compressAssets(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		name := strings.TrimPrefix(p, "/")
		if name == "" || name == "index.html" {
			serveIndex(w, r)
			return
		}
		if st, err := fs.Stat(files, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(p, "/assets/") {
				// Vite puts a content hash in every name under assets/.
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				if gz, ok := gzipped[name]; ok {
					w.Header().Add("Vary", "Accept-Encoding")
					if acceptsGzip(r) {
						w.Header().Set("Content-Encoding", "gzip")
						w.Header().Set("Content-Type", typeByExt(name))
						http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(gz))
						return
					}
				}
			} else {
				w.Header().Set("Cache-Control", "no-cache")
			}
			r.URL.Path = p
			static.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(p, "/assets/") || path.Ext(p) != "" {
			// A missing asset is a 404, not the app: a stale tab must not
			// get HTML where it expects JavaScript.
			http.NotFound(w, r)
			return
		}
		serveIndex(w, r)
	})
}

// compressAssets gzips the text assets once, when the handler is built:
// the first load is mostly JavaScript, which compresses about 3:1.
func compressAssets(files fs.FS) map[string][]byte {
	out := map[string][]byte{}
	_ = fs.WalkDir(files, "assets", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || typeByExt(name) == "" {
			return nil
		}
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return nil
		}
		var b bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		_, _ = zw.Write(data)
		if zw.Close() == nil && b.Len() < len(data) {
			out[name] = b.Bytes()
		}
		return nil
	})
	return out
}

func typeByExt(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json":
		return "application/json"
	}
	return ""
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
