// Package proctest runs the real servers some tests talk to (Dovecot,
// Postfix): finding them, free loopback ports, the accounts they run as,
// and a process group stopped when the test ends.
package proctest

import (
	"net"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// LookPath finds a program on PATH, else at the first fallback path that
// exists; "" when it is nowhere.
func LookPath(name string, fallbacks ...string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, f := range fallbacks {
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	return ""
}

// FreePort is a loopback TCP port free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// UserIDs are the uid and gid of a system account.
func UserIDs(t testing.TB, name string) (uid, gid int) {
	t.Helper()
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatalf("look up user %s: %v", name, err)
	}
	uid, _ = strconv.Atoi(u.Uid)
	gid, _ = strconv.Atoi(u.Gid)
	return uid, gid
}

// Listening tells whether something accepts connections at addr.
func Listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// Proc is a server running in the foreground in its own process group.
type Proc struct {
	exited chan error
	log    func() string
}

// Start runs bin with args in its own process group, which is stopped
// (SIGTERM, then SIGKILL after 10 s) when the test ends; log is what a
// failure shows of it (its log file).
func Start(t testing.TB, log func() string, bin string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	p := &Proc{exited: make(chan error, 1), log: log}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		// The whole group: the server's children too.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-p.exited
		}
	})
	return p
}

// Await fails the test unless ready answers true within timeout, polling;
// a server that exits meanwhile fails it at once, with its log.
func (p *Proc) Await(t testing.TB, what string, timeout time.Duration, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !ready() {
		select {
		case err := <-p.exited:
			p.exited <- err
			t.Fatalf("%s: the server exited: %v\n%s", what, err, p.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s\n%s", what, timeout, p.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
