package secret

import "testing"

// mustParse and mustSeal fail the test on a setup error instead of going on
// with a nil box or an empty value.
func mustParse(t *testing.T, list string) *Box {
	t.Helper()
	b, err := ParseKeys(list)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustSeal(t *testing.T, b *Box, plain string) string {
	t.Helper()
	s, err := b.Seal(plain)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
