package mail

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/jhillyerd/enmime/v2/mediatype"
)

// ErrTooComplex is returned (wrapped, with the limit crossed) by Parse for a
// message whose structure is over one of the limits below. The verdict
// depends on the bytes alone, so retrying can never succeed: callers keep
// the raw message with the reason instead.
var ErrTooComplex = errors.New("mail: message too complex")

// Limits on what one message may make the parser do. enmime's cost grows
// with the square of the nesting depth and of the number of siblings (20,000
// nested levels cost minutes and a gigabyte), so they are checked by
// checkStructure, a single pass over the bytes, before enmime runs. Real
// mail stays far below them: a reply chain forwarded as attachments nests a
// dozen levels, and Postfix's default header_size_limit is 100 KiB.
const (
	maxMIMEDepth       = 64      // nested multipart levels, the top one included
	maxMIMEParts       = 2000    // parts in the whole tree
	maxHeaderBytes     = 1 << 20 // the message's own header section
	maxPartHeaderBytes = 64 << 10
)

// Caps on what one message keeps, so that any accepted message can be
// stored (one row per attachment and per recipient). What is cut is noted
// in Problems.
const (
	maxAttachments = 1000
	maxAddresses   = 1000 // per header: To, Cc, Reply-To, the delivered-to list
	maxReferences  = 200  // the first (the thread's root) and the latest
)

// maxVisibleSource is how much of a body the visible text is made from
// (visibleTextOf): far more than any reply, and ten times what the messages
// list shows of a body.
const maxVisibleSource = 1 << 20

// capMessage applies the caps above.
func capMessage(m *Message, note func(string)) {
	if n := len(m.Attachments); n > maxAttachments {
		m.Attachments = m.Attachments[:maxAttachments]
		note(fmt.Sprintf("truncated: kept the first %d of %d attachments", maxAttachments, n))
	}
	for _, l := range []struct {
		name string
		list *[]Address
	}{{"To", &m.To}, {"Cc", &m.Cc}, {"Reply-To", &m.ReplyTo}} {
		if n := len(*l.list); n > maxAddresses {
			*l.list = (*l.list)[:maxAddresses]
			note(fmt.Sprintf("truncated: kept the first %d of %d %s addresses", maxAddresses, n, l.name))
		}
	}
	if n := len(m.DeliveredTo); n > maxAddresses {
		m.DeliveredTo = m.DeliveredTo[:maxAddresses]
		note(fmt.Sprintf("truncated: kept the first %d of %d delivered-to addresses", maxAddresses, n))
	}
	if n := len(m.References); n > maxReferences {
		m.References = append(m.References[:1:1], m.References[n-maxReferences+1:]...)
		note(fmt.Sprintf("truncated: kept %d of %d References (the first and the latest)", maxReferences, n))
	}
	if n := len(m.InReplyTo); n > maxReferences {
		m.InReplyTo = m.InReplyTo[:maxReferences]
		note(fmt.Sprintf("truncated: kept the first %d of %d In-Reply-To ids", maxReferences, n))
	}
}

func tooComplex(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrTooComplex}, args...)...)
}

// checkStructure follows the multipart boundaries of body as enmime will
// (a delimiter is "--boundary" at a line start followed by white space or
// the line end; the first delimiter of a multipart may sit anywhere in a
// preamble line) and reports the first limit crossed. contentType is the
// top-level Content-Type. It errs on the side of counting: any part header
// carrying a boundary parameter opens a level, as it can in enmime.
func checkStructure(contentType string, body []byte) error {
	var open [][]byte // "--"+boundary of the enclosing multiparts, outermost first
	inPreamble := false
	push := func(ct string) error {
		b := boundaryParam(ct)
		if b == "" {
			return nil
		}
		if len(open) >= maxMIMEDepth {
			return tooComplex("more than %d nested multipart levels", maxMIMEDepth)
		}
		open = append(open, append([]byte("--"), b...))
		inPreamble = true
		return nil
	}
	if err := push(contentType); err != nil {
		return err
	}
	parts := 0
	rest := body
	for len(open) > 0 && len(rest) > 0 {
		var line []byte
		line, rest = cutLine(rest)
		i, final := matchDelimiter(open, line, inPreamble)
		if i < 0 {
			continue
		}
		if final {
			open = open[:i]
			inPreamble = false
			continue
		}
		open = open[:i+1]
		inPreamble = false
		if parts++; parts > maxMIMEParts {
			return tooComplex("more than %d MIME parts", maxMIMEParts)
		}
		var h header
		var err error
		if h, rest, err = partHeader(rest); err != nil {
			return err
		}
		if err := push(h.get("Content-Type")); err != nil {
			return err
		}
	}
	return nil
}

// matchDelimiter returns the index in open of the boundary line is a
// delimiter of, innermost first, and whether it is the closing one; -1
// when it is none.
func matchDelimiter(open [][]byte, line []byte, inPreamble bool) (int, bool) {
	if !bytes.Contains(line, []byte("--")) {
		return -1, false
	}
	for i := len(open) - 1; i >= 0; i-- {
		at := 0
		if !bytes.HasPrefix(line, open[i]) {
			if !inPreamble || i != len(open)-1 {
				continue
			}
			if at = bytes.Index(line, open[i]); at < 0 {
				continue
			}
		}
		tail := line[at+len(open[i]):]
		switch {
		case bytes.HasPrefix(tail, []byte("--")):
			return i, true
		case len(tail) == 0 || tail[0] == ' ' || tail[0] == '\t':
			return i, false
		}
	}
	return -1, false
}

// partHeader reads the header of a MIME part from the start of b, up to the
// blank line or the first line that cannot belong to a header.
func partHeader(b []byte) (header, []byte, error) {
	n := 0
	for rest := b; len(rest) > 0; {
		line, next := cutLine(rest)
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		if _, _, ok := splitField(line); !ok && line[0] != ' ' && line[0] != '\t' {
			break
		}
		n += len(rest) - len(next)
		if n > maxPartHeaderBytes {
			return nil, nil, tooComplex("a MIME part header over %d bytes", maxPartHeaderBytes)
		}
		rest = next
	}
	return readHeaderBlock(b[:n]).fields, b[n:], nil
}

// boundaryParam is the boundary parameter of a Content-Type value, parsed
// with enmime's own tolerant parser so both see the same boundary.
func boundaryParam(ct string) string {
	if ct == "" {
		return ""
	}
	_, params, _, err := mediatype.Parse(ct)
	if err != nil {
		return ""
	}
	return params["boundary"]
}
