package smtpout_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout/postfixtest"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout/smtpouttest"
)

// TestPostfix sends through a real Postfix: its stock self-signed
// certificate, a certificate signed by a private CA, plain text on loopback,
// and AUTH with Dovecot as the SASL backend; every delivery is read back from
// the Maildir Postfix wrote.
func TestPostfix(t *testing.T) {
	ca := smtpouttest.NewCA(t)
	cases := []struct {
		name, listener, url, from, rcpt string
		want, errHas                    string
		postfixLog                      string // a line Postfix must have logged
	}{
		{name: "self-signed refused by default", listener: "self", url: "smtp://127.0.0.1:%d", want: "config", errHas: "certificate is not trusted"},
		{name: "self-signed refused with tls=starttls", listener: "self", url: "smtp://127.0.0.1:%d?tls=starttls", want: "config", errHas: "?insecure=1"},
		{name: "self-signed with insecure=1", listener: "self", url: "smtp://127.0.0.1:%d?tls=starttls&insecure=1", want: "ok", postfixLog: "TLS connection established"},
		{name: "private CA with ca=", listener: "ca", url: "smtp://127.0.0.1:%d?tls=starttls&ca=" + ca.CAFile, want: "ok"},
		{name: "private CA without ca=", listener: "ca", url: "smtp://127.0.0.1:%d?tls=starttls", want: "config", errHas: "?ca=/path/ca.pem"},
		{name: "plain on loopback", listener: "plain", url: "smtp://127.0.0.1:%d?tls=none", want: "ok"},
		{name: "plain by default when STARTTLS is not offered", listener: "plain", url: "smtp://127.0.0.1:%d", want: "ok"},
		{name: "STARTTLS required, not offered", listener: "plain", url: "smtp://127.0.0.1:%d?tls=starttls", want: "config", errHas: "STARTTLS is required"},
		{name: "AUTH PLAIN", listener: "auth-plain", url: "smtp://agent:secret@127.0.0.1:%d?tls=starttls&ca=" + ca.CAFile, want: "ok", postfixLog: "sasl_method=PLAIN, sasl_username=agent"},
		{name: "AUTH LOGIN", listener: "auth-login", url: "smtp://agent:secret@127.0.0.1:%d?tls=starttls&ca=" + ca.CAFile, want: "ok", postfixLog: "sasl_method=LOGIN, sasl_username=agent"},
		{name: "AUTH CRAM-MD5", listener: "auth-cram", url: "smtp://agent:secret@127.0.0.1:%d?tls=starttls&ca=" + ca.CAFile, want: "ok", postfixLog: "sasl_method=CRAM-MD5, sasl_username=agent"},
		{name: "AUTH refused", listener: "auth-plain", url: "smtp://agent:wrong@127.0.0.1:%d?tls=starttls&ca=" + ca.CAFile, want: "config", errHas: "AUTH PLAIN refused (535"},
		{name: "no credentials where AUTH is required", listener: "auth-plain", url: "smtp://127.0.0.1:%d?tls=starttls&ca=" + ca.CAFile, want: "permanent", errHas: "554"},
		{name: "sender refused at MAIL FROM", listener: "plain", url: "smtp://127.0.0.1:%d", from: "blocked@acme.test", want: "config", errHas: "MAIL FROM <blocked@acme.test>: 554"},
		{name: "unknown recipient at RCPT", listener: "plain", url: "smtp://127.0.0.1:%d", rcpt: "nobody@customer.test", want: "permanent", errHas: "User unknown"},
	}
	var mailboxes []string
	for i := range cases {
		if cases[i].rcpt == "" {
			cases[i].rcpt = fmt.Sprintf("case%d@customer.test", i)
			mailboxes = append(mailboxes, cases[i].rcpt)
		}
	}
	pf := postfixtest.Start(t, postfixtest.Options{
		Listeners: []postfixtest.Listener{
			{Name: "self", TLS: true},
			{Name: "ca", TLS: true, CertFile: ca.ServerCert, KeyFile: ca.ServerKey},
			{Name: "plain"},
			{Name: "auth-plain", TLS: true, CertFile: ca.ServerCert, KeyFile: ca.ServerKey, Auth: true, Mechanisms: "plain"},
			{Name: "auth-login", TLS: true, CertFile: ca.ServerCert, KeyFile: ca.ServerKey, Auth: true, Mechanisms: "login"},
			{Name: "auth-cram", TLS: true, CertFile: ca.ServerCert, KeyFile: ca.ServerKey, Auth: true, Mechanisms: "cram-md5"},
		},
		Mailboxes:      mailboxes,
		Users:          map[string]string{"agent": "secret"},
		RefusedSenders: []string{"blocked@acme.test"},
	})
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rc, err := smtpout.ParseRelayURL(fmt.Sprintf(tc.url, pf.Port(tc.listener)))
			if err != nil {
				t.Fatal(err)
			}
			rc.Timeout, rc.HeloName = 20*time.Second, "desk.acme.test"
			rc.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
			from := tc.from
			if from == "" {
				from = "support@acme.test"
			}
			mid := fmt.Sprintf("case%d.%d@acme.test", i, time.Now().UnixNano())
			raw := fmt.Sprintf("From: Acme Support <%s>\r\nTo: <%s>\r\nSubject: [#%d] %s\r\nMessage-ID: <%s>\r\n"+
				"In-Reply-To: <question@customer.test>\r\nReferences: <question@customer.test>\r\n\r\nHello from %s\r\n", from, tc.rcpt, i, tc.name, mid, tc.name)
			err = smtpout.NewRelay(rc).Send(context.Background(), from, []string{tc.rcpt}, []byte(raw))
			if got := kind(err); got != tc.want || (tc.errHas != "" && !strings.Contains(err.Error(), tc.errHas)) {
				t.Fatalf("got %s (%v), want %s containing %q\n%s", got, err, tc.want, tc.errHas, pf.Log())
			}
			if tc.want != "ok" {
				return
			}
			got := string(pf.Messages(t, tc.rcpt, 1)[0])
			for _, h := range []string{"Message-ID: <" + mid + ">", "In-Reply-To: <question@customer.test>", "References: <question@customer.test>",
				"Return-Path: <" + from + ">", "from desk.acme.test (localhost [127.0.0.1])"} {
				if !strings.Contains(got, h) {
					t.Errorf("delivered message lacks %q:\n%s", h, got)
				}
			}
			if tc.postfixLog != "" && !strings.Contains(pf.Log(), tc.postfixLog) {
				t.Errorf("postfix did not log %q:\n%s", tc.postfixLog, pf.Log())
			}
		})
	}
}

