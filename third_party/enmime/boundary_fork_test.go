package enmime

// Ticketer's fork: the patched boundaryReader.Read must give exactly what
// upstream's byte-at-a-time loop gave. readByteAtATime is upstream v2.3.0's
// Read, kept here as the reference.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/pkg/errors"
)

func readByteAtATime(b *boundaryReader, dest []byte) (n int, err error) {
	if b.buffer.Len() >= len(dest) {
		n, err = b.buffer.Read(dest)
		if b.atPartStart && n > 0 {
			b.atPartStart = false
		}
		return n, err
	}
	for i := 0; i < len(dest); i++ {
		var cs []byte
		cs, err = b.r.Peek(1)
		if err != nil && err != io.EOF {
			return 0, errors.WithStack(err)
		}
		if len(cs) > 0 {
			padding := 1
			check := false
			switch cs[0] {
			case '\r':
				padding = 2
				check = true
			case '\n':
				check = true
			default:
				if b.atPartStart {
					padding = 0
					check = true
				}
			}
			if check {
				var peek []byte
				peek, err = b.r.Peek(len(b.nlPrefix) + padding + 1)
				switch err {
				case nil:
					if bytes.HasPrefix(peek, []byte("\n\n")) ||
						bytes.HasPrefix(peek, []byte("\n\r")) ||
						bytes.HasPrefix(peek, []byte("\r\n\r")) ||
						bytes.HasPrefix(peek, []byte("\r\n\n")) {
						break
					}
					if b.boundaryAhead(peek[padding:], padding) {
						n, err = b.buffer.Read(dest)
						switch err {
						case nil, io.EOF:
							if b.atPartStart && n > 0 {
								b.atPartStart = false
							}
							return n, io.EOF
						default:
							return 0, errors.WithStack(err)
						}
					}
				case io.EOF:
					b.unbounded = true
				default:
					continue
				}
			}
		}
		var next byte
		next, err = b.r.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return 0, errors.WithStack(err)
		}
		if err = b.buffer.WriteByte(next); err != nil {
			return 0, errors.WithStack(err)
		}
	}
	n, err = b.buffer.Read(dest)
	if b.atPartStart && n > 0 {
		b.atPartStart = false
	}
	return n, err
}

// walkParts reads every part to its end with read, in chunks of the given
// sizes, and describes what it saw.
func walkParts(src io.Reader, boundary string, sizes []int, read func(*boundaryReader, []byte) (int, error)) string {
	br := newBoundaryReader(bufio.NewReader(src), boundary)
	var out strings.Builder
	for range 1000 {
		ok, err := br.Next()
		fmt.Fprintf(&out, "next %v %v\n", ok, err)
		if !ok && errors.Is(err, iotest.ErrTimeout) {
			continue // as a read, below
		}
		if !ok {
			break
		}
		for k := 0; k < 100000; k++ {
			buf := make([]byte, sizes[k%len(sizes)])
			n, err := read(br, buf)
			fmt.Fprintf(&out, "read %q %v\n", buf[:n], err)
			// A read that failed is tried again (flakyReader): no byte
			// may be lost to it.
			if err != nil && !errors.Is(err, iotest.ErrTimeout) {
				break
			}
		}
		fmt.Fprintf(&out, "unbounded %v\n", br.unbounded)
	}
	return out.String()
}

// flakyReader fails every every-th read with iotest.ErrTimeout until its
// source has given everything, which walkParts reads past: the bytes around
// a failure must not be lost.
type flakyReader struct {
	r        io.Reader
	n, every int
	done     bool
}

func (f *flakyReader) Read(p []byte) (int, error) {
	f.n++
	if f.n%f.every == 0 && !f.done {
		return 0, iotest.ErrTimeout
	}
	n, err := f.r.Read(p)
	f.done = err != nil
	return n, err
}

func checkSameAsUpstream(t *testing.T, input, boundary string, sizes []int) {
	t.Helper()
	for _, source := range []string{"whole", "one byte", "half, every 2nd read fails", "one byte, every 7th read fails"} {
		src := func() io.Reader {
			var r io.Reader = strings.NewReader(input)
			switch source {
			case "one byte": // the bufio.Reader then holds one byte at a time
				r = iotest.OneByteReader(r)
			case "half, every 2nd read fails":
				r = &flakyReader{r: iotest.HalfReader(r), every: 2}
			case "one byte, every 7th read fails":
				r = &flakyReader{r: iotest.OneByteReader(r), every: 7}
			}
			return r
		}
		want := walkParts(src(), boundary, sizes, readByteAtATime)
		got := walkParts(src(), boundary, sizes, (*boundaryReader).Read)
		if got != want {
			t.Fatalf("input %q boundary %q sizes %v source %s:\ngot:\n%s\nwant:\n%s", input, boundary, sizes, source, got, want)
		}
	}
}

