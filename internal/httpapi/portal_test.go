package httpapi_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/portal"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

var portalLinkRE = regexp.MustCompile(`/portal/sign-in/([A-Za-z0-9_-]{43})`)

// portalTokens lists the sign-in tokens mailed to email so far.
func (h *harness) portalTokens(email string) map[string]bool {
	h.portal.Wait()
	out := map[string]bool{}
	entries, _ := os.ReadDir(h.outbox)
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(h.outbox, e.Name()))
		text := strings.ReplaceAll(string(data), "=\r\n", "")
		if err != nil || !strings.Contains(text, "To: <"+email+">") && !strings.Contains(text, "To: "+email) {
			continue
		}
		for _, m := range portalLinkRE.FindAllStringSubmatch(text, -1) {
			out[m[1]] = true
		}
	}
	return out
}

// portalLink asks for a link for email and returns the token mailed.
func (h *harness) portalLink(t *testing.T, email string) string {
	t.Helper()
	before := h.portalTokens(email)
	h.anon().do("POST", "/api/v1/portal/sign-in", map[string]string{"email": email}).must(t, http.StatusAccepted)
	for tok := range h.portalTokens(email) {
		if !before[tok] {
			return tok
		}
	}
	t.Fatalf("no new sign-in link mailed to %s", email)
	return ""
}

func form(values url.Values) multipartBody {
	return multipartBody{data: []byte(values.Encode()), contentType: "application/x-www-form-urlencoded"}
}

// customer is a browser signed in to the portal, with its form token.
type customer struct {
	*client
	csrf string
}

var csrfFieldRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (h *harness) portalSignIn(t *testing.T, email string) customer {
	t.Helper()
	c := h.browser()
	r := c.do("POST", "/portal/sign-in/"+h.portalLink(t, email), nil).must(t, http.StatusOK) // 303 to /portal, followed
	if !bytes.Contains(r.body, []byte("Your tickets")) {
		t.Fatalf("not signed in: %s", r.body)
	}
	m := csrfFieldRE.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no CSRF token in the page: %s", r.body)
	}
	return customer{client: c, csrf: string(m[1])}
}

func (c customer) reply(id int64, body string, files map[string][]byte, csrf string) response {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("csrf", csrf)
	_ = w.WriteField("body", body)
	for name, data := range files {
		fw, _ := w.CreateFormFile("files", name)
		_, _ = fw.Write(data)
	}
	_ = w.Close()
	return c.do("POST", fmt.Sprintf("/portal/tickets/%d/replies", id), multipartBody{data: b.Bytes(), contentType: w.FormDataContentType()})
}

func TestPortalSignInLinkIsSingleUse(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.newTicket(1, "")
		tok := h.portalLink(t, "carol@customer.test")
		c := h.browser()
		// The link's page is a button: following the link (a mail scanner)
		// does not use it.
		r := c.do("GET", "/portal/sign-in/"+tok, nil).must(t, http.StatusOK)
		if !bytes.Contains(r.body, []byte(`action="/portal/sign-in/`+tok+`"`)) {
			t.Fatalf("no sign-in button: %s", r.body)
		}
		c.do("POST", "/portal/sign-in/"+tok, nil).must(t, http.StatusOK)
		again := h.browser().do("POST", "/portal/sign-in/"+tok, nil).must(t, http.StatusNotFound)
		if !bytes.Contains(again.body, []byte("does not work any more")) {
			t.Fatalf("replay: %s", again.body)
		}
		// The hash is stored, never the token.
		var n int
		if err := h.st.DB().QueryRow(h.ctx, `SELECT count(*) FROM portal_links WHERE token_hash = $1`, tok).Scan(&n); err != nil || n != 0 {
			t.Fatalf("token stored in clear: %d %v", n, err)
		}
	})
}

func TestPortalSignInLinkExpiry(t *testing.T) {
	if portal.LinkTTL != 15*time.Minute {
		t.Fatalf("LinkTTL %s, want 15m (the issue's rule)", portal.LinkTTL)
	}
	for _, c := range []struct {
		name  string
		after time.Duration
		want  int
	}{
		{"just before", portal.LinkTTL - time.Second, http.StatusOK},
		{"at expiry", portal.LinkTTL, http.StatusNotFound},
		{"after", portal.LinkTTL + time.Minute, http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachEngine(t, func(t *testing.T, h *harness) {
				h.newTicket(1, "")
				tok := h.portalLink(t, "carol@customer.test")
				h.clock.advance(c.after)
				h.browser().do("POST", "/portal/sign-in/"+tok, nil).must(t, c.want)
			})
		})
	}
}

