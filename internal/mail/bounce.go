package mail

import (
	"bytes"
	"mime"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// detectBounce recognises RFC 3464 delivery status notifications first and
// falls back to the free-text bounces older MTAs (qmail, Exim) still send.
func detectBounce(m *Message, h header, root *enmime.Part, dec *mime.WordDecoder) *Bounce {
	if root != nil {
		if b := dsnBounce(h, root, dec); b != nil {
			return b
		}
	}
	return textBounce(m, root)
}

var statusRe = regexp.MustCompile(`\b([245]\.\d{1,3}\.\d{1,3})\b`)

func dsnBounce(h header, root *enmime.Part, _ *mime.WordDecoder) *Bounce {
	reportType, report := reportType(root)
	if report == nil {
		return nil
	}
	status := report.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "message/delivery-status" || p.ContentType == "message/global-delivery-status"
	})
	if status == nil && reportType != "delivery-status" {
		// e.g. disposition-notification (read receipts): not a bounce.
		return nil
	}
	b := &Bounce{}
	var perMessage header
	if status != nil {
		blocks := fieldBlocks(status.Content)
		var rcpt header
		for i, blk := range blocks {
			isRcpt := blk.has("Final-Recipient") || blk.has("Original-Recipient") || blk.has("Action")
			if !isRcpt {
				if i == 0 {
					perMessage = blk
				}
				continue
			}
			if rcpt == nil || (!strings.EqualFold(rcpt.get("Action"), "failed") && strings.EqualFold(blk.get("Action"), "failed")) {
				rcpt = blk
			}
		}
		if rcpt != nil {
			b.Recipient = typedAddress(rcpt.get("Final-Recipient"))
			if b.Recipient == "" {
				b.Recipient = typedAddress(rcpt.get("Original-Recipient"))
			}
			b.Action = strings.ToLower(strings.TrimSpace(rcpt.get("Action")))
			b.Status = statusRe.FindString(rcpt.get("Status"))
			b.Diagnostic = diagnosticText(rcpt.get("Diagnostic-Code"))
		}
	}
	orig := report.DepthMatchFirst(func(p *enmime.Part) bool {
		switch p.ContentType {
		case "message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/global", "message/global-headers":
			return true
		}
		return false
	})
	if orig != nil {
		b.OriginalMessageID = parseMessageID(readHeaderBlock(orig.Content).fields.get("Message-ID"))
	}
	if b.OriginalMessageID == "" {
		b.OriginalMessageID = parseMessageID(perMessage.get("Original-Envelope-Id"))
	}
	if b.OriginalMessageID == "" {
		b.OriginalMessageID = parseMessageID(h.get("X-Original-Message-ID"))
	}
	return b
}

// fieldBlocks splits a message/delivery-status body into its blank-line
// separated groups of fields.
func fieldBlocks(content []byte) []header {
	var out []header
	rest := content
	for len(bytes.TrimSpace(rest)) > 0 {
		hb := readHeaderBlock(rest)
		if len(hb.fields) > 0 {
			out = append(out, hb.fields)
		}
		if len(hb.body) >= len(rest) {
			break // no progress: malformed tail
		}
		rest = hb.body
	}
	return out
}

// typedAddress turns "rfc822; User@Example.org" into "user@example.org".
func typedAddress(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[i+1:]
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>"))
}

// diagnosticText drops the "smtp;" type prefix and folds whitespace.
func diagnosticText(v string) string {
	if i := strings.IndexByte(v, ';'); i >= 0 && i < 12 && !strings.ContainsAny(v[:i], " \t") {
		v = v[i+1:]
	}
	return collapseSpace(v)
}

var (
	bounceSubjectRe = regexp.MustCompile(`(?i)(undeliver|delivery status notification|delivery (failure|failed|has failed|problem|incomplete)|returned mail|failure notice|mail delivery failed|could not be delivered|non[- ]?delivery|delivery delayed|warning: message)`)
	bounceBodyRe    = regexp.MustCompile(`(?i)(qmail-send program|this is the mail system at host|mail delivery (system|subsystem|software)|could not be delivered|permanent error|following address(es)? failed|wasn't able to deliver|delivery to the following recipient)`)
	delayRe         = regexp.MustCompile(`(?i)(delayed|will (continue|keep) trying|still trying|has not yet been delivered)`)
	qmailRcptRe     = regexp.MustCompile(`(?m)^<([^<>\s]+@[^<>\s]+)>:`)
	eximRcptRe      = regexp.MustCompile(`(?m)^[ \t]+<?([^\s<>@:]+@[^\s<>:]+?)>?:?[ \t]*$`)
	smtpReplyRe     = regexp.MustCompile(`(?m)^[ \t]*([45]\d\d[ -][^\n]*)$`)
	bodyMsgIDRe     = regexp.MustCompile(`(?im)^Message-ID:[ \t]*<([^<>\s]+)>`)
)

// textBounce is the best-effort reading of a non-DSN bounce: it needs both a
// robot sender (MAILER-DAEMON, postmaster or the null sender) and wording
// that says delivery failed, so ordinary postmaster mail is not a bounce.
func textBounce(m *Message, root *enmime.Part) *Bounce {
	lp := strings.ToLower(localPart(m.From.Email))
	if lp != "mailer-daemon" && lp != "postmaster" && !isNullReversePath(m.ReturnPath) {
		return nil
	}
	if !bounceSubjectRe.MatchString(m.Subject) && !bounceBodyRe.MatchString(m.Text) {
		return nil
	}
	b := &Bounce{Action: "failed"}
	if delayRe.MatchString(m.Subject) || delayRe.MatchString(firstLines(m.Text, 20)) {
		b.Action = "delayed"
	}
	text := m.Text
	if s := statusRe.FindStringSubmatch(text); s != nil {
		b.Status = s[1]
	}
	if r := qmailRcptRe.FindStringSubmatchIndex(text); r != nil {
		b.Recipient = strings.ToLower(text[r[2]:r[3]])
		// qmail puts the remote server's words on the next line.
		if next := strings.TrimSpace(firstLines(strings.TrimLeft(text[r[1]:], "\r\n"), 1)); next != "" {
			b.Diagnostic = collapseSpace(next)
		}
	} else if r := eximRcptRe.FindStringSubmatch(text); r != nil {
		b.Recipient = strings.ToLower(r[1])
	}
	if d := smtpReplyRe.FindStringSubmatch(text); d != nil && b.Diagnostic == "" {
		b.Diagnostic = collapseSpace(d[1])
	}
	if root != nil {
		if orig := root.DepthMatchFirst(func(p *enmime.Part) bool { return p.ContentType == "message/rfc822" }); orig != nil {
			b.OriginalMessageID = parseMessageID(readHeaderBlock(orig.Content).fields.get("Message-ID"))
		}
	}
	if b.OriginalMessageID == "" {
		if id := bodyMsgIDRe.FindStringSubmatch(text); id != nil {
			b.OriginalMessageID = id[1]
		}
	}
	return b
}

func firstLines(s string, n int) string {
	for i, c := 0, 0; i < len(s); i++ {
		if s[i] == '\n' {
			if c++; c == n {
				return s[:i]
			}
		}
	}
	return s
}
