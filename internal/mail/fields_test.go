package mail

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestParseAddressesDisplayNameNeverWins: text in a display name, however
// much it looks like an address or a header, is never taken as the address.
func TestParseAddressesDisplayNameNeverWins(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, value string
		want        []string
	}{
		{"encoded CRLF and Bcc in the name", "=?utf-8?q?Name=0D=0ABcc:_x@evil.example?= <customer@example.org>", []string{"customer@example.org"}},
		{"address-like encoded name", "=?utf-8?q?x@evil.example?= <customer@example.org>", []string{"customer@example.org"}},
		{"bare address in a quoted name", `"x@evil.example" <customer@example.org>`, []string{"customer@example.org"}},
		{"unbalanced quote in the name", `"x@evil.example <customer@example.org>`, []string{"customer@example.org"}},
		{"two entries, one broken name", "=?utf-8?q?A=0D=0ACc:_x@evil.example?= <a@example.org>, B <b@example.org>", []string{"a@example.org", "b@example.org"}},
		{"name with a comma and an at sign", `Smith, John x@evil.example <john@example.org>`, []string{"john@example.org"}},
		{"no brackets at all still found", "broken;; john@example.org ((", []string{"john@example.org"}},
		// Brackets at the very start hold the address too: no other text is searched.
		{"bracketed non-address first", "<ann smith> x@evil.example", nil},
		{"plain list", "a@example.org, B <b@example.org>", []string{"a@example.org", "b@example.org"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := parseAddresses(c.value, wordDecoder(func(string) {}))
			var emails []string
			for _, a := range got {
				emails = append(emails, a.Email)
			}
			if len(emails) != len(c.want) {
				t.Fatalf("got %q, want %q", emails, c.want)
			}
			for i := range emails {
				eq(t, "email", emails[i], c.want[i])
			}
		})
	}
}

