package app

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })

func TestRequireToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, token, header string
		want                int
	}{
		{"no token configured: public", "", "", 200},
		{"token configured, none sent", "s3cret", "", 401},
		{"wrong token", "s3cret", "Bearer nope", 401},
		{"right token", "s3cret", "Bearer s3cret", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/metrics", nil)
			if c.header != "" {
				r.Header.Set("Authorization", c.header)
			}
			w := httptest.NewRecorder()
			requireToken(c.token, okHandler).ServeHTTP(w, r)
			if w.Code != c.want {
				t.Fatalf("status %d, want %d", w.Code, c.want)
			}
		})
	}
}

func TestHSTSOnlyForHTTPS(t *testing.T) {
	t.Parallel()
	for base, want := range map[string]string{"https://help.example.com": "max-age=31536000", "http://127.0.0.1:8080": ""} {
		w := httptest.NewRecorder()
		withHSTS(base, okHandler).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if got := w.Header().Get("Strict-Transport-Security"); got != want {
			t.Errorf("%s: HSTS %q, want %q", base, got, want)
		}
	}
}
