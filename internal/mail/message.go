package mail

import (
	"errors"
	"time"
)

// ErrNotEmail is returned (wrapped) by Parse when the input has no header
// section at all, so callers can tell "garbage" from "odd but real mail".
var ErrNotEmail = errors.New("mail: input is not an email message")

// Address is one mailbox. Email is lower-cased and trimmed so it can be used
// directly as a contact key.
type Address struct{ Name, Email string }

// Attachment is any non-body MIME leaf: real attachments, inline images,
// forwarded messages and the machine-readable parts of bounce reports.
type Attachment struct {
	Filename    string // decoded, sanitized, never empty
	ContentType string // lower-case type/subtype without parameters
	ContentID   string // without <>, "" if none
	Inline      bool   // referenced from the HTML (cid:) or disposition inline with a Content-ID
	Data        []byte
}

// Bounce describes a delivery failure report.
type Bounce struct {
	OriginalMessageID string // Message-ID of the message that bounced, without <>
	Recipient         string // Final-Recipient (else Original-Recipient) address
	Status            string // e.g. "5.1.1"
	Action            string // failed, delayed, ...
	Diagnostic        string // Diagnostic-Code, human readable
}

// Message is the parsed form of one inbound email.
type Message struct {
	MessageID   string    // without <>, "" when missing or empty
	InReplyTo   []string  // ids without <>, in header order
	References  []string  // ids without <>, in header order, deduplicated
	From        Address   // first From; falls back to Sender, then Return-Path
	ReplyTo     []Address //
	To, Cc      []Address //
	DeliveredTo []string  // the delivery headers (Delivered-To, X-Original-To, ...; see recipients.go), deduped, lower-case
	ReturnPath  string    // "" if absent; "<>" for the null sender; else the lower-cased address
	Subject     string    // decoded, whitespace-collapsed
	Date        time.Time // UTC; zero if missing or unparseable
	Text        string    // text/plain body, or text derived from HTML when there is no text part
	HTML        string    // raw (unsanitized) text/html body
	VisibleText string    // the new content only, quotes and signature removed
	Attachments []Attachment
	Auto        string          // "" for a human message, else the short signal that decided Reason
	Reason      Reason          // "" for a human message, else why it is automatic
	Bounce      *Bounce         // non-nil for delivery failure reports
	Feedback    *FeedbackReport // non-nil for abuse feedback reports (RFC 5965)
	Receipt     *Receipt        // non-nil for read receipts (RFC 8098)
	Partial     *Partial        // non-nil for one fragment of a split message (message/partial)
	Problems    []string        // non-fatal parse problems, for display

	// ListID is the List-Id's identifier (inside <>), lower-cased, "" if none.
	ListID string
	// OffListReason and OffListAuto are Reason and Auto with the mailing-list
	// signals (Precedence: list, List-Id, List-Unsubscribe) left out: what
	// the message is when the list is one of ours (a support address behind
	// a Google Group), whose headers say nothing about the author.
	OffListReason Reason
	OffListAuto   string
	// ThreadIndex is the conversation Outlook/Exchange's Thread-Index names
	// (its first 22 bytes, hex), "" if none; ThreadTopic its Thread-Topic.
	ThreadIndex, ThreadTopic string
}
