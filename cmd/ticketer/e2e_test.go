package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/app"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// server is a Ticketer started through app.Run, as the binary would be.
type server struct {
	t        *testing.T
	env      map[string]string
	httpAddr string
	smtpAddr string
	token    string
	stop     func()
}

func (s *server) lookup(k string) (string, bool) {
	v, ok := s.env[k]
	return v, ok
}

// cli runs one ticketer command and returns its stdout.
func (s *server) cli(stdin string, args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := app.Run(context.Background(), app.Env{Args: args, Lookup: s.lookup, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb})
	if err != nil {
		return out.String(), fmt.Errorf("%v: %w\n%s", args, err, errb.String())
	}
	return out.String(), nil
}

// startServer starts serve on dsn ("" for SQLite in a new data dir);
// extraEnv entries are added to, or replace, its environment.
func startServer(t *testing.T, dsn string, extraEnv ...map[string]string) *server {
	t.Helper()
	dir := t.TempDir()
	s := &server{t: t, env: map[string]string{
		"TICKETER_DATA_DIR":              dir,
		"TICKETER_HTTP_ADDR":             "127.0.0.1:0",
		"TICKETER_SMTP_ADDR":             "127.0.0.1:0",
		"TICKETER_ENCRYPTION_KEY_BASE64": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
		"TICKETER_LOG_LEVEL":             "warn",
	}}
	if dsn != "" {
		s.env["TICKETER_DATABASE_URL"] = dsn
	}
	for _, extra := range extraEnv {
		maps.Copy(s.env, extra)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		var logs bytes.Buffer
		err := app.Run(ctx, app.Env{Args: []string{"serve"}, Lookup: s.lookup, Stdin: strings.NewReader(""), Stdout: &logs, Stderr: &logs,
			Ready: func(h, m net.Addr) {
				s.httpAddr, s.smtpAddr = h.String(), m.String()
				close(ready)
			}})
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, logs.String())
		}
		done <- err
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve exited: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	s.stop = func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Error("serve did not stop")
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			s.stop()
		}
	})
	// A restored or moved install has the agent already.
	if _, err := s.cli("", "user", "add", "--email", "agent@acme.test", "--name", "Agent", "--role", "agent"); err != nil && !strings.Contains(err.Error(), "exists already") {
		t.Fatal(err)
	}
	tok, err := s.cli("", "token", "create", "--email", "agent@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	s.token = strings.TrimSpace(tok)
	return s
}

func (s *server) get(path string, v any) int {
	s.t.Helper()
	code, body := s.getBytes(path)
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			s.t.Fatalf("GET %s: %v", path, err)
		}
	}
	return code
}

func sendMail(addr, from string, to []string, raw string) error {
	return smtp.SendMail(addr, nil, from, to, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
}

type ticketList struct {
	Items []struct {
		ID           int64  `json:"id"`
		Subject      string `json:"subject"`
		Status       string `json:"status"`
		MessageCount int    `json:"message_count"`
		Requester    struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		} `json:"requester"`
		Assignee  *struct{} `json:"assignee"`
		Tags      []string  `json:"tags"`
		MailboxID int64     `json:"mailbox_id"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// waitFor polls cond for up to a minute: a loaded CI machine has taken over
// 20 s for what is quick alone (a binary's start and migrations before its
// first work), and a wait ends as soon as cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestEndToEnd(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		if strings.HasSuffix(dsn, ".db") {
			dsn = "" // the embedded default: SQLite in the data dir
		}
		s := startServer(t, dsn)

		// No open relay: unknown recipients are refused at RCPT.
		err := sendMail(s.smtpAddr, "x@y.test", []string{"someone@elsewhere.test"}, "Subject: x\n\nx\n")
		if err == nil || !strings.Contains(err.Error(), "550") {
			t.Fatalf("relay attempt: %v", err)
		}

		raw := `From: Alice <alice@customer.test>
To: support@localhost
Subject: The printer is on fire
Message-ID: <e2e-1@customer.test>
Date: Mon, 2 Nov 2026 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

Hello, please help.

-- 
Alice
`
		if err := sendMail(s.smtpAddr, "alice@customer.test", []string{"support@localhost"}, raw); err != nil {
			t.Fatal(err)
		}
		var list ticketList
		// message_count counts the conversation: not the acknowledgement.
		waitFor(t, "the ticket", func() bool {
			s.get("/api/v1/tickets", &list)
			return len(list.Items) == 1 && list.Items[0].MessageCount == 1
		})
		tk := list.Items[0]
		if tk.Subject != "The printer is on fire" || tk.Status != "new" || tk.Requester.Email != "alice@customer.test" || tk.Tags == nil {
			t.Fatalf("ticket %+v", tk)
		}
		var msgs struct {
			Items []struct {
				Kind        string `json:"kind"`
				VisibleText string `json:"visible_text"`
				Delivery    *struct {
					Status string `json:"status"`
				} `json:"delivery"`
			} `json:"items"`
		}
		waitFor(t, "the acknowledgement to be sent", func() bool {
			s.get(fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID), &msgs)
			return len(msgs.Items) == 2 && msgs.Items[1].Delivery != nil && msgs.Items[1].Delivery.Status == "sent"
		})
		if msgs.Items[0].Kind != "inbound" || strings.TrimSpace(msgs.Items[0].VisibleText) != "Hello, please help." {
			t.Fatalf("first message %+v", msgs.Items[0])
		}
		files, err := filepath.Glob(filepath.Join(s.env["TICKETER_DATA_DIR"], "outbox", "*.eml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 1 {
			t.Fatalf("outbox files: %v", files)
		}
		ack, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(ack), "In-Reply-To: <e2e-1@customer.test>") || !strings.Contains(string(ack), "Auto-Submitted: auto-replied") {
			t.Fatalf("acknowledgement:\n%s", ack)
		}

		// The customer answers the acknowledgement: same ticket.
		ackID := headerValue(string(ack), "Message-Id")
		reply := "From: alice@customer.test\nTo: support@localhost\nSubject: Re: The printer\nMessage-ID: <e2e-2@customer.test>\n" +
			"In-Reply-To: " + ackID + "\nReferences: <e2e-1@customer.test> " + ackID + "\n\nIt is still burning.\n"
		if err := sendMail(s.smtpAddr, "alice@customer.test", []string{"support@localhost"}, reply); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the reply on the same ticket", func() bool {
			s.get("/api/v1/tickets", &list)
			return len(list.Items) == 1 && list.Items[0].MessageCount == 2
		})

		// API errors and auth.
		var apiErr struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if code := s.get("/api/v1/tickets/999999", &apiErr); code != 404 || apiErr.Error.Code != "not_found" {
			t.Fatalf("unknown ticket: %d %+v", code, apiErr)
		}
		if code := s.get("/api/v1/tickets?status=bogus", &apiErr); code != 400 {
			t.Fatalf("bad filter: %d", code)
		}
		s.token = "wrong"
		if code := s.get("/api/v1/tickets", nil); code != 401 {
			t.Fatalf("bad token: %d", code)
		}
		resp, err := http.Get("http://" + s.httpAddr + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v", err)
		}
		resp.Body.Close()
		resp, err = http.Get("http://" + s.httpAddr + "/readyz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("readyz: %v %v", err, resp.StatusCode)
		}
		resp.Body.Close()
	})
}

func headerValue(raw, name string) string {
	for _, line := range strings.Split(raw, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
