package mail

import (
	"net/textproto"
	"testing"

	"github.com/jhillyerd/enmime/v2"
)

func TestUnflow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		delsp    bool
		want     string
	}{
		{"soft break joins", "one two \nthree\n", false, "one two three\n"},
		{"hard break stays", "one\ntwo\n", false, "one\ntwo\n"},
		{"delsp drops the space", "Wort- \nteil\n", true, "Wort-teil\n"},
		{"quoted soft break", "> quoted \n> text\n", false, "> quoted text\n"},
		{"depth change ends the paragraph", "> quoted \nnew\n", false, "> quoted \nnew\n"},
		{"nested quotes", ">> deep \n>> er\n> one\n", false, ">> deep er\n> one\n"},
		{"space-stuffing undone", " From here\n", false, "From here\n"},
		{"signature separator stays", "text \n-- \nAnn\n", false, "text \n-- \nAnn\n"},
		{"crlf", "a \r\nb\r\n", false, "a b\n"},
		{"wrapped attribution", "On Mon, Ann \nwrote:\n> q\n", false, "On Mon, Ann wrote:\n> q\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			eq(t, "unflow", unflow(tt.in, tt.delsp), tt.want)
		})
	}
}

// TestFlowedParams: only a text/plain part (or one enmime gave no type) is
// unflowed; an HTML part that says format=flowed is not (its line breaks
// are no text's).
func TestFlowedParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ctype, header string
		flowed, delsp       bool
	}{
		{"plain flowed", "text/plain", "text/plain; format=flowed", true, false},
		{"plain flowed delsp", "text/plain", "text/plain; format=Flowed; DelSp=yes", true, true},
		{"plain fixed", "text/plain", "text/plain; format=fixed", false, false},
		{"no type from enmime", "", "text/plain; format=flowed", true, false},
		{"html says flowed", "text/html", "text/html; format=flowed", false, false},
		{"flowed in another parameter", "text/plain", "text/plain; name=flowed.txt", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &enmime.Part{ContentType: tt.ctype, Header: textproto.MIMEHeader{"Content-Type": {tt.header}}}
			flowed, delsp := flowedParams(p)
			if flowed != tt.flowed || delsp != tt.delsp {
				t.Errorf("flowedParams(%q) = %v, %v; want %v, %v", tt.header, flowed, delsp, tt.flowed, tt.delsp)
			}
		})
	}
}
