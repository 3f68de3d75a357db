package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout/smtpouttest"
)

func TestSMTPCAFile(t *testing.T) {
	t.Parallel()
	ca := smtpouttest.NewCA(t)
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, env, flag, want, wantErr string }{
		{name: "from the environment", env: ca.CAFile, want: ca.CAFile},
		{name: "the flag wins", env: notPEM, flag: ca.CAFile, want: ca.CAFile},
		{name: "unset", want: ""},
		{name: "missing file", env: "/nonexistent/ca.pem", wantErr: "TICKETER_SMTP_CA_FILE: open /nonexistent/ca.pem"},
		{name: "not PEM", env: notPEM, wantErr: "holds no PEM certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := map[string]string{}
			if tc.env != "" {
				e["TICKETER_SMTP_CA_FILE"] = tc.env
			}
			var args []string
			if tc.flag != "" {
				args = []string{"--smtp-ca-file", tc.flag}
			}
			c, _, err := Load("serve", args, env(e), io.Discard)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("want error %q, got %v", tc.wantErr, err)
				}
				return
			}
			if err != nil || c.SMTPCAFile != tc.want {
				t.Fatalf("SMTPCAFile %q (%v), want %q", c.SMTPCAFile, err, tc.want)
			}
		})
	}
}
