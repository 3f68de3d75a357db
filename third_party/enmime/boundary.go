package enmime

import (
	"bufio"
	"bytes"
	stderrors "errors"
	"io"

	"github.com/pkg/errors"
)

// This constant needs to be at least 76 for this package to work correctly.  This is because
// \r\n--separator_of_len_70- would fill the buffer and it wouldn't be safe to consume a single byte
// from it.
const peekBufferSize = 4096

var errNoBoundaryTerminator = stderrors.New("expected boundary not present")

type boundaryReader struct {
	finished    bool          // No parts remain when finished
	partsRead   int           // Number of parts read thus far
	atPartStart bool          // Whether the current part is at its beginning
	r           *bufio.Reader // Source reader
	nlPrefix    []byte        // NL + MIME boundary prefix
	prefix      []byte        // MIME boundary prefix
	final       []byte        // Final boundary prefix
	buffer      *bytes.Buffer // Content waiting to be read
	unbounded   bool          // Flag to throw errNoBoundaryTerminator
}

// newBoundaryReader returns an initialized boundaryReader
func newBoundaryReader(reader *bufio.Reader, boundary string) *boundaryReader {
	fullBoundary := []byte("\n--" + boundary + "--")
	return &boundaryReader{
		r:        reader,
		nlPrefix: fullBoundary[:len(fullBoundary)-2],
		prefix:   fullBoundary[1 : len(fullBoundary)-2],
		final:    fullBoundary[1:],
		buffer:   new(bytes.Buffer),
	}
}

// Read returns a buffer containing the content up until boundary
//
//	Excerpt from io package on io.Reader implementations:
//
//	  type Reader interface {
//	     Read(p []byte) (n int, err error)
//	  }
//
//	  Read reads up to len(p) bytes into p. It returns the number of
//	  bytes read (0 <= n <= len(p)) and any error encountered. Even
//	  if Read returns n < len(p), it may use all of p as scratch space
//	  during the call. If some data is available but not len(p) bytes,
//	  Read conventionally returns what is available instead of waiting
//	  for more.
//
//	  When Read encounters an error or end-of-file condition after
//	  successfully reading n > 0 bytes, it returns the number of bytes
//	  read. It may return the (non-nil) error from the same call or
//	  return the error (and n == 0) from a subsequent call. An instance
//	  of this general case is that a Reader returning a non-zero number
//	  of bytes at the end of the input stream may return either err == EOF
//	  or err == nil. The next Read should return 0, EOF.
//
//	  Callers should always process the n > 0 bytes returned before
//	  considering the error err. Doing so correctly handles I/O errors
//	  that happen after reading some bytes and also both of the allowed
//	  EOF behaviors.
func (b *boundaryReader) Read(dest []byte) (n int, err error) {
	if b.buffer.Len() >= len(dest) {
		// This read request can be satisfied entirely by the buffer.
		n, err = b.buffer.Read(dest)
		if b.atPartStart && n > 0 {
			b.atPartStart = false
		}

		return n, err
	}
	// Ticketer's fork: what is left from the last call goes first, then the
	// bytes found below go straight into dest (put); only what does not fit
	// waits in b.buffer. Upstream passed every byte through b.buffer, which
	// grew to the size of dest: a copy and a zeroed allocation each.
	n, _ = b.buffer.Read(dest)

	for i := 0; i < len(dest); i++ {
		var cs []byte
		cs, err = b.r.Peek(1)
		if err != nil && err != io.EOF {
			return 0, b.keep(dest[:n], err)
		}
		// Ticketer's fork: a boundary can only start at a line break (or at
		// the part's start), so the bytes up to the next CR or LF are copied
		// in one go instead of one ReadByte/WriteByte each, and the line
		// breaks that cannot start one (safeRun) with them. Same result,
		// about ten times less CPU on large base64 attachments.
		if run := b.safeRun(len(dest) - i); len(run) > 0 && !b.atPartStart {
			n = b.put(dest, n, run)
			if _, err = b.r.Discard(len(run)); err != nil {
				return 0, b.keep(dest[:n], err)
			}
			i += len(run) - 1
			continue
		}
		if len(cs) > 0 && cs[0] != '\r' && cs[0] != '\n' && !b.atPartStart {
			run, _ := b.r.Peek(b.r.Buffered())
			run = run[:min(len(run), len(dest)-i)]
			if k := bytes.IndexAny(run, "\r\n"); k >= 0 {
				run = run[:k]
			}
			n = b.put(dest, n, run)
			if _, err = b.r.Discard(len(run)); err != nil {
				return 0, b.keep(dest[:n], err)
			}
			i += len(run) - 1
			continue
		}
		// Ensure that we can switch on the first byte of 'cs' without panic.
		if len(cs) > 0 {
			padding := 1
			check := false

			switch cs[0] {
			// Check for carriage return as potential CRLF boundary prefix.
			case '\r':
				padding = 2
				check = true
			// Check for line feed as potential LF boundary prefix.
			case '\n':
				check = true

			default:
				if b.atPartStart {
					// If we're at the very beginning of the part (even before the headers),
					// check to see if there's a delimiter that immediately follows.
					padding = 0
					check = true
				}
			}

			if check {
				var peek []byte
				peek, err = b.r.Peek(len(b.nlPrefix) + padding + 1)
				switch err {
				case nil:
					// Check the whitespace at the head of the peek to avoid checking for a boundary early.
					if bytes.HasPrefix(peek, []byte("\n\n")) ||
						bytes.HasPrefix(peek, []byte("\n\r")) ||
						bytes.HasPrefix(peek, []byte("\r\n\r")) ||
						bytes.HasPrefix(peek, []byte("\r\n\n")) {
						break
					}
					// Check the peek buffer for a boundary delimiter or terminator.
					if b.boundaryAhead(peek[padding:], padding) {
						// We have found our boundary terminator, the final bytes are in
						// dest: return io.EOF to indicate that this section read is complete.
						if b.atPartStart && n > 0 {
							b.atPartStart = false
						}
						return n, io.EOF
					}
				case io.EOF:
					// We have reached the end without finding a boundary,
					// so we flag the boundary reader to add an error to
					// the errors slice and write what we have to the buffer.
					b.unbounded = true
				default:
					continue
				}
			}
		}

		var next byte
		next, err = b.r.ReadByte()
		if err != nil {
			// EOF is not fatal, it just means that we have drained the reader.
			if errors.Is(err, io.EOF) {
				break
			}

			return 0, b.keep(dest[:n], err)
		}
		n = b.put(dest, n, []byte{next})
	}

	if n == 0 {
		return 0, io.EOF // as bytes.Buffer.Read gave upstream
	}
	if b.atPartStart {
		b.atPartStart = false
	}
	return n, nil
}

