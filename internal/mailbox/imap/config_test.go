package imap

import (
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		want    Config
		wantErr string
	}{
		{in: "imap://me%40acme.test:p%40ss@mail.acme.test/INBOX", want: Config{Addr: "mail.acme.test:143", Security: StartTLS, Username: "me@acme.test", Password: "p@ss", Folder: "INBOX"}},
		{in: "imaps://me:pw@mail.acme.test", want: Config{Addr: "mail.acme.test:993", Security: TLS, Username: "me", Password: "pw", Folder: "INBOX"}},
		{in: "imap://me:pw@127.0.0.1:1143/Support/Tickets?tls=none&sent=Sent&poll=30s&batch=100&idle=off", want: Config{Addr: "127.0.0.1:1143",
			Security: Plain, Username: "me", Password: "pw", Folder: "Support/Tickets", SentFolder: "Sent", PollInterval: 30 * time.Second, BatchSize: 100, DisableIdle: true}},
		{in: "imaps://me@gmail.com:ya29.token@imap.gmail.com?auth=xoauth2&insecure=1", want: Config{Addr: "imap.gmail.com:993", Security: TLS,
			Username: "me@gmail.com", Password: "ya29.token", Folder: "INBOX", XOAuth2: true, InsecureSkipVerify: true}},
		{in: "pop3://me:pw@host", wantErr: "scheme"},
		{in: "imap://host/INBOX", wantErr: "user"},
		{in: "imap://me:pw@/INBOX", wantErr: "host"},
		{in: "imaps://me:pw@host?tls=none", wantErr: "contradicts"},
		{in: "imap://me:pw@host?auth=cram", wantErr: "auth"},
		{in: "imap://me:pw@host?poll=10ms", wantErr: "poll"},
		{in: "imap://me:pw@host?batch=0", wantErr: "batch"},
		{in: "imap://me:p w%zz@host", wantErr: "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseURL(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one about %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "pw") || strings.Contains(err.Error(), "p w") {
					t.Fatalf("the error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Addr != tt.want.Addr || got.Security != tt.want.Security || got.Username != tt.want.Username || got.Password != tt.want.Password ||
				got.Folder != tt.want.Folder || got.SentFolder != tt.want.SentFolder || got.XOAuth2 != tt.want.XOAuth2 ||
				got.InsecureSkipVerify != tt.want.InsecureSkipVerify || got.PollInterval != tt.want.PollInterval ||
				got.BatchSize != tt.want.BatchSize || got.DisableIdle != tt.want.DisableIdle {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if r := Redacted("imap://me:secret@host/INBOX"); strings.Contains(r, "secret") {
		t.Fatalf("Redacted kept the password: %s", r)
	}
}