func TestPortalSignInSameAnswerForUnknownAddress(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.newTicket(1, "")
		known := h.anon().do("POST", "/api/v1/portal/sign-in", map[string]string{"email": "carol@customer.test"})
		unknown := h.anon().do("POST", "/api/v1/portal/sign-in", map[string]string{"email": "nobody@customer.test"})
		if known.status != http.StatusAccepted || unknown.status != known.status || !bytes.Equal(known.body, unknown.body) {
			t.Fatalf("known %d %s, unknown %d %s", known.status, known.body, unknown.status, unknown.body)
		}
		// The form's pages too.
		kf := h.anon().do("POST", "/portal/sign-in", form(url.Values{"email": {"carol@customer.test"}}))
		uf := h.anon().do("POST", "/portal/sign-in", form(url.Values{"email": {"nobody@customer.test"}}))
		if kf.status != http.StatusOK || uf.status != kf.status ||
			!bytes.Equal(bytes.ReplaceAll(kf.body, []byte("carol"), []byte("x")), bytes.ReplaceAll(uf.body, []byte("nobody"), []byte("x"))) {
			t.Fatalf("form: known %d %s, unknown %d %s", kf.status, kf.body, uf.status, uf.body)
		}
		if len(h.portalTokens("carol@customer.test")) != 2 || len(h.portalTokens("nobody@customer.test")) != 0 {
			t.Fatal("a link goes to the known address only")
		}
	})
}

func TestPortalSignInRateLimits(t *testing.T) {
	for _, c := range []struct {
		name   string
		limit  int
		emails func(i int) string
	}{
		{"per address", portal.SignInsPerAddress, func(int) string { return "carol@customer.test" }},
		{"per client", portal.SignInsPerClient, func(i int) string { return fmt.Sprintf("someone%d@customer.test", i) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachEngine(t, func(t *testing.T, h *harness) {
				h.newTicket(1, "")
				for i := range c.limit {
					h.anon().do("POST", "/api/v1/portal/sign-in", map[string]string{"email": c.emails(i)}).must(t, http.StatusAccepted)
				}
				r := h.anon().do("POST", "/api/v1/portal/sign-in", map[string]string{"email": c.emails(c.limit)}).must(t, http.StatusTooManyRequests)
				if r.header.Get("Retry-After") == "" {
					t.Fatal("no Retry-After")
				}
				h.clock.advance(portal.SignInWindow)
				h.anon().do("POST", "/api/v1/portal/sign-in", map[string]string{"email": c.emails(c.limit)}).must(t, http.StatusAccepted)
			})
		})
	}
}

func TestPortalShowsOnlyTheCustomersTickets(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		mine := h.newTicket(1, "Cc: Dan <dan@customer.test>\n")
		theirs := h.importMail("From: Eve <eve@other.test>\nTo: support@acme.test\nSubject: Eve's secret\nMessage-ID: <eve1@other.test>\n\nEve's text.\n")
		carol := h.portalSignIn(t, "carol@customer.test")
		list := carol.do("GET", "/portal", nil).must(t, http.StatusOK)
		if !bytes.Contains(list.body, []byte("Printer 1 is on fire")) || bytes.Contains(list.body, []byte("Eve&#39;s secret")) {
			t.Fatalf("list: %s", list.body)
		}
		carol.do("GET", fmt.Sprintf("/portal/tickets/%d", mine), nil).must(t, http.StatusOK)
		other := carol.do("GET", fmt.Sprintf("/portal/tickets/%d", theirs), nil).must(t, http.StatusNotFound)
		none := carol.do("GET", "/portal/tickets/999999", nil).must(t, http.StatusNotFound)
		if !bytes.Equal(other.body, none.body) || bytes.Contains(other.body, []byte("Eve")) {
			t.Fatalf("another customer's ticket differs from none: %s / %s", other.body, none.body)
		}
		carol.reply(theirs, "let me in", nil, carol.csrf).must(t, http.StatusNotFound)
		// Someone in Cc sees the ticket too.
		dan := h.portalSignIn(t, "dan@customer.test")
		dan.do("GET", fmt.Sprintf("/portal/tickets/%d", mine), nil).must(t, http.StatusOK)
	})
}

