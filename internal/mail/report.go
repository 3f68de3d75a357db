package mail

import (
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// FeedbackReport is the machine-readable part of an abuse feedback report
// (RFC 5965, "ARF"): a mailbox provider telling us a recipient complained.
type FeedbackReport struct {
	Type              string // Feedback-Type, lower-case: abuse, fraud, virus, not-spam, other, ...
	OriginalMessageID string // Message-ID of the reported message, without <>
	OriginalMailFrom  string // Original-Mail-From, lower-cased address
	OriginalRcptTo    string // first Original-Rcpt-To, lower-cased address
	SourceIP          string // Source-IP
	ReportedDomain    string // first Reported-Domain
}

// Receipt is a message disposition notification (RFC 8098, a read
// receipt): the recipient's client saying what happened to our message.
type Receipt struct {
	OriginalMessageID string // Original-Message-ID (else the returned headers' Message-ID), without <>
	Recipient         string // Final-Recipient (else Original-Recipient) address
	Disposition       string // the disposition type, lower-case: displayed, deleted, dispatched, processed
}

// reportType is the report-type of the first multipart/report (RFC 6522)
// in the tree, lower-case, and that part; "" and nil when there is none.
func reportType(root *enmime.Part) (string, *enmime.Part) {
	if root == nil {
		return "", nil
	}
	report := root.DepthMatchFirst(func(p *enmime.Part) bool { return p.ContentType == "multipart/report" })
	if report == nil {
		return "", nil
	}
	// enmime's parser, not mime.ParseMediaType: it reads the malformed
	// lists (";;", stray quotes) real report generators write.
	_, params, _, _ := mediatype.Parse(report.Header.Get("Content-Type"))
	return strings.ToLower(strings.TrimSpace(params["report-type"])), report
}

// partOfType is the first part under root with one of the content types.
func partOfType(root *enmime.Part, types ...string) *enmime.Part {
	if root == nil {
		return nil
	}
	return root.DepthMatchFirst(func(p *enmime.Part) bool {
		for _, t := range types {
			if p.ContentType == t {
				return true
			}
		}
		return false
	})
}

// returnedMessageID is the Message-ID in the returned message or headers
// part that reports (DSN, ARF, MDN) carry as their last part.
func returnedMessageID(root *enmime.Part) string {
	orig := partOfType(root, "message/rfc822", "text/rfc822-headers", "message/rfc822-headers", "message/global", "message/global-headers")
	if orig == nil {
		return ""
	}
	return parseMessageID(readHeaderBlock(orig.Content).fields.get("Message-ID"))
}

// detectFeedback reads an RFC 5965 report: multipart/report with
// report-type=feedback-report, or (as some providers send it) any message
// with a message/feedback-report part.
func detectFeedback(root *enmime.Part) *FeedbackReport {
	rt, report := reportType(root)
	part := partOfType(root, "message/feedback-report")
	if part == nil && rt != "feedback-report" {
		return nil
	}
	if report == nil {
		report = root
	}
	f := &FeedbackReport{}
	if part != nil {
		fields := readHeaderBlock(part.Content).fields
		f.Type = strings.ToLower(strings.TrimSpace(fields.get("Feedback-Type")))
		f.OriginalMailFrom = plainAddress(fields.get("Original-Mail-From"))
		f.OriginalRcptTo = plainAddress(fields.get("Original-Rcpt-To"))
		f.SourceIP = strings.TrimSpace(fields.get("Source-IP"))
		f.ReportedDomain = strings.ToLower(strings.TrimSpace(fields.get("Reported-Domain")))
	}
	f.OriginalMessageID = returnedMessageID(report)
	return f
}

// detectReceipt reads an RFC 8098 disposition notification (RFC 6533's
// message/global-disposition-notification included).
func detectReceipt(root *enmime.Part) *Receipt {
	rt, report := reportType(root)
	part := partOfType(root, "message/disposition-notification", "message/global-disposition-notification")
	if part == nil && rt != "disposition-notification" {
		return nil
	}
	if report == nil {
		report = root
	}
	r := &Receipt{}
	if part != nil {
		fields := readHeaderBlock(part.Content).fields
		r.OriginalMessageID = parseMessageID(fields.get("Original-Message-ID"))
		r.Recipient = typedAddress(fields.get("Final-Recipient"))
		if r.Recipient == "" {
			r.Recipient = typedAddress(fields.get("Original-Recipient"))
		}
		r.Disposition = dispositionType(fields.get("Disposition"))
	}
	if r.OriginalMessageID == "" {
		r.OriginalMessageID = returnedMessageID(report)
	}
	return r
}

// dispositionType takes "manual-action/MDN-sent-manually; displayed/error"
// to "displayed" (RFC 8098 section 3.2.6).
func dispositionType(v string) string {
	_, after, ok := strings.Cut(stripComments(v), ";")
	if !ok {
		return ""
	}
	t, _, _ := strings.Cut(after, "/")
	return strings.ToLower(strings.TrimSpace(t))
}

// plainAddress lower-cases an address that may come in <> or after a type.
func plainAddress(v string) string {
	if as := emailRe.FindAllString(v, 1); len(as) > 0 {
		return strings.ToLower(as[0])
	}
	return typedAddress(v)
}
