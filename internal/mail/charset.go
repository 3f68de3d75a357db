package mail

import (
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// bytesToUTF8 returns b as UTF-8. Bytes that are not valid UTF-8 are taken
// as Windows-1252 (a superset of Latin-1 for printable characters), the
// overwhelmingly common case for undeclared 8-bit mail. guessed reports the
// fallback so the caller can note a problem.
func bytesToUTF8(b []byte) (s string, guessed bool) {
	if utf8.Valid(b) {
		return string(b), false
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), true
	}
	return string(out), true
}

// wordDecoder decodes RFC 2047 encoded words in any charset the WHATWG
// encoding index knows. Unknown charsets do not fail the header: the bytes
// are kept as UTF-8 or Latin-1 and a problem is recorded through note.
func wordDecoder(note func(string)) *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(label string, r io.Reader) (io.Reader, error) {
		if enc, _ := charset.Lookup(label); enc != nil {
			return transform.NewReader(r, enc.NewDecoder()), nil
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("read encoded word: %w", err)
		}
		note(fmt.Sprintf("unknown charset %q in header", label))
		s, _ := bytesToUTF8(b)
		return strings.NewReader(s), nil
	}}
}

// decodeWords decodes encoded words, leaving the input unchanged when it is
// not decodable rather than losing it.
func decodeWords(dec *mime.WordDecoder, s string) string {
	if !strings.Contains(s, "=?") {
		return s
	}
	out, err := dec.DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

// collapseSpace trims and turns every run of whitespace into one space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
