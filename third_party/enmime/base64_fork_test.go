package enmime

// Ticketer's fork: decodeBase64Whole must give exactly what upstream's
// streaming cleaner and decoder gave. The reference is the same parser with
// streamBase64 set, which takes upstream's path.

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// partView is what parsing gave for a part, to compare two parses.
type partView struct {
	ID, ContentType, Charset string
	Content                  []byte
	Errors                   []Error
}

func viewParts(root *Part) []partView {
	var out []partView
	var walk func(p *Part)
	walk = func(p *Part) {
		for ; p != nil; p = p.NextSibling {
			v := partView{ID: p.PartID, ContentType: p.ContentType, Charset: p.Charset, Content: p.Content}
			for _, e := range p.Errors {
				v.Errors = append(v.Errors, *e)
			}
			out = append(out, v)
			walk(p.FirstChild)
		}
	}
	walk(root)
	return out
}

// base64Body encodes data as a mailer might: padded or not, in lines of
// width (0: one line) ending in eol, then damaged by mutate.
// maskOffsets hides the offset in "illegal base64 data at input byte N".
// A byte over 0x7f whose low bits are a base64 letter passes upstream's
// cleaner (it looks the byte up masked, then copies it whole) and stops the
// decoder there; the offset it reports counts from the start of the
// decoder's 1 KB buffer, so it depends on how the source was read, and
// differs between the streaming path and a replay of the same bytes.
// Everything else (the content kept, the other errors) is the same.
func maskOffsets(parts []partView) []partView {
	out := make([]partView, len(parts))
	for i, p := range parts {
		p.Errors = append([]Error(nil), p.Errors...)
		for j := range p.Errors {
			if k := strings.Index(p.Errors[j].Detail, "input byte "); k >= 0 {
				p.Errors[j].Detail = p.Errors[j].Detail[:k] + "input byte N"
			}
		}
		out[i] = p
	}
	return out
}

func base64Body(data []byte, padded bool, width int, eol, mutate string, r *rand.Rand) string {
	enc := base64.RawStdEncoding.EncodeToString(data)
	if padded {
		enc = base64.StdEncoding.EncodeToString(data)
	}
	var b strings.Builder
	for width > 0 && len(enc) > width {
		b.WriteString(enc[:width] + eol)
		enc = enc[width:]
	}
	b.WriteString(enc + eol)
	s := b.String()
	at := 0
	if len(s) > 0 {
		at = r.IntN(len(s))
	}
	switch mutate {
	case "space":
		s = s[:at] + " " + s[at:]
	case "tab-eol":
		s = strings.ReplaceAll(s, eol, "\t"+eol)
	case "stray":
		s = s[:at] + "*" + s[at:]
	case "equals-inside":
		s = s[:at] + "=" + s[at:]
	case "after-padding":
		s += base64.StdEncoding.EncodeToString([]byte("more")) + eol
	case "truncated":
		s = strings.TrimRight(s, "\r\n=")
		if len(s) > 0 {
			s = s[:len(s)-1]
		}
		s += eol
	case "one-extra":
		s = strings.TrimRight(s, "\r\n=") + "Q" + eol
	case "high-byte":
		s = s[:at] + "\xc3\xa9" + s[at:]
	case "blank-lines":
		s = eol + s + eol + eol
	}
	return s
}

func base64Message(body string, ctype string) string {
	return "Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n" +
		"--XX\r\nContent-Type: " + ctype + "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body +
		"\r\n--XX--\r\n"
}

func TestBase64WholeSameAsStreaming(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 17))
	mutations := []string{"", "", "space", "tab-eol", "stray", "equals-inside", "after-padding", "truncated", "one-extra", "high-byte", "blank-lines"}
	parsers := map[string][]Option{
		"default": nil,
		// Ticketer's options (internal/mail.newParser).
		"ticketer": {SkipMalformedParts(true), MultipartWOBoundaryAsSinglePart(true), DisableCharacterDetection(true),
			SetReadPartErrorPolicy(func(_ *Part, err error) bool { return IsBase64CorruptInputError(err) })},
	}
	fast, whole := 0, 0
	for i := range 600 {
		data := make([]byte, []int{0, 1, 2, 3, 4, 5, 57, 58, 1000, 4096}[i%10]+r.IntN(3))
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		if i%7 == 0 {
			data = []byte(strings.Repeat("plain text line\r\n", 1+r.IntN(50)))
		}
		width := []int{76, 64, 4, 1, 0, 77}[r.IntN(6)]
		eol := []string{"\r\n", "\n"}[r.IntN(2)]
		mutate := mutations[i%len(mutations)]
		body := base64Body(data, r.IntN(4) != 0, width, eol, mutate, r)
		ctype := []string{"application/octet-stream", "text/plain; charset=utf-8", "image/png"}[r.IntN(3)]
		msg := base64Message(body, ctype)
		for name, opts := range parsers {
			ref := NewParser(opts...)
			ref.streamBase64 = true
			want, wantErr := ref.ReadParts(strings.NewReader(msg))
			got, gotErr := NewParser(opts...).ReadParts(strings.NewReader(msg))
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("%s %d (%s): error %v, upstream %v", name, i, mutate, gotErr, wantErr)
			}
			if wantErr != nil {
				continue
			}
			g, w := viewParts(got), viewParts(want)
			if mutate == "high-byte" {
				// The one difference: see maskOffsets.
				g, w = maskOffsets(g), maskOffsets(w)
			}
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("%s %d (%s, width %d): parts\n%+v\nupstream\n%+v", name, i, mutate, width, g, w)
			}
			if name == "default" {
				if mutate == "" {
					fast++
				}
				if bytes.Equal(got.FirstChild.NextSibling.Content, data) {
					whole++
				}
			}
		}
	}
	// The mutations must not all have been decoded the same way by chance:
	// most undamaged bodies decode to their data.
	if fast == 0 || whole < fast {
		t.Fatalf("%d undamaged bodies, %d decoded to their data", fast, whole)
	}
}

