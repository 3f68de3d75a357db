package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestSignInAndReplyEndToEnd runs the binary's serve (app.Run): an agent
// signs in with a password, answers a ticket with the session cookie and
// CSRF token, and the reply lands in the outbox threaded under the customer's mail.
func TestSignInAndReplyEndToEnd(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		if strings.HasSuffix(dsn, ".db") {
			dsn = ""
		}
		s := startServer(t, dsn)
		if _, err := s.cli("pw-of-the-agent\n", "user", "add", "--email", "ann@acme.test", "--name", "Ann", "--role", "agent", "--password-stdin"); err != nil {
			t.Fatal(err)
		}
		raw := "From: Bob <bob@customer.test>\nTo: support@localhost\nSubject: Broken login\nMessage-ID: <api-e2e-1@customer.test>\n\nI cannot sign in.\n"
		if err := sendMail(s.smtpAddr, "bob@customer.test", []string{"support@localhost"}, raw); err != nil {
			t.Fatal(err)
		}
		var list ticketList
		waitFor(t, "the ticket", func() bool { s.get("/api/v1/tickets", &list); return len(list.Items) == 1 })
		id := list.Items[0].ID

		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		hc := &http.Client{Jar: jar}
		base := "http://" + s.httpAddr
		post := func(path, csrf string, body any) (int, []byte) {
			data, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest("POST", base+path, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if csrf != "" {
				req.Header.Set("X-CSRF-Token", csrf)
			}
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode, b
		}
		code, body := post("/api/v1/auth/login", "", map[string]string{"email": "ann@acme.test", "password": "pw-of-the-agent"})
		if code != 200 {
			t.Fatalf("login: %d %s", code, body)
		}
		var sess struct {
			CSRF string `json:"csrf_token"`
		}
		if err := json.Unmarshal(body, &sess); err != nil {
			t.Fatal(err)
		}
		replyPath := fmt.Sprintf("/api/v1/tickets/%d/replies", id)
		if code, body = post(replyPath, "", map[string]string{"body": "Try again now."}); code != 403 {
			t.Fatalf("reply without CSRF: %d %s", code, body)
		}
		if code, body = post(replyPath, sess.CSRF, map[string]string{"body": "Try again now."}); code != 202 {
			t.Fatalf("reply: %d %s", code, body)
		}
		var m struct {
			MessageID string `json:"message_id"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		var eml []byte
		waitFor(t, "the reply in the outbox", func() bool {
			files, err := filepath.Glob(filepath.Join(s.env["TICKETER_DATA_DIR"], "outbox", "*.eml"))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				if b, _ := os.ReadFile(f); bytes.Contains(b, []byte("Message-ID: <"+m.MessageID+">")) {
					eml = b
					return true
				}
			}
			return false
		})
		if headerValue(string(eml), "In-Reply-To") != "<api-e2e-1@customer.test>" || headerValue(string(eml), "To") != `"Bob" <bob@customer.test>` {
			t.Fatalf("reply:\n%s", eml)
		}
		resp, err := http.Get(base + "/api/openapi.yaml")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("spec: %v", err)
		}
		resp.Body.Close()
	})
}
