package blobtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"testing"
)

// The test S3 server keeps a connection for the next request, as S3 does,
// so a benchmark of many uploads does not measure a connect per upload.
func TestVersityKeepsConnections(t *testing.T) {
	s3url, _ := Versity(t, "kept")
	u, err := url.Parse(s3url)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := u.Query().Get("endpoint")
	client := &http.Client{Transport: &http.Transport{}}
	for i := range 3 {
		reused := false
		trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) { reused = ci.Reused }}
		req := httptest.NewRequest(http.MethodGet, endpoint+"/kept", nil).WithContext(httptrace.WithClientTrace(t.Context(), trace))
		req.RequestURI = ""
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if i > 0 && !reused {
			t.Fatalf("request %d (answered %s) went over a new connection", i+1, resp.Status)
		}
	}
}
