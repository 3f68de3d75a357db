// Package postfixtest runs a private Postfix for relay tests: its own config
// directory, queue and Maildirs under a temp dir, listening on free loopback
// ports (never the system's port 25), optionally with Dovecot as its SASL
// backend, and stopped when the test ends.
//
// Without Postfix (or without root, which Postfix's master needs) the tests
// skip, unless TICKETER_TEST_REQUIRE_POSTFIX is set (CI): then they fail.
package postfixtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/smtpout/smtpouttest"
	"github.com/ticketer/ticketer/internal/proctest"
)

// Listener is one smtpd on its own loopback port.
type Listener struct {
	Name string
	// TLS offers STARTTLS with CertFile/KeyFile, by default Postfix's own
	// self-signed certificate (Debian's snakeoil, or one made for the test).
	TLS               bool
	CertFile, KeyFile string
	// Auth offers AUTH (Dovecot behind it) and requires it to send.
	Auth bool
	// Mechanisms narrows the AUTH mechanisms announced ("plain", "login",
	// "cram-md5"); empty: all Dovecot has.
	Mechanisms string
	// ConnectionLimit caps simultaneous connections from one client (loopback
	// included); one more is answered 421 at the greeting. 0: no cap.
	ConnectionLimit int
}

// Options describe the instance.
type Options struct {
	Listeners []Listener
	// Mailboxes are the addresses Postfix delivers to, each into its Maildir.
	Mailboxes []string
	// Users are the SASL accounts (Dovecot's passwd file), user -> password.
	Users map[string]string
	// RefusedSenders get a 5xx at MAIL FROM.
	RefusedSenders []string
}

// Postfix is a running instance.
type Postfix struct {
	dir      string
	ports    map[string]int
	SelfCert string // the default certificate's file
	maillog  string
}

