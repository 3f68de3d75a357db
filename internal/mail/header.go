package mail

import (
	"bytes"
	"fmt"
	"strings"
)

// field is one unfolded header field. The value is valid UTF-8 (8-bit raw
// headers are converted on the way in) but still RFC 2047 encoded.
type field struct {
	name  string
	value string
}

// header keeps fields in their original order, which matters for
// In-Reply-To/References and for "first From wins".
type header []field

func (h header) get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return f.value
		}
	}
	return ""
}

func (h header) has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return true
		}
	}
	return false
}

func (h header) values(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// headerBlock is the result of reading one header section.
type headerBlock struct {
	fields   header
	body     []byte   // everything after the header section
	problems []string // oddities worth showing, not fatal
	eightBit bool     // some field needed a charset guess
}

// readHeaderBlock reads RFC 5322 fields from the start of data. It is more
// forgiving than net/textproto because real mail is: bare LF, junk lines,
// a missing blank line, 8-bit bytes. Lines that cannot be a field before the
// first real field are skipped; a non-field line after real fields is taken
// as the start of the body (the blank separator line was forgotten).
func readHeaderBlock(data []byte) headerBlock {
	var hb headerBlock
	rest := data
	var cur *field
	var curRaw []byte
	flush := func() {
		if cur == nil {
			return
		}
		v, guessed := bytesToUTF8(curRaw)
		if guessed {
			hb.eightBit = true
		}
		cur.value = strings.TrimSpace(v)
		hb.fields = append(hb.fields, *cur)
		cur, curRaw = nil, nil
	}
	skipped := 0
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if len(bytes.TrimRight(line, " \t")) == 0 {
			if len(hb.fields) == 0 && cur == nil {
				// Blank lines before any field: leading noise some tools add.
				rest = next
				continue
			}
			rest = next
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur != nil {
				// Unfold: RFC 5322 says CRLF is removed, the WSP stays.
				curRaw = append(curRaw, line...)
			} else {
				skipped++
			}
			rest = next
			continue
		}
		name, value, ok := splitField(line)
		if !ok {
			if cur == nil && len(hb.fields) == 0 {
				skipped++
				rest = next
				continue
			}
			hb.problems = append(hb.problems, "header section not terminated by a blank line")
			break
		}
		flush()
		cur = &field{name: name}
		curRaw = append([]byte(nil), value...)
		rest = next
	}
	flush()
	if skipped > 0 && len(hb.fields) > 0 {
		hb.problems = append(hb.problems, fmt.Sprintf("skipped %d malformed header line(s)", skipped))
	}
	hb.body = rest
	return hb
}

// cutLine returns the first line without its line ending, and the rest.
func cutLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return bytes.TrimRight(b, "\r"), nil
	}
	return bytes.TrimRight(b[:i], "\r"), b[i+1:]
}

// splitField accepts "Name: value" where Name is an RFC 7230 token. Token
// characters are stricter than RFC 5322 allows, on purpose: it keeps JSON,
// prose and other non-mail from passing as a header.
func splitField(line []byte) (name string, value []byte, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", nil, false
	}
	n := bytes.TrimRight(line[:i], " \t") // "Subject :" exists in the wild
	if len(n) == 0 {
		return "", nil, false
	}
	for _, c := range n {
		if !isTokenByte(c) {
			return "", nil, false
		}
	}
	return string(n), line[i+1:], true
}

func isTokenByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
