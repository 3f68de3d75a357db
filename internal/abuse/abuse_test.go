// Package abuse throws hostile load at the real binary, on 127.0.0.1 only,
// and prints what it cost: the peak memory of the server (VmHWM, reset
// between attacks) and how long an ordinary mail took to reach the API
// meanwhile. `make abuse` runs the full size; CI, through `go test ./...`,
// the small one (TICKETER_ABUSE_SIZE=small|full, default small).
//
// The attacks come from 127.0.0.2 to support@localhost, the ordinary mail
// from 127.0.0.1 to another mailbox, sales@localhost: both addresses are
// this machine's loopback, seen by the server as two clients.
package abuse

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/mail/mailtest"
)

type size struct {
	nested, nestedDepth, manyParts int // hostile structures
	bigMessages, bigBytes          int // parallel large SMTP messages
	slowConns                      int // idle and trickling SMTP connections
	slowFor                        time.Duration
	signIns                        int // parallel sign-ins
}

var sizes = map[string]size{
	"small": {nested: 1, nestedDepth: 20000, manyParts: 5000, bigMessages: 4, bigBytes: 2 << 20, slowConns: 60, slowFor: 2 * time.Second, signIns: 8},
	"full":  {nested: 4, nestedDepth: 20000, manyParts: 100000, bigMessages: 40, bigBytes: 20 << 20, slowConns: 200, slowFor: 20 * time.Second, signIns: 64},
}

const (
	key      = "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE="
	password = "abuse suite password"
	attacker = "127.0.0.2"
)

type server struct {
	t                  *testing.T
	bin, env           []string
	cmd                *exec.Cmd
	httpAddr, smtpAddr string
	token              string
	probes             int
}

func TestAbuse(t *testing.T) {
	name := os.Getenv("TICKETER_ABUSE_SIZE")
	if name == "" {
		name = "small"
	}
	sz, ok := sizes[name]
	if !ok {
		t.Fatalf("TICKETER_ABUSE_SIZE=%q: small or full", name)
	}
	s := start(t)
	type row struct {
		attack string
		peakMB float64
		probe  time.Duration
		note   string
	}
	var rows []row
	phase := func(attack string, run func() string) {
		s.resetPeak()
		done := make(chan string, 1)
		go func() { done <- run() }()
		time.Sleep(200 * time.Millisecond) // the attack under way
		probe := s.probe()
		note := <-done
		if probe < 0 {
			t.Errorf("%s: the ordinary mail did not reach the API within %s", attack, probeWait)
		}
		rows = append(rows, row{attack, s.peakMB(), probe, note})
	}
	rows = append(rows, row{"idle (after start)", s.peakMB(), s.probe(), ""})
	if rows[0].probe < 0 {
		t.Fatal("the ordinary mail never reached the API on an idle server")
	}

	phase(fmt.Sprintf("%d nested-MIME mails (%d levels) + 1 of %d parts", sz.nested, sz.nestedDepth, sz.manyParts), func() string {
		var wg sync.WaitGroup
		var refused atomic.Int32
		for i := range sz.nested {
			wg.Go(func() {
				if s.sendFrom(attacker, fmt.Sprintf("nested %d", i), mailtest.Nested(sz.nestedDepth)) != nil {
					refused.Add(1)
				}
			})
		}
		wg.Go(func() {
			if s.sendFrom(attacker, "many parts", mailtest.ManyParts(sz.manyParts)) != nil {
				refused.Add(1)
			}
		})
		wg.Wait()
		return fmt.Sprintf("%d refused at SMTP", refused.Load())
	})

	phase(fmt.Sprintf("%d parallel %d MB SMTP messages", sz.bigMessages, sz.bigBytes>>20), func() string {
		var wg sync.WaitGroup
		var failed atomic.Int32
		body := bigBody(sz.bigBytes)
		for i := range sz.bigMessages {
			wg.Go(func() {
				if err := s.sendFrom(attacker, fmt.Sprintf("big %d", i), body); err != nil {
					failed.Add(1)
				}
			})
		}
		wg.Wait()
		return fmt.Sprintf("%d accepted, %d refused", int32(sz.bigMessages)-failed.Load(), failed.Load())
	})

	phase(fmt.Sprintf("ingest of the %d accepted large messages", sz.bigMessages), func() string {
		start := time.Now()
		for n := 0; time.Since(start) < ingestWait; time.Sleep(200 * time.Millisecond) {
			if n = s.countListed("big "); n >= sz.bigMessages {
				return fmt.Sprintf("all %d tickets listed after %.1f s", n, time.Since(start).Seconds())
			}
		}
		t.Errorf("the large messages were not all ingested within %s", ingestWait)
		return "not all ingested"
	})

	phase(fmt.Sprintf("%d idle and trickling SMTP connections for %s", sz.slowConns, sz.slowFor), func() string {
		return s.slowConnections(sz.slowConns, sz.slowFor)
	})

	phase(fmt.Sprintf("%d parallel sign-ins from as many clients", sz.signIns), func() string {
		return s.signIns(sz.signIns)
	})

	fmt.Printf("\nabuse suite (%s), server on 127.0.0.1, peak RSS reset before each attack\n", name)
	fmt.Printf("%-62s %10s %16s  %s\n", "attack", "peak RSS", "ordinary mail", "")
	for _, r := range rows {
		probe := fmt.Sprintf("%13.0f ms", float64(r.probe.Microseconds())/1000)
		if r.probe < 0 {
			probe = fmt.Sprintf("%16s", "> "+probeWait.String())
		}
		fmt.Printf("%-62s %7.0f MB %s  %s\n", r.attack, r.peakMB, probe, r.note)
	}
	fmt.Println()
}

