package importer

import (
	"bufio"
	"bytes"
	"io"
)

// mboxBufSize is the bufio buffer size used for mbox reading. Lines longer
// than this are handled in fragments, so it bounds nothing but the read size.
const mboxBufSize = 64 << 10

// readError marks an I/O error while reading a source, as opposed to an
// error returned by the callback (which must stop the walk).
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// mboxMessage is what the scanner hands to its emit callback.
type mboxMessage struct {
	index    int    // 1-based position in the mbox
	raw      []byte // nil when the scanner does not keep bytes or the message is oversize
	size     int64  // message size after unescaping and separator removal
	oversize bool   // size exceeded the limit; raw is nil
}

// mboxScanner splits an mbox stream into messages, one line at a time.
// Only the current message is buffered (and only when keep is set), so
// memory is bounded by the largest message, capped at limit.
type mboxScanner struct {
	keep  bool  // buffer message bytes (Walk) or just count them (Count)
	limit int64 // maximum message size; <= 0 means unlimited
	emit  func(mboxMessage) error

	buf      []byte // current message (reused between messages)
	inMsg    bool   // a separator has been seen
	index    int    // index of the current message
	size     int64  // bytes of the current message so far
	oversize bool
	pending  []byte // a held-back blank line: belongs to the next separator, if any
}

// scan reads r to the end. Errors from emit are returned unchanged;
// read errors are returned as *readError.
func (s *mboxScanner) scan(r io.Reader) error {
	br := bufio.NewReaderSize(r, mboxBufSize)
	atStart := true // the next chunk starts a line
	skip := false   // discarding the rest of an overlong separator line
	firstLine := true
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			complete := err == nil || err == io.EOF
			if atStart {
				skip = false
				if err := s.line(chunk, complete, firstLine, &skip); err != nil {
					return err
				}
				firstLine = false
			} else if !skip {
				s.add(chunk)
			}
		}
		switch err {
		case nil:
			atStart = true
		case bufio.ErrBufferFull:
			atStart = false
		case io.EOF:
			return s.finish()
		default:
			return &readError{err}
		}
	}
}

// line handles a chunk that starts a line. complete reports whether the
// chunk holds the whole line (it ends in '\n' or at end of input).
func (s *mboxScanner) line(chunk []byte, complete, first bool, skip *bool) error {
	if bytes.HasPrefix(chunk, fromSpace) && (first || isSeparator(chunk)) {
		if err := s.finish(); err != nil {
			return err
		}
		s.inMsg = true
		s.index++
		*skip = !complete
		return nil
	}
	if !s.inMsg {
		// Cannot happen for classified input (the first line starts
		// with "From "); tolerate it by treating it as a message start.
		s.inMsg = true
		s.index++
	}
	if complete && isBlankLine(chunk) {
		s.flushPending()
		// chunk aliases the bufio buffer, which the next read
		// overwrites; keep a constant instead.
		if len(chunk) == 1 {
			s.pending = lf
		} else {
			s.pending = crlf
		}
		return nil
	}
	s.flushPending()
	// mboxrd/mboxo unescaping: ">From ", ">>From ", ... lose one '>'.
	if chunk[0] == '>' {
		n := 1
		for n < len(chunk) && chunk[n] == '>' {
			n++
		}
		if bytes.HasPrefix(chunk[n:], fromSpace) {
			chunk = chunk[1:]
		}
	}
	s.add(chunk)
	return nil
}

var (
	fromSpace = []byte("From ")
	lf        = []byte("\n")
	crlf      = []byte("\r\n")
)

func isBlankLine(b []byte) bool {
	return len(b) == 1 && b[0] == '\n' || len(b) == 2 && b[0] == '\r' && b[1] == '\n'
}

func (s *mboxScanner) flushPending() {
	if s.pending != nil {
		s.add(s.pending)
		s.pending = nil
	}
}

func (s *mboxScanner) add(b []byte) {
	s.size += int64(len(b))
	if !s.keep || s.oversize {
		return
	}
	if s.limit > 0 && s.size > s.limit {
		s.oversize = true
		s.buf = s.buf[:0]
		return
	}
	s.buf = append(s.buf, b...)
}

// finish emits the current message, if any. A held-back blank line is
// dropped: it is the separator line that ends every mbox message.
func (s *mboxScanner) finish() error {
	s.pending = nil
	if !s.inMsg {
		return nil
	}
	m := mboxMessage{index: s.index, size: s.size}
	if !s.keep && s.limit > 0 && s.size > s.limit {
		s.oversize = true
	}
	m.oversize = s.oversize
	if s.keep && !s.oversize {
		m.raw = bytes.Clone(s.buf)
	}
	s.buf = s.buf[:0]
	s.size = 0
	s.oversize = false
	s.inMsg = false
	if m.size == 0 {
		return nil // nothing between two separators
	}
	return s.emit(m)
}

// isSeparator reports whether a line starting with "From " looks like an
// mbox "From sender date" line rather than body text such as
// "From here on": at least two fields after "From ", and something
// date-like (a time "h:mm" or a year "19xx"/"20xx") after the sender.
func isSeparator(line []byte) bool {
	f := bytes.Fields(line[len(fromSpace):])
	if len(f) < 2 {
		return false
	}
	for _, w := range f[1:] {
		if isDateish(w) {
			return true
		}
	}
	return false
}

// isDateish reports whether w contains a time (d:dd) or is a plausible year
// ("1970", "2024", or the start of an ISO date "2024-01-31T...").
func isDateish(w []byte) bool {
	for i := 0; i+3 < len(w); i++ {
		if isDigit(w[i]) && w[i+1] == ':' && isDigit(w[i+2]) && isDigit(w[i+3]) {
			return true
		}
	}
	if len(w) >= 4 && (bytes.HasPrefix(w, []byte("19")) || bytes.HasPrefix(w, []byte("20"))) &&
		isDigit(w[2]) && isDigit(w[3]) && (len(w) == 4 || w[4] == '-') {
		return true
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
