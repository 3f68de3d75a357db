package mail

import (
	"regexp"
	"strings"
)

var (
	// Attribution lines on one line: "On Mon, 4 Mar 2024, Ann <a@x> wrote:".
	attributionRe = regexp.MustCompile(`(?i)^\s*(on\s.+\swrote|am\s.+\sschrieb.*|le\s.+\sa\s+écrit|el\s.+\sescribió|il\s.+\sha\s+scritto|op\s.+\sschreef.*)\s*:\s*$`)
	// The first half of an attribution wrapped over two lines.
	attributionStartRe = regexp.MustCompile(`(?i)^\s*(on|am|le|el|il|op)\s`)
	// The second half of a wrapped attribution.
	attributionEndRe = regexp.MustCompile(`(?i)(^|\s)(wrote|schrieb.*|a\s+écrit|escribió|ha\s+scritto|schreef.*)\s*:\s*$`)

	// Outlook's plain-text separators, English and a few locales.
	originalMessageRe = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|forwarded message|weitergeleitete nachricht)\s*-{2,}\s*$`)
	underscoreLineRe  = regexp.MustCompile(`^\s*_{10,}\s*$`)
	hdrFromRe         = regexp.MustCompile(`(?i)^\s*\*?(from|von|de|van|da|från|fra)\s*:\*?\s*\S`)
	hdrSentRe         = regexp.MustCompile(`(?i)^\s*\*?(sent|date|gesendet|datum|envoyé|enviado|fecha|verzonden|inviato|data|skickat|sendt)\s*:`)
	hdrSubjectRe      = regexp.MustCompile(`(?i)^\s*\*?(subject|betreff|objet|asunto|onderwerp|oggetto|ämne|emne)\s*:`)
)

// VisibleText returns the new content of a plain-text reply: quoted lines,
// attribution lines, Outlook-style quoted history and the signature are
// removed. Inline replies keep the new lines between quotes. When stripping
// would leave nothing (a bare forward, say) the trimmed original is
// returned, because an empty ticket message helps nobody.
func VisibleText(text string) string {
	lines := strings.Split(normalizeNewlines(text), "\n")
	lines = lines[:cutIndex(lines)]

	var kept []string
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if isQuoted(l) {
			continue
		}
		if attributionRe.MatchString(l) {
			continue
		}
		if i+1 < len(lines) && attributionStartRe.MatchString(l) && !strings.HasSuffix(strings.TrimSpace(l), ".") &&
			attributionEndRe.MatchString(lines[i+1]) && len(l)+len(lines[i+1]) < 300 {
			i++ // the wrapped second half goes too
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
// which nothing new is expected: Outlook separators and header blocks, an
// unquoted history after an attribution line, and the signature.
func cutIndex(lines []string) int {
	for i, l := range lines {
		switch {
		case l == "-- " || strings.TrimRight(l, " \t") == "--":
			return i
		case originalMessageRe.MatchString(l):
			return i
		case underscoreLineRe.MatchString(l) && hdrFromRe.MatchString(nextNonBlank(lines, i+1)):
			return i
		case hdrFromRe.MatchString(l) && isHeaderBlock(lines[i:]):
			return i
		case attributionRe.MatchString(l) && !isQuoted(nextNonBlank(lines, i+1)) && nextNonBlank(lines, i+1) != "":
			// "On ... wrote:" followed by unquoted text: the client pasted
			// the history without ">" markers.
			return i
		}
	}
	return len(lines)
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
