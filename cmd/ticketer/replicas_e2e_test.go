package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/blob/blobtest"
	"github.com/ticketer/ticketer/internal/mailbox/imap/imaptest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// takeoverLimit is how soon a replica must take the connectors over from
// one that died (issue 16); the lease lasts 20 s, renewed every 5 s.
const takeoverLimit = 40 * time.Second

// replica is one `ticketer serve` process of a multi-replica install.
type replica struct {
	*server
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs bytes.Buffer
}

func (r *replica) logged(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Contains(r.logs.String(), s)
}

func startReplica(t *testing.T, bin string, base *server) *replica {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "TICKETER_DATA_DIR="+dir, "TICKETER_LOG_LEVEL=info")
	for k, v := range base.env {
		if k != "TICKETER_DATA_DIR" && k != "TICKETER_LOG_LEVEL" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &replica{cmd: cmd, server: &server{t: t, env: map[string]string{"TICKETER_DATA_DIR": dir}, token: base.token}}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addrs := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			r.mu.Lock()
			r.logs.WriteString(sc.Text() + "\n")
			r.mu.Unlock()
			if m := listenRE.FindStringSubmatch(sc.Text()); m != nil {
				addrs <- m[1:]
			}
		}
	}()
	select {
	case a := <-addrs:
		r.httpAddr, r.smtpAddr = a[0], a[1]
	case <-time.After(60 * time.Second):
		t.Fatal("replica did not start")
	}
	return r
}

