package mail

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Outgoing describes a message Ticketer sends (acknowledgement or agent reply).
type Outgoing struct {
	From          Address
	To            []Address
	Cc            []Address
	Subject       string
	MessageID     string   // without <>, required
	InReplyTo     string   // without <>, optional
	References    []string // without <>
	Text          string
	HTML          string // optional; when set, multipart/alternative with Text
	AutoSubmitted string // e.g. "auto-replied"; also sets X-Auto-Response-Suppress: All
	Date          time.Time
	Attachments   []Attachment
	Headers       map[string]string // extra headers, e.g. "X-Ticketer-Ticket": "42"
}

// reservedHeaders are written by Compose itself; allowing them in
// Outgoing.Headers would produce duplicate or contradictory fields.
var reservedHeaders = map[string]bool{
	"date": true, "from": true, "to": true, "cc": true, "bcc": true, "subject": true,
	"message-id": true, "in-reply-to": true, "references": true, "auto-submitted": true,
	"x-auto-response-suppress": true, "mime-version": true, "content-type": true,
	"content-transfer-encoding": true, "content-disposition": true, "content-id": true,
}

// Compose renders o as RFC 5322 bytes with CRLF line endings. The output is
// a pure function of o (boundaries derive from the Message-ID) so a retried
// send produces byte-identical mail.
func Compose(o Outgoing) ([]byte, error) {
	if err := validateOutgoing(o); err != nil {
		return nil, fmt.Errorf("compose: %w", err)
	}
	var b bytes.Buffer
	w := func(name, value string) { writeField(&b, name, value) }
	w("Date", o.Date.Format(time.RFC1123Z))
	w("From", formatAddress(o.From))
	w("To", formatAddressList(o.To))
	if len(o.Cc) > 0 {
		w("Cc", formatAddressList(o.Cc))
	}
	w("Subject", encodeHeaderText(oneLine(o.Subject)))
	w("Message-ID", "<"+cleanID(o.MessageID)+">")
	if id := cleanID(o.InReplyTo); id != "" {
		w("In-Reply-To", "<"+id+">")
	}
	if refs := formatIDs(o.References); refs != "" {
		w("References", refs)
	}
	if a := oneLine(o.AutoSubmitted); a != "" {
		w("Auto-Submitted", a)
		w("X-Auto-Response-Suppress", "All")
	}
	keys := make([]string, 0, len(o.Headers))
	for k := range o.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w(k, encodeHeaderText(oneLine(o.Headers[k])))
	}
	w("MIME-Version", "1.0")

	writeBody(&b, o)
	return b.Bytes(), nil
}

func validateOutgoing(o Outgoing) error {
	var errs []error
	if cleanID(o.MessageID) == "" {
		errs = append(errs, errors.New("a Message-ID is required"))
	}
	if strings.TrimSpace(o.From.Email) == "" {
		errs = append(errs, errors.New("the message needs a From address"))
	}
	if len(o.To) == 0 {
		errs = append(errs, errors.New("at least one To recipient is required"))
	}
	if o.Date.IsZero() {
		// No time.Now fallback: the output must be deterministic.
		errs = append(errs, errors.New("the message needs a Date"))
	}
	for k := range o.Headers {
		if reservedHeaders[strings.ToLower(k)] {
			errs = append(errs, fmt.Errorf("header %q is set by Compose", k))
			continue
		}
		if k == "" {
			errs = append(errs, errors.New("empty header name"))
		}
		for i := 0; i < len(k); i++ {
			if !isTokenByte(k[i]) {
				errs = append(errs, fmt.Errorf("invalid header name %q", k))
				break
			}
		}
	}
	return errors.Join(errs...)
}

// oneLine removes CR/LF so no caller-supplied value can inject headers.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)), " ")
}

func cleanID(id string) string {
	return strings.Trim(strings.TrimSpace(oneLine(id)), "<>")
}