// put copies p into dest after its first n bytes and keeps in b.buffer what
// does not fit, for the next call. It returns dest's new count.
func (b *boundaryReader) put(dest []byte, n int, p []byte) int {
	k := copy(dest[n:], p)
	if k < len(p) {
		b.buffer.Write(p[k:])
	}
	return n + k
}

// keep puts the bytes already in dest back before b.buffer when Read fails,
// where upstream had kept them, and returns err with its stack.
func (b *boundaryReader) keep(got []byte, err error) error {
	rest := bytes.Clone(b.buffer.Bytes())
	b.buffer.Reset()
	b.buffer.Write(got)
	b.buffer.Write(rest)
	return errors.WithStack(err)
}

// safeRun gives the longest start, at most limit bytes, of what is buffered
// that the byte-by-byte loop below would copy as it is. There, only a CR
// with the boundary prefix two bytes after it, or an LF with it one byte
// after it, can end the part, and a CR or LF whose peek of len(nlPrefix)+3
// bytes (itself included) meets the input's end marks the part unbounded:
// so a run stops two bytes before the first prefix and leaves the last
// len(nlPrefix)+2 buffered bytes, whose continuation is not read yet, to
// that loop. Empty when nothing can be copied so.
func (b *boundaryReader) safeRun(limit int) []byte {
	run, _ := b.r.Peek(b.r.Buffered())
	n := min(limit, len(run)-len(b.nlPrefix)-2)
	if n <= 0 {
		return nil
	}
	// A prefix starting at n+1 or before has a trigger before n.
	if p := bytes.Index(run[:n+1+len(b.prefix)], b.prefix); p >= 0 {
		n = min(n, p-2)
	}
	if n <= 0 {
		return nil
	}
	return run[:n]
}

