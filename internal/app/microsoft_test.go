package app

import "testing"

// Graph posts notifications only to https URLs: any other base URL (the
// default http://127.0.0.1:8080 included) leaves the connector polling.
func TestMicrosoftNotifyBase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://help.example.com":   "https://help.example.com",
		"HTTPS://help.example.com/x": "HTTPS://help.example.com/x",
		"http://127.0.0.1:8080":      "",
		"http://help.example.com":    "",
		"":                           "",
	} {
		if got := microsoftNotifyBase(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
