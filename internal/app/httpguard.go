package app

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// requireToken lets a request through only with "Authorization: Bearer
// token"; an empty token lets everything through (GET /metrics stays
// public unless TICKETER_METRICS_TOKEN is set).
func requireToken(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the token of TICKETER_METRICS_TOKEN", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// withHSTS tells browsers to use https only, when the base URL is https
// (over plain http the header would be ignored, and wrong).
func withHSTS(baseURL string, h http.Handler) http.Handler {
	if !strings.HasPrefix(baseURL, "https://") {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		h.ServeHTTP(w, r)
	})
}