func formatIDs(ids []string) string {
	var parts []string
	for _, id := range dedupe(ids) {
		if id = cleanID(id); id != "" {
			parts = append(parts, "<"+id+">")
		}
	}
	return strings.Join(parts, " ")
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// encodeHeaderText RFC 2047-encodes unstructured text only when needed, so
// ASCII subjects stay readable in raw form.
func encodeHeaderText(s string) string {
	if isASCII(s) && !strings.Contains(s, "=?") {
		return s
	}
	return mime.QEncoding.Encode("utf-8", s)
}

func formatAddress(a Address) string {
	addr := netmail.Address{Name: oneLine(a.Name), Address: strings.TrimSpace(oneLine(a.Email))}
	return addr.String()
}

func formatAddressList(as []Address) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		parts = append(parts, formatAddress(a))
	}
	return strings.Join(parts, ", ")
}

// writeField writes "Name: value" folded at spaces to keep lines near 78
// characters. Folding only at existing whitespace is reversible, and
// whitespace between encoded words is ignored by decoders.
func writeField(b *bytes.Buffer, name, value string) {
	line := name + ":"
	lineLen := len(line)
	b.WriteString(line)
	for i, word := range strings.Split(value, " ") {
		if i > 0 || word != "" {
			if lineLen+1+len(word) > 78 && lineLen > len(name)+1 {
				b.WriteString("\r\n")
				lineLen = 0
			}
			b.WriteByte(' ')
			b.WriteString(word)
			lineLen += 1 + len(word)
		}
	}
	b.WriteString("\r\n")
}

// boundary derives a stable boundary from the Message-ID; "=_" cannot occur
// in quoted-printable or base64 output, so it never collides with content.
func boundary(seed, kind string) string {
	sum := sha256.Sum256([]byte(seed + "\x00" + kind))
	return "=_tk_" + kind + "_" + hex.EncodeToString(sum[:12])
}