func TestBoundaryReaderRunsMatchUpstream(t *testing.T) {
	pieces := []string{"\r\n", "\n", "\r", "--B", "--B--", "--BB", "--B ", "-", "x", "QUJD", "QUJDRA==", " ", "\t",
		strings.Repeat("TWFu", 19), "\r\n\r\n", "\n\n"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var in strings.Builder
		for range rng.IntN(60) {
			in.WriteString(pieces[rng.IntN(len(pieces))])
		}
		sizes := []int{1 + rng.IntN(8), 1 + rng.IntN(200), 512, 1024}
		rng.Shuffle(len(sizes), func(a, b int) { sizes[a], sizes[b] = sizes[b], sizes[a] })
		checkSameAsUpstream(t, in.String(), "B", sizes)
	}
	// A line break near the end of the input, with no terminator: the
	// reference records the part as unbounded when the peek after the break
	// comes up short, so safeRun must leave the last bytes to that loop; and
	// a boundary one or two bytes after each kind of break. The first read
	// of a part is byte by byte (the part's start), so it is a short one.
	for tail := range 12 {
		for _, brk := range []string{"\r", "\n", "\r\n", "\rx", "\n\r"} {
			for _, end := range []string{"", "--B\r\n", "--B--"} {
				in := "--B\r\n" + strings.Repeat("x", 40) + brk + strings.Repeat("y", tail) + end
				checkSameAsUpstream(t, in, "B", []int{8, 1024})
				checkSameAsUpstream(t, in, "BOUNDARY", []int{8, 1024})
			}
		}
	}
	long := "preamble\r\n--B\r\nContent-Type: text/plain\r\n\r\n" + strings.Repeat(strings.Repeat("QUJD", 19)+"\r\n", 3000) +
		"--B\n\n" + strings.Repeat("line\n", 5000) + "--B--\r\nepilogue"
	checkSameAsUpstream(t, long, "B", []int{1024, 512, 32 * 1024})
}

func FuzzBoundaryReaderRuns(f *testing.F) {
	f.Add("a\r\n--B\r\nb\r\n--B--\r\n", "B", uint16(3))
	f.Add("--B\nx\n\n--B--", "B", uint16(512))
	f.Fuzz(func(t *testing.T, input, boundary string, size uint16) {
		if boundary == "" || len(boundary) > 70 {
			return
		}
		checkSameAsUpstream(t, input, boundary, []int{int(size%2048) + 1})
	})
}

// TestBoundaryLinesInsideParts: only a line that is the boundary (and
// padding) ends a part; text that merely starts like one stays in it.
func TestBoundaryLinesInsideParts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       []string
	}{
		{"terminator-like prose", "--B\r\n\r\none\r\n--B-- is where it ends\r\ntwo\r\n--B\r\n\r\nthree\r\n--B--\r\n",
			[]string{"\r\none\r\n--B-- is where it ends\r\ntwo", "\r\nthree"}},
		{"delimiter-like prose", "--B\r\n\r\none\r\n--B and more\r\n--B\r\n\r\nthree\r\n--B--\r\n",
			[]string{"\r\none\r\n--B and more", "\r\nthree"}},
		{"prose in the preamble", "see --B-- below\r\n--B\r\n\r\none\r\n--B--\r\n", []string{"\r\none"}},
		{"padding after boundaries", "--B \t\r\n\r\none\r\n--B--  \r\n", []string{"\r\none"}},
		{"junk glued to the terminator", "--B\r\n\r\none\r\n--B-->junk\r\n", []string{"\r\none"}},
		{"a longer boundary is not ours", "--B\r\n\r\none\r\n--BB\r\n--B--\r\n", []string{"\r\none\r\n--BB"}},
		{"bare LF", "--B\n\none\n--B -- not\n--B--\n", []string{"\none\n--B -- not"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			br := newBoundaryReader(bufio.NewReader(strings.NewReader(tt.body)), "B")
			var got []string
			for {
				ok, err := br.Next()
				if err != nil {
					t.Fatalf("Next: %v", err)
				}
				if !ok {
					break
				}
				b, err := io.ReadAll(br)
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				got = append(got, string(b))
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
				t.Errorf("parts %q, want %q", got, tt.want)
			}
		})
	}
}

// BenchmarkBoundaryReaderBase64 reads a part of 1 MB of base64 in lines of
// 76 characters, as an attachment comes, through the boundary reader.
func BenchmarkBoundaryReaderBase64(b *testing.B) {
	line := strings.Repeat("QUJD", 19) + "\r\n"
	input := "--B\r\n\r\n" + strings.Repeat(line, 1<<20/len(line)) + "--B--\r\n"
	b.SetBytes(int64(len(input)))
	for b.Loop() {
		br := newBoundaryReader(bufio.NewReader(strings.NewReader(input)), "B")
		if ok, err := br.Next(); !ok || err != nil {
			b.Fatal(ok, err)
		}
		if _, err := io.ReadAll(br); err != nil {
			b.Fatal(err)
		}
	}
}
