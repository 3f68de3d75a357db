package imap_test

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/proctest"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// dovecot is a throwaway Dovecot: its own config, passwd file and Maildir
// under a temp dir, listening on a free high port.
type dovecot struct {
	server
	dir     string
	maildir string // the user's Maildir (INBOX)
	uid     int
	gid     int
}

// startDovecot starts Dovecot for the test and stops it at the end. Without
// Dovecot installed the test fails when TICKETER_TEST_REQUIRE_DOVECOT is set
// (CI); otherwise too, with the command to install it: it never skips.
func startDovecot(t testing.TB) *dovecot {
	t.Helper()
	bin := proctest.LookPath("dovecot", "/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
	if bin == "" {
		msg := "dovecot is not installed (apt-get install -y dovecot-imapd); the IMAP integration test needs it"
		if os.Getenv("TICKETER_TEST_REQUIRE_DOVECOT") != "" {
			msg += " and TICKETER_TEST_REQUIRE_DOVECOT is set"
		}
		t.Fatal(msg)
	}
	// A short path: Dovecot's unix sockets live under base_dir.
	dir, err := os.MkdirTemp("", "dc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// Mail is accessed as an unprivileged user (Dovecot refuses root).
	uid, gid := os.Getuid(), os.Getgid()
	if uid == 0 {
		uid, gid = proctest.UserIDs(t, "nobody")
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(dir, "home")
	maildir := filepath.Join(home, "Maildir")
	for _, d := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(maildir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := chownR(home, uid, gid); err != nil {
		t.Fatal(err)
	}
	port := proctest.FreePort(t)
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte("agent:{PLAIN}secret::::::\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	loginUser, internalUser := "dovenull", "dovecot"
	if os.Getuid() != 0 {
		u, _ := user.Current()
		loginUser, internalUser = u.Username, u.Username
	}
	conf := fmt.Sprintf(`protocols = imap
listen = 127.0.0.1
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = %[4]s
default_internal_user = %[5]s
first_valid_uid = %[2]d
mail_uid = %[2]d
mail_gid = %[3]d
mail_location = maildir:%[1]s/home/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[2]d gid=%[3]d home=%[1]s/home
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[6]d
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0600
  }
}
`, dir, uid, gid, loginUser, internalUser, port)
	confPath := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	log := func() string { b, _ := os.ReadFile(filepath.Join(dir, "dovecot.log")); return string(b) }
	proctest.Start(t, log, bin, "-F", "-c", confPath).Await(t, "dovecot listening on "+addr, 20*time.Second, func() bool { return proctest.Listening(addr) })
	return &dovecot{server: server{addr: addr, user: "agent", pass: "secret"}, dir: dir, maildir: maildir, uid: uid, gid: gid}
}

func chownR(root string, uid, gid int) error {
	if os.Getuid() != 0 {
		return nil
	}
	return filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

func TestDovecotStory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		runStory(t, startDovecot(t).server, dsn)
	})
}