func start(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "ticketer")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/ticketer").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	s := &server{t: t, bin: []string{bin}, env: append(os.Environ(), "TICKETER_DATA_DIR="+filepath.Join(dir, "data"),
		"TICKETER_ENCRYPTION_KEY_BASE64="+key, "TICKETER_HTTP_ADDR=127.0.0.1:0", "TICKETER_SMTP_ADDR=127.0.0.1:0",
		"TICKETER_LOG_LEVEL=warn", "TICKETER_TRUSTED_PROXIES=127.0.0.2", "TICKETER_DATABASE_URL=")}
	s.run("", "mailbox", "add", "--address", "support@localhost", "--name", "Support")
	s.run("", "mailbox", "add", "--address", "sales@localhost", "--name", "Sales")
	s.run(password+"\n", "user", "add", "--email", "agent@acme.example", "--name", "Agent", "--role", "agent", "--password-stdin")
	s.token = strings.TrimSpace(s.run("", "token", "create", "--email", "agent@acme.example"))
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(s.env, "TICKETER_LOG_LEVEL=info")
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		_ = s.cmd.Wait()
	})
	s.httpAddr, s.smtpAddr = waitAddrs(t, stderr)
	return s
}

func (s *server) run(stdin string, args ...string) string {
	s.t.Helper()
	c := exec.Command(s.bin[0], args...)
	c.Env, c.Stdin = s.env, strings.NewReader(stdin)
	out, err := c.Output()
	if err != nil {
		s.t.Fatalf("%v: %v", args, err)
	}
	return string(out)
}

var addrRE = regexp.MustCompile(`http=(\S+) smtp=(\S+)`)

func waitAddrs(t *testing.T, stderr io.Reader) (string, string) {
	found := make(chan [2]string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- [2]string{m[1], m[2]}
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-found:
		return a[0], a[1]
	case <-time.After(60 * time.Second):
		t.Fatal("server did not report its addresses")
		return "", ""
	}
}

// resetPeak restarts the kernel's peak RSS count (VmHWM) of the server.
func (s *server) resetPeak() {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0)
}

func (s *server) peakMB() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		s.t.Fatal(err)
	}
	m := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(b)
	if m == nil {
		s.t.Fatal("no VmHWM")
	}
	kb, _ := strconv.Atoi(string(m[1]))
	return float64(kb) / 1024
}

// probeWait is how long a probe waits for its ticket.
const probeWait = 2 * time.Minute

