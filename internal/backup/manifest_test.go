package backup

import (
	"strings"
	"testing"
)

func TestParseManifest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, json, wantErr string
	}{
		{"current version", `{"format":"ticketer-backup","version":1,"engine":"sqlite","files":[{"path":"database/ticketer.db"}]}`, ""},
		{"newer version", `{"format":"ticketer-backup","version":2,"engine":"sqlite","files":[{"path":"x"}]}`, "reads versions 1 to 1"},
		{"version zero", `{"format":"ticketer-backup","version":0,"engine":"sqlite","files":[{"path":"x"}]}`, "version 0"},
		{"other format", `{"format":"tar","version":1,"engine":"sqlite","files":[{"path":"x"}]}`, "format"},
		{"unknown engine", `{"format":"ticketer-backup","version":1,"engine":"mysql","files":[{"path":"x"}]}`, "engine"},
		{"no files", `{"format":"ticketer-backup","version":1,"engine":"postgres","files":[]}`, "no files"},
		{"not JSON", `{"format":`, "not valid JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseManifest([]byte(c.json))
			if c.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("want error containing %q, got %v", c.wantErr, err)
			}
		})
	}
}