func TestPortalNeverShowsNotes(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		h.bearer(h.agentToken).do("POST", fmt.Sprintf("/api/v1/tickets/%d/notes", id), map[string]string{"body": "internal: customer is difficult"}).must(t, 201)
		h.bearer(h.agentToken).do("POST", fmt.Sprintf("/api/v1/tickets/%d/replies", id), map[string]string{"body": "We are on it."}).must(t, 202)
		carol := h.portalSignIn(t, "carol@customer.test")
		page := carol.do("GET", fmt.Sprintf("/portal/tickets/%d", id), nil).must(t, http.StatusOK)
		if bytes.Contains(page.body, []byte("customer is difficult")) {
			t.Fatalf("a note is shown: %s", page.body)
		}
		if !bytes.Contains(page.body, []byte("Please help with printer 1.")) || !bytes.Contains(page.body, []byte("We are on it.")) {
			t.Fatalf("the mail is missing: %s", page.body)
		}
	})
}

func TestPortalCookiesAreSeparate(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		// An agent's session gives nothing in the portal.
		agent := h.login("agent@acme.test", agentPassword)
		page := agent.do("GET", fmt.Sprintf("/portal/tickets/%d", id), nil).must(t, http.StatusOK) // sent to sign in
		if !bytes.Contains(page.body, []byte("Mail me a link")) {
			t.Fatalf("an agent's cookie opened a portal page: %s", page.body)
		}
		customer{client: agent}.reply(id, "as the agent", nil, agent.csrf).must(t, http.StatusUnauthorized)
		// A customer's session gives nothing on the agents' API, whatever the
		// cookie is called.
		carol := h.portalSignIn(t, "carol@customer.test")
		u, _ := url.Parse(h.srv.URL + "/portal")
		var token string
		for _, ck := range carol.jar.Cookies(u) {
			if ck.Name == portal.CookieName {
				token = ck.Value
			}
		}
		if token == "" {
			t.Fatal("no portal cookie")
		}
		if cks := carol.jar.Cookies(&url.URL{Scheme: "http", Host: u.Host, Path: "/api/v1/tickets"}); len(cks) != 0 {
			t.Fatalf("the portal cookie goes to the agents' API: %v", cks)
		}
		for _, cookie := range []string{portal.CookieName + "=" + token, "ticketer_session=" + token, "session=" + token} {
			c := h.anon()
			c.hdr = map[string]string{"Cookie": cookie}
			c.do("GET", "/api/v1/tickets", nil).must(t, http.StatusUnauthorized)
			c.do("GET", "/api/v1/me", nil).must(t, http.StatusUnauthorized)
		}
	})
}

func TestPortalFormsNeedTheCSRFToken(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		carol := h.portalSignIn(t, "carol@customer.test")
		// Another first character: "0" would be the token itself one time in 16.
		flipped := "0"
		if carol.csrf[0] == '0' {
			flipped = "1"
		}
		for _, bad := range []string{"", flipped + carol.csrf[1:], carol.csrf[:10]} {
			carol.reply(id, "no token", nil, bad).must(t, http.StatusForbidden)
			carol.do("POST", "/portal/sign-out", form(url.Values{"csrf": {bad}})).must(t, http.StatusForbidden)
		}
		carol.reply(id, "with the token", nil, carol.csrf).must(t, http.StatusOK) // 303 to the ticket, followed
		// A cross-origin post is refused before anything.
		c := carol.client
		c.hdr = map[string]string{"Sec-Fetch-Site": "cross-site"}
		carol.reply(id, "from elsewhere", nil, carol.csrf).must(t, http.StatusForbidden)
	})
}

