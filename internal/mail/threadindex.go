package mail

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// threadIndexRootLen is the header block of a Thread-Index: a 6-byte
// FILETIME and a 16-byte conversation GUID. Each reply appends a 5-byte
// child block, so every message of one Outlook conversation starts with the
// same 22 bytes ([MS-OXOMSG] 2.2.1.3, PidTagConversationIndex).
const threadIndexRootLen = 22

// threadIndexRoot is the conversation a Thread-Index names, as hex, or ""
// when the value is not a Thread-Index.
func threadIndexRoot(v string) string {
	v = strings.Join(strings.Fields(v), "")
	if v == "" {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "=")); err != nil {
			return ""
		}
	}
	if len(b) < threadIndexRootLen || (len(b)-threadIndexRootLen)%5 != 0 {
		return ""
	}
	return hex.EncodeToString(b[:threadIndexRootLen])
}

// listID is the identifier of a List-Id (RFC 2919: an optional phrase, then
// the id in angle brackets), lower-cased.
func listID(v string) string {
	v = strings.TrimSpace(v)
	if i := strings.LastIndexByte(v, '<'); i >= 0 {
		v = v[i+1:]
		if j := strings.IndexByte(v, '>'); j >= 0 {
			v = v[:j]
		}
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// IsOwnList tells whether a List-Id names one of our addresses as a list:
// Google Groups (and most list servers) write the group address with its
// "@" turned into a ".", as support.example.com for support@example.com.
func IsOwnList(id string, ours map[string]bool) bool {
	if id == "" {
		return false
	}
	if ours[id] {
		return true
	}
	for a := range ours {
		if strings.Replace(a, "@", ".", 1) == id {
			return true
		}
	}
	return false
}
