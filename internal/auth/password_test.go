package auth

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	// RFC 9106's second recommendation: 64 MiB, 3 passes, 2 lanes.
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("hash %s: not argon2id with m=65536,t=3,p=2", h)
	}
	if !strings.HasPrefix(h, "$argon2id$") || !CheckPassword(h, "correct horse battery") || CheckPassword(h, "wrong password") {
		t.Fatalf("hash %s", h)
	}
	h2, _ := HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("salts must differ")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("short password accepted")
	}
	for _, bad := range []string{"", "$argon2id$v=19$m=1,t=1,p=1$!!$!!", "$bcrypt$x"} {
		if CheckPassword(bad, "x") {
			t.Fatalf("malformed hash %q accepted", bad)
		}
	}
}

func TestNewToken(t *testing.T) {
	a, _ := NewToken()
	b, _ := NewToken()
	if a == b || !strings.HasPrefix(a, "tkt_") || len(a) < 40 {
		t.Fatalf("tokens %s %s", a, b)
	}
}

func TestPasswordRules(t *testing.T) {
	t.Parallel()
	cases := []struct {
		password string
		ok       bool
	}{
		{"        ", false},
		{"          ", false}, // ten spaces
		{"12345678", false},
		{"1234567890", false},   // long enough, but common
		{"QwertyUIOP", false},   // common, whatever the case
		{"aaaaaaaaaaaa", false}, // one character
		{"😀😀😀😀", false},         // 16 bytes, 4 characters
		{"😀🎉🐱🚀✨🌈🍕🎸🐙🦄", true},    // 10 characters
		{"nine char", false},
		{"ten chars!", true},
		{"correct horse battery", true},
	}
	for _, c := range cases {
		t.Run(c.password, func(t *testing.T) {
			t.Parallel()
			if err := CheckPasswordRules(c.password); (err == nil) != c.ok {
				t.Fatalf("rules say %v, want ok=%v", err, c.ok)
			}
		})
	}
	if len(commonPasswords) < 50 {
		t.Fatalf("only %d common passwords loaded", len(commonPasswords))
	}
}
