package mail

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestWriteField: words go on the header line until the next would pass 78
// characters, then on a folded line; the first word stays after the name
// however long, and an empty value writes the name alone.
func TestWriteField(t *testing.T) {
	t.Parallel()
	w75, w74, w100 := strings.Repeat("a", 75), strings.Repeat("a", 74), strings.Repeat("a", 100)
	for _, c := range []struct {
		name, value, want string
	}{
		{"empty", "", "X:\r\n"},
		{"words", "Hello world", "X: Hello world\r\n"},
		{"a leading space", " lead", "X: lead\r\n"},
		{"exactly 78", w75, "X: " + w75 + "\r\n"},
		{"79 folds", w75 + " b", "X: " + w75 + "\r\n b\r\n"},
		{"78 with two words", w74[:73] + " b", "X: " + w74[:73] + " b\r\n"},
		{"the next word past 78", w74 + " b", "X: " + w74 + "\r\n b\r\n"},
		{"a long first word stays", w100 + " b", "X: " + w100 + "\r\n b\r\n"},
	} {
		var b bytes.Buffer
		writeField(&b, "X", c.value)
		if got := b.String(); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// TestComposeSevenBit: bytes of 0x80 and above, even one that is not
// UTF-8, never go out raw: the subject is encoded, the text quoted-printable.
func TestComposeSevenBit(t *testing.T) {
	t.Parallel()
	o := Outgoing{
		From: Address{Email: "support@ticketer.test"}, To: []Address{{Email: "a@example.com"}},
		Subject: "caf\x80", MessageID: "b-1@ticketer.test", Date: time.Unix(0, 0), Text: "caf\x80\n",
	}
	raw, err := Compose(o)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range raw {
		if c >= 0x80 {
			t.Fatalf("byte %#x at %d in:\n%q", c, i, raw)
		}
	}
}

// TestComposeInlineNeedsCIDAndHTML: an attachment marked inline goes in a
// multipart/related with the HTML only when it has a Content-ID and there
// is HTML to show it; otherwise it is a regular attachment.
func TestComposeInlineNeedsCIDAndHTML(t *testing.T) {
	t.Parallel()
	img := func(cid string) Attachment {
		return Attachment{Filename: "a.png", ContentType: "image/png", ContentID: cid, Inline: true, Data: []byte("\x89PNG")}
	}
	for _, c := range []struct {
		name, html  string
		att         Attachment
		related     bool
		disposition string
	}{
		{"Content-ID and HTML", `<p><img src="cid:img@t"></p>`, img("img@t"), true, "inline"},
		{"no Content-ID", `<p>x</p>`, img(""), false, "attachment"},
		{"no HTML", "", img("img@t"), false, "inline"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := Outgoing{
				From: Address{Email: "support@ticketer.test"}, To: []Address{{Email: "a@example.com"}},
				Subject: "Image", MessageID: "i-1@ticketer.test", Date: time.Unix(0, 0),
				Text: "See.", HTML: c.html, Attachments: []Attachment{c.att},
			}
			raw, err := Compose(o)
			if err != nil {
				t.Fatal(err)
			}
			related := bytes.Contains(raw, []byte("multipart/related"))
			mixed := bytes.Contains(raw, []byte("multipart/mixed"))
			if related != c.related || mixed == c.related {
				t.Errorf("related %v mixed %v, want related %v:\n%s", related, mixed, c.related, raw)
			}
			if !bytes.Contains(raw, []byte("Content-Disposition: "+c.disposition+"; filename=a.png")) {
				t.Errorf("want disposition %s:\n%s", c.disposition, raw)
			}
		})
	}
}

// TestComposeLineLimits: a text with lines of up to 76 characters goes as
// 7bit, a longer line makes it quoted-printable; base64 lines are 76
// characters, with no empty line after the last.
func TestComposeLineLimits(t *testing.T) {
	t.Parallel()
	compose := func(text string, atts ...Attachment) []byte {
		t.Helper()
		raw, err := Compose(Outgoing{
			From: Address{Email: "support@ticketer.test"}, To: []Address{{Email: "a@example.com"}},
			Subject: "Lines", MessageID: "l-1@ticketer.test", Date: time.Unix(0, 0), Text: text, Attachments: atts,
		})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	if raw := compose(strings.Repeat("a", 76) + "\n"); !bytes.Contains(raw, []byte("Content-Transfer-Encoding: 7bit")) {
		t.Errorf("a 76-character line is not 7bit:\n%s", raw)
	}
	if raw := compose(strings.Repeat("a", 77) + "\n"); !bytes.Contains(raw, []byte("Content-Transfer-Encoding: quoted-printable")) {
		t.Errorf("a 77-character line is not quoted-printable:\n%s", raw)
	}
	// 57 bytes are exactly 76 base64 characters: one line, then the
	// delimiter (the CRLF that ends the part, and the one before "--").
	raw := compose("See.", Attachment{Filename: "d.bin", ContentType: "application/octet-stream", Data: bytes.Repeat([]byte{0xff}, 57)})
	if !bytes.Contains(raw, []byte("\r\n"+strings.Repeat("/", 76)+"\r\n\r\n--")) {
		t.Errorf("57 bytes are not one base64 line before the boundary:\n%s", raw)
	}
}
