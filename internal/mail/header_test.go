package mail

import (
	"strings"
	"testing"
)

// TestReadHeaderBlock: blank lines before the first field are noise, not the
// end of an empty header; lines skipped before any field are a problem only
// when a header follows (otherwise the input is no mail, which Parse says).
func TestReadHeaderBlock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		names    []string
		body     string
		problems []string
	}{
		{"plain", "From: a\nSubject: s\n\nbody\n", []string{"From", "Subject"}, "body\n", nil},
		{"blank lines first", "\r\n \r\nFrom: a\r\n\r\nbody\r\n", []string{"From"}, "body\r\n", nil},
		{"blank line after a field ends it", "From: a\n\n\nSubject: s\n", []string{"From"}, "\nSubject: s\n", nil},
		{"junk then a field", "junk line\nFrom: a\n\nbody", []string{"From"}, "body", []string{"skipped 1 malformed header line(s)"}},
		{"junk only", "junk line\n more junk\n", nil, "", nil},
		{"no blank line", "From: a\nbody text\n", []string{"From"}, "body text\n", []string{"header section not terminated by a blank line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hb := readHeaderBlock([]byte(tt.in))
			var names []string
			for _, f := range hb.fields {
				names = append(names, f.name)
			}
			eq(t, "fields", strings.Join(names, ","), strings.Join(tt.names, ","))
			eq(t, "body", string(hb.body), tt.body)
			eq(t, "problems", hb.problems, tt.problems)
		})
	}
}
