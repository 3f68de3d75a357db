package smtpout_test

import (
	"bufio"
	"crypto/hmac"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
)

// server is a scripted SMTP server: every reply can be set per command, so
// each step of a session can answer 4xx or 5xx, or drop the connection.
type server struct {
	t         *testing.T
	ln        net.Listener
	implicit  *tls.Config // TLS from the first byte (smtps)
	starttls  *tls.Config // nil: STARTTLS not offered
	auth      string      // AUTH mechanisms offered, e.g. "PLAIN LOGIN"
	user      string
	pass      string
	dropData  bool // close the connection after the first line of DATA
	dropAtDot bool // close the connection at the end of data, without a reply

	mu sync.Mutex
	// replies overrides the reply to a command: "greeting", "EHLO" (also
	// HELO), "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "." (end of data),
	// "RSET". Replies are used in order and the last one stays.
	replies map[string][]string
	log     []string // commands received, for assertions
	helos   []string
	mechs   []string // AUTH mechanisms the client used
	tlsUsed []bool   // per delivered message: was the session TLS
	msgs    []string
}

func newServer(t *testing.T) *server {
	return &server{t: t, replies: map[string][]string{}}
}

func (s *server) set(cmd string, replies ...string) *server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies[cmd] = replies
	return s
}

func (s *server) reply(cmd, def string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.replies[cmd]
	if len(r) == 0 {
		return def
	}
	if len(r) > 1 {
		s.replies[cmd] = r[1:]
	}
	return r[0]
}

// start listens on 127.0.0.1 and returns the port.
func (s *server) start() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	s.ln = ln
	s.t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func (s *server) record(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *server) snapshot() (log, helos, mechs, msgs []string, tlsUsed []bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{}, s.log...), append([]string{}, s.helos...), append([]string{}, s.mechs...), append([]string{}, s.msgs...), append([]bool{}, s.tlsUsed...)
}

func (s *server) serve(conn net.Conn) {
	defer conn.Close()
	isTLS := false
	if s.implicit != nil {
		tc := tls.Server(conn, s.implicit)
		if err := tc.Handshake(); err != nil {
			return
		}
		conn, isTLS = tc, true
	}
	r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
	send := func(line string) bool {
		_, err := w.WriteString(line + "\r\n")
		return err == nil && w.Flush() == nil
	}
	read := func() (string, bool) {
		line, err := r.ReadString('\n')
		return strings.TrimRight(line, "\r\n"), err == nil
	}
	greet := s.reply("greeting", "220 fake.test ESMTP")
	if !send(greet) || !strings.HasPrefix(greet, "2") {
		return
	}
	for {
		line, ok := read()
		if !ok {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.record(func() { s.log = append(s.log, verb) })
		switch verb {
		case "EHLO", "HELO":
			s.record(func() { s.helos = append(s.helos, arg) })
			if rep := s.reply("EHLO", ""); rep != "" {
				send(rep)
				continue
			}
			lines := []string{"fake.test", "8BITMIME"}
			if s.starttls != nil && !isTLS {
				lines = append(lines, "STARTTLS")
			}
			if s.auth != "" {
				lines = append(lines, "AUTH "+s.auth)
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				send("250" + sep + l)
			}
		case "STARTTLS":
			rep := s.reply("STARTTLS", "220 2.0.0 go ahead")
			send(rep)
			if !strings.HasPrefix(rep, "2") {
				continue
			}
			tc := tls.Server(conn, s.starttls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, isTLS = tc, true
			r, w = bufio.NewReader(conn), bufio.NewWriter(conn)
		case "AUTH":
			if rep := s.reply("AUTH", ""); rep != "" {
				send(rep)
				continue
			}
			mech, initial, _ := strings.Cut(arg, " ")
			s.record(func() { s.mechs = append(s.mechs, mech) })
			if s.authenticate(strings.ToUpper(mech), initial, send, read) {
				send("235 2.7.0 Authentication successful")
			} else {
				send("535 5.7.8 Authentication credentials invalid")
			}
		case "MAIL":
			send(s.reply("MAIL", "250 2.1.0 Ok"))
		case "RCPT":
			send(s.reply("RCPT", "250 2.1.5 Ok"))
		case "DATA":
			rep := s.reply("DATA", "354 End data with <CR><LF>.<CR><LF>")
			send(rep)
			if !strings.HasPrefix(rep, "3") {
				continue
			}
			var body strings.Builder
			for {
				l, ok := read()
				if !ok {
					return
				}
				if s.dropData {
					return
				}
				if l == "." {
					break
				}
				body.WriteString(strings.TrimPrefix(l, ".") + "\n")
			}
			if s.dropAtDot {
				return
			}
			rep = s.reply(".", "250 2.0.0 Ok: queued")
			if strings.HasPrefix(rep, "2") {
				s.record(func() { s.msgs, s.tlsUsed = append(s.msgs, body.String()), append(s.tlsUsed, isTLS) })
			}
			send(rep)
		case "RSET":
			send(s.reply("RSET", "250 2.0.0 Ok"))
		case "QUIT":
			send("221 2.0.0 Bye")
			return
		default:
			send("502 5.5.2 Error: command not recognized")
		}
	}
}

// authenticate runs one SASL exchange: PLAIN, LOGIN or CRAM-MD5.
func (s *server) authenticate(mech, initial string, send func(string) bool, read func() (string, bool)) bool {
	ask := func(challenge string) (string, bool) {
		send("334 " + base64.StdEncoding.EncodeToString([]byte(challenge)))
		l, ok := read()
		if !ok {
			return "", false
		}
		b, err := base64.StdEncoding.DecodeString(l)
		return string(b), err == nil
	}
	switch mech {
	case "PLAIN":
		resp := initial
		if resp == "" {
			got, ok := ask("")
			if !ok {
				return false
			}
			return got == "\x00"+s.user+"\x00"+s.pass
		}
		b, err := base64.StdEncoding.DecodeString(resp)
		return err == nil && string(b) == "\x00"+s.user+"\x00"+s.pass
	case "LOGIN":
		u, ok := ask("Username:")
		if !ok {
			return false
		}
		p, ok := ask("Password:")
		return ok && u == s.user && p == s.pass
	case "XOAUTH2":
		// s.pass is the access token the server accepts. A refused token is
		// answered as Gmail does: a 334 with a JSON status, an empty
		// response from the client, then 535.
		b, err := base64.StdEncoding.DecodeString(initial)
		if err == nil && string(b) == "user="+s.user+"\x01auth=Bearer "+s.pass+"\x01\x01" {
			return true
		}
		send("334 " + base64.StdEncoding.EncodeToString([]byte(`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`)))
		read()
		return false
	case "CRAM-MD5":
		challenge := "<1896.697170952@fake.test>"
		got, ok := ask(challenge)
		if !ok {
			return false
		}
		mac := hmac.New(md5.New, []byte(s.pass))
		io.WriteString(mac, challenge)
		return got == fmt.Sprintf("%s %s", s.user, hex.EncodeToString(mac.Sum(nil)))
	}
	return false
}
