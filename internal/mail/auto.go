package mail

import (
	"strings"
)

// robotLocalParts are sender local parts that never belong to a person who
// expects an acknowledgement; answering them risks mail loops.
var robotLocalParts = map[string]bool{
	"mailer-daemon": true,
	"postmaster":    true,
	"no-reply":      true,
	"noreply":       true,
	"do-not-reply":  true,
	"donotreply":    true,
	"no_reply":      true,
	"do_not_reply":  true,
}

// classifyAuto returns why a message is automatic (RFC 3834 and the de facto
// headers listed in ARCHITECTURE §4), or "" for a human message. The first
// matching rule wins so the reason is stable.
func classifyAuto(m *Message, h header) string {
	if h.has("Auto-Submitted") {
		v := strings.ToLower(strings.TrimSpace(stripComments(h.get("Auto-Submitted"))))
		if i := strings.IndexByte(v, ';'); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		if v != "no" {
			if v == "" {
				v = "present"
			}
			return "auto-submitted: " + v
		}
	}
	if v := strings.ToLower(strings.TrimSpace(h.get("Precedence"))); v != "" {
		switch v {
		case "bulk", "junk", "list", "auto_reply", "auto-reply":
			return "precedence: " + v
		}
	}
	for _, name := range []string{"List-Id", "List-Unsubscribe"} {
		if h.has(name) {
			return strings.ToLower(name)
		}
	}
	for _, name := range []string{"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"} {
		if h.has(name) {
			return strings.ToLower(name)
		}
	}
	if m.ReturnPath == "<>" {
		return "null return-path"
	}
	for _, a := range senderAddresses(m, h) {
		if lp := strings.ToLower(localPart(a)); robotLocalParts[lp] {
			return "sender: " + lp
		}
	}
	if m.Bounce != nil {
		return "bounce"
	}
	return ""
}

// senderAddresses are the From and Sender mailboxes.
func senderAddresses(m *Message, h header) []string {
	out := []string{m.From.Email}
	for _, v := range h.values("Sender") {
		for _, a := range emailRe.FindAllString(v, -1) {
			out = append(out, strings.ToLower(a))
		}
	}
	return out
}
