package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/smtpin"
)

type apiMailbox struct {
	ID           int64  `json:"id"`
	Name         string `json:"name"`
	Address      string `json:"address"`
	HasSMTPRelay bool   `json:"has_smtp_relay"`
	AckEnabled   bool   `json:"ack_enabled"`
	AckSubject   string `json:"ack_subject"`
}

func TestUsersOverTheAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		admin := h.bearer(h.adminToken)
		var u struct {
			ID       int64  `json:"id"`
			Email    string `json:"email"`
			Role     string `json:"role"`
			Name     string `json:"name"`
			Disabled bool   `json:"disabled"`
		}
		admin.do("POST", "/api/v1/users", map[string]string{"email": "New@Acme.test", "name": "Nia New", "role": "agent", "password": "nia-password-1"}).
			must(t, 201).json(t, &u)
		if u.Email != "new@acme.test" || u.Role != "agent" || u.Disabled {
			t.Fatalf("user %+v", u)
		}
		h.login("new@acme.test", "nia-password-1")
		if code, _ := admin.do("POST", "/api/v1/users", map[string]string{"email": "new@acme.test", "name": "Again", "role": "agent"}).must(t, 409).errorOf(t); code != "conflict" {
			t.Fatal(code)
		}
		for _, c := range []struct {
			body  string
			field string
		}{
			{`{"email":"nope","name":"N","role":"agent"}`, "email"},
			{`{"email":"a@acme.test","name":"","role":"agent"}`, "name"},
			{`{"email":"a@acme.test","name":"N","role":"root"}`, "role"},
			{`{"email":"a@acme.test","name":"N","role":"agent","password":"short"}`, "password"},
		} {
			t.Run("invalid "+c.field, func(t *testing.T) {
				r := h.on(t).bearer(h.adminToken).do("POST", "/api/v1/users", c.body).must(t, 422)
				if _, field := r.errorOf(t); field != c.field {
					t.Fatalf("%s: field %q, want %q", c.body, field, c.field)
				}
			})
		}
		path := fmt.Sprintf("/api/v1/users/%d", u.ID)
		admin.do("PATCH", path, map[string]any{"name": "Nia Admin", "role": "admin"}).must(t, 200).json(t, &u)
		if u.Name != "Nia Admin" || u.Role != "admin" {
			t.Fatalf("patched %+v", u)
		}
		r := admin.do("PATCH", path, map[string]any{"role": "boss"}).must(t, 422)
		if _, field := r.errorOf(t); field != "role" {
			t.Fatal(field)
		}
		var list struct {
			Items []struct {
				Email string `json:"email"`
			}
		}
		h.bearer(h.agentToken).do("GET", "/api/v1/users", nil).must(t, 200).json(t, &list)
		if len(list.Items) != 3 {
			t.Fatalf("users %+v", list)
		}
		if strings.Contains(string(h.bearer(h.agentToken).do("GET", "/api/v1/users", nil).body), "argon2") {
			t.Fatal("password hashes leak")
		}
		// Agents cannot write users.
		h.bearer(h.agentToken).do("PATCH", path, map[string]any{"name": "x"}).must(t, 403)
	})
}

