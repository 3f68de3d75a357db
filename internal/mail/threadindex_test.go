package mail

import (
	"testing"
)

func TestThreadIndexRoot(t *testing.T) {
	t.Parallel()
	root := "01d855c74426f1a4f65356f848a7b4889d69e622b517"
	for _, c := range []struct{ name, in, want string }{
		{"the conversation's first message", "AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1Fw==", root},
		{"a reply: one 5-byte child block more", "AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1F0AAAAAA", root},
		{"folded over two lines", "AdhVx0Qm8aT2U1b4S\r\n Ke0iJ1p5iK1Fw==", root},
		{"without its padding", "AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1Fw", root},
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
	head := "From: dana@customer.test\r\nTo: support@acme.test\r\nSubject: Login broken\r\nMessage-ID: <g@customer.test>\r\n"
	all := "List-Id: <support.acme.test>\r\nPrecedence: list\r\nList-Unsubscribe: <mailto:x@acme.test>\r\n"
	for _, c := range []struct {
		name, list, extra     string
		reason, offListReason Reason
		auto, listID          string
	}{
		{"a person's mail through a list", all, "", ReasonAutoReply, "", "precedence: list", "support.acme.test"},
		// Each list header alone is the signal, and only a list's.
		{"a person's mail with a List-Id only", "List-Id: <support.acme.test>\r\n", "", ReasonAutoReply, "", "list-id", "support.acme.test"},
		{"a person's mail with a List-Unsubscribe only", "List-Unsubscribe: <mailto:x@acme.test>\r\n", "", ReasonAutoReply, "", "list-unsubscribe", ""},
		{"an out-of-office through a list", all, "Auto-Submitted: auto-replied\r\n", ReasonAutoReply, ReasonAutoReply, "auto-submitted: auto-replied", "support.acme.test"},
		{"spam through a list", all, "X-Spam-Flag: YES\r\n", ReasonSpam, ReasonSpam, "x-spam-flag: yes", "support.acme.test"},
	} {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse([]byte(head + c.list + c.extra + "\r\nHello.\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			if m.Reason != c.reason || m.Auto != c.auto || m.OffListReason != c.offListReason || m.ListID != c.listID {
				t.Fatalf("reason %q (%q) off-list %q (%q) list %q", m.Reason, m.Auto, m.OffListReason, m.OffListAuto, m.ListID)
			}
			if c.offListReason == "" && m.OffListAuto != "" {
				t.Fatalf("off-list auto %q with no off-list reason", m.OffListAuto)
			}
		})
	}
}
