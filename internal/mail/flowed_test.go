package mail

import "testing"

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