// TestPostfixBusyThenAccepted: Postfix answers 421 while its connection limit
// is taken (a temporary error), and takes the message once it is free.
func TestPostfixBusyThenAccepted(t *testing.T) {
	pf := postfixtest.Start(t, postfixtest.Options{Listeners: []postfixtest.Listener{{Name: "limited", ConnectionLimit: 1}}, Mailboxes: []string{"busy@customer.test"}})
	addr := fmt.Sprintf("127.0.0.1:%d", pf.Port("limited"))
	// Hold the one slot. Postfix counts a connection when its smtpd reports
	// it, so on a busy machine the hold itself can be the one refused: it
	// holds the slot only once it is greeted with 220.
	var held net.Conn
	for i := 0; held == nil; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		greeting, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(greeting, "220") {
			held = c
			break
		}
		c.Close()
		if i == 100 {
			t.Fatalf("no slot to hold: %q\n%s", greeting, pf.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	r := relay(t, "smtp://127.0.0.1:%d?helo=desk.acme.test", pf.Port("limited"))
	raw := "From: <support@acme.test>\r\nTo: <busy@customer.test>\r\nSubject: busy\r\nMessage-ID: <busy@acme.test>\r\n\r\nHello\r\n"
	send := func() error {
		return r.Send(context.Background(), "support@acme.test", []string{"busy@customer.test"}, []byte(raw))
	}
	if err := send(); kind(err) != "temporary" || !strings.Contains(err.Error(), "421") {
		t.Fatalf("while busy: want a temporary 421, got %s (%v)\n%s", kind(err), err, pf.Log())
	}
	held.Close()
	// Postfix frees the slot when its smtpd sees the disconnect: retry as
	// the send job would, a bounded number of times.
	err := send()
	for i := 0; err != nil && kind(err) == "temporary" && i < 100; i++ {
		time.Sleep(50 * time.Millisecond)
		err = send()
	}
	if err != nil {
		t.Fatalf("after the slot was freed: %v\n%s", err, pf.Log())
	}
	if got := string(pf.Messages(t, "busy@customer.test", 1)[0]); !strings.Contains(got, "Message-ID: <busy@acme.test>") {
		t.Fatalf("delivered:\n%s", got)
	}
}
