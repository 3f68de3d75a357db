package mail

import (
	"strings"
)

// VisibleText returns the new content of a plain-text reply: quoted lines,
// attribution lines, Outlook-style quoted history and the signature are
// removed. Inline replies keep the new lines between quotes. When stripping
// would leave nothing (a bare forward, say) the trimmed original is
// returned, because an empty ticket message helps nobody.
func VisibleText(text string) string {
	lines := strings.Split(normalizeNewlines(text), "\n")
	attrs := findAttributions(lines)
	lines = lines[:cutIndex(lines, attrs)]

	var kept []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if isQuoted(l) {
			continue
		}
		if start := attrs[i].start; start >= 0 && quoteOrEndAfter(lines, i+1) {
			// The attribution of a quote: drop it and any wrapped first
			// half already kept.
			kept = kept[:max(0, len(kept)-(i-start))]
			continue
		}
		kept = append(kept, strings.TrimRight(l, " \t"))
	}
	out := trimBlankLines(collapseBlankLines(kept))
	if out == "" {
		return trimBlankLines(collapseBlankLines(strings.Split(normalizeNewlines(text), "\n")))
	}
	return out
}

func isQuoted(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

// cutIndex is the first line of history that has no quote markers, after
// which nothing new is expected: the signature (the "-- " delimiter or a
// phone's "Sent from my ..."), Outlook separators and header blocks, and an
// attribution followed by history the client pasted without ">" markers.
func cutIndex(lines []string, attrs []attribution) int {
	for i, l := range lines {
		if isQuoted(l) {
			continue // none of the markers below is ever quoted
		}
		switch {
		case l == "-- " || strings.TrimRight(l, " \t") == "--":
			return i
		case mightBeMobileSignature(l) && mobileSignatureRe().MatchString(l):
			return i
		case hasRun(l) && (originalMessageRe().MatchString(l) ||
			underscoreLineRe.MatchString(l) && hdrFromRe.MatchString(nextNonBlank(lines, i+1))):
			return i
		case !strings.ContainsAny(l, ":："):
			// The rest all need a colon.
		case forwardedIntroRe().MatchString(l):
			return i
		case hdrFromRe.MatchString(l) && isHeaderBlock(lines[i:]):
			return i
		}
		if a := attrs[i]; a.certain && !quoteOrEndAfter(lines, i+1) {
			return a.start
		}
	}
	return len(lines)
}

// attribution is the block of lines an attribution ending at a line takes.
type attribution struct {
	start   int  // first line, -1 when no attribution ends here
	certain bool // see attributionAt
}

func findAttributions(lines []string) []attribution {
	out := make([]attribution, len(lines))
	for i := range lines {
		out[i].start, out[i].certain = attributionAt(lines, i)
	}
	return out
}

// The regexps of cutIndex are costly (dozens of languages, case-folded)
// and run on every line of every message, so each is tried only on lines
// that have what it needs.

// maxSignatureLine bounds the lines tried against mobileSignatureRe: its
// longest form is well under this.
const maxSignatureLine = 160

// mobileSignatureWords: every form of mobileSignatureRe has one of these.
var mobileSignatureWords = []string{"sent", "gesendet", "envoy", "enviado", "inviato", "verzonden", "verstuurd", "wysłane",
	"skickat", "sendt", "lähetetty", "odesláno", "отправлено", "gönderildi", "送信", "发送", "發送", "傳送", "发自", "outlook"}

func mightBeMobileSignature(l string) bool {
	if len(l) > maxSignatureLine {
		return false
	}
	l = strings.ToLower(l)
	for _, w := range mobileSignatureWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// hasRun: two separator characters in a row ([-_=*]{2}), which every
// separator line has.
func hasRun(l string) bool {
	for i := 0; i+1 < len(l); i++ {
		if strings.IndexByte("-_=*", l[i]) >= 0 && strings.IndexByte("-_=*", l[i+1]) >= 0 {
			return true
		}
	}
	return false
}

// quoteOrEndAfter: the next non-blank line from "from" on is quoted, or
// there is none.
func quoteOrEndAfter(lines []string, from int) bool {
	next := nextNonBlank(lines, from)
	return next == "" || isQuoted(next)
}

// isHeaderBlock reports whether lines start with a quoted message's header
// block: From: then a Sent/Date and a Subject within the next few lines.
func isHeaderBlock(lines []string) bool {
	sent, subject := false, false
	for j := 1; j < len(lines) && j <= 7; j++ {
		if hdrSentRe.MatchString(lines[j]) {
			sent = true
		}
		if hdrSubjectRe.MatchString(lines[j]) {
			subject = true
		}
	}
	return sent && subject
}

func nextNonBlank(lines []string, from int) string {
	for j := from; j < len(lines); j++ {
		if strings.TrimSpace(lines[j]) != "" {
			return lines[j]
		}
	}
	return ""
}

// collapseBlankLines keeps at most one blank line in a row; removing quotes
// from an inline reply otherwise leaves holes.
func collapseBlankLines(lines []string) []string {
	out := lines[:0:0]
	blank := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			if blank {
				continue
			}
			blank = true
			out = append(out, "")
			continue
		}
		blank = false
		out = append(out, strings.TrimRight(l, " \t"))
	}
	return out
}

func trimBlankLines(lines []string) string {
	start, end := 0, len(lines)
	for start < end && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	for end > start && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	return strings.Join(lines[start:end], "\n")
}
