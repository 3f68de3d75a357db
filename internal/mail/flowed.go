package mail

import (
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// flowedParams reports whether a text/plain part is format=flowed (RFC
// 3676), as Apple Mail and Thunderbird send plain text, and whether its
// soft breaks carry an extra space (DelSp=yes).
func flowedParams(p *enmime.Part) (flowed, delsp bool) {
	if p.ContentType != "text/plain" && p.ContentType != "" {
		return false, false
	}
	ct := p.Header.Get("Content-Type")
	if !strings.Contains(strings.ToLower(ct), "flowed") {
		return false, false // most parts: spare the parameter parse
	}
	_, params, _, err := mediatype.Parse(ct)
	if err != nil {
		return false, false
	}
	return strings.EqualFold(params["format"], "flowed"), strings.EqualFold(params["delsp"], "yes")
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676
// section 4): a line ending in a space continues on the next line of the
// same quote depth. Without it a client's wrapping splits the author's
// sentences, and a wrapped attribution is harder to see. Space-stuffing is
// undone, the signature separator "-- " stays a line of its own, and
// quoted lines are written back as "> " lines.
func unflow(text string, delsp bool) string {
	lines := strings.Split(normalizeNewlines(text), "\n")
	var out []string
	var cur strings.Builder
	curDepth, open := 0, false
	flush := func() {
		if open {
			out = append(out, quotePrefix(curDepth)+cur.String())
			cur.Reset()
			open = false
		}
	}
	for _, l := range lines {
		depth := 0
		for depth < len(l) && l[depth] == '>' {
			depth++
		}
		content := strings.TrimPrefix(l[depth:], " ") // space-stuffing
		if open && depth != curDepth {
			flush() // a flowed line before a change of depth is fixed
		}
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			content = content[:len(content)-1]
		}
		if content == "-- " {
			flush()
		}
		cur.WriteString(content)
		curDepth, open = depth, true
		if !soft {
			flush()
		}
	}
	flush()
	return strings.Join(out, "\n")
}

func quotePrefix(depth int) string {
	if depth == 0 {
		return ""
	}
	return strings.Repeat(">", depth) + " "
}
