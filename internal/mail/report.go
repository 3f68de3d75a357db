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

// findReport finds a report of one kind: the multipart/report with that
// report-type, or a message carrying its machine-readable part (of one of
// partTypes) without the wrapper, as some senders do. report is nil when
// there is none; part is nil when the machine-readable part is missing.
func findReport(root *enmime.Part, kind string, partTypes ...string) (report, part *enmime.Part) {
	rt, report := reportType(root)
	part = partOfType(root, partTypes...)
	if part == nil && rt != kind {
		return nil, nil
	}
	if report == nil {
		report = root
	}
	return report, part
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
	report, part := findReport(root, "feedback-report", "message/feedback-report")
	if report == nil {
		return nil
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
	report, part := findReport(root, "disposition-notification", "message/disposition-notification", "message/global-disposition-notification")
	if report == nil {
		return nil
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