// probe sends an ordinary mail from 127.0.0.1 and waits until the API lists
// its ticket; -1 when it never does.
func (s *server) probe() time.Duration {
	s.t.Helper()
	s.probes++
	subject := fmt.Sprintf("ordinary probe %d", s.probes)
	start := time.Now()
	if err := s.sendTo("127.0.0.1", "sales@localhost", subject, "Hello, my printer is broken.\r\n"); err != nil {
		s.t.Fatalf("the ordinary mail was refused: %v", err)
	}
	for !s.listed(subject) {
		if time.Since(start) > probeWait {
			return -1
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// ingestWait bounds how long the suite waits for the large messages' tickets.
const ingestWait = 20 * time.Minute

func (s *server) listed(subject string) bool {
	for _, got := range s.subjects() {
		if got == subject {
			return true
		}
	}
	return false
}

// countListed counts the listed tickets whose subject starts with prefix.
func (s *server) countListed(prefix string) int {
	n := 0
	for _, got := range s.subjects() {
		if strings.HasPrefix(got, prefix) {
			n++
		}
	}
	return n
}

// subjects lists the subjects of the newest 200 tickets.
func (s *server) subjects() []string {
	req, _ := http.NewRequest("GET", "http://"+s.httpAddr+"/api/v1/tickets?limit=200", nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var l struct {
		Items []struct {
			Subject string `json:"subject"`
		} `json:"items"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&l)
	out := make([]string, 0, len(l.Items))
	for _, it := range l.Items {
		out = append(out, it.Subject)
	}
	return out
}

// smtpConn is a minimal SMTP client bound to a source address.
type smtpConn struct {
	c net.Conn
	r *bufio.Reader
}

func dialSMTP(from, addr string) (*smtpConn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	sc := &smtpConn{c: c, r: bufio.NewReader(c)}
	if _, err := sc.expect("220"); err != nil {
		c.Close()
		return nil, err
	}
	return sc, nil
}

func (sc *smtpConn) expect(code string) (string, error) {
	_ = sc.c.SetReadDeadline(time.Now().Add(2 * time.Minute))
	for {
		line, err := sc.r.ReadString('\n')
		if err != nil {
			return "", err
		}
		if len(line) >= 4 && line[3] == '-' {
			continue
		}
		if !strings.HasPrefix(line, code) {
			return line, fmt.Errorf("want %s, got %q", code, strings.TrimSpace(line))
		}
		return line, nil
	}
}

func (sc *smtpConn) cmd(line, code string) error {
	if _, err := io.WriteString(sc.c, line+"\r\n"); err != nil {
		return err
	}
	_, err := sc.expect(code)
	return err
}

func (s *server) sendFrom(from, subject, body string) error {
	return s.sendTo(from, "support@localhost", subject, body)
}

func (s *server) sendTo(from, rcpt, subject, body string) error {
	sc, err := dialSMTP(from, s.smtpAddr)
	if err != nil {
		return err
	}
	defer sc.c.Close()
	for _, step := range [][2]string{{"EHLO abuse.example", "250"}, {"MAIL FROM:<sender@customer.example>", "250"},
		{"RCPT TO:<" + rcpt + ">", "250"}, {"DATA", "354"}} {
		if err := sc.cmd(step[0], step[1]); err != nil {
			return fmt.Errorf("%s: %w", step[0], err)
		}
	}
	msg := "From: sender@customer.example\r\nTo: " + rcpt + "\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + strconv.FormatInt(time.Now().UnixNano(), 36) + "@customer.example>\r\n" + body
	w := bufio.NewWriterSize(sc.c, 64<<10)
	_, _ = w.WriteString(msg)
	_, _ = w.WriteString("\r\n.\r\n")
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := sc.expect("250"); err != nil {
		return err
	}
	_ = sc.cmd("QUIT", "221")
	return nil
}

// The hostile bodies; each starts with the rest of the header.

func bigBody(n int) string {
	line := strings.Repeat("0123456789abcdef", 4) + "\r\n"
	return "Content-Type: text/plain\r\n\r\n" + strings.Repeat(line, n/len(line))
}

// slowConnections holds n connections from the attacker, half idle after
// the greeting, half trickling a DATA one byte a second, for d.
func (s *server) slowConnections(n int, d time.Duration) string {
	var wg sync.WaitGroup
	var held, refused atomic.Int32
	for i := range n {
		wg.Go(func() {
			sc, err := dialSMTP(attacker, s.smtpAddr)
			if err != nil {
				refused.Add(1)
				return
			}
			defer sc.c.Close()
			held.Add(1)
			if i%2 == 0 {
				time.Sleep(d)
				return
			}
			for _, step := range [][2]string{{"EHLO slow.example", "250"}, {"MAIL FROM:<slow@customer.example>", "250"},
				{"RCPT TO:<support@localhost>", "250"}, {"DATA", "354"}} {
				if sc.cmd(step[0], step[1]) != nil {
					return
				}
			}
			for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(time.Second) {
				if _, err := sc.c.Write([]byte("x")); err != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	return fmt.Sprintf("%d held, %d refused with 421", held.Load(), refused.Load())
}

// signIns runs n wrong sign-ins at once, each from its own client (the
// attacker address is a trusted proxy, so X-Forwarded-For names it).
func (s *server) signIns(n int) string {
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range n {
		wg.Go(func() {
			body, _ := json.Marshal(map[string]string{"email": fmt.Sprintf("user%d@acme.example", i), "password": "wrong password " + strconv.Itoa(i)})
			req, _ := http.NewRequestWithContext(context.Background(), "POST", "http://"+s.httpAddr+"/api/v1/auth/login", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i%250+1))
			client := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(attacker)}}).DialContext}}
			resp, err := client.Do(req)
			code := -1
			if err == nil {
				code = resp.StatusCode
				resp.Body.Close()
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return fmt.Sprintf("answers %v", codes)
}
