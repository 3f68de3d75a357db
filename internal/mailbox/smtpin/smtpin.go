// Package smtpin is the inbound SMTP listener: it accepts mail for our
// mailboxes only (no open relay) and answers 250 only once the message is
// durably stored.
package smtpin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Envelope is the SMTP envelope of one message.
type Envelope struct {
	From       string   // MAIL FROM; "" for the null sender
	Recipients []string // accepted RCPT TO addresses, lower-cased
	RemoteAddr string
}

// Receiver is implemented by the application.
type Receiver interface {
	// Accepts reports whether rcpt (lower-cased, maybe plus-addressed) is ours.
	Accepts(ctx context.Context, rcpt string) (bool, error)
	// Deliver stores the message durably and returns only after commit.
	// msg holds the raw bytes, a Return-Path line first; it may be a file,
	// so it is read as a stream (Seek to the start to read it again).
	Deliver(ctx context.Context, env Envelope, msg io.ReadSeeker) error
}

// Config tunes the listener.
type Config struct {
	Addr            string
	Domain          string
	MaxMessageBytes int64
	MaxRecipients   int
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	// MaxConns and MaxConnsPerClient cap open connections in total and per
	// client IP; one over gets 421 and is closed. Defaults 200 and 50
	// (Postfix allows 50 per client).
	MaxConns, MaxConnsPerClient int
	// TransactionTimeout bounds one transaction, MAIL FROM to the end of
	// DATA, however slowly the client sends; SessionTimeout bounds a whole
	// connection. ReadTimeout alone is reset by every byte that trickles in.
	// Defaults 10 and 30 minutes.
	TransactionTimeout, SessionTimeout time.Duration
	// SpoolDir holds DATA past SpoolMemoryBytes (default 64 KiB) in a
	// temporary file, so memory does not grow with message size or count.
	// Default os.TempDir().
	SpoolDir         string
	SpoolMemoryBytes int
	Logger           *slog.Logger
}

// DefaultSessionTimeout bounds a connection when Config says nothing: no
// spool file of a live transaction is older.
const DefaultSessionTimeout = 30 * time.Minute

// Server is the listener.
type Server struct {
	cfg  Config
	recv Receiver
	log  *slog.Logger

	mu   sync.Mutex
	addr net.Addr
}

// New returns a listener delivering to r.
func New(cfg Config, r Receiver) *Server {
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 25 << 20
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = 100
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 60 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 60 * time.Second
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 200
	}
	if cfg.MaxConnsPerClient <= 0 {
		cfg.MaxConnsPerClient = 50
	}
	if cfg.TransactionTimeout <= 0 {
		cfg.TransactionTimeout = 10 * time.Minute
	}
	if cfg.SessionTimeout <= 0 {
		cfg.SessionTimeout = DefaultSessionTimeout
	}
	if cfg.SpoolMemoryBytes <= 0 {
		cfg.SpoolMemoryBytes = 64 << 10
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Server{cfg: cfg, recv: r, log: cfg.Logger.With("component", "smtp")}
}

// Addr is the listening address once serving.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// ListenAndServe listens on cfg.Addr and serves until ctx is cancelled.
func (s *Server) ListenAndServe(ctx context.Context) error {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(ctx, l)
}

// Serve serves on l until ctx is cancelled; then it stops accepting and lets
// sessions in progress finish (for up to 30 seconds) before returning nil.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	s.mu.Lock()
	s.addr = l.Addr()
	s.mu.Unlock()
	l = &capListener{Listener: l, s: s, perClient: map[string]int{}}
	srv := smtp.NewServer(&backend{s: s, ctx: context.WithoutCancel(ctx)})
	srv.Domain = s.cfg.Domain
	srv.MaxMessageBytes = s.cfg.MaxMessageBytes
	srv.MaxRecipients = s.cfg.MaxRecipients
	// RFC 5322 says 998, but real mail (HTML from some clients) breaks it;
	// refusing such mail would lose it, and the size limit still bounds memory.
	srv.MaxLineLength = 1 << 20
	srv.ReadTimeout = s.cfg.ReadTimeout
	srv.WriteTimeout = s.cfg.WriteTimeout
	srv.ErrorLog = slogPrinter{s.log}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		if errors.Is(err, smtp.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// Idle sessions that never said QUIT: cut them off.
		_ = srv.Close()
	}
	return nil
}

type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("smtp server", "detail", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (p slogPrinter) Println(v ...any) {
	p.log.Warn("smtp server", "detail", strings.TrimSpace(fmt.Sprint(v...)))
}

type backend struct {
	s   *Server
	ctx context.Context
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	lc, _ := c.Conn().(*limitedConn)
	return &session{s: b.s, ctx: b.ctx, remote: c.Conn().RemoteAddr().String(), conn: lc}, nil
}

type session struct {
	s      *Server
	ctx    context.Context
	remote string
	conn   *limitedConn // nil if the connection is not ours (never in practice)
	from   string
	rcpts  []string
}

func (ss *session) Reset() {
	ss.from, ss.rcpts = "", nil
	ss.conn.endTransaction()
}

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	ss.conn.startTransaction(time.Now().Add(ss.s.cfg.TransactionTimeout))
	return nil
}

var (
	errNoMailbox   = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox here"}
	errTryLater    = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	errNoRcpt      = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "no valid recipients"}
	errLineTooLong = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "line too long"}
)

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	rcpt := strings.ToLower(strings.TrimSpace(to))
	ok, err := ss.s.recv.Accepts(ss.ctx, rcpt)
	if err != nil {
		ss.s.log.Error("recipient check failed", "rcpt", rcpt, "err", err)
		return errTryLater
	}
	if !ok {
		ss.s.log.Warn("rejected recipient", "rcpt", rcpt, "from", ss.from, "remote", ss.remote)
		return errNoMailbox
	}
	ss.rcpts = append(ss.rcpts, rcpt)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	if len(ss.rcpts) == 0 {
		return errNoRcpt
	}
	sp := &spool{dir: ss.s.cfg.SpoolDir, mem: ss.s.cfg.SpoolMemoryBytes}
	defer sp.Close()
	// A final delivery records the reverse path (RFC 5321 4.4); "<>" is
	// the null sender of bounces.
	size, err := sp.ReadFrom(io.MultiReader(strings.NewReader("Return-Path: <"+ss.from+">\r\n"), r))
	if err != nil {
		var se *smtp.SMTPError
		switch {
		case errors.As(err, &se):
			ss.s.log.Warn("message refused", "from", ss.from, "reason", se.Message, "remote", ss.remote)
			return se // e.g. 552 message too large
		case errors.Is(err, smtp.ErrTooLongLine):
			// Permanent: the same message would fail again.
			return errLineTooLong
		case errors.Is(err, os.ErrDeadlineExceeded):
			ss.s.log.Warn("transaction timed out", "from", ss.from, "remote", ss.remote)
		case sp.failed:
			ss.s.log.Error("spool message", "err", err)
		}
		return errTryLater
	}
	env := Envelope{From: ss.from, Recipients: append([]string(nil), ss.rcpts...), RemoteAddr: ss.remote}
	if err := ss.s.recv.Deliver(ss.ctx, env, sp.Reader()); err != nil {
		ss.s.log.Error("delivery failed; the client will retry", "from", ss.from, "err", err)
		return errTryLater
	}
	ss.s.log.Info("accepted", "from", ss.from, "rcpts", len(env.Recipients), "bytes", size)
	return nil
}
