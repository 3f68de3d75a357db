package mail

import (
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// Reason says why a message is automatic; "" is mail a person wrote. It is
// what the "Automatic mail" list shows and what keeps a message from being
// acknowledged, answered by a rule or queued as a new ticket.
type Reason string

// The reasons, from most to least specific. A message with several signals
// gets the first that applies, so the reason is stable.
const (
	// ReasonBounce: a delivery status notification (RFC 3464/6522) or an
	// MTA's free-text bounce. Message.Bounce says what bounced.
	ReasonBounce Reason = "bounce"
	// ReasonFeedbackReport: an abuse feedback report (RFC 5965).
	ReasonFeedbackReport Reason = "feedback_report"
	// ReasonReceipt: a read receipt (RFC 8098 disposition notification).
	ReasonReceipt Reason = "receipt"
	// ReasonSpam: a filter in front of us marked the message as spam.
	ReasonSpam Reason = "spam"
	// ReasonAutoReply: any other automatic mail: out-of-office and
	// challenge-response replies, RFC 3834 auto-submitted mail, list and
	// bulk mail, robot senders and the null reverse path.
	ReasonAutoReply Reason = "auto_reply"
	// ReasonLoop is never set by Parse: a reply loop (one sender, many
	// messages a minute to one ticket) needs the message history, which
	// ingest has. It is declared here so every reason lives in one place.
	ReasonLoop Reason = "loop"
)

// robotLocalParts are sender local parts that never belong to a person who
// expects an acknowledgement; answering them risks mail loops.
var robotLocalParts = map[string]bool{
	"mailer-daemon": true,
	"postmaster":    true,
	"no-reply":      true,
	"noreply":       true,
	"do-not-reply":  true,
	"donotreply":    true,
	"no_reply":      true,
	"do_not_reply":  true,
}

// robotPrefixes start the local parts of senders that are robots by
// name: "noreply-billing", "bounces+1234" (VERP return addresses).
var robotPrefixes = []string{"noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "do_not_reply",
	"bounce+", "bounces+"}

// robotSender is the robot name a sender's local part carries, or "".
// Exchange Online sends its reports from "MicrosoftExchange" and 32 hex
// digits.
func robotSender(lp string) string {
	if robotLocalParts[lp] || lp == "bounce" || lp == "bounces" {
		return lp
	}
	for _, p := range robotPrefixes {
		if strings.HasPrefix(lp, p) {
			return strings.TrimRight(p, "+")
		}
	}
	if rest, ok := strings.CutPrefix(lp, "microsoftexchange"); ok && len(rest) == 32 && strings.Trim(rest, "0123456789abcdef") == "" {
		return "microsoftexchange"
	}
	return ""
}

// classify sets Feedback, Receipt, Reason and Auto. Bounce must already be
// set. Auto keeps the short signal (e.g. "auto-submitted: auto-replied")
// that decided the reason; it is non-empty exactly when Reason is.
func classify(m *Message, h header, root *enmime.Part) {
	m.Feedback = detectFeedback(root)
	if m.Feedback == nil {
		m.Receipt = detectReceipt(root)
	}
	m.Reason, m.Auto = classifyReason(m, h, root, false)
	m.OffListReason, m.OffListAuto = m.Reason, m.Auto
	if isListSignal(m.Auto) {
		m.OffListReason, m.OffListAuto = classifyReason(m, h, root, true)
	}
}

// isListSignal: the signal is one a mailing list adds to every message it
// delivers, whoever wrote it.
func isListSignal(auto string) bool {
	return auto == "precedence: list" || auto == "list-id" || auto == "list-unsubscribe"
}

func classifyReason(m *Message, h header, root *enmime.Part, offList bool) (Reason, string) {
	switch {
	case m.Bounce != nil:
		return ReasonBounce, "bounce"
	case m.Feedback != nil:
		return ReasonFeedbackReport, strings.TrimSpace("feedback-report: " + m.Feedback.Type)
	case m.Receipt != nil:
		return ReasonReceipt, strings.TrimSpace("disposition-notification: " + m.Receipt.Disposition)
	}
	if s := spamSignal(h); s != "" {
		return ReasonSpam, s
	}
	if s := autoReplySignal(m, h, root, offList); s != "" {
		return ReasonAutoReply, s
	}
	return "", ""
}

// spamSignal is the verdict of SpamAssassin (X-Spam-Flag: YES, X-Spam-Status:
// Yes, score=...) or Rspamd (X-Spam: Yes). Any filter saying yes wins: a
// second hop that says no did not look harder than the first.
func spamSignal(h header) string {
	for _, name := range []string{"X-Spam-Flag", "X-Spam-Status", "X-Spam"} {
		for _, v := range h.values(name) {
			word, _, _ := strings.Cut(strings.TrimSpace(v), ",")
			if strings.EqualFold(strings.TrimSpace(word), "yes") {
				return strings.ToLower(name) + ": yes"
			}
		}
	}
	return ""
}

// autoReplySignal checks RFC 3834 and the de facto headers first (the
// order of ARCHITECTURE §4, kept so stored reasons stay the same), then the
// envelope, then the shapes auto-responders have without any header.
func autoReplySignal(m *Message, h header, root *enmime.Part, offList bool) string {
	if h.has("Auto-Submitted") {
		v := strings.ToLower(strings.TrimSpace(stripComments(h.get("Auto-Submitted"))))
		if i := strings.IndexByte(v, ';'); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		if v != "no" {
			if v == "" {
				v = "present"
			}
			return "auto-submitted: " + v
		}
	}
	if v := strings.ToLower(strings.TrimSpace(h.get("Precedence"))); v != "" {
		switch v {
		case "bulk", "junk", "list", "auto_reply", "auto-reply":
			if !offList || !isListSignal("precedence: "+v) {
				return "precedence: " + v
			}
		}
	}
	for _, name := range []string{"List-Id", "List-Unsubscribe"} {
		if h.has(name) && !offList {
			return strings.ToLower(name)
		}
	}
	for _, name := range autoHeaders {
		if h.has(name) {
			return strings.ToLower(name)
		}
	}
	if isNullReversePath(m.ReturnPath) {
		return "null return-path"
	}
	for _, a := range senderAddresses(m, h) {
		if r := robotSender(strings.ToLower(localPart(a))); r != "" {
			return "sender: " + r
		}
	}
	if rt, _ := reportType(root); rt != "" {
		return "report: " + rt // a multipart/report of a kind we do not read
	}
	if s := autoSubjectSignal(m.Subject); s != "" {
		return s
	}
	// The visible text only: a person forwarding a challenge to ask what it
	// is quotes the same words below their own.
	if isChallenge(m.Subject, m.VisibleText) {
		return "challenge-response"
	}
	return ""
}

// isNullReversePath: the Return-Path a final delivery wrote for MAIL
// FROM:<> (RFC 5321 section 4.4): "<>", qmail's "<#@[]>", and sendmail's
// bare "<MAILER-DAEMON>" without a domain.
func isNullReversePath(rp string) bool {
	return rp == "<>" || rp == "#@[]" || rp == "mailer-daemon"
}

// autoHeaders mark auto-responders that predate RFC 3834: X-Autoreply
// (Apple iCloud, Yandex, many vacation scripts), X-Autorespond, Exchange's
// X-Auto-Response-Suppress (set on its own automatic replies), the older
// vacation(1) X-Mail-Autoreply, FirstClass's X-FC-MachineGenerated, and
// Lotus Domino's $AutoSubmitted item when a gateway exports it as a field.
var autoHeaders = []string{
	"X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress",
	"X-Mail-Autoreply", "X-Autoreply-From", "X-FC-MachineGenerated", "$AutoSubmitted",
}

var (
	// autoSubjectRe: the subject prefixes that Exchange/Outlook (in each
	// language they ship), Zimbra, Gmail's and Apple's vacation templates put
	// on out-of-office replies. Only a prefix followed by a colon counts: "Out
	// of office question" is a person's subject.
	autoSubjectRe = lazyRegexp(`(?i)^\s*(automatic reply|auto[- ]?reply|auto[- ]?response|out of (the )?office( auto ?reply| reply)?|vacation reply|` +
		`automatische antwort|autom\. antwort|abwesenheitsnotiz|abwesend|` +
		`réponse automatique( d'absence du bureau)?|absence du bureau|` +
		`respuesta automática|fuera de la oficina|resposta automática|ausência temporária|fora do escritório|` +
		`risposta automatica|fuori sede|automatisch antwoord|afwezig|` +
		`odpowiedź automatyczna|automatyczna odpowiedź|automatiskt svar|frånvaro|automatisk svar|autosvar|fravær(ende)?|` +
		`automaattinen vastaus|automatická odpověď|автоматический ответ|автоответ|otomatik yanıt|otomatik cevap|` +
		`自動応答|自動返信|不在通知|自动回复|自動回覆|自動回复)\s*[:：]`)
	// lotusSubjectRe is Lotus Notes/Domino's out-of-office agent: "AUTO: Ann
	// Smith is out of the office (returning 04.03.2024)", upper-case AUTO.
	lotusSubjectRe = regexp.MustCompile(`^\s*AUTO:\s.*(?i:out of (the )?office|außer haus|abwesend|absent|ausente|assente|afwezig|frånvarande)`)
)

func autoSubjectSignal(subject string) string {
	if m := autoSubjectRe().FindStringSubmatch(subject); m != nil {
		return "subject: " + strings.ToLower(m[1])
	}
	if lotusSubjectRe.MatchString(subject) {
		return "subject: auto"
	}
	return ""
}

// challengePhrases are the phrases of challenge-response filters (Spam
// Arrest, Boxbe, TMDA, Mailwasher, ISP "sender verification"): each asks
// the sender to prove being a person before the message is delivered. The
// text is lower-cased first, and a phrase's regexp only runs when one of its
// words is there: this check runs on every person's mail.
var challengePhrases = []struct {
	words []string
	re    *regexp.Regexp
}{
	{[]string{"you are"}, regexp.MustCompile(`\b(verify|confirm|prove) (that )?you are (a )?(human|real|person|not a (robot|spammer))`)},
	{[]string{"list", "approved sender", "safe sender", "trusted sender"},
		regexp.MustCompile(`\b(approved senders?|white ?list(ed)?|allow ?list(ed)?|safe senders? list|trusted senders? list)\b`)},
	{[]string{"verification", "challenge", "spam arrest", "boxbe", "tmda"},
		regexp.MustCompile(`\b(sender verification|verification request|challenge[- ]response|spam arrest|boxbe|tmda)\b`)},
	{[]string{"delivered"}, regexp.MustCompile(`\b(will|can) (only )?be delivered (once|after|when|as soon as) you\b`)},
	{[]string{"until you", "unless you"}, regexp.MustCompile(`\b(held|on hold|pending|quarantined) (until|unless) you (confirm|verify|reply|click)`)},
}

// isChallenge needs two different phrases: one alone turns up in a person's
// mail about spam filters, two together only in the filter's own notice.
func isChallenge(subject, text string) bool {
	if len(text) > 4000 {
		text = text[:4000]
	}
	s := strings.ToLower(subject + "\n" + text)
	n := 0
	for _, p := range challengePhrases {
		for _, w := range p.words {
			if strings.Contains(s, w) {
				if p.re.MatchString(s) {
					n++
				}
				break
			}
		}
	}
	return n >= 2
}

// senderAddresses are the From and Sender mailboxes.
func senderAddresses(m *Message, h header) []string {
	out := []string{m.From.Email}
	for _, v := range h.values("Sender") {
		for _, a := range emailRe.FindAllString(v, -1) {
			out = append(out, strings.ToLower(a))
		}
	}
	return out
}

// RobotAddress is the robot name an address's local part carries
// (MAILER-DAEMON, no-reply, bounces+...), or "" for an address a person
// may read: mail Ticketer sends unasked (a survey) never goes to a robot.
func RobotAddress(addr string) string {
	return robotSender(strings.ToLower(localPart(addr)))
}
