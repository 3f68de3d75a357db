package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/blob/blobtest"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func (s *server) post(path string, body any) (int, []byte) {
	s.t.Helper()
	return s.send("POST", path, body)
}

// send sends body as JSON with the method, and gives the answer.
func (s *server) send(method, path string, body any) (int, []byte) {
	s.t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		s.t.Fatal(err)
	}
	req, err := http.NewRequest(method, "http://"+s.httpAddr+path, bytes.NewReader(data))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// fraction matches the fractional seconds of a JSON time: PostgreSQL
// keeps microseconds, SQLite what Go wrote (nanoseconds).
var fraction = regexp.MustCompile(`(T\d\d:\d\d:\d\d)\.(\d{1,9})`)

func microseconds(b []byte) string {
	return fraction.ReplaceAllStringFunc(string(b), func(m string) string {
		p := fraction.FindStringSubmatch(m)
		f := (p[2] + "000000")[:6]
		f = strings.TrimRight(f, "0")
		if f == "" {
			return p[1]
		}
		return p[1] + "." + f
	})
}

// apiAnswers reads every GET endpoint of the API for the install's data,
// keyed by path.
func apiAnswers(s *server) map[string]string {
	out := map[string]string{}
	read := func(path string) []byte {
		code, body := s.getBytes(path)
		if code != 200 {
			s.t.Fatalf("GET %s: %d %s", path, code, body)
		}
		out[path] = microseconds(body)
		return body
	}
	for _, p := range []string{"/api/v1/me", "/api/v1/users", "/api/v1/mailboxes", "/api/v1/inbound", "/api/v1/tickets?limit=200"} {
		read(p)
	}
	var list ticketList
	if err := json.Unmarshal(read("/api/v1/tickets?limit=200"), &list); err != nil {
		s.t.Fatal(err)
	}
	for _, tk := range list.Items {
		read(fmt.Sprintf("/api/v1/tickets/%d", tk.ID))
		read(fmt.Sprintf("/api/v1/tickets/%d/events", tk.ID))
		var msgs messageList
		if err := json.Unmarshal(read(fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID)), &msgs); err != nil {
			s.t.Fatal(err)
		}
		for _, m := range msgs.Items {
			for _, a := range m.Attachments {
				read(fmt.Sprintf("/api/v1/attachments/%d/content", a.ID))
			}
		}
	}
	for _, q := range []string{"invoice", "amount", "nothing-matches-this"} {
		read("/api/v1/tickets?q=" + q)
	}
	return out
}

// TestMoveToPostgresAndS3 moves a SQLite install with files into
// PostgreSQL and S3 (versitygw), then serves it from there and compares
// every API answer with the ones the SQLite install gave.
func TestMoveToPostgresAndS3(t *testing.T) {
	s := startServer(t, "")
	if _, err := s.cli("", "mailbox", "add", "--name", "Sales", "--address", "sales@acme.test", "--smtp-relay", "smtp://user:secret@relay.acme.test:587"); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if err := sendMail(s.smtpAddr, "dan@customer.test", []string{"support@localhost"}, withAttachment(i)); err != nil {
			t.Fatal(err)
		}
	}
	var list ticketList
	waitFor(t, "the tickets", func() bool { s.get("/api/v1/tickets", &list); return len(list.Items) == 6 })
	if code, body := s.post(fmt.Sprintf("/api/v1/tickets/%d/replies", list.Items[0].ID), map[string]string{"body": "We are on it."}); code != 202 {
		t.Fatalf("reply: %d %s", code, body)
	}
	if code, body := s.post(fmt.Sprintf("/api/v1/tickets/%d/notes", list.Items[1].ID), map[string]string{"body": "Customer called too."}); code != 201 {
		t.Fatalf("note: %d %s", code, body)
	}
	// Every outbound mail (the reply and the six acknowledgements) settled
	// (no longer queued or sending):
	// one still sending when the server stops is sent again by the moved
	// install, and its answers would differ for that reason alone.
	waitFor(t, "every mail sent", func() bool {
		for _, tk := range list.Items {
			var msgs struct {
				Items []struct {
					Kind     string `json:"kind"`
					Delivery *struct {
						Status string `json:"status"`
					} `json:"delivery"`
				} `json:"items"`
			}
			s.get(fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID), &msgs)
			for _, m := range msgs.Items {
				if m.Kind == "outbound" && (m.Delivery == nil || m.Delivery.Status == "queued" || m.Delivery.Status == "sending") {
					return false
				}
			}
		}
		return true
	})
	before := apiAnswers(s)
	s.stop()

	pg := storetest.EmptyPostgresURL(t) // the new, empty database a user creates
	s3, _ := blobtest.Versity(t, "moved")
	out, err := s.cli("", "move", "--to-database", pg, "--to-blobs", s3)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(strings.TrimSpace(out))
	if !strings.Contains(out, "verified") {
		t.Fatalf("move printed %q", out)
	}
	t.Run("a second move into the now full database is refused", func(t *testing.T) {
		if _, err := s.cli("", "move", "--to-database", pg, "--to-blobs", s3); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("second move: %v", err)
		}
	})

	// The new install has no data dir of its own: only PostgreSQL and S3.
	moved := startServer(t, pg, map[string]string{"TICKETER_BLOB_URL": s3})
	after := apiAnswers(moved)
	// The agent's new token is the one difference a second sign-in makes.
	for path, want := range before {
		if got := after[path]; got != want {
			t.Errorf("GET %s differs after the move:\nSQLite:     %s\nPostgreSQL: %s", path, want, got)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d answers after the move, %d before", len(after), len(before))
	}
	t.Run("the moved install takes new mail", func(t *testing.T) {
		// A new id: the sequences were moved past the copied rows.
		if id := moved.newestTicketFromMail(t, "After the move"); id <= list.Items[0].ID {
			t.Fatalf("new ticket #%d, the newest moved one is #%d", id, list.Items[0].ID)
		}
	})
}