// TestTwoReplicas runs two `ticketer serve` processes on one PostgreSQL
// and one S3 server (versitygw), and checks that they share the work and
// that one takes over when the other is killed.
func TestTwoReplicas(t *testing.T) {
	bin := buildBinary(t)
	dsn := storetest.PostgresURL(t)
	s3, creds := blobtest.Versity(t, "shared")
	imapAddr := imaptest.StartMemServer(t, true)
	base := &server{t: t, env: map[string]string{
		"TICKETER_DATABASE_URL": dsn, "TICKETER_BLOB_URL": s3, "TICKETER_DATA_DIR": t.TempDir(),
		"TICKETER_ENCRYPTION_KEY_BASE64": "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=",
		"TICKETER_HTTP_ADDR":             "127.0.0.1:0", "TICKETER_SMTP_ADDR": "127.0.0.1:0", "TICKETER_LOG_LEVEL": "warn",
	}}
	for _, c := range creds {
		k, v, _ := strings.Cut(c, "=")
		base.env[k] = v
	}
	if _, err := base.cli("pw-of-ann-the-agent\n", "user", "add", "--email", "ann@acme.test", "--name", "Ann", "--role", "agent", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	tok, err := base.cli("", "token", "create", "--email", "ann@acme.test")
	if err != nil {
		t.Fatal(err)
	}
	base.token = strings.TrimSpace(tok)
	if _, err := base.cli("", "mailbox", "add", "--name", "Help", "--address", "help@acme.test",
		"--imap", "imap://"+imaptest.User+":"+imaptest.Password+"@"+imapAddr+"/INBOX?tls=none"); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string) int {
		var n int
		if err := db.QueryRow(context.Background(), q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	appendIMAP := func(subject string) {
		raw := "From: Carol <carol@customer.test>\r\nTo: help@acme.test\r\nSubject: " + subject +
			"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@customer.test>\r\n\r\nHello\r\n"
		imaptest.Append(t, imapAddr, imaptest.User, imaptest.Password, "INBOX", []byte(raw))
	}

	a := startReplica(t, bin, base)
	waitFor(t, "A to take the connectors", func() bool { return a.logged("this replica runs the mailbox connectors") })
	b := startReplica(t, bin, base)

	t.Run("mail from IMAP is ingested once", func(t *testing.T) {
		for i := range 3 {
			appendIMAP(fmt.Sprintf("imap one %d", i))
		}
		waitFor(t, "the IMAP tickets", func() bool {
			return count(`SELECT count(*) FROM messages WHERE kind = 'inbound' AND subject LIKE 'imap one %'`) == 3
		})
		time.Sleep(2 * time.Second) // a second ingestion, if any, would land by now
		if n := count(`SELECT count(*) FROM messages WHERE kind = 'inbound' AND subject LIKE 'imap one %'`); n != 3 {
			t.Fatalf("%d messages for 3 IMAP mails", n)
		}
	})
	t.Run("jobs are worked by both replicas", func(t *testing.T) {
		for i := range 60 {
			r := []*replica{a, b}[i%2]
			raw := fmt.Sprintf("From: d%d@customer.test\nTo: help@acme.test\nSubject: smtp %d\nMessage-ID: <rep-%d@customer.test>\n\nHi.\n", i, i, i)
			if err := sendMail(r.smtpAddr, fmt.Sprintf("d%d@customer.test", i), []string{"help@acme.test"}, raw); err != nil {
				t.Fatal(err)
			}
		}
		waitFor(t, "the SMTP tickets", func() bool { return count(`SELECT count(*) FROM tickets WHERE subject LIKE 'smtp %'`) == 60 })
		if n := count(`SELECT count(DISTINCT attempted_by[array_length(attempted_by, 1)]) FROM river_job WHERE kind = 'ingest' AND state = 'completed'`); n != 2 {
			t.Fatalf("ingestion jobs were worked by %d replicas, want 2", n)
		}
	})
	// Acknowledgements are outbound messages no agent wrote.
	const acks = `FROM messages WHERE kind = 'outbound' AND author_id IS NULL`
	t.Run("no acknowledgement is sent twice", func(t *testing.T) {
		waitFor(t, "the acknowledgements sent", func() bool {
			return count(`SELECT count(*) `+acks+` AND delivery_status = 'sent'`) == count(`SELECT count(*) FROM tickets`)
		})
		if n := count(`SELECT count(*) FROM (SELECT ticket_id ` + acks + ` GROUP BY ticket_id HAVING count(*) > 1) d`); n != 0 {
			t.Fatalf("%d tickets acknowledged twice", n)
		}
		files := 0
		for _, r := range []*replica{a, b} {
			f, _ := filepath.Glob(filepath.Join(r.env["TICKETER_DATA_DIR"], "outbox", "*.eml"))
			files += len(f)
		}
		if sent := count(`SELECT count(*) ` + acks + ` AND delivery_status = 'sent'`); files != sent || sent != 63 {
			t.Fatalf("%d outbox files for %d acknowledgements sent", files, sent)
		}
	})
	t.Run("a stream on B sees a change made on A", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+b.httpAddr+"/api/v1/events/stream", nil)
		req.Header.Set("Authorization", "Bearer "+base.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var list ticketList
		a.get("/api/v1/tickets?limit=1", &list)
		id := list.Items[0].ID
		time.Sleep(200 * time.Millisecond) // the stream is subscribed
		body, _ := json.Marshal(map[string]string{"priority": "urgent"})
		patch, _ := http.NewRequest("PATCH", fmt.Sprintf("http://%s/api/v1/tickets/%d", a.httpAddr, id), bytes.NewReader(body))
		patch.Header.Set("Authorization", "Bearer "+base.token)
		patch.Header.Set("Content-Type", "application/json")
		pr, err := http.DefaultClient.Do(patch)
		if err != nil || pr.StatusCode != 200 {
			t.Fatalf("patch on A: %v %v", err, pr)
		}
		pr.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		want := fmt.Sprintf(`"ticket_id":%d`, id)
		for sc.Scan() {
			if line := sc.Text(); strings.HasPrefix(line, "data:") && strings.Contains(line, "ticket.updated") && strings.Contains(line, want) {
				return
			}
		}
		t.Fatalf("B's stream ended without the update of ticket %d: %v", id, sc.Err())
	})
	t.Run("sign-in limits are shared", func(t *testing.T) {
		login := func(r *replica) int {
			body, _ := json.Marshal(map[string]string{"email": "ann@acme.test", "password": "wrong"})
			resp, err := http.Post("http://"+r.httpAddr+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		// Five failures (the account limit), spread over both replicas.
		for i, r := range []*replica{a, b, a, b, a} {
			if code := login(r); code != 401 {
				t.Fatalf("failure %d: %d, want 401", i+1, code)
			}
		}
		if code := login(b); code != 429 {
			t.Fatalf("sixth try on B: %d, want 429 (B must count A's failures)", code)
		}
	})
	t.Run("B takes over the connectors when A is killed, and loses nothing", func(t *testing.T) {
		if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = a.cmd.Wait()
		killed := time.Now()
		appendIMAP("after the kill")
		deadline := killed.Add(takeoverLimit + 20*time.Second)
		for !b.logged("this replica runs the mailbox connectors") {
			if time.Now().After(deadline) {
				t.Fatal("B never took the connectors over")
			}
			time.Sleep(100 * time.Millisecond)
		}
		took := time.Since(killed)
		t.Logf("B took over the connectors %.1f s after A was killed", took.Seconds())
		if took > takeoverLimit {
			t.Fatalf("takeover took %s, want at most %s", took, takeoverLimit)
		}
		for {
			if count(`SELECT count(*) FROM messages WHERE subject = 'after the kill'`) == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the mail sent after the kill never became a ticket")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if n := count(`SELECT count(*) FROM messages WHERE kind = 'inbound'`); n != 3+60+1 {
			t.Fatalf("%d inbound messages, want %d: something was lost or duplicated", n, 3+60+1)
		}
	})
}