// smtpRelay starts a real SMTP server (our own listener, go-smtp) for the
// "test connection" action.
func smtpRelay(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := smtpin.New(smtpin.Config{Domain: "relay.test"}, refuseAll{})
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

type refuseAll struct{}

func (refuseAll) Accepts(ctx context.Context, rcpt string) (bool, error) { return false, nil }
func (refuseAll) Deliver(ctx context.Context, env smtpin.Envelope, msg io.ReadSeeker) error {
	return fmt.Errorf("this relay accepts nothing")
}

func TestMailboxesOverTheAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		admin := h.bearer(h.adminToken)
		relay := smtpRelay(t)
		var mb apiMailbox
		admin.do("POST", "/api/v1/mailboxes", map[string]any{"name": "Billing", "address": "Billing@Acme.test",
			"smtp_relay": "smtp://user:s3cret-pass@" + relay, "ack_subject": "Got it: {{.Subject}}"}).must(t, 201).json(t, &mb)
		if mb.Address != "billing@acme.test" || !mb.HasSMTPRelay || !mb.AckEnabled || mb.AckSubject != "Got it: {{.Subject}}" {
			t.Fatalf("mailbox %+v", mb)
		}
		// The relay URL is sealed at rest and never returned.
		stored, err := h.st.GetMailbox(h.ctx, h.st.DB(), mb.ID)
		if err != nil || strings.Contains(stored.SMTPRelay, "s3cret") || stored.SMTPRelay == "" {
			t.Fatalf("relay stored in the clear: %q %v", stored.SMTPRelay, err)
		}
		if opened, err := h.secrets.Open(stored.SMTPRelay); err != nil || opened != "smtp://user:s3cret-pass@"+relay {
			t.Fatalf("sealed relay %q %v", opened, err)
		}
		if r := h.bearer(h.agentToken).do("GET", "/api/v1/mailboxes", nil).must(t, 200); strings.Contains(string(r.body), "s3cret") {
			t.Fatalf("relay leaks: %s", r.body)
		}
		admin.do("POST", "/api/v1/mailboxes", map[string]any{"name": "Again", "address": "billing@acme.test"}).must(t, 409)

		// An IMAP mailbox: its URL is sealed, never returned, and its backfill day kept.
		var imb apiMailbox
		ir := admin.do("POST", "/api/v1/mailboxes", map[string]any{"name": "Sales", "address": "sales@acme.test",
			"imap": "imaps://sales%40acme.test:imap-s3cret@imap.acme.test/INBOX", "imap_since": "2026-10-01"}).must(t, 201)
		ir.json(t, &imb)
		if strings.Contains(string(ir.body), "imap-s3cret") {
			t.Fatalf("the IMAP password leaks: %s", ir.body)
		}
		st, err := h.st.GetMailbox(h.ctx, h.st.DB(), imb.ID)
		if err != nil || st.Provider != "imap" || st.IMAP == "" || strings.Contains(st.IMAP, "imap-s3cret") {
			t.Fatalf("imap mailbox stored as %+v (%v)", st, err)
		}
		if opened, err := h.secrets.Open(st.IMAP); err != nil || !strings.HasSuffix(opened, "@imap.acme.test/INBOX") {
			t.Fatalf("sealed imap url %q %v", opened, err)
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"name": "X", "address": "x+tag@acme.test"}, "address"},
			{map[string]any{"name": "", "address": "x@acme.test"}, "name"},
			{map[string]any{"name": "X", "address": "x@acme.test", "smtp_relay": "ftp://nope"}, "smtp_relay"},
			{map[string]any{"name": "X", "address": "x@acme.test", "ack_body": "{{.Nope}}"}, "ack_body"},
			{map[string]any{"name": "X", "address": "x@acme.test", "ack_subject": "{{"}, "ack_subject"},
			{map[string]any{"name": "X", "address": "x@acme.test", "imap": "pop3://u:p@host/INBOX"}, "imap"},
			{map[string]any{"name": "X", "address": "x@acme.test", "imap_since": "2026-01-01"}, "imap_since"},
			{map[string]any{"name": "X", "address": "x@acme.test", "imap": "imaps://u:p@imap.acme.test/INBOX", "imap_since": "yesterday"}, "imap_since"},
		} {
			t.Run(fmt.Sprintf("invalid %s %v", c.field, c.body), func(t *testing.T) {
				r := h.on(t).bearer(h.adminToken).do("POST", "/api/v1/mailboxes", c.body).must(t, 422)
				if _, field := r.errorOf(t); field != c.field {
					t.Fatalf("field %q, want %q", field, c.field)
				}
			})
		}

		// Test connection: the relay answers (no auth offered without TLS, so
		// test a relay URL without credentials), then a relay that is down.
		path := fmt.Sprintf("/api/v1/mailboxes/%d", mb.ID)
		admin.do("PATCH", path, map[string]any{"smtp_relay": "smtp://" + relay, "ack_enabled": false, "name": "Billing Team"}).must(t, 200).json(t, &mb)
		if mb.Name != "Billing Team" || mb.AckEnabled || !mb.HasSMTPRelay {
			t.Fatalf("patched %+v", mb)
		}
		var res struct {
			OK        bool   `json:"ok"`
			Transport string `json:"transport"`
			Message   string `json:"message"`
		}
		admin.do("POST", path+"/test", nil).must(t, 200).json(t, &res)
		if !res.OK || res.Transport != "smtp_relay" {
			t.Fatalf("relay test %+v", res)
		}
		dead, _ := net.Listen("tcp", "127.0.0.1:0")
		deadAddr := dead.Addr().String()
		dead.Close()
		admin.do("PATCH", path, map[string]any{"smtp_relay": "smtp://" + deadAddr}).must(t, 200)
		admin.do("POST", path+"/test", nil).must(t, 200).json(t, &res)
		if res.OK || res.Transport != "smtp_relay" || res.Message == "" {
			t.Fatalf("dead relay test %+v", res)
		}
		// No relay: the outbox.
		admin.do("PATCH", path, map[string]any{"smtp_relay": ""}).must(t, 200).json(t, &mb)
		if mb.HasSMTPRelay {
			t.Fatal("relay not removed")
		}
		admin.do("POST", path+"/test", nil).must(t, 200).json(t, &res)
		if !res.OK || res.Transport != "outbox" || !strings.Contains(res.Message, h.outbox) {
			t.Fatalf("outbox test %+v", res)
		}
		r := admin.do("PATCH", path, map[string]any{"ack_body": "{{.Missing}}"}).must(t, 422)
		if _, field := r.errorOf(t); field != "ack_body" {
			t.Fatal(field)
		}
		h.bearer(h.agentToken).do("PATCH", path, map[string]any{"name": "x"}).must(t, 403)
	})
}

