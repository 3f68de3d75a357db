package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// TestParseLargeAttachment: a 20 MB attachment must come back byte-exact.
func TestParseLargeAttachment(t *testing.T) {
	if testing.Short() {
		t.Skip("large message")
	}
	const size = 20 << 20
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i*7 + i>>11)
	}
	var b bytes.Buffer
	b.WriteString("Message-ID: <big@example.com>\r\nFrom: big@example.com\r\nTo: support@ticketer.test\r\n" +
		"Subject: Big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BIG\"\r\n\r\n" +
		"--BIG\r\nContent-Type: text/plain\r\n\r\nSee attachment.\r\n" +
		"--BIG\r\nContent-Type: application/zip\r\nContent-Disposition: attachment; filename=\"big.zip\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--BIG--\r\n")

	m, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	a := attachmentNamed(t, m, "big.zip")
	if len(a.Data) != size {
		t.Fatalf("size %d, want %d", len(a.Data), size)
	}
	if sha256.Sum256(a.Data) != sha256.Sum256(data) {
		t.Fatal("content differs")
	}
	eq(t, "Text", m.Text, "See attachment.")
}
