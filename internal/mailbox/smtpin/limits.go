package smtpin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// capListener enforces Config.MaxConns and MaxConnsPerClient at accept
// time, before go-smtp spends anything on a connection.
type capListener struct {
	net.Listener
	s *Server

	mu        sync.Mutex
	total     int
	perClient map[string]int
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		client := clientOf(c.RemoteAddr())
		if !l.acquire(client) {
			l.s.log.Warn("too many connections", "remote", c.RemoteAddr().String())
			go l.refuse(c)
			continue
		}
		lc := &limitedConn{Conn: c, release: func() { l.release(client) }}
		lc.sessionEnd = time.Now().Add(l.s.cfg.SessionTimeout)
		lc.until = lc.sessionEnd
		return lc, nil
	}
}

func (l *capListener) acquire(client string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.total >= l.s.cfg.MaxConns || l.perClient[client] >= l.s.cfg.MaxConnsPerClient {
		return false
	}
	l.total++
	l.perClient[client]++
	return true
}

func (l *capListener) release(client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.perClient[client]--; l.perClient[client] <= 0 {
		delete(l.perClient, client)
	}
}

// refuse answers 421 (RFC 5321 3.8: the server may close with 421) and
// closes.
func (l *capListener) refuse(c net.Conn) {
	_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = fmt.Fprintf(c, "421 4.7.0 %s too many connections, try again later\r\n", l.s.cfg.Domain)
	_ = c.Close()
}

func clientOf(a net.Addr) string {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.IP.String()
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// limitedConn is a connection no read or write of which may outlast its
// hard deadline: the session's end, or the current transaction's end when
// one is open. go-smtp sets a fresh read deadline before every read, which
// a client trickling one byte at a time would keep pushing out; here each
// is clamped.
type limitedConn struct {
	net.Conn
	release func()
	closed  sync.Once

	mu         sync.Mutex
	sessionEnd time.Time
	until      time.Time
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.closed.Do(c.release)
	return err
}

func (c *limitedConn) clamp(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.IsZero() || t.After(c.until) {
		return c.until
	}
	return t
}

func (c *limitedConn) SetDeadline(t time.Time) error     { return c.Conn.SetDeadline(c.clamp(t)) }
func (c *limitedConn) SetReadDeadline(t time.Time) error { return c.Conn.SetReadDeadline(c.clamp(t)) }
func (c *limitedConn) SetWriteDeadline(t time.Time) error {
	return c.Conn.SetWriteDeadline(c.clamp(t))
}

// startTransaction bounds every read and write until endTransaction by
// end (go-smtp sets a deadline before each, so it applies from the next).
func (c *limitedConn) startTransaction(end time.Time) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.until = end
	if c.sessionEnd.Before(end) {
		c.until = c.sessionEnd
	}
	c.mu.Unlock()
}

func (c *limitedConn) endTransaction() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.until = c.sessionEnd
	c.mu.Unlock()
}

// spool holds a message's bytes: in memory up to mem bytes, then in a
// temporary file (0600, removed by Close).
type spool struct {
	dir    string
	mem    int
	buf    bytes.Buffer
	f      *os.File
	failed bool // the error came from the spool itself, not the client
}

func (sp *spool) Write(p []byte) (int, error) {
	if sp.f == nil && sp.buf.Len()+len(p) <= sp.mem {
		return sp.buf.Write(p)
	}
	if sp.f == nil {
		f, err := os.CreateTemp(sp.dir, spoolPattern)
		if err != nil {
			sp.failed = true
			return 0, fmt.Errorf("spool: %w", err)
		}
		sp.f = f
		if _, err := sp.buf.WriteTo(f); err != nil {
			sp.failed = true
			return 0, fmt.Errorf("spool: %w", err)
		}
		sp.buf = bytes.Buffer{}
	}
	n, err := sp.f.Write(p)
	if err != nil {
		sp.failed = true
		return n, fmt.Errorf("spool: %w", err)
	}
	return n, nil
}

// ReadFrom copies r into the spool.
func (sp *spool) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(struct{ io.Writer }{sp}, r) // the struct hides ReadFrom from io.Copy
}

// Reader reads the spooled bytes from the start.
func (sp *spool) Reader() io.ReadSeeker {
	if sp.f != nil {
		_, _ = sp.f.Seek(0, io.SeekStart)
		return sp.f
	}
	return bytes.NewReader(sp.buf.Bytes())
}

func (sp *spool) Close() {
	if sp.f != nil {
		_ = sp.f.Close()
		_ = os.Remove(sp.f.Name())
	}
}

// spoolPattern names the listener's spool files (os.CreateTemp pattern).
const spoolPattern = "ticketer-smtp-*"

// CleanSpool removes the spool files in dir last written before cutoff:
// files a process left when it died in the middle of a transaction. Their
// messages never got a 250, so the client still holds them and sends them
// again. A server that alone uses dir passes its start time; servers that
// may share dir pass a time older than any live transaction (SessionTimeout).
func CleanSpool(dir string, cutoff time.Time) (int, error) {
	left, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return 0, fmt.Errorf("clean spool: %w", err)
	}
	n := 0
	for _, f := range left {
		st, err := os.Stat(f)
		if err != nil || !st.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("clean spool: %w", err)
		}
		n++
	}
	return n, nil
}
