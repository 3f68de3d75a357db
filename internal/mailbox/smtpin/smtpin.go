// Package smtpin is the inbound SMTP listener: it accepts mail for our
// mailboxes only (no open relay) and answers 250 only once the message is
// durably stored.
package smtpin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
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
	// Deliver stores raw durably and returns only after commit.
	Deliver(ctx context.Context, env Envelope, raw []byte) error
}

// Config tunes the listener.
type Config struct {
	Addr            string
	Domain          string
	MaxMessageBytes int64
	MaxRecipients   int
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	Logger          *slog.Logger
}

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
	return &session{s: b.s, ctx: b.ctx, remote: c.Conn().RemoteAddr().String()}, nil
}

type session struct {
	s      *Server
	ctx    context.Context
	remote string
	from   string
	rcpts  []string
}

func (ss *session) Reset() {
	ss.from, ss.rcpts = "", nil
}

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
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
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			ss.s.log.Warn("message refused", "from", ss.from, "reason", se.Message, "remote", ss.remote)
			return se // e.g. 552 message too large
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			// Permanent: the same message would fail again.
			return errLineTooLong
		}
		return errTryLater
	}
	env := Envelope{From: ss.from, Recipients: append([]string(nil), ss.rcpts...), RemoteAddr: ss.remote}
	// The raw bytes go on unchanged: they are content-addressed for dedupe.
	if err := ss.s.recv.Deliver(ss.ctx, env, buf.Bytes()); err != nil {
		ss.s.log.Error("delivery failed; the client will retry", "from", ss.from, "err", err)
		return errTryLater
	}
	ss.s.log.Info("accepted", "from", ss.from, "rcpts", len(env.Recipients), "bytes", buf.Len())
	return nil
}