func TestListTicketsFilters(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		var ids []int64
		for i := 1; i <= 5; i++ {
			ids = append(ids, h.newTicket(i, ""))
		}
		agent := h.bearer(h.agentToken)
		h.clock.advance(time.Minute)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", ids[0]), fmt.Sprintf(`{"status":"open","assignee_id":%d,"tags":["vip"]}`, h.agent.ID)).must(t, 200)
		h.clock.advance(time.Minute)
		agent.do("PATCH", fmt.Sprintf("/api/v1/tickets/%d", ids[1]), fmt.Sprintf(`{"status":"pending","assignee_id":%d}`, h.admin.ID)).must(t, 200)
		list := func(query string) []int64 {
			t.Helper()
			var page struct {
				Items []apiTicket
			}
			agent.do("GET", "/api/v1/tickets?"+query, nil).must(t, 200).json(t, &page)
			var out []int64
			for _, tk := range page.Items {
				out = append(out, tk.ID)
			}
			return out
		}
		cases := map[string]int{
			"":                                     5,
			"status=open":                          1,
			"status=open,pending":                  2,
			"status=new":                           3,
			"assignee=me":                          1,
			"assignee=none":                        3,
			fmt.Sprintf("assignee=%d", h.admin.ID): 1,
			"tag=VIP":                              1,
			"requester=carol@customer.test":        5,
			"requester=nobody@customer.test":       0,
			fmt.Sprintf("mailbox=%d", h.mailbox):   5,
			"mailbox=424242":                       0,
			"q=printer%203":                        1,
		}
		for q, want := range cases {
			if got := list(q); len(got) != want {
				t.Errorf("%q: %d tickets %v, want %d", q, len(got), got, want)
			}
		}
		// Cursor paging walks every ticket once, newest activity first.
		seen := pageTickets(t, agent, "/api/v1/tickets?limit=2")
		want := fmt.Sprint([]int64{ids[1], ids[0], ids[4], ids[3], ids[2]})
		if fmt.Sprint(seen) != want {
			t.Fatalf("paging: %v, want %s", seen, want)
		}
	})
}
