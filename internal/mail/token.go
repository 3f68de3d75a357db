package mail

import (
	"regexp"
	"strconv"
	"strings"
)

// subjectTokenRe matches "[#42]" (and the "[Ticket #42]" spelling agents
// type by hand) anywhere in a subject.
var subjectTokenRe = regexp.MustCompile(`(?i)\[\s*(?:ticket\s*)?#\s*(\d{1,18})\s*\]`)

// TicketSubject is the subject of every mail we send on a ticket (the
// acknowledgement's default and replies): "Re: <subject> [#42]". The
// customer's subject reads first, "Re:" threads it with theirs in mail
// clients, and the token at the end survives their replies; both this form
// and the older "[#42] <subject>" are read back (TicketTokenFromSubject).
func TicketSubject(subject string, ticketID int64) string {
	return "Re: " + subject + " [#" + strconv.FormatInt(ticketID, 10) + "]"
}

// TicketTokenFromSubject finds a "[#42]" ticket token anywhere in subject.
func TicketTokenFromSubject(subject string) (int64, bool) {
	m := subjectTokenRe.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	return positiveID(m[1])
}

// addressTokenRe is the plus-address detail "t42"; the "t" prefix keeps
// ordinary tags (support+billing@) from being read as ticket numbers.
var addressTokenRe = regexp.MustCompile(`(?i)^t(\d{1,18})$`)

// TicketTokenFromAddress finds the plus-addressing token in
// "support+t42@example.com" (optionally "Name <...>").
func TicketTokenFromAddress(addr string) (int64, bool) {
	addr = strings.TrimSpace(addr)
	if i := strings.LastIndexByte(addr, '<'); i >= 0 {
		addr = addr[i+1:]
		if j := strings.IndexByte(addr, '>'); j >= 0 {
			addr = addr[:j]
		}
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return 0, false
	}
	local := addr[:at]
	plus := strings.LastIndexByte(local, '+')
	if plus < 0 {
		return 0, false
	}
	m := addressTokenRe.FindStringSubmatch(local[plus+1:])
	if m == nil {
		return 0, false
	}
	return positiveID(m[1])
}

func positiveID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// replyPrefixRe is one reply/forward marker, in the languages our
// customers' clients use: "Re:", "RE[2]:", "Fwd:", "FW:", "AW:", "WG:",
// "SV:", "VS:", "Antw:", "TR:", "RV:", with optional space before ":".
var replyPrefixRe = regexp.MustCompile(`(?i)^\s*(re|fwd?|aw|wg|sv|vs|antw|tr|rv)\s*(\[\d+\]|\(\d+\))?\s*[:：]\s*`)

// NormalizeSubject strips reply/forward prefixes and the ticket token so
// subjects can be compared and shown as the ticket title.
func NormalizeSubject(s string) string {
	s = subjectTokenRe.ReplaceAllString(s, " ")
	s = collapseSpace(s)
	for {
		t := replyPrefixRe.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	return collapseSpace(s)
}

// BaseAddress lower-cases an address and drops its plus tag:
// "Support+t42@Example.com" -> "support@example.com".
func BaseAddress(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "@" + domain
}
