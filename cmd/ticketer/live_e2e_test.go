package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestLiveStreamAndMetricsEndToEnd: an agent's event stream hears about a
// ticket that arrives by SMTP, and /metrics counts the ingestion and the
// requests by route.
func TestLiveStreamAndMetricsEndToEnd(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		if strings.HasSuffix(dsn, ".db") {
			dsn = ""
		}
		s := startServer(t, dsn)
		base := "http://" + s.httpAddr

		// Anonymous streams are refused.
		resp, err := http.Get(base + "/api/v1/events/stream")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("anonymous stream: %d", resp.StatusCode)
		}

		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events/stream", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		events := make(chan string, 16)
		go func() {
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
					events <- ev
				}
			}
			close(events)
		}()

		raw := "From: Eve <eve@customer.test>\nTo: support@localhost\nSubject: Live?\nMessage-ID: <live-e2e-1@customer.test>\n\nHello.\n"
		if err := sendMail(s.smtpAddr, "eve@customer.test", []string{"support@localhost"}, raw); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for !seen["ticket.created"] || !seen["message.added"] {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("stream ended; saw %v", seen)
				}
				seen[ev] = true
			case <-ctx.Done():
				t.Fatalf("no live events for the new ticket; saw %v", seen)
			}
		}

		var list ticketList
		s.get("/api/v1/tickets", &list)
		var sync struct {
			MailboxID int64  `json:"mailbox_id"`
			Provider  string `json:"provider"`
			Status    string `json:"status"`
		}
		if code := s.get("/api/v1/mailboxes/"+strconv.FormatInt(list.Items[0].MailboxID, 10)+"/sync", &sync); code != 200 ||
			sync.Provider != "smtp" || sync.Status != "ok" {
			t.Errorf("mailbox sync status: %d %+v", code, sync)
		}
		// The counters move just after the commit the events follow: wait.
		var body []byte
		want := []string{`route="GET /api/v1/tickets"`, `ticketer_ingested_messages_total{outcome="new"} 1`}
		waitFor(t, "ingestion and request metrics", func() bool {
			mresp, err := http.Get(base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, err = io.ReadAll(mresp.Body)
			if err != nil {
				t.Fatal(err)
			}
			mresp.Body.Close()
			for _, w := range want {
				if !strings.Contains(string(body), w) {
					return false
				}
			}
			return true
		})
	})
}
