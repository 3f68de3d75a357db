package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/store/storetest"
)

// TestAutomaticMailOverTheListener: the automatic mails of
// internal/ticket/testdata/automatic, each sent over the real SMTP listener
// with a null envelope sender and with a normal one, and imported: none is
// acknowledged or opens a ticket; all are listed as automatic mail. A
// person's mail sent the same way opens its ticket (the control). It logs
// the measure.
func TestAutomaticMailOverTheListener(t *testing.T) {
	dir := filepath.Join("..", "..", "internal", "ticket", "testdata", "automatic")
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) < 8 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	storetest.Engines(t, func(t *testing.T, dsn string) {
		if strings.HasSuffix(dsn, ".db") {
			dsn = ""
		}
		s := startServer(t, dsn)
		mid := regexp.MustCompile(`(?m)^Message-ID: <`)
		rcpt := []string{"support@localhost"}
		importDir := t.TempDir()
		sent := 0
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, env := range []struct{ name, from string }{{"null", ""}, {"sender", "bounces@sender.test"}} {
				copyRaw := mid.ReplaceAllString(string(raw), "Message-ID: <"+env.name+".")
				if err := sendMail(s.smtpAddr, env.from, rcpt, strings.ReplaceAll(copyRaw, "\r\n", "\n")); err != nil {
					t.Fatalf("%s with %s envelope sender: %v", f, env.name, err)
				}
				sent++
			}
			if err := os.WriteFile(filepath.Join(importDir, filepath.Base(f)), []byte(mid.ReplaceAllString(string(raw), "Message-ID: <import.")), 0o600); err != nil {
				t.Fatal(err)
			}
			sent++
		}
		if _, err := s.cli("", "import", "--mailbox", "support@localhost", importDir); err != nil {
			t.Fatal(err)
		}
		control := "From: Pat <pat@customer.test>\nTo: support@localhost\nSubject: A real question\nMessage-ID: <control@customer.test>\n" +
			"Date: Tue, 3 Nov 2026 10:00:00 +0000\n\nHow do I reset my password?\n"
		if err := sendMail(s.smtpAddr, "pat@customer.test", rcpt, control); err != nil {
			t.Fatal(err)
		}
		var kept struct {
			Items []struct {
				Reason    string `json:"reason"`
				MessageID string `json:"message_id"`
			} `json:"items"`
		}
		var list ticketList
		waitFor(t, "every automatic mail kept and the control ticket", func() bool {
			s.get("/api/v1/inbound?status=automatic", &kept)
			s.get("/api/v1/tickets", &list)
			return len(kept.Items) == sent && len(list.Items) == 1 && list.Items[0].MessageCount == 1
		})
		// The control's second message is its acknowledgement: the only one.
		var msgs struct {
			Items []struct {
				Kind string `json:"kind"`
			} `json:"items"`
		}
		waitFor(t, "the control's acknowledgement", func() bool {
			s.get(fmt.Sprintf("/api/v1/tickets/%d/messages", list.Items[0].ID), &msgs)
			return len(msgs.Items) == 2 && msgs.Items[1].Kind == "outbound"
		})
		if list.Items[0].Subject != "A real question" {
			t.Fatalf("the only ticket must be the control: %+v", list.Items)
		}
		for _, it := range kept.Items {
			if it.Reason == "" || it.MessageID == "" {
				t.Fatalf("kept item without reason or Message-ID: %+v", it)
			}
		}
		t.Logf("automatic mails: %d (SMTP null and normal envelope sender, import); tickets opened: 0 per 100; acknowledgements: 0", sent)
	})
}