// TestBase64WholeTakesWellFormed pins which bodies take the one-call path
// (decodeBase64Whole gives them whole) and which go the streaming way.
func TestBase64WholeTakesWellFormed(t *testing.T) {
	for _, tc := range []struct {
		in    string
		whole bool
	}{
		{"aGVsbG8=\r\n", true},
		{"aGVs\r\nbG8=\n", true},
		{"aGVsbG8\r\n", false}, // no padding: the raw decoder's
		{"aGVs bG8=\r\n", false},
		{"aGVsbG8=aGk=\r\n", false},
		{"aGVsbG8*\r\n", false},
		{"", true},
	} {
		whole, enc, err := decodeBase64Whole(strings.NewReader(tc.in))
		if err != nil {
			t.Fatalf("%q: err %v", tc.in, err)
		}
		if (whole != nil) != tc.whole {
			t.Errorf("%q: whole %q, want whole %v", tc.in, whole, tc.whole)
		}
		// The encoded bytes come back only when they are to be streamed:
		// once decoded, their buffer goes back to the pool.
		if wantEnc := map[bool]string{false: tc.in}[tc.whole]; string(enc) != wantEnc || (enc == nil) != tc.whole {
			t.Errorf("%q: enc %q, want %q", tc.in, enc, wantEnc)
		}
	}
}

// The buffer a decoded part was read into is read into again for the next
// part: what the first gave stays as it was.
func TestBase64WholeReusesOnlyTheEncodedBuffer(t *testing.T) {
	first, _, _ := decodeBase64Whole(strings.NewReader(base64.StdEncoding.EncodeToString([]byte("first part"))))
	for range 10 {
		second, _, _ := decodeBase64Whole(strings.NewReader(base64.StdEncoding.EncodeToString([]byte("SECOND PART, LONGER"))))
		if string(second) != "SECOND PART, LONGER" {
			t.Fatalf("second %q", second)
		}
		// Bytes handed out to be streamed are never read into again.
		streamed, enc, _ := decodeBase64Whole(strings.NewReader("bad base64!"))
		decodeBase64Whole(strings.NewReader(base64.StdEncoding.EncodeToString([]byte("third"))))
		if streamed != nil || string(enc) != "bad base64!" {
			t.Fatalf("streamed %q enc %q", streamed, enc)
		}
	}
	if string(first) != "first part" {
		t.Fatalf("first %q after reuse", first)
	}
}

// A read error in the middle of a base64 part ends the same way as upstream.
func TestBase64WholeReadError(t *testing.T) {
	body := base64Body(bytes.Repeat([]byte("data"), 3000), true, 76, "\r\n", "", rand.New(rand.NewPCG(1, 2)))
	msg := base64Message(body, "application/octet-stream")
	boom := errors.New("disk gone")
	for _, cut := range []int{200, 300, 2000, 9000} {
		src := func() io.Reader { return io.MultiReader(strings.NewReader(msg[:cut]), iotest.ErrReader(boom)) }
		ref := NewParser()
		ref.streamBase64 = true
		want, wantErr := ref.ReadParts(src())
		got, gotErr := NewParser().ReadParts(src())
		if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Fatalf("cut %d: error %v, upstream %v", cut, gotErr, wantErr)
		}
		if wantErr == nil && !reflect.DeepEqual(viewParts(got), viewParts(want)) {
			t.Fatalf("cut %d: parts differ from upstream", cut)
		}
	}
}

// BenchmarkReadPartsBase64Attachment parses a message with a 1 MB
// attachment in base64 lines of 76 characters, the import's common case.
func BenchmarkReadPartsBase64Attachment(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	msg := base64Message(base64Body(data, true, 76, "\r\n", "", rand.New(rand.NewPCG(1, 2))), "application/octet-stream")
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := NewParser().ReadParts(strings.NewReader(msg)); err != nil {
			b.Fatal(err)
		}
	}
}
