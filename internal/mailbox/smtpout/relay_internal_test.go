package smtpout

import (
	"strings"
	"testing"
)

// TestChooseAuth: the password itself (PLAIN, LOGIN) only goes over TLS or to
// this machine; CRAM-MD5 may go anywhere.
func TestChooseAuth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		offered     string
		private     bool
		want, errAs string
	}{
		{"PLAIN LOGIN CRAM-MD5", true, "PLAIN", ""},
		{"login cram-md5", true, "LOGIN", ""},
		{"CRAM-MD5", true, "CRAM-MD5", ""},
		{"PLAIN LOGIN CRAM-MD5", false, "CRAM-MD5", ""},
		{"PLAIN LOGIN", false, "", "would send the password unencrypted"},
		{"", false, "", "offers no authentication"},
		{"XOAUTH2", true, "", "none of PLAIN, LOGIN, CRAM-MD5 (it offers XOAUTH2)"},
	}
	for _, tc := range cases {
		t.Run(tc.offered, func(t *testing.T) {
			t.Parallel()
			_, got, err := chooseAuth(tc.offered, tc.private, "u", "p")
			if got != tc.want || (tc.errAs == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.errAs)) {
				t.Fatalf("private=%v: got %q, %v; want %q, %q", tc.private, got, err, tc.want, tc.errAs)
			}
		})
	}
}
