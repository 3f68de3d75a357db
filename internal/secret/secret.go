// Package secret seals stored credentials (relay and IMAP passwords, OAuth
// tokens, API keys) with AES-256-GCM. Each sealed value names the key that
// sealed it, so keys can be rotated: new values use the first key, old values
// open with whichever key they name.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

const prefix = "sealed:v1:"

// Box seals and opens values.
type Box struct {
	current    string
	currentKey []byte
	aeads      map[string]cipher.AEAD
}

// ParseKeys reads a comma-separated list of base64 32-byte keys; the first
// seals, all open.
func ParseKeys(list string) (*Box, error) {
	b := &Box{aeads: map[string]cipher.AEAD{}}
	for i, part := range strings.Split(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, err := base64.StdEncoding.DecodeString(part)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d is not valid base64: %w", i+1, err)
		}
		if len(key) != 32 {
			return nil, fmt.Errorf("encryption key %d must be 32 bytes, got %d", i+1, len(key))
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("encryption key %d: %w", i+1, err)
		}
		sum := sha256.Sum256(key)
		id := hex.EncodeToString(sum[:4])
		if b.current == "" {
			b.current, b.currentKey = id, key
		}
		b.aeads[id] = aead
	}
	if b.current == "" {
		return nil, errors.New("no encryption key given")
	}
	return b, nil
}

// LoadOrCreateKeyFile reads a base64 key from path, creating it (mode 0600)
// with a new random key when missing: the embedded default needs no setup.
func LoadOrCreateKeyFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(data)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read key file: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("generate key: %w", err)
	}
	enc := base64.StdEncoding.EncodeToString(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(enc + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write key file: %w", err)
	}
	return enc, nil
}

// Seal encrypts plaintext; "" stays "" (nothing configured).
func (b *Box) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	aead := b.aeads[b.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	ct := aead.Seal(nonce, nonce, []byte(plaintext), []byte(b.current))
	return prefix + b.current + ":" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// Open decrypts a value made by Seal.
func (b *Box) Open(sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", errors.New("open secret: not a sealed value")
	}
	id, enc, ok := strings.Cut(rest, ":")
	if !ok {
		return "", errors.New("open secret: malformed sealed value")
	}
	aead, ok := b.aeads[id]
	if !ok {
		return "", fmt.Errorf("open secret: sealed with key %s, which is not configured", id)
	}
	ct, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil || len(ct) < aead.NonceSize() {
		return "", errors.New("open secret: malformed sealed value")
	}
	pt, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], []byte(id))
	if err != nil {
		return "", fmt.Errorf("open secret: %w", err)
	}
	return string(pt), nil
}

// KeyID names the key that sealed a value ("" when not sealed).
func KeyID(sealed string) string {
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, ":")
	return id
}

// Reseal re-encrypts a value sealed with an older key under the current
// one, finishing a rotation: once every value is resealed the old key can
// be removed. changed is false when nothing had to be done.
func (b *Box) Reseal(sealed string) (out string, changed bool, err error) {
	if sealed == "" || KeyID(sealed) == b.current {
		return sealed, false, nil
	}
	pt, err := b.Open(sealed)
	if err != nil {
		return sealed, false, err
	}
	out, err = b.Seal(pt)
	if err != nil {
		return sealed, false, err
	}
	return out, true, nil
}

// DeriveKey returns a 32-byte key for another purpose (e.g. signing OAuth
// state), derived from the current key and label so it never equals it.
func (b *Box) DeriveKey(label string) []byte {
	m := hmac.New(sha256.New, b.currentKey)
	m.Write([]byte("ticketer derived key: " + label))
	return m.Sum(nil)
}