// Start runs Postfix for the test and stops it at the end.
func Start(t *testing.T, o Options) *Postfix {
	t.Helper()
	bin := proctest.LookPath("postfix", "/usr/sbin/postfix")
	switch {
	case bin == "":
		unavailable(t, "postfix is not installed (apt-get install -y postfix; scripts/test-deps.sh does it)")
	case os.Getuid() != 0:
		unavailable(t, "Postfix's master must start as root")
	}
	dir, err := os.MkdirTemp("", "pf")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := &Postfix{dir: dir, ports: map[string]int{}, maillog: filepath.Join(dir, "maillog")}
	conf, vmail, data := filepath.Join(dir, "conf"), filepath.Join(dir, "vmail"), filepath.Join(dir, "data")
	for _, d := range []string{conf, vmail, data, filepath.Join(dir, "queue")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	uid, gid := proctest.UserIDs(t, "nobody")
	postfixUID, _ := proctest.UserIDs(t, "postfix")
	must(t, os.Chown(vmail, uid, gid))
	must(t, os.Chown(data, postfixUID, -1))
	p.SelfCert = p.selfSigned(t)
	selfKey := strings.TrimSuffix(p.SelfCert, ".pem") + ".key"
	if p.SelfCert == "/etc/ssl/certs/ssl-cert-snakeoil.pem" {
		selfKey = "/etc/ssl/private/ssl-cert-snakeoil.key"
	}

	var vmap, domains []string
	for _, a := range o.Mailboxes {
		local, domain, _ := strings.Cut(a, "@")
		vmap = append(vmap, fmt.Sprintf("%s %s/%s/Maildir/", a, domain, local))
		if !slices.Contains(domains, domain) {
			domains = append(domains, domain)
		}
	}
	write(t, filepath.Join(conf, "vmailbox"), strings.Join(vmap, "\n")+"\n")
	var senders []string
	for _, s := range o.RefusedSenders {
		senders = append(senders, s+" REJECT not allowed to send through this relay")
	}
	write(t, filepath.Join(conf, "senders"), strings.Join(senders, "\n")+"\n")
	saslPath := ""
	if len(o.Users) > 0 {
		saslPath = startDovecot(t, dir, o.Users, uid, gid)
	}

	main := fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s/queue
data_directory = %[1]s/data
meta_directory = /etc/postfix
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
mail_owner = postfix
setgid_group = postdrop
maillog_file = %[1]s/maillog
maillog_file_prefixes = %[1]s
myhostname = postfix.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
relay_transport = error
default_transport = error
virtual_mailbox_domains = %[2]s
virtual_mailbox_base = %[1]s/vmail
virtual_mailbox_maps = texthash:%[1]s/conf/vmailbox
virtual_uid_maps = static:%[3]d
virtual_gid_maps = static:%[4]d
virtual_minimum_uid = 1
smtpd_banner = $myhostname ESMTP
smtpd_delay_reject = no
smtpd_sender_restrictions = check_sender_access texthash:%[1]s/conf/senders
smtpd_tls_security_level = none
smtpd_tls_loglevel = 1
`, dir, strings.Join(domains, ", "), uid, gid)
	if saslPath != "" {
		main += "smtpd_sasl_type = dovecot\nsmtpd_sasl_path = " + saslPath + "\n"
	}
	write(t, filepath.Join(conf, "main.cf"), main)

	var master strings.Builder
	for _, l := range o.Listeners {
		port := proctest.FreePort(t)
		p.ports[l.Name] = port
		fmt.Fprintf(&master, "127.0.0.1:%d inet n - n - - smtpd\n", port)
		if l.TLS {
			cert, key := l.CertFile, l.KeyFile
			if cert == "" {
				cert, key = p.SelfCert, selfKey
			}
			fmt.Fprintf(&master, "  -o smtpd_tls_security_level=may\n  -o smtpd_tls_cert_file=%s\n  -o smtpd_tls_key_file=%s\n", cert, key)
		}
		if l.ConnectionLimit > 0 {
			fmt.Fprintf(&master, "  -o smtpd_client_connection_count_limit=%d\n  -o smtpd_client_event_limit_exceptions=\n", l.ConnectionLimit)
		}
		if l.Auth {
			if saslPath == "" {
				t.Fatal("postfixtest: a listener with Auth needs Users")
			}
			master.WriteString("  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject\n")
			if l.Mechanisms != "" {
				fmt.Fprintf(&master, "  -o smtpd_sasl_mechanism_filter=%s\n", l.Mechanisms)
			}
		}
	}
	// The services Postfix needs, none chrooted (a chroot needs copies of
	// system files in the queue directory).
	master.WriteString(`pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
virtual unix - n n - - virtual
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`)
	write(t, filepath.Join(conf, "master.cf"), master.String())
	if out, err := exec.Command(bin, "-c", conf, "start").CombinedOutput(); err != nil {
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, p.Log())
	}
	t.Cleanup(func() {
		if out, err := exec.Command(bin, "-c", conf, "stop").CombinedOutput(); err != nil {
			t.Errorf("postfix stop: %v\n%s", err, out)
		}
		// stop signals the master; wait until it is gone before the
		// directory is removed.
		for range 200 {
			if exec.Command(bin, "-c", conf, "status").Run() != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Errorf("postfix did not stop")
	})
	for name, port := range p.ports {
		waitListen(t, fmt.Sprintf("127.0.0.1:%d", port), func() string { return name + "\n" + p.Log() })
	}
	return p
}

// Port is the loopback port of the named listener.
func (p *Postfix) Port(name string) int { return p.ports[name] }

// Log is Postfix's log so far.
func (p *Postfix) Log() string {
	b, _ := os.ReadFile(p.maillog)
	return string(b)
}

// Messages waits until the address's Maildir holds n messages and returns
// them, oldest first.
func (p *Postfix) Messages(t *testing.T, address string, n int) [][]byte {
	t.Helper()
	local, domain, _ := strings.Cut(address, "@")
	md := filepath.Join(p.dir, "vmail", domain, local, "Maildir")
	deadline := time.Now().Add(30 * time.Second)
	for {
		var files []string
		for _, sub := range []string{"new", "cur"} {
			entries, _ := os.ReadDir(filepath.Join(md, sub))
			for _, e := range entries {
				files = append(files, filepath.Join(md, sub, e.Name()))
			}
		}
		if len(files) >= n {
			// Maildir names start with the delivery time in seconds, then
			// a unique part; sort by modification time for the order.
			slices.SortFunc(files, func(a, b string) int { return modTime(a).Compare(modTime(b)) })
			var out [][]byte
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, b)
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d messages in the Maildir, want %d\n%s", address, len(files), n, p.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func modTime(path string) time.Time {
	st, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return st.ModTime()
}

// selfSigned is the certificate a stock Postfix on Debian uses (snakeoil),
// or, where there is none, a self-signed one made for the test.
func (p *Postfix) selfSigned(t *testing.T) string {
	const snakeoil = "/etc/ssl/certs/ssl-cert-snakeoil.pem"
	if _, err := os.Stat("/etc/ssl/private/ssl-cert-snakeoil.key"); err == nil {
		return snakeoil
	}
	certPEM, keyPEM := smtpouttest.SelfSignedPEM(t)
	cert := filepath.Join(p.dir, "self.pem")
	write(t, cert, string(certPEM))
	write(t, filepath.Join(p.dir, "self.key"), string(keyPEM))
	return cert
}

// startDovecot runs an authentication-only Dovecot for Postfix's SASL and
// returns the path of its socket.
func startDovecot(t *testing.T, dir string, users map[string]string, uid, gid int) string {
	t.Helper()
	bin := proctest.LookPath("dovecot", "/usr/sbin/dovecot")
	if bin == "" {
		unavailable(t, "dovecot is not installed (apt-get install -y dovecot-imapd); Postfix's SASL tests use it")
	}
	var passwd strings.Builder
	for u, pw := range users {
		fmt.Fprintf(&passwd, "%s:{PLAIN}%s::::::\n", u, pw)
	}
	dc := filepath.Join(dir, "dovecot")
	must(t, os.MkdirAll(dc, 0o755))
	write(t, filepath.Join(dc, "passwd"), passwd.String())
	sock := filepath.Join(dc, "auth")
	conf := fmt.Sprintf(`protocols =
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = %[2]d
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[2]d gid=%[3]d home=%[1]s
}
service auth {
  unix_listener %[4]s {
    mode = 0666
  }
}
`, dc, uid, gid, sock)
	confPath := filepath.Join(dc, "dovecot.conf")
	write(t, confPath, conf)
	log := func() string { b, _ := os.ReadFile(filepath.Join(dc, "dovecot.log")); return string(b) }
	proctest.Start(t, log, bin, "-F", "-c", confPath).Await(t, "dovecot's auth socket "+sock, 20*time.Second, func() bool {
		_, err := os.Stat(sock)
		return err == nil
	})
	return sock
}

func unavailable(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("TICKETER_TEST_REQUIRE_POSTFIX") != "" {
		t.Fatal(why + ", and TICKETER_TEST_REQUIRE_POSTFIX is set")
	}
	t.Skip(why)
}

func waitListen(t *testing.T, addr string, log func() string) {
	t.Helper()
	for range 400 {
		if proctest.Listening(addr) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("postfix does not listen on %s\n%s", addr, log())
}

func write(t *testing.T, path, content string) {
	t.Helper()
	must(t, os.WriteFile(path, []byte(content), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
