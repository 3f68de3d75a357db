package mail

import (
	"fmt"
	"mime"
	"strings"
	"unicode"

	"github.com/jhillyerd/enmime/v2"
)

// buildAttachments converts non-body parts. html is used to tell inline
// images (referenced as cid:) from attachments that merely have a Content-ID.
func buildAttachments(parts []*enmime.Part, html string, dec *mime.WordDecoder) []Attachment {
	if len(parts) == 0 {
		return nil
	}
	lowerHTML := strings.ToLower(html)
	out := make([]Attachment, 0, len(parts))
	for i, p := range parts {
		ct := strings.ToLower(strings.TrimSpace(p.ContentType))
		if ct == "" || !strings.Contains(ct, "/") {
			ct = "application/octet-stream"
		}
		name := sanitizeFilename(decodeWords(dec, p.FileName))
		if name == "" && ct == "message/rfc822" {
			// A forwarded message reads better under its own subject.
			if subj := collapseSpace(decodeWords(dec, readHeaderBlock(p.Content).fields.get("Subject"))); subj != "" {
				name = sanitizeFilename(subj + ".eml")
			}
		}
		if name == "" {
			name = fmt.Sprintf("attachment-%d%s", i+1, extensionFor(ct))
		}
		cid := strings.Trim(strings.TrimSpace(p.ContentID), "<>")
		inline := cid != "" && (strings.EqualFold(p.Disposition, "inline") ||
			strings.Contains(lowerHTML, "cid:"+strings.ToLower(cid)))
		out = append(out, Attachment{
			Filename:    name,
			ContentType: ct,
			ContentID:   cid,
			Inline:      inline,
			Data:        p.Content,
		})
	}
	return out
}

// maxFilenameBytes keeps names storable on every filesystem we write to.
const maxFilenameBytes = 200

// sanitizeFilename strips directories, control and shell/Windows-hostile
// characters so the name is safe for Content-Disposition and disk. It
// returns "" when nothing usable is left.
func sanitizeFilename(s string) string {
	s, _ = bytesToUTF8([]byte(s))
	s = strings.ReplaceAll(s, `\`, "/")
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			// Bidi controls make "photo\u202Egpj.exe" show as "photoexe.jpg".
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, s)
	s = strings.Trim(collapseSpace(s), ". ")
	if len(s) > maxFilenameBytes {
		ext := ""
		if i := strings.LastIndex(s, "."); i > 0 && len(s)-i <= 16 {
			ext = s[i:]
		}
		cut := maxFilenameBytes - len(ext)
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + ext
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// extensions is a fixed table on purpose: mime.ExtensionsByType depends on
// the host's mime.types, and generated names must be the same everywhere.
var extensions = map[string]string{
	"image/png":                ".png",
	"image/jpeg":               ".jpg",
	"image/jpg":                ".jpg",
	"image/gif":                ".gif",
	"image/webp":               ".webp",
	"image/svg+xml":            ".svg",
	"image/bmp":                ".bmp",
	"image/tiff":               ".tif",
	"application/pdf":          ".pdf",
	"application/zip":          ".zip",
	"application/json":         ".json",
	"application/xml":          ".xml",
	"application/msword":       ".doc",
	"application/vnd.ms-excel": ".xls",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       ".xlsx",
	"application/pkcs7-signature":                                             ".p7s",
	"application/ms-tnef":                                                     ".dat",
	"text/plain":                                                              ".txt",
	"text/html":                                                               ".html",
	"text/csv":                                                                ".csv",
	"text/calendar":                                                           ".ics",
	"text/rfc822-headers":                                                     ".txt",
	"message/rfc822":                                                          ".eml",
	"message/delivery-status":                                                 ".txt",
	"message/global-delivery-status":                                          ".txt",
}

func extensionFor(ct string) string {
	if e, ok := extensions[ct]; ok {
		return e
	}
	return ".bin"
}
