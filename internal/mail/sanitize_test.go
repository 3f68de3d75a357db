package mail

import (
	"strings"
	"testing"
)

// forbidden are fragments that must never survive sanitizing.
var forbidden = []string{
	"<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "vbscript:",
	"expression(", "<svg", "<math", "<form", "<input", "<iframe", "<object", "<embed",
	"<meta", "<base", "<link", "<style", "style=", "data:text", "data:image/svg", "alert(",
}

func assertInert(t *testing.T, out string) {
	t.Helper()
	low := strings.ToLower(out)
	for _, f := range forbidden {
		if strings.Contains(low, f) {
			t.Errorf("sanitized output contains %q: %s", f, out)
		}
	}
}

func TestSanitizeHTML(t *testing.T) {
	tests := []struct {
		name, in   string
		want       []string // must appear
		mustNotHas []string
	}{
		{"script", `<p>hi</p><script>alert(1)</script>`, []string{"<p>hi</p>"}, nil},
		{"onerror", `<img src="https://example.com/x.png" onerror="alert(1)">`, []string{`<img src="https://example.com/x.png"`}, nil},
		{"javascript href", `<a href="javascript:alert(1)">x</a><a href=" JAVASCRIPT:alert(1)">y</a>`, nil, []string{"href"}},
		{"entity-encoded javascript", `<a href="jav&#x09;ascript:alert(1)">x</a>`, nil, []string{"href"}},
		{"css expression", `<div style="width:expression(alert(1))">x</div><style>*{x:expression(alert(2))}</style>`, []string{"<div>x</div>"}, nil},
		{"svg script", `<svg onload="alert(1)"><script>alert(2)</script></svg>ok`, []string{"ok"}, nil},
		{"form", `<form action="https://evil"><input type="password" name="p"></form>`, nil, []string{"action"}},
		{"iframe", `<iframe src="https://evil"></iframe>`, nil, []string{"evil"}},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=https://evil">x`, []string{"x"}, []string{"refresh"}},
		{"base href", `<base href="https://evil/"><a href="/x">rel</a>`, []string{"rel"}, []string{"evil"}},
		{"data url link", `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, nil, []string{"href"}},
		{"data png image kept", `<img src="data:image/png;base64,iVBORw0KGgo=">`, []string{`src="data:image/png;base64,iVBORw0KGgo="`}, nil},
		{"data svg image dropped", `<img src="data:image/svg+xml;base64,PHN2Zz4=">`, nil, []string{"src"}},
		{"data png in href dropped", `<a href="data:image/png;base64,iVBORw0KGgo=">x</a>`, nil, []string{"href"}},
		{"cid image kept", `<img src="cid:logo@x">`, []string{`src="cid:logo@x"`}, nil},
		{"remote image kept", `<img src="https://example.com/a.png">`, []string{`src="https://example.com/a.png"`}, nil},
		{"link rel and target", `<a href="https://example.com">x</a>`, []string{`nofollow`, `noreferrer`, `noopener`, `target="_blank"`}, nil},
		{"tables kept", `<table border="1" cellpadding="2"><tr><td bgcolor="#fff" colspan="2">c</td></tr></table>`, []string{"<table", "<td", `bgcolor="#fff"`, `colspan="2"`}, nil},
		{"formatting kept", `<b>b</b><i>i</i><u>u</u><ul><li>l</li></ul><blockquote>q</blockquote><font color="red">f</font>`, []string{"<b>b</b>", "<i>i</i>", "<li>l</li>", "<blockquote>q</blockquote>", `<font color="red">`}, nil},
		{"no id or class", `<div id="app" class="admin">x</div>`, []string{"<div>x</div>"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := SanitizeHTML(tt.in)
			assertInert(t, out)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output %q lacks %q", out, w)
				}
			}
			for _, n := range tt.mustNotHas {
				if strings.Contains(strings.ToLower(out), n) {
					t.Errorf("output %q contains %q", out, n)
				}
			}
		})
	}
}
