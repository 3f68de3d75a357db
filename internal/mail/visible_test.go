package mail

import "testing"

func TestVisibleText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello\n", "Hello"},
		{"quote lines", "Answer\n\n> question\n> more", "Answer"},
		{"attribution", "Yes.\n\nOn Mon, 4 Mar 2024 at 10:00, Ann <a@x.com> wrote:\n> q", "Yes."},
		{"attribution wrapped", "Yes.\n\nOn Mon, 4 Mar 2024 at 10:00, Ann Long-Name\n<a@x.com> wrote:\n> q", "Yes."},
		{"german", "Ja.\nAm 04.03.2024 um 10:00 schrieb Ann <a@x.de>:\n> q", "Ja."},
		{"french", "Oui.\nLe lun. 4 mars 2024 à 10:00, Ann <a@x.fr> a écrit :\n> q", "Oui."},
		{"attribution without quote markers", "Yes.\n\nOn Mon, Ann wrote:\nold text without markers", "Yes."},
		{"original message", "New.\n-----Original Message-----\nFrom: x\nold", "New."},
		{"german original message", "Neu.\n-----Ursprüngliche Nachricht-----\nVon: x\nalt", "Neu."},
		{"outlook block", "New.\n\nFrom: A <a@x>\nSent: Monday\nTo: B\nSubject: S\n\nold", "New."},
		{"underscore separator", "New.\n\n________________________________\nFrom: A <a@x>\nSent: Monday\nold", "New."},
		{"signature dash dash space", "Text\n-- \nSig", "Text"},
		{"signature dash dash", "Text\n--\nSig", "Text"},
		{"inline reply", "> q1\na1\n> q2\n\na2\n> q3", "a1\n\na2"},
		{"crlf", "Line 1\r\nLine 2\r\n> q\r\n", "Line 1\nLine 2"},
		{"only quotes falls back", "> only\n> quoted\n", "> only\n> quoted"},
		{"only signature falls back", "-- \nSig only", "--\nSig only"},
		{"blank lines trimmed", "\n\n  \nHi\n\n\n\nthere\n\n", "Hi\n\nthere"},
		{"empty", "", ""},
		{"not a header block", "From: my desk I can see\nthe printer burning.", "From: my desk I can see\nthe printer burning."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eq(t, "VisibleText", VisibleText(tt.in), tt.want)
		})
	}
}

func TestVisibleTextFromHTML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"gmail", `<div dir="ltr">New</div><div class="gmail_quote"><div class="gmail_attr">On X wrote:</div><blockquote class="gmail_quote">old</blockquote></div>`, "New"},
		{"gmail signature", `<div>New</div><div class="gmail_signature">Sig</div>`, "New"},
		{"apple", `New<blockquote type="cite">old</blockquote>`, "New"},
		{"thunderbird", `<p>New</p><div class="moz-cite-prefix">On X, Y wrote:</div><blockquote type="cite">old</blockquote>`, "New"},
		{"outlook web", `<div>New</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> x</div><div>old</div>`, "New"},
		{"outlook nested cut", `<div><div>New</div><div><div id="divRplyFwdMsg">From: x</div><p>old 1</p></div><p>old 2</p></div>`, "New"},
		{"outlook desktop border-top", `<p class=MsoNormal>New</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> x</p></div><p>old</p>`, "New"},
		{"generic trailing blockquote", `<p>New</p><p>On Monday Bob wrote:</p><blockquote>old</blockquote>`, "New"},
		{"inline html reply", `<blockquote>q1</blockquote><p>a1</p><blockquote>q2</blockquote><p>a2</p>`, "a1\n\na2"},
		{"dash signature", `<div>New<br>-- <br>Sig</div>`, "New"},
		{"breaks and paragraphs", `<p>One<br>Two</p><p>Three</p><div>Four</div>`, "One\nTwo\n\nThree\n\nFour"},
		{"entities and nbsp", `<p>a&amp;b&nbsp;&lt;c&gt;</p>`, "a&b <c>"},
		{"scripts invisible", `<style>p{}</style><script>x()</script><p>Body</p>`, "Body"},
		{"only quote falls back", `<blockquote type="cite">old only</blockquote>`, "> old only"},
		{"empty", ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eq(t, "VisibleTextFromHTML", VisibleTextFromHTML(tt.in), tt.want)
		})
	}
}
