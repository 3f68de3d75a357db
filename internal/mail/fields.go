package mail

import (
	"mime"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"
)

// msgIDRe finds <id> tokens; ids never contain whitespace or angle brackets.
var msgIDRe = regexp.MustCompile(`<([^<>\s]+)>`)

// parseIDs extracts message ids from an In-Reply-To/References style value.
// Real values carry comments ("(Your message of ...)"), quoted phrases and
// missing brackets; only bracketed ids are trusted when any are present.
func parseIDs(v string) []string {
	v = stripComments(v)
	var out []string
	for _, m := range msgIDRe.FindAllStringSubmatch(v, -1) {
		out = append(out, m[1])
	}
	if len(out) > 0 {
		return out
	}
	// No brackets at all: accept bare tokens that look like ids.
	for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '"' }) {
		if strings.Contains(tok, "@") && !strings.ContainsAny(tok, "<>") {
			out = append(out, tok)
		}
	}
	return out
}

// parseMessageID returns the single id of a Message-ID header, "" for
// missing or empty ("<>") values.
func parseMessageID(v string) string {
	ids := parseIDs(v)
	if len(ids) > 0 {
		return ids[0]
	}
	v = strings.Trim(strings.TrimSpace(stripComments(v)), "<>")
	if v == "" || strings.ContainsAny(v, " \t") {
		return ""
	}
	return v
}

// stripComments removes RFC 5322 (comments), honouring nesting and quoted
// strings, so "(a <b@c> comment)" does not leak an id.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth := 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			if depth == 0 {
				b.WriteByte(c)
				b.WriteByte(s[i+1])
			}
			i++
		case c == '"' && depth == 0:
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '(' && !inQuote:
			depth++
		case c == ')' && !inQuote && depth > 0:
			depth--
			b.WriteByte(' ')
		default:
			if depth == 0 {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

// emailRe is the last-resort address finder for headers no parser accepts.
var emailRe = regexp.MustCompile(`[^\s<>()\[\],;:"']+@[^\s<>()\[\],;:"']+`)

// parseAddresses parses an address list the strict way first, then
// tolerantly entry by entry (see looseAddress). It never fails; bad input
// gives fewer addresses.
func parseAddresses(v string, dec *mime.WordDecoder) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	p := netmail.AddressParser{WordDecoder: dec}
	var out []Address
	if list, err := p.ParseList(v); err == nil {
		for _, a := range list {
			out = append(out, makeAddress(decodeWords(dec, a.Name), a.Address))
		}
		return dedupeAddresses(out)
	}
	for _, entry := range splitEntries(v) {
		if a, ok := looseAddress(entry, dec); ok {
			out = append(out, a)
		}
	}
	return dedupeAddresses(out)
}

// looseAddress reads one list entry the strict parser refused. An entry
// with an angle-bracket address is that address, whatever its display name
// holds (a forged name can carry "x@evil.example" or a decoded CRLF and a
// Bcc: line). Only an entry without brackets is searched for something
// that looks like an address, and never inside quotes or encoded words.
func looseAddress(entry string, dec *mime.WordDecoder) (Address, bool) {
	if open := strings.LastIndexByte(entry, '<'); open >= 0 {
		if end := strings.IndexByte(entry[open:], '>'); end > 0 {
			email := strings.TrimSpace(entry[open+1 : open+end])
			if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t<") {
				return Address{}, false
			}
			return makeAddress(decodeWords(dec, entry[:open]), email), true
		}
	}
	bare := encodedWordRe.ReplaceAllString(stripQuoted(stripComments(entry)), " ")
	if e := emailRe.FindString(bare); e != "" {
		return makeAddress("", e), true
	}
	return Address{}, false
}

// encodedWordRe matches an RFC 2047 encoded word.
var encodedWordRe = regexp.MustCompile(`=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=`)

// splitEntries splits an address list at commas outside quotes and angle
// brackets. An unterminated quote does not hide the commas after it.
func splitEntries(v string) []string {
	if strings.Count(v, `"`)%2 == 1 {
		v = strings.ReplaceAll(v, `"`, " ")
	}
	var out []string
	inQuote, inAngle, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"' && !inAngle:
			inQuote = !inQuote
		case c == '<' && !inQuote:
			inAngle = true
		case c == '>' && !inQuote:
			inAngle = false
		case (c == ',' || c == ';') && !inQuote && !inAngle:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// stripQuoted blanks out "quoted strings".
func stripQuoted(s string) string {
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
			b.WriteByte(' ')
		case !inQuote:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func makeAddress(name, email string) Address {
	name = collapseSpace(strings.Trim(strings.TrimSpace(name), `"'`))
	email = strings.ToLower(strings.Trim(strings.TrimSpace(email), "<>"))
	if strings.EqualFold(name, email) {
		name = ""
	}
	return Address{Name: name, Email: email}
}

func dedupeAddresses(in []Address) []Address {
	seen := map[string]bool{}
	var out []Address
	for _, a := range in {
		if a.Email == "" || seen[a.Email] {
			continue
		}
		seen[a.Email] = true
		out = append(out, a)
	}
	return out
}

// parseReturnPath keeps the null sender visible as "<>" because it is the
// strongest signal that a message is automatic.
func parseReturnPath(v string) string {
	v = strings.TrimSpace(stripComments(v))
	inner := strings.TrimSpace(strings.Trim(v, "<> \t"))
	if inner == "" {
		return "<>"
	}
	if m := emailRe.FindString(inner); m != "" {
		return strings.ToLower(m)
	}
	return strings.ToLower(inner)
}

// dateLayouts are formats seen in the wild that net/mail.ParseDate rejects.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 (MST)",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 02 Jan 2006 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	time.RFC3339,
}

// parseDate returns the date in UTC, or zero when nothing fits.
func parseDate(v string) time.Time {
	v = collapseSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := netmail.ParseDate(v); err == nil {
		return t.UTC()
	}
	cleaned := collapseSpace(stripComments(v))
	for _, l := range dateLayouts {
		for _, s := range []string{v, cleaned} {
			if t, err := time.Parse(l, s); err == nil {
				return t.UTC()
			}
		}
	}
	return time.Time{}
}

// localPart returns the part of an address before the last "@".
func localPart(email string) string {
	if i := strings.LastIndex(email, "@"); i >= 0 {
		return email[:i]
	}
	return email
}
