package nylas_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/mailbox/nylas"
	"github.com/ticketer/ticketer/internal/netguard"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestConnectDoesNotEchoTheAnswer: the API base is the admin's to choose,
// so the error of a failed connection check names the HTTP status and
// never quotes what the server answered (a page of an internal service).
func TestConnectDoesNotEchoTheAnswer(t *testing.T) {
	t.Parallel()
	const secret = "INTERNAL-ONLY-7f3a"
	cases := []struct {
		name, body, want string
		status           int
	}{
		{"html page", "<html>" + secret + "</html>", "HTTP 404", http.StatusNotFound},
		{"api error", `{"error":{"type":"` + secret + `","message":"` + secret + `"}}`, "HTTP 400", http.StatusBadRequest},
		{"refused key", `{"error":{"type":"unauthorized","message":"` + secret + `"}}`, "HTTP 401", http.StatusUnauthorized},
		{"not json", secret, "not the Nylas API's", http.StatusOK},
	}
	env := mailboxtest.NewWith(t, storetest.SQLiteURL(t), mailboxtest.Options{Manual: true})
	mb := env.Mailbox("support@acme.test", "smtp")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			defer srv.Close()
			err := nylas.Connect(env.Ctx, env.Store, nylas.Config{Secrets: env.Box}, mb,
				nylas.Credentials{GrantID: grant, APIKey: apiKey, APIBase: srv.URL}, time.Time{})
			if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Connect = %v; want %q and nothing of the answer", err, c.want)
			}
		})
	}
}

// TestConnectThroughTheGuard: with the server's guarded client, an API
// base on loopback is refused before any request reaches it, unless the
// operator allowed that address.
func TestConnectThroughTheGuard(t *testing.T) {
	t.Parallel()
	env := mailboxtest.NewWith(t, storetest.SQLiteURL(t), mailboxtest.Options{Manual: true})
	mb := env.Mailbox("support@acme.test", "smtp")
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	for _, c := range []struct {
		name  string
		allow []netip.Prefix
		want  string
		hits  int32
	}{
		{"refused", nil, "TICKETER_ALLOW_PRIVATE_TARGETS", 0},
		{"allowed", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "HTTP 401", 1},
	} {
		guard := netguard.Guard{Allow: c.allow}
		err := nylas.Connect(env.Ctx, env.Store, nylas.Config{Secrets: env.Box, HTTPClient: guard.HTTPClient(10 * time.Second)}, mb,
			nylas.Credentials{GrantID: grant, APIKey: apiKey, APIBase: srv.URL}, time.Time{})
		if err == nil || !strings.Contains(err.Error(), c.want) || hits.Load() != c.hits {
			t.Fatalf("%s: Connect = %v after %d requests; want %q after %d", c.name, err, hits.Load(), c.want, c.hits)
		}
	}
}