func TestParseFromWithHeaderInDisplayName(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte("From: =?utf-8?q?Name=0D=0ABcc:_x@evil.example?= <customer@example.org>\r\n" +
		"Cc: =?utf-8?q?C=0D=0ABcc:_y@evil.example?= <cc@example.org>\r\nSubject: hi\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "From", m.From.Email, "customer@example.org")
	if strings.ContainsAny(m.From.Name, "\r\n") {
		t.Fatalf("a line break survived in the name: %q", m.From.Name)
	}
	if len(m.Cc) != 1 {
		t.Fatalf("Cc = %+v", m.Cc)
	}
	eq(t, "Cc", m.Cc[0].Email, "cc@example.org")
}

// TestFilenameDropsBidiControls: a right-to-left override cannot make
// "photo\u202Egpj.exe" look like a picture.
func TestFilenameDropsBidiControls(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"photo\u202Egpj.exe":        "photogpj.exe",
		"a\u200Fb\u2066c\u2069.pdf": "abc.pdf",
		"\u061Creport.txt":          "report.txt",
		"ordinary name.pdf":         "ordinary name.pdf",
	} {
		if got := sanitizeFilename(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// TestFilenameStripsDirectories: only the last path element is kept, with
// either slash, wherever the last one is, the very first byte included.
func TestFilenameStripsDirectories(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/etc/passwd":        "passwd",
		"/passwd":            "passwd",
		`\passwd`:            "passwd",
		`C:\Users\ann\a.pdf`: "a.pdf",
		"../../a.pdf":        "a.pdf",
		"dir/":               "",
		"a.pdf":              "a.pdf",
	} {
		if got := sanitizeFilename(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

// TestFilenameCutToMaxBytes: a name over maxFilenameBytes is cut at a
// character boundary and keeps an extension of up to 16 bytes (dot included).
func TestFilenameCutToMaxBytes(t *testing.T) {
	t.Parallel()
	if maxFilenameBytes != 200 {
		t.Fatalf("maxFilenameBytes is %d: the cases below assume 200", maxFilenameBytes)
	}
	a := strings.Repeat("a", 250)
	cases := []struct {
		name, in, want string
	}{
		{"short name untouched", "report.pdf", "report.pdf"},
		{"exactly the limit", strings.Repeat("a", 196) + ".pdf", strings.Repeat("a", 196) + ".pdf"},
		{"exactly the limit, no extension", strings.Repeat("a", 200), strings.Repeat("a", 200)},
		{"extension kept", a + ".pdf", strings.Repeat("a", 196) + ".pdf"},
		{"16-byte extension kept", a + ".abcdefghijklmno", strings.Repeat("a", 184) + ".abcdefghijklmno"},
		{"17-byte extension is not one", a + ".abcdefghijklmnop", strings.Repeat("a", 200)},
		{"no extension", a, strings.Repeat("a", 200)},
		// "é" is 2 bytes starting at odd offsets: byte 196 is the middle of one.
		{"cut before a split character", "x" + strings.Repeat("é", 150) + ".pdf", "x" + strings.Repeat("é", 97) + ".pdf"},
		{"cut at a character start", strings.Repeat("é", 150) + ".pdf", strings.Repeat("é", 98) + ".pdf"},
	}
	for _, tt := range cases {
		got := sanitizeFilename(tt.in)
		if got != tt.want {
			t.Errorf("%s: got %q (%d bytes), want %q", tt.name, got, len(got), tt.want)
		}
		if len(got) > maxFilenameBytes || !utf8.ValidString(got) {
			t.Errorf("%s: %q is over %d bytes or not UTF-8", tt.name, got, maxFilenameBytes)
		}
	}
}

// TestStripComments: (comments) go, nested or escaped, but not inside a
// "quoted string"; a backslash escapes the next character.
func TestStripComments(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`no comment`:          `no comment`,
		`a (c) b`:             `a   b`,
		`a ((b) c) d`:         `a    d`,
		`a\(b (c\)d) e`:       `a\(b   e`, // escaped parens are text, or stay in the comment
		`"x (y)" (z)`:         `"x (y)"  `,
		`"q\"(x)" (y)`:        `"q\"(x)"  `, // the escaped quote does not end the string
		`(a "b) c`:            `  c`,        // a quote inside a comment opens no string
		`(x) a) b`:            `  a) b`,     // a ")" closing nothing is text
		`a (b) c\`:            `a   c\`,     // a trailing backslash escapes nothing
		`(x) a\\(b)`:          `  a\\ `,
		`<id@x> (Mon, 1 Jan)`: `<id@x>  `,
	} {
		if got := stripComments(in); got != want {
			t.Errorf("stripComments(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSplitEntries: an address list splits at commas and semicolons outside
// "quoted strings" and <angle brackets>.
func TestSplitEntries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want []string
	}{
		{`a@x, b@y`, []string{`a@x`, ` b@y`}},
		{`a@x; b@y`, []string{`a@x`, ` b@y`}},
		{`"Doe, John" <j@x>, b@y`, []string{`"Doe, John" <j@x>`, ` b@y`}},
		{`"a\"b, c\"" <a@x>, d@y`, []string{`"a\"b, c\"" <a@x>`, ` d@y`}},
		{`<a,b@x>, c@y`, []string{`<a,b@x>`, ` c@y`}},
		{`"x>y, z" <a@x>, b@y`, []string{`"x>y, z" <a@x>`, ` b@y`}},
		{`"x<y, z" <a@x>, b@y`, []string{`"x<y, z" <a@x>`, ` b@y`}},
		{`<a"b@x>, c@y, <d"e@z>`, []string{`<a"b@x>`, ` c@y`, ` <d"e@z>`}},
		{`"unterminated, a@x, b@y`, []string{` unterminated`, ` a@x`, ` b@y`}},
	}
	for _, tt := range cases {
		eq(t, tt.in, splitEntries(tt.in), tt.want)
	}
}

// TestStripQuoted: "quoted strings" become one space each side, escaped
// quotes included; a backslash outside quotes is text.
func TestStripQuoted(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`a b`:         `a b`,
		`"a\"b" c`:    `   c`,
		`a\b "q" d`:   `a\b    d`,
		`x "y\\" z`:   `x    z`,
		`"a" b "c" d`: `   b    d`,
	} {
		if got := stripQuoted(in); got != want {
			t.Errorf("stripQuoted(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseDate: RFC 5322 dates, and the forms net/mail rejects that
// dateLayouts still reads, all in UTC; nothing that fits gives zero.
func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"Mon, 4 Mar 2024 10:00:00 +0100", "2024-03-04T09:00:00Z"},
		{"Mon Mar 4 10:00:00 2024", "2024-03-04T10:00:00Z"},                // asctime
		{"Mon Mar 4 10:00:00 UTC 2024", "2024-03-04T10:00:00Z"},            // date(1)
		{"2024-03-04T10:00:00+01:00", "2024-03-04T09:00:00Z"},              // RFC 3339
		{"Mon, 4 Mar 2024 10:00 (noon-ish) +0100", "2024-03-04T09:00:00Z"}, // only without the comment
		{"", "0001-01-01T00:00:00Z"},
		{"yesterday", "0001-01-01T00:00:00Z"},
	} {
		got := parseDate(tt.in)
		if got.Format(time.RFC3339) != tt.want || (!got.IsZero() && got.Location() != time.UTC) {
			t.Errorf("parseDate(%q) = %v, want %s", tt.in, got, tt.want)
		}
	}
}

// TestLocalPart: the part before the last "@"; an address starting with
// "@" has an empty one, and a string without "@" is all local part.
func TestLocalPart(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"ann@example.com", "ann"},
		{"a@b@example.com", "a@b"},
		{"@example.com", ""},
		{"mailer-daemon", "mailer-daemon"},
		{"", ""},
	} {
		if got := localPart(tt.in); got != tt.want {
			t.Errorf("localPart(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
