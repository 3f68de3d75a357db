package main

import (
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/imap/imaptest"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// A mailbox added with --imap is synced by serve: mail already in the
// folder and mail arriving later (IDLE) become tickets.
func TestServeSyncsIMAPMailbox(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		addr := imaptest.StartMemServer(t, true)
		appendMsg := func(subject string) {
			raw := "From: Carol <carol@customer.test>\r\nTo: help@acme.test\r\nSubject: " + subject +
				"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@customer.test>\r\n\r\nHello\r\n"
			imaptest.Append(t, addr, imaptest.User, imaptest.Password, "INBOX", []byte(raw))
		}
		appendMsg("already there")

		s := startServer(t, dsn)
		if _, err := s.cli("", "mailbox", "add", "--name", "Help", "--address", "help@acme.test", "--imap", "imap://agent:bad url@x"); err == nil {
			t.Fatal("a malformed --imap URL must be refused")
		}
		out, err := s.cli("", "mailbox", "add", "--name", "Help", "--address", "help@acme.test",
			"--imap", "imap://"+imaptest.User+":"+imaptest.Password+"@"+addr+"/INBOX?tls=none")
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(out) == "" {
			t.Fatal("mailbox add printed no id")
		}
		waitTicket := func(subject string) {
			t.Helper()
			deadline := time.Now().Add(60 * time.Second)
			for {
				var page struct {
					Items []struct {
						Subject string `json:"subject"`
					} `json:"items"`
				}
				s.get("/api/v1/tickets", &page)
				for _, it := range page.Items {
					if it.Subject == subject {
						return
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("no ticket %q; tickets: %+v", subject, page.Items)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		waitTicket("already there")
		appendMsg("arrived later")
		waitTicket("arrived later")
	})
}
