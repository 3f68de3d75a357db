package move

import (
	"testing"
	"time"
)

func TestCopyValue(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 1, 20, 30, 1, 500000000, time.FixedZone("CET", 3600))
	cases := []struct {
		name   string
		v      any
		pgType string
		want   string
	}{
		{"null", nil, "text", `\N`},
		{"text with tab, newline and backslash", "a\tb\nc\\d", "text", `a\tb\nc\\d`},
		{"bytes as text", []byte("raw"), "text", "raw"},
		{"integer", int64(42), "int8", "42"},
		{"SQLite boolean true", int64(1), "bool", "t"},
		{"SQLite boolean false", int64(0), "bool", "f"},
		{"time value in UTC", at, "timestamptz", "2026-12-01 19:30:01.5Z"},
		{"our SQLite time text", "2026-12-01 20:30:01.5+01:00", "timestamptz", "2026-12-01 19:30:01.5Z"},
		{"River's SQLite time text is UTC", "2026-12-01 20:30:01", "timestamptz", "2026-12-01 20:30:01Z"},
		{"bytea", []byte{0xde, 0xad}, "bytea", `\\xdead`},
		{"River unique states", int64(0b10100101), "bit", "10100101"},
		{"text array", `["a","b \"c\""]`, "_text", `{"a","b \\"c\\""}`},
		{"jsonb array", `[{"at":"x","error":"boom"}]`, "_jsonb", `{"{\\"at\\":\\"x\\",\\"error\\":\\"boom\\"}"}`},
		{"jsonb object", `{"k":1}`, "jsonb", `{"k":1}`},
		{"empty array", `[]`, "_varchar", `{}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := copyValue(c.v, c.pgType)
			if err != nil || got != c.want {
				t.Fatalf("copyValue(%v, %s) = %q, %v; want %q", c.v, c.pgType, got, err, c.want)
			}
		})
	}
	for _, bad := range []struct {
		v      any
		pgType string
	}{{"yesterday", "timestamptz"}, {"maybe", "bool"}, {"[1,", "_text"}} {
		if got, err := copyValue(bad.v, bad.pgType); err == nil {
			t.Errorf("copyValue(%v, %s) = %q, want an error", bad.v, bad.pgType, got)
		}
	}
}
