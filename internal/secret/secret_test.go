package secret

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func key(b byte) string {
	return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(b), 32)))
}

func TestSealOpenAndRotate(t *testing.T) {
	old, err := ParseKeys(key('a'))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := old.Seal("smtp://user:hunter2@relay:587")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "hunter2") || !strings.HasPrefix(sealed, "sealed:v1:") {
		t.Fatalf("not sealed: %s", sealed)
	}
	again := mustSeal(t, old, "smtp://user:hunter2@relay:587")
	if again == sealed {
		t.Fatal("sealing twice must use fresh nonces")
	}
	// Rotation: the new key seals, the old one still opens.
	rotated, err := ParseKeys(key('b') + "," + key('a'))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(sealed); err != nil || got != "smtp://user:hunter2@relay:587" {
		t.Fatalf("open with rotated keys: %q %v", got, err)
	}
	fresh := mustSeal(t, rotated, "x")
	if _, err := old.Open(fresh); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("old box must not open a value sealed with the new key: %v", err)
	}
	if v, err := old.Seal(""); err != nil || v != "" {
		t.Fatal("empty stays empty")
	}
	tampered := sealed[:len(sealed)-2] + "AA"
	if _, err := old.Open(tampered); err == nil {
		t.Fatal("tampered value opened")
	}
	if _, err := old.Open("plain"); err == nil {
		t.Fatal("unsealed value opened")
	}
}

func TestParseKeysErrors(t *testing.T) {
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := ParseKeys(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

// The error names the bad key by its place in the list, counted from 1, so
// an operator knows which one to fix.
func TestParseKeysErrorNamesTheKey(t *testing.T) {
	short := base64.StdEncoding.EncodeToString([]byte("short"))
	for _, tc := range []struct{ list, want string }{
		{"not base64!", "encryption key 1 is not valid base64"},
		{key('a') + ",not base64!", "encryption key 2 is not valid base64"},
		{short, "encryption key 1 must be 32 bytes, got 5"},
		{key('a') + ", " + key('b') + "," + short, "encryption key 3 must be 32 bytes, got 5"},
	} {
		_, err := ParseKeys(tc.list)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseKeys(%q) = %v, want %q", tc.list, err, tc.want)
		}
	}
}

func TestKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	k1, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st.Mode(), err)
	}
	k2, err := LoadOrCreateKeyFile(path)
	if err != nil || k1 != k2 {
		t.Fatal("the key must be reused")
	}
	if _, err := ParseKeys(k1); err != nil {
		t.Fatal(err)
	}
}

func TestReseal(t *testing.T) {
	old := mustParse(t, key('a'))
	sealed := mustSeal(t, old, "imap://me:pw@host/INBOX")
	rotated := mustParse(t, key('b')+","+key('a'))
	out, changed, err := rotated.Reseal(sealed)
	if err != nil || !changed || KeyID(out) == KeyID(sealed) {
		t.Fatalf("reseal: %v %v %s", changed, err, KeyID(out))
	}
	onlyNew := mustParse(t, key('b'))
	if got, err := onlyNew.Open(out); err != nil || got != "imap://me:pw@host/INBOX" {
		t.Fatalf("the new key alone must open a resealed value: %q %v", got, err)
	}
	if again, changed, err := rotated.Reseal(out); err != nil || changed || again != out {
		t.Fatal("a value under the current key stays as it is")
	}
	if _, _, err := onlyNew.Reseal(sealed); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Fatalf("a value under a removed key must say so: %v", err)
	}
}

func TestDeriveKey(t *testing.T) {
	a := mustParse(t, key('a'))
	a2 := mustParse(t, key('a')+","+key('c'))
	b := mustParse(t, key('b'))
	if string(a.DeriveKey("x")) == string(a.DeriveKey("y")) || string(a.DeriveKey("x")) == string(b.DeriveKey("x")) ||
		len(a.DeriveKey("x")) != 32 || string(a.DeriveKey("x")) != string(a2.DeriveKey("x")) {
		t.Fatal("derived keys must differ by label and key and be stable")
	}
}
