// Package auth holds users' credentials: argon2id password hashes and API tokens.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (RFC 9106 second recommendation, sized for a small server).
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 2
	argonKeyLen  = 32
)

// minPasswordRunes is the shortest password accepted, counted in
// characters, not bytes (four emoji are 16 bytes and four characters).
const minPasswordRunes = 10

//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords are refused whatever their case.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsFile, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// CheckPasswordRules says why a password is refused, nil when it is not.
func CheckPasswordRules(password string) error {
	if utf8.RuneCountInString(password) < minPasswordRunes {
		return fmt.Errorf("password must be at least %d characters", minPasswordRunes)
	}
	if strings.TrimSpace(password) == "" || oneCharacter(password) {
		return errors.New("password must not be one character repeated")
	}
	if commonPasswords[strings.ToLower(password)] {
		return errors.New("password is one of the most common ones; choose another")
	}
	return nil
}

func oneCharacter(s string) bool {
	first, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(first)) == ""
}

// HashPassword checks the password rules and returns a PHC-style argon2id
// hash.
func HashPassword(password string) (string, error) {
	if err := CheckPasswordRules(password); err != nil {
		return "", err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argonKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// dummyHash is a hash with the parameters of HashPassword that no password
// matches (its key is zeros): checking an unknown user's password against it
// takes a real check's time. Made without running argon2id, whose 64 MiB a
// server would otherwise take at start.
func dummyHash() (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(make([]byte, argonKeyLen))), nil
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argonKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// argonKey is argon2.IDKey followed by a collection: each call leaves its
// memory (64 MiB at our parameters) as garbage, and with the default pacing
// a run of sign-ins grows the heap by several of those before the collector
// runs. Collected at once, the next hash reuses the same memory, so the
// capped concurrent hashes bound the process's memory (the abuse suite's
// 64 parallel sign-ins).
func argonKey(password, salt []byte, t, m uint32, p uint8, keyLen uint32) []byte {
	key := argon2.IDKey(password, salt, t, m, p, keyLen)
	runtime.GC()
	return key
}

// NewToken returns a new random API token: "tkt_" and 32 random bytes.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: %w", err)
	}
	return "tkt_" + base64.RawURLEncoding.EncodeToString(b), nil
}
