package mail

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMalformedMIME: the oddities real mail has lose no text and no part.
func TestMalformedMIME(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file  string
		check func(t *testing.T, m *Message)
	}{
		{"doubled_semicolons.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "Schöne Grüße, the log is attached.\n")
			a := attachmentNamed(t, m, "app.log")
			eq(t, "data", string(a.Data), "ERROR 42")
		}},
		{"report_doubled_semicolons.eml", func(t *testing.T, m *Message) {
			// report-type is read by enmime's parser: mime.ParseMediaType
			// gives up on ";;" and the receipt would pass for a person's mail.
			eq(t, "Reason", m.Reason, ReasonReceipt)
		}},
		{"boundary_like_text.eml", func(t *testing.T, m *Message) {
			eq(t, "Text", m.Text, "Our generator writes the closing line like this:\n--=_b1-- and then the epilogue\n"+
				"and also this, which is not a boundary either:\n--=_b1 trailing words\nIs that valid?\n")
			a := attachmentNamed(t, m, "gen.conf")
			eq(t, "data", string(a.Data), `boundary = "=_b1"`)
		}},
		{"partial_1_of_2.eml", func(t *testing.T, m *Message) {
			eq(t, "Partial", m.Partial, &Partial{ID: "big-report-7@legacy.example", Number: 1, Total: 2})
			eq(t, "Text", m.Text, "The quarterly export is attached; it fails at row 1200.\n")
			eq(t, "VisibleText", m.VisibleText, "The quarterly export is attached; it fails at row 1200.")
			a := attachmentNamed(t, m, "attachment-1.bin")
			eq(t, "fragment type", a.ContentType, "message/partial")
			if !strings.Contains(string(a.Data), "id,name\n1,a") {
				t.Errorf("fragment not kept whole: %q", a.Data)
			}
			hasProblem(t, m, "message/partial fragment 1 of 2")
		}},
		{"partial_2_of_2.eml", func(t *testing.T, m *Message) {
			eq(t, "Partial", m.Partial, &Partial{ID: "big-report-7@legacy.example", Number: 2, Total: 2})
			eq(t, "Text", m.Text, "2,b\n3,c\n--rep--\n")
			eq(t, "fragment", string(attachmentNamed(t, m, "attachment-1.bin").Data), "2,b\n3,c\n--rep--\n")
		}},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".eml"), func(t *testing.T) {
			t.Parallel()
			tt.check(t, mustParse(t, filepath.Join("mime", tt.file)))
		})
	}
}