func TestPortalReplyIsTheCustomersThreadedMessage(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		id := h.newTicket(1, "")
		carol := h.portalSignIn(t, "carol@customer.test")
		r := carol.reply(id, "It is still smoking.", map[string][]byte{"photo.txt": []byte("smoke")}, carol.csrf).must(t, http.StatusOK)
		if !bytes.Contains(r.body, []byte("your reply is sent")) {
			t.Fatalf("no notice: %s", r.body)
		}
		var got store.Message
		waitFor(t, "the reply on the ticket", func() bool {
			msgs, err := h.svc.Messages(h.ctx, h.agent, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if strings.Contains(m.Text, "It is still smoking.") {
					got = m
					return true
				}
			}
			return false
		})
		if got.Kind != store.KindInbound || got.From.Email != "carol@customer.test" || got.ThreadedBy == string(ticket.ThreadedNew) {
			t.Fatalf("reply stored as %+v", got)
		}
		if len(got.Attachments) != 1 || got.Attachments[0].Filename != "photo.txt" {
			t.Fatalf("attachments %+v", got.Attachments)
		}
		page := carol.do("GET", fmt.Sprintf("/portal/tickets/%d", id), nil).must(t, http.StatusOK)
		if !bytes.Contains(page.body, []byte("It is still smoking.")) {
			t.Fatalf("the reply is not on the portal page: %s", page.body)
		}
		dl := carol.do("GET", fmt.Sprintf("/portal/attachments/%d", got.Attachments[0].ID), nil).must(t, http.StatusOK)
		if string(dl.body) != "smoke" || !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("download %q %v", dl.body, dl.header)
		}
		carol.reply(id, "   ", nil, carol.csrf).must(t, http.StatusUnprocessableEntity)
	})
}

func TestPortalOpensTicketsInPortalMailboxesOnly(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		h.newTicket(1, "")
		carol := h.portalSignIn(t, "carol@customer.test")
		open := func() response {
			return carol.do("POST", "/portal/tickets", form(url.Values{"csrf": {carol.csrf}, "mailbox_id": {fmt.Sprint(h.mailbox)},
				"subject": {"New question"}, "body": {"How do I reset it?"}}))
		}
		open().must(t, http.StatusUnprocessableEntity)
		h.bearer(h.adminToken).do("PATCH", fmt.Sprintf("/api/v1/mailboxes/%d", h.mailbox), map[string]bool{"portal": true}).must(t, 200)
		page := carol.do("GET", "/portal", nil).must(t, http.StatusOK)
		if !bytes.Contains(page.body, []byte(`action="/portal/tickets"`)) {
			t.Fatalf("no new ticket form: %s", page.body)
		}
		open().must(t, http.StatusOK)
		waitFor(t, "the new ticket", func() bool {
			p := carol.do("GET", "/portal", nil)
			return bytes.Contains(p.body, []byte("New question"))
		})
		list, err := h.svc.Tickets(h.ctx, h.agent, store.TicketFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if list[0].Subject != "New question" || list[0].Requester.Email != "carol@customer.test" {
			t.Fatalf("newest ticket %+v", list[0])
		}
	})
}

func TestPortalPagesHaveTheirOwnCSP(t *testing.T) {
	eachEngine(t, func(t *testing.T, h *harness) {
		for _, path := range []string{"/portal", "/portal/sign-in/x"} {
			r := h.anon().do("GET", path, nil).must(t, http.StatusOK)
			if r.header.Get("Content-Security-Policy") != portal.CSP || !strings.Contains(portal.CSP, "default-src 'none'") {
				t.Fatalf("%s: CSP %q", path, r.header.Get("Content-Security-Policy"))
			}
			if bytes.Contains(r.body, []byte("<script")) {
				t.Fatalf("%s has a script", path)
			}
		}
	})
}

func TestPortalSessionExpires(t *testing.T) {
	if portal.SessionTTL != 7*24*time.Hour {
		t.Fatalf("SessionTTL %s, want 7 days", portal.SessionTTL)
	}
	eachEngine(t, func(t *testing.T, h *harness) {
		h.newTicket(1, "")
		carol := h.portalSignIn(t, "carol@customer.test")
		h.clock.advance(portal.SessionTTL - time.Second)
		if p := carol.do("GET", "/portal", nil).must(t, http.StatusOK); !bytes.Contains(p.body, []byte("Printer 1")) {
			t.Fatalf("signed out early: %s", p.body)
		}
		h.clock.advance(time.Second)
		if p := carol.do("GET", "/portal", nil).must(t, http.StatusOK); !bytes.Contains(p.body, []byte("Mail me a link")) {
			t.Fatalf("still signed in after SessionTTL: %s", p.body)
		}
	})
}
