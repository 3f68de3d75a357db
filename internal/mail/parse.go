package mail

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Parse turns raw RFC 5322 bytes into a Message. It never panics and only
// fails (with ErrNotEmail) when there is no header section at all, or (with
// ErrTooComplex) when the message is over a structure limit: a message that
// is merely broken is still worth a ticket, so everything else is best
// effort with the trouble listed in Message.Problems.
//
// With ErrTooComplex, Parse also returns the Message as far as it was read
// cheaply (the envelope fields when the header itself was within its limit,
// no body), with the reason in Problems, so a caller can keep the mail.
func Parse(raw []byte) (msg *Message, err error) {
	data := bytes.TrimPrefix(raw, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrNotEmail)
	}
	data = skipMboxFromLine(data)
	hb := readHeaderBlock(data)
	if len(hb.fields) == 0 {
		return nil, fmt.Errorf("%w: no header lines", ErrNotEmail)
	}

	m := &Message{}
	note := func(s string) { m.Problems = append(m.Problems, s) }
	if n := len(data) - len(hb.body); n > maxHeaderBytes {
		err := tooComplex("a header section of %d bytes, over %d", n, maxHeaderBytes)
		note(err.Error())
		return m, err
	}
	defer func() {
		// enmime and our heuristics see hostile input; a bug there must cost
		// one message's details, not the mailbox worker.
		if r := recover(); r != nil {
			note(fmt.Sprintf("internal parse failure: %v", r))
			m.Problems = dedupe(m.Problems)
			msg, err = m, nil
		}
	}()

	m.Problems = append(m.Problems, hb.problems...)
	if hb.eightBit {
		note("raw 8-bit header bytes that are not UTF-8 were decoded as Latin-1")
	}
	dec := wordDecoder(note)
	readEnvelope(m, hb.fields, dec, note)
	root, textFromHTML, err := parseBody(m, hb, dec, note)
	if err != nil {
		note(err.Error())
		m.Problems = dedupe(m.Problems)
		return m, err
	}
	capMessage(m, note)
	m.VisibleText = visibleTextOf(m, textFromHTML)
	m.Bounce = detectBounce(m, hb.fields, root, dec)
	classify(m, hb.fields, root)
	m.Problems = dedupe(m.Problems)
	return m, nil
}

// skipMboxFromLine drops the "From sender date" separator that mbox
// exports and some MTAs leave in front of the real header.
func skipMboxFromLine(b []byte) []byte {
	if bytes.HasPrefix(b, []byte("From ")) {
		_, rest := cutLine(b)
		return rest
	}
	return b
}

// readEnvelope fills the header-derived fields.
func readEnvelope(m *Message, h header, dec *mime.WordDecoder, note func(string)) {
	m.MessageID = parseMessageID(h.get("Message-ID"))
	if m.MessageID == "" {
		note("missing Message-ID")
	}
	for _, v := range h.values("In-Reply-To") {
		m.InReplyTo = append(m.InReplyTo, parseIDs(v)...)
	}
	var refs []string
	for _, v := range h.values("References") {
		refs = append(refs, parseIDs(v)...)
	}
	m.References = dedupe(refs)

	if h.has("Return-Path") {
		m.ReturnPath = parseReturnPath(h.get("Return-Path"))
	}
	for _, name := range []string{"From", "Sender"} {
		if m.From.Email != "" {
			break
		}
		for _, v := range h.values(name) {
			if as := parseAddresses(v, dec); len(as) > 0 {
				m.From = as[0]
				break
			}
		}
	}
	if m.From.Email == "" && m.ReturnPath != "" && m.ReturnPath != "<>" {
		m.From = Address{Email: m.ReturnPath}
	}
	if !h.has("From") {
		note("missing From header")
	}
	m.ReplyTo = addressesOf(h, "Reply-To", dec)
	m.To = addressesOf(h, "To", dec)
	m.Cc = addressesOf(h, "Cc", dec)

	m.DeliveredTo = dedupe(deliveredTo(h, dec))

	m.Subject = collapseSpace(decodeWords(dec, h.get("Subject")))
	m.ListID = listID(h.get("List-Id"))
	m.ThreadIndex = threadIndexRoot(h.get("Thread-Index"))
	m.ThreadTopic = collapseSpace(decodeWords(dec, h.get("Thread-Topic")))
	if d := h.get("Date"); d == "" {
		note("missing Date header")
	} else if m.Date = parseDate(d); m.Date.IsZero() {
		note(fmt.Sprintf("unparseable Date %q", d))
	}
}

func addressesOf(h header, name string, dec *mime.WordDecoder) []Address {
	var out []Address
	for _, v := range h.values(name) {
		out = append(out, parseAddresses(v, dec)...)
	}
	return dedupeAddresses(out)
}

// visibleTextOf prefers the sender's own text/plain rendering: plain-text
// quote rules cover every client, while HTML-to-text loses layout. When the
// text was derived from HTML, the HTML path sees the structural quote
// markers (gmail_quote, divRplyFwdMsg, ...) that the derived text lost.
//
// It reads at most the first maxVisibleSource bytes of either: what is new
// in a message comes first, and the quote rules make several copies of what
// they read, which for a 20 MB body cost more memory than all the rest of
// its ingestion. The whole text stays in Text.
func visibleTextOf(m *Message, textFromHTML bool) string {
	if m.HTML != "" && (textFromHTML || strings.TrimSpace(m.Text) == "") {
		return VisibleTextFromHTML(prefix(m.HTML, maxVisibleSource))
	}
	return VisibleText(prefix(m.Text, maxVisibleSource))
}

// prefix is s cut to at most n bytes, at a character boundary.
func prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
