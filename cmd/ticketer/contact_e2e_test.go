package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// personMail is a mail with an attachment; two people may send the same file.
func personMail(from, subject, body, msgID, file string) string {
	return fmt.Sprintf(`From: %s
To: support@localhost
Subject: %s
Message-ID: <%s>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="p1"

--p1
Content-Type: text/plain

%s
--p1
Content-Type: text/plain; name="report.txt"
Content-Disposition: attachment; filename="report.txt"

%s
--p1--
`, from, subject, msgID, body, file)
}

func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("export is not a ZIP: %v", err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		files[f.Name] = string(b)
	}
	return files
}

// TestContactExportAndErase exports a person's data, erases it, and checks
// what stays: the ticket skeletons, the audit event, and another person's
// copy of a file both sent.
func TestContactExportAndErase(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		if strings.HasSuffix(dsn, ".db") {
			dsn = ""
		}
		s := startServer(t, dsn)
		const shared = "shared report body"
		for _, m := range []string{
			personMail("Dan Doe <dan@customer.test>", "Zebrafish tank leaks", "My zebrafish tank leaks again.", "gdpr-1@customer.test", shared),
			personMail("Erin Roe <erin@customer.test>", "Same report", "Forwarding the report.", "gdpr-2@customer.test", shared),
		} {
			if err := sendMail(s.smtpAddr, "x@customer.test", []string{"support@localhost"}, m); err != nil {
				t.Fatal(err)
			}
		}
		var list ticketList
		waitFor(t, "the tickets", func() bool { s.get("/api/v1/tickets", &list); return len(list.Items) == 2 })
		ids := map[string]int64{}
		for _, tk := range list.Items {
			ids[tk.Requester.Email] = tk.ID
		}
		var erinMsgs messageList
		s.get(fmt.Sprintf("/api/v1/tickets/%d/messages", ids["erin@customer.test"]), &erinMsgs)

		out, err := s.cli("", "contact", "export", "dan@customer.test")
		if err != nil {
			t.Fatal(err)
		}
		files := unzip(t, []byte(out))
		dir := fmt.Sprintf("tickets/%d/", ids["dan@customer.test"])
		var contact struct {
			Email string `json:"email"`
			Name  string `json:"name"`
		}
		if err := json.Unmarshal([]byte(files["contact.json"]), &contact); err != nil {
			t.Fatal(err)
		}
		if contact.Email != "dan@customer.test" || contact.Name != "Dan Doe" {
			t.Fatalf("contact.json: %s", files["contact.json"])
		}
		if !strings.Contains(files[dir+"ticket.json"], "My zebrafish tank leaks again.") {
			t.Fatalf("ticket.json: %s (files %v)", files[dir+"ticket.json"], keys(files))
		}
		var eml, att bool
		for name, body := range files {
			eml = eml || (strings.HasPrefix(name, dir+"messages/") && strings.Contains(body, "Message-ID: <gdpr-1@customer.test>"))
			att = att || (strings.HasPrefix(name, dir+"attachments/") && strings.TrimSpace(body) == shared)
			if strings.Contains(body, "Forwarding the report") {
				t.Fatalf("the export holds another person's mail: %s", name)
			}
		}
		if !eml || !att {
			t.Fatalf("export without the raw mail (%v) or the attachment (%v): %v", eml, att, keys(files))
		}

		out, err = s.cli("", "contact", "erase", "dan@customer.test")
		if err != nil {
			t.Fatal(err)
		}
		t.Log(strings.TrimSpace(out))
		if !strings.Contains(out, "erased: 1 tickets") || strings.Contains(out, " 0 blobs deleted") {
			t.Fatalf("erase printed %q: want its one ticket and its raw mail's blob deleted", out)
		}
		t.Run("the ticket skeleton stays, without the person", func(t *testing.T) {
			var after ticketList
			s.get("/api/v1/tickets", &after)
			if len(after.Items) != 2 {
				t.Fatalf("%d tickets after the erasure, want 2", len(after.Items))
			}
			var tk struct {
				Subject   string `json:"subject"`
				Requester struct {
					Email string `json:"email"`
					Name  string `json:"name"`
				} `json:"requester"`
				MessageCount int `json:"message_count"`
			}
			s.get(fmt.Sprintf("/api/v1/tickets/%d", ids["dan@customer.test"]), &tk)
			if tk.Subject != "[erased]" || strings.Contains(tk.Requester.Email, "dan") || tk.Requester.Name != "" || tk.MessageCount == 0 {
				t.Fatalf("erased ticket: %+v", tk)
			}
		})
		t.Run("messages and attachments are gone", func(t *testing.T) {
			code, body := s.getBytes(fmt.Sprintf("/api/v1/tickets/%d/messages", ids["dan@customer.test"]))
			if code != 200 || strings.Contains(string(body), "zebrafish") || strings.Contains(string(body), "dan@customer.test") || strings.Contains(string(body), "report.txt") {
				t.Fatalf("messages after erasure: %d %s", code, body)
			}
		})
		t.Run("the search index forgot", func(t *testing.T) {
			var found ticketList
			s.get("/api/v1/tickets?q=zebrafish", &found)
			if len(found.Items) != 0 {
				t.Fatalf("search still finds %+v", found.Items)
			}
		})
		t.Run("the other person's copy of the same file stays", func(t *testing.T) {
			code, body := s.getBytes(fmt.Sprintf("/api/v1/attachments/%d/content", erinMsgs.Items[0].Attachments[0].ID))
			if code != 200 || strings.TrimSpace(string(body)) != shared {
				t.Fatalf("erin's attachment: %d %q", code, body)
			}
		})
		t.Run("the erasure is audited", func(t *testing.T) {
			code, body := s.getBytes(fmt.Sprintf("/api/v1/tickets/%d/events", ids["dan@customer.test"]))
			if code != 200 || !strings.Contains(string(body), "contact_erased") {
				t.Fatalf("events: %d %s", code, body)
			}
		})
		t.Run("over HTTP, admin-only", func(t *testing.T) {
			erin := ids["erin@customer.test"]
			contactID := s.contactID(t, "erin@customer.test")
			path := fmt.Sprintf("/api/v1/contacts/%d/", contactID)
			if code, _ := s.getBytes(path + "export"); code != 403 {
				t.Fatalf("an agent's export: %d, want 403", code)
			}
			if code, _ := s.post(path+"erase", nil); code != 403 {
				t.Fatalf("an agent's erase: %d, want 403", code)
			}
			admin := s.withToken(t, "boss@acme.test", "admin")
			code, zipped := admin.getBytes(path + "export")
			if files := unzip(t, zipped); code != 200 || !strings.Contains(files[fmt.Sprintf("tickets/%d/ticket.json", erin)], "Forwarding the report.") {
				t.Fatalf("admin export: %d, files %v", code, keys(files))
			}
			code, body := admin.post(path+"erase", nil)
			var r struct {
				Tickets int `json:"tickets"`
			}
			if err := json.Unmarshal(body, &r); code != 200 || err != nil || r.Tickets != 1 {
				t.Fatalf("admin erase: %d %s", code, body)
			}
			var events struct {
				Items []struct {
					Kind  string `json:"kind"`
					Actor string `json:"actor"`
				} `json:"items"`
			}
			s.get(fmt.Sprintf("/api/v1/tickets/%d/events", erin), &events)
			last := events.Items[len(events.Items)-1]
			if last.Kind != "contact_erased" {
				t.Fatalf("erin's ticket events: %+v", events.Items)
			}
		})
		t.Run("nothing is left to export", func(t *testing.T) {
			if _, err := s.cli("", "contact", "export", "dan@customer.test"); err == nil || !strings.Contains(err.Error(), "not found") {
				t.Fatalf("export after erasure: %v", err)
			}
		})
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// withToken adds a user with that role and returns the server as them.
func (s *server) withToken(t *testing.T, email, role string) *server {
	t.Helper()
	if _, err := s.cli("", "user", "add", "--email", email, "--name", role, "--role", role); err != nil {
		t.Fatal(err)
	}
	tok, err := s.cli("", "token", "create", "--email", email)
	if err != nil {
		t.Fatal(err)
	}
	c := *s
	c.token = strings.TrimSpace(tok)
	return &c
}

// contactID reads a contact's id from the server's database (the API's
// Ticket has only the requester's email and name).
func (s *server) contactID(t *testing.T, email string) int64 {
	t.Helper()
	dsn := s.env["TICKETER_DATABASE_URL"]
	if dsn == "" {
		dsn = filepath.Join(s.env["TICKETER_DATA_DIR"], "ticketer.db")
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := store.New(db).PersonByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}