// Next moves over the boundary to the next part, returns true if there is another part to be read.
func (b *boundaryReader) Next() (bool, error) {
	if b.finished {
		return false, nil
	}
	if b.partsRead > 0 {
		// Exhaust the current part to prevent errors when moving to the next part.
		_, _ = io.Copy(io.Discard, b)
	}
	for {
		var line []byte
		var err error
		for {
			// Read whole line, handle extra long lines in cycle
			var segment []byte
			segment, err = b.r.ReadSlice('\n')
			if line == nil {
				line = segment
			} else {
				line = append(line, segment...)
			}

			if err == nil || err == io.EOF {
				break
			} else if err != bufio.ErrBufferFull || len(segment) == 0 {
				return false, errors.WithStack(err)
			}
		}

		if len(line) > 0 && (line[0] == '\r' || line[0] == '\n') {
			// Blank line
			continue
		}
		if b.isTerminator(line) {
			b.finished = true
			return false, nil
		}
		if err != io.EOF && b.isDelimiter(line) {
			// Start of a new part.
			b.partsRead++
			b.atPartStart = true
			return true, nil
		}
		if err == io.EOF {
			// Intentionally not wrapping with stack.
			return false, io.EOF
		}
		if b.partsRead == 0 {
			// The first part didn't find the starting delimiter, burn off any preamble in front of
			// the boundary.
			continue
		}
		b.finished = true
		return false, errors.WithMessagef(errNoBoundaryTerminator, "expecting boundary %q, got %q", string(b.prefix), string(line))
	}
}

// Ticketer's fork: a boundary line is "--BOUNDARY", "--" after it for the
// last one, then only transport padding (spaces, tabs) up to the line break
// (RFC 2046 section 5.1.1). Upstream took any line starting "--BOUNDARY "
// (or containing "--BOUNDARY--" anywhere) as one, so a part whose text held
// such a line ("--BOUNDARY-- is where it ends") lost the rest of its text
// and every part after it. Junk glued to a terminator is still tolerated.

// maxTransportPadding is how much padding after a boundary is looked at
// before the line is taken as a boundary anyway.
const maxTransportPadding = 256

// boundaryAhead reports whether the reader is at a boundary line. short is
// the bytes already peeked past the line break (the boundary prefix and one
// more byte); only when they look like a boundary is the rest of the line
// peeked at.
func (b *boundaryReader) boundaryAhead(short []byte, padding int) bool {
	if !bytes.HasPrefix(short, b.prefix) {
		return false
	}
	n := min(b.r.Size(), padding+len(b.prefix)+2+maxTransportPadding)
	line, _ := b.r.Peek(n) // at EOF, what there is
	if len(line) < padding {
		return false
	}
	return b.isDelimiter(line[padding:]) || b.isTerminator(line[padding:])
}

// boundaryKind tells whether buf (a line, or the start of the input at a
// line) is a delimiter or the terminator. A line cut off before its end by
// the input or the peek limit, after nothing but padding, counts.
func (b *boundaryReader) boundaryKind(buf []byte) (delimiter, terminator bool) {
	if !bytes.HasPrefix(buf, b.prefix) {
		return false, false
	}
	rest := buf[len(b.prefix):]
	if bytes.HasPrefix(rest, []byte("--")) {
		rest = rest[2:]
		if len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' {
			// "--BOUNDARY-->junk": generators glue junk to the terminator
			// (testdata/mail/epilogue-sample.raw); prose would have a space.
			return false, true
		}
		return false, onlyPadding(rest)
	}
	if len(rest) == 0 {
		return false, false // "--BOUNDARY" without a line break: upstream's rule
	}
	return onlyPadding(rest), false
}

// onlyPadding: spaces and tabs up to a line break or the end of buf.
func onlyPadding(rest []byte) bool {
	rest = bytes.TrimLeft(rest, " \t")
	return len(rest) == 0 || rest[0] == '\r' || rest[0] == '\n'
}

// isDelimiter returns true for --BOUNDARY\r\n but not --BOUNDARY--
func (b *boundaryReader) isDelimiter(buf []byte) bool {
	d, _ := b.boundaryKind(buf)
	return d
}

// isTerminator returns true for --BOUNDARY--
func (b *boundaryReader) isTerminator(buf []byte) bool {
	_, t := b.boundaryKind(buf)
	return t
}