// writeBody picks the smallest structure that fits: text/plain alone,
// multipart/alternative for text+HTML, multipart/related around the HTML for
// inline (cid:) images, and multipart/mixed around it all for attachments.
func writeBody(b *bytes.Buffer, o Outgoing) {
	seed := cleanID(o.MessageID)
	var inline, regular []Attachment
	for _, a := range o.Attachments {
		if a.Inline && cleanID(a.ContentID) != "" && o.HTML != "" {
			inline = append(inline, a)
		} else {
			regular = append(regular, a)
		}
	}
	if len(regular) == 0 {
		writeCore(b, o, inline, seed, true)
		return
	}
	bd := boundary(seed, "mixed")
	fmt.Fprintf(b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", bd)
	fmt.Fprintf(b, "--%s\r\n", bd)
	writeCore(b, o, inline, seed, false)
	for i, a := range regular {
		fmt.Fprintf(b, "\r\n--%s\r\n", bd)
		writeAttachment(b, a, len(inline)+i)
	}
	fmt.Fprintf(b, "\r\n--%s--\r\n", bd)
}

// writeCore writes the readable body: text, or text+HTML alternatives.
func writeCore(b *bytes.Buffer, o Outgoing, inline []Attachment, seed string, topLevel bool) {
	if o.HTML == "" {
		writeTextPart(b, "text/plain", o.Text, topLevel)
		return
	}
	bd := boundary(seed, "alt")
	fmt.Fprintf(b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", bd)
	fmt.Fprintf(b, "--%s\r\n", bd)
	writeTextPart(b, "text/plain", o.Text, false)
	fmt.Fprintf(b, "\r\n--%s\r\n", bd)
	if len(inline) == 0 {
		writeTextPart(b, "text/html", o.HTML, false)
	} else {
		rbd := boundary(seed, "rel")
		fmt.Fprintf(b, "Content-Type: multipart/related; boundary=\"%s\"\r\n\r\n", rbd)
		fmt.Fprintf(b, "--%s\r\n", rbd)
		writeTextPart(b, "text/html", o.HTML, false)
		for i, a := range inline {
			fmt.Fprintf(b, "\r\n--%s\r\n", rbd)
			writeAttachment(b, a, i)
		}
		fmt.Fprintf(b, "\r\n--%s--\r\n", rbd)
	}
	fmt.Fprintf(b, "\r\n--%s--\r\n", bd)
}

// writeTextPart writes a UTF-8 text part. Pure short-lined ASCII at the top
// level goes out as 7bit (readable raw); everything else is
// quoted-printable, which also keeps boundaries collision-free.
func writeTextPart(b *bytes.Buffer, ct, text string, topLevel bool) {
	text = normalizeNewlines(text)
	fmt.Fprintf(b, "Content-Type: %s; charset=utf-8\r\n", ct)
	if topLevel && isASCII(text) && maxLineLen(text) <= 76 && !strings.Contains(text, "\x00") {
		b.WriteString("Content-Transfer-Encoding: 7bit\r\n\r\n")
		b.WriteString(strings.ReplaceAll(text, "\n", "\r\n"))
		if !strings.HasSuffix(text, "\n") {
			b.WriteString("\r\n")
		}
		return
	}
	b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
	qp := quotedprintable.NewWriter(b)
	_, _ = qp.Write([]byte(text)) // bytes.Buffer writes cannot fail
	_ = qp.Close()
	if !strings.HasSuffix(text, "\n") {
		b.WriteString("\r\n")
	}
}

func maxLineLen(s string) int {
	m := 0
	for _, l := range strings.Split(s, "\n") {
		m = max(m, len(l))
	}
	return m
}

func writeAttachment(b *bytes.Buffer, a Attachment, i int) {
	ct := strings.ToLower(strings.TrimSpace(a.ContentType))
	if _, _, err := mime.ParseMediaType(ct); err != nil || !strings.Contains(ct, "/") {
		ct = "application/octet-stream"
	}
	name := sanitizeFilename(a.Filename)
	if name == "" {
		name = fmt.Sprintf("attachment-%d%s", i+1, extensionFor(ct))
	}
	disp := "attachment"
	if a.Inline && a.ContentID != "" {
		disp = "inline"
	}
	writeField(b, "Content-Type", mime.FormatMediaType(ct, map[string]string{"name": name}))
	writeField(b, "Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": name}))
	if cid := cleanID(a.ContentID); cid != "" {
		writeField(b, "Content-ID", "<"+cid+">")
	}
	b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(a.Data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
}

// NewMessageID returns "<random>@domain" without the angle brackets: 128
// bits from crypto/rand in lower-case base32hex, unique without coordination.
func NewMessageID(domain string) string {
	var buf [16]byte
	_, _ = rand.Read(buf[:]) // crypto/rand.Read never fails (Go 1.24+)
	domain = strings.Trim(strings.TrimSpace(oneLine(domain)), "<>@")
	if domain == "" || strings.ContainsAny(domain, " <>@") {
		domain = "localhost"
	}
	id := base32.HexEncoding.WithPadding(base32.NoPadding).EncodeToString(buf[:])
	return strings.ToLower(id) + "@" + domain
}

// TicketMail starts every mail Ticketer writes about a ticket
// (acknowledgement, reply, and later forwards and notifications), so each
// carries the same envelope:
//   - From the mailbox, with a fresh Message-ID in the mailbox's domain;
//   - Reply-To the mailbox's plus address for the ticket, so an answer finds
//     its ticket even from a client that drops the threading headers;
//   - X-Ticketer-Ticket, the ticket number;
//   - threaded under the message it answers: In-Reply-To parentID, and
//     References the parent's references then the parent (just parentRefs
//     when the parent has no Message-ID).
//
// The caller fills in To, Cc, Subject, the body and what else it needs.
func TicketMail(from Address, ticketID int64, parentID string, parentRefs []string, date time.Time) Outgoing {
	refs := append([]string{}, parentRefs...)
	if parentID != "" {
		refs = append(refs, parentID)
	}
	return Outgoing{
		From:       from,
		MessageID:  NewMessageID(DomainOf(from.Email)),
		InReplyTo:  parentID,
		References: refs,
		Date:       date,
		Headers: map[string]string{
			"Reply-To":          PlusAddress(from.Email, ticketID),
			"X-Ticketer-Ticket": strconv.FormatInt(ticketID, 10),
		},
	}
}

// PlusAddress is the reply address that carries a ticket's number
// ("support+t42@example.com"), which TicketTokenFromAddress reads back.
func PlusAddress(mailboxAddr string, ticketID int64) string {
	local, domain, ok := strings.Cut(mailboxAddr, "@")
	if !ok {
		return mailboxAddr
	}
	return fmt.Sprintf("%s+t%d@%s", local, ticketID, domain)
}

// DomainOf is the domain of an address, or "localhost" without one.
func DomainOf(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}
