package mail

import (
	"strings"
	"testing"
)

func TestThreadIndexRoot(t *testing.T) {
	t.Parallel()
	root := "01d855c74426f1a4f65356f848a7b4889d69e622b517"
	for _, c := range []struct{ name, in, want string }{
		{"the conversation's first message", "AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1Fw==", root},
		{"a reply: one 5-byte child block more", "AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1F0AAAAAA", root},
		{"folded over two lines", "AdhVx0Qm8aT2U1b4S\r\n Ke0iJ1p5iK1Fw==", root},
		{"too short", "AQHa", ""},
		{"not a whole number of child blocks", "AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1F0AA", ""},
		{"not base64", "not base64 at all!", ""},
		{"empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := threadIndexRoot(c.in); got != c.want {
				t.Fatalf("threadIndexRoot(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestOwnList(t *testing.T) {
	t.Parallel()
	ours := map[string]bool{"support@acme.test": true}
	for _, c := range []struct {
		header string
		own    bool
	}{
		{"Support <support.acme.test>", true},
		{"<support.acme.test>", true},
		{"<SUPPORT.ACME.TEST>", true},
		{"<support@acme.test>", true},
		{"<news.acme.test>", false},
		{"<support.acme.test.evil.test>", false},
		{"", false},
	} {
		t.Run(c.header, func(t *testing.T) {
			if got := IsOwnList(listID(c.header), ours); got != c.own {
				t.Fatalf("IsOwnList(%q) = %v, want %v", c.header, got, c.own)
			}
		})
	}
}

// TestOffListReason: mailing-list headers alone make the message automatic,
// unless the list is ours; the author's own signals still count.
func TestOffListReason(t *testing.T) {
	t.Parallel()
	head := "From: dana@customer.test\r\nTo: support@acme.test\r\nSubject: Login broken\r\nMessage-ID: <g@customer.test>\r\n" +
		"List-Id: <support.acme.test>\r\nPrecedence: list\r\nList-Unsubscribe: <mailto:x@acme.test>\r\n"
	for _, c := range []struct {
		name, extra           string
		reason, offListReason Reason
	}{
		{"a person's mail through a list", "", ReasonAutoReply, ""},
		{"an out-of-office through a list", "Auto-Submitted: auto-replied\r\n", ReasonAutoReply, ReasonAutoReply},
		{"spam through a list", "X-Spam-Flag: YES\r\n", ReasonSpam, ReasonSpam},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(head + c.extra + "\r\nHello.\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			if m.Reason != c.reason || m.OffListReason != c.offListReason || m.ListID != "support.acme.test" {
				t.Fatalf("reason %q off-list %q (%q) list %q", m.Reason, m.OffListReason, m.OffListAuto, m.ListID)
			}
			if c.offListReason == "" && (m.OffListAuto != "" || !strings.Contains(m.Auto, "list")) {
				t.Fatalf("auto %q off-list auto %q", m.Auto, m.OffListAuto)
			}
		})
	}
}
