package graph_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/graph"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// syncBuffer is a log sink the connector may write from its goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A refresh token Microsoft rotates is stored only into the credentials
// the connector was built from: a reconnection between the connector's
// start and its rotation (another account, Sent Items off) keeps its
// account and settings, and its own refresh token.
func TestRotatedTokenKeepsReconnection(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		reconnect *graph.Credentials // nil: no reconnection
	}{
		{"no reconnection stores the rotated token", nil},
		{"same account without Sent Items", &graph.Credentials{Account: fakeAccount, RefreshToken: "M.R3_reconnected"}},
		{"another account", &graph.Credentials{Account: "other@contoso.test", RefreshToken: "M.R3_other", SyncSent: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, dsn string) {
				s := newSetup(t, dsn)
				s.connect(t, graph.Credentials{Account: fakeAccount, SyncSent: true}, nil)
				c, err := s.env.Store.GetConnector(s.env.Ctx, s.mb)
				if err != nil {
					t.Fatal(err)
				}
				var logs syncBuffer
				host := mailbox.NewHost(s.env.Store, s.env.Svc, s.mb, fakeAccount, slog.New(slog.NewTextHandler(&logs, nil)))
				conn, err := graph.Factory(s.cfg())(s.env.Ctx, c, host)
				if err != nil {
					t.Fatal(err)
				}
				want := graph.Credentials{Account: fakeAccount, SyncSent: true}
				if tc.reconnect != nil {
					s.connect(t, *tc.reconnect, nil) // the admin, while conn runs
					want = *tc.reconnect
				}
				// The first access token: Microsoft rotates the refresh token.
				if err := conn.Test(s.env.Ctx); err != nil {
					t.Fatal(err)
				}
				if tc.reconnect == nil {
					want.RefreshToken = s.ms.refresh
				}
				c, err = s.env.Store.GetConnector(s.env.Ctx, s.mb)
				if err != nil {
					t.Fatal(err)
				}
				plain, err := s.env.Box.Open(c.Credentials)
				if err != nil {
					t.Fatal(err)
				}
				var got graph.Credentials
				if err := json.Unmarshal([]byte(plain), &got); err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("stored credentials %+v, want %+v", got, want)
				}
				dropped := strings.Contains(logs.String(), "rotated refresh token dropped")
				if dropped != (tc.reconnect != nil) {
					t.Fatalf("dropped logged %v; logs:\n%s", dropped, logs.String())
				}
			})
		})
	}
}
