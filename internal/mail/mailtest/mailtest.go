// Package mailtest builds hostile MIME structures for the tests of the
// parser, of ingestion and of the abuse suite: one copy of each.
package mailtest

import (
	"fmt"
	"strings"
)

// Nested is the rest of a header and a body of depth multipart/mixed
// levels, each holding the next, the innermost a text part saying "deep".
func Nested(depth int) string {
	var b strings.Builder
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
	for i := 1; i < depth; i++ {
		fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
	}
	fmt.Fprintf(&b, "--b%d\r\nContent-Type: text/plain\r\n\r\ndeep\r\n", depth-1)
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.String()
}

// ManyParts is the rest of a header and a multipart/mixed body of a text
// part saying "many files" and n small attachments.
func ManyParts(n int) string {
	var b strings.Builder
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"F\"\r\n\r\n" +
		"--F\r\nContent-Type: text/plain\r\n\r\nmany files\r\n")
	for i := range n {
		fmt.Fprintf(&b, "--F\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"f%d.bin\"\r\n\r\nx%d\r\n", i, i)
	}
	b.WriteString("--F--\r\n")
	return b.String()
}
