package smtpout

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
)

// Relay sends through an SMTP server.
type Relay struct {
	cfg RelayConfig
	log *slog.Logger
	// Dial connects to the relay; nil dials directly. A connection test an
	// admin asks for dials through internal/netguard.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// Token hands out the access token of the mailbox's connected account
	// (auth=oauth), refreshed before it expires.
	Token func(ctx context.Context) (string, error)
	// Invalidate drops Token's access token after the relay refused it, so
	// the next attempt refreshes.
	Invalidate func()
}

// NewRelay returns a relay sender.
func NewRelay(cfg RelayConfig) *Relay {
	if cfg.Timeout == 0 {
		cfg.Timeout = 60 * time.Second
	}
	if cfg.TLS == "" {
		cfg.TLS = TLSOpportunistic
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	return &Relay{cfg: cfg, log: log}
}

func (r *Relay) addr() string { return net.JoinHostPort(r.cfg.Host, strconv.Itoa(r.cfg.Port)) }

// fail classifies an error at one step of the session. A 5xx reply is
// permanent: a ConfigError at the steps that concern the mailbox rather than
// the message (configStep), a PermanentError of the message otherwise. A 4xx
// reply or a network failure is temporary. TLS that cannot be established is
// a ConfigError wherever it happens.
func (r *Relay) fail(step string, configStep bool, err error) error {
	err = fmt.Errorf("relay %s: %s: %w", r.addr(), step, err)
	if hint := tlsHint(err); hint != "" {
		return &ConfigError{Err: fmt.Errorf("%w; %s", err, hint)}
	}
	var tp *textproto.Error
	if errors.As(err, &tp) && tp.Code >= 500 {
		if configStep {
			return &ConfigError{Err: err}
		}
		return &PermanentError{Code: tp.Code, Err: err}
	}
	return err
}

// tlsHint says how to fix a TLS failure that retrying will not fix, or ""
// when err is not one.
func tlsHint(err error) string {
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	var op *net.OpError
	switch {
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid):
		return "the relay's certificate is not trusted: give its CA with ?ca=/path/ca.pem (or TICKETER_SMTP_CA_FILE), or skip verification with ?insecure=1"
	case errors.As(err, &record):
		return "the relay does not speak TLS on this port: use smtp:// for a port that starts in plain text (587, 25), smtps:// for implicit TLS (465)"
	case errors.As(err, &op) && op.Op == "remote error": // a TLS alert from the relay
		return "the relay refused the TLS handshake"
	}
	return ""
}

// connect dials, greets, upgrades to TLS and authenticates.
func (r *Relay) connect(ctx context.Context) (*smtp.Client, error) {
	tlsCfg, err := r.cfg.tlsConfig()
	if err != nil {
		return nil, &ConfigError{Err: fmt.Errorf("relay %s: %w", r.addr(), err)}
	}
	if r.cfg.InsecureSkipVerify {
		r.log.Warn("SMTP relay certificate NOT verified (insecure=1): the connection can be intercepted", "relay", r.addr())
	}
	dial := r.Dial
	if dial == nil {
		dial = (&net.Dialer{Timeout: r.cfg.Timeout}).DialContext
	}
	conn, err := dial(ctx, "tcp", r.addr())
	if err != nil {
		return nil, r.fail("connect", false, err)
	}
	deadline := time.Now().Add(r.cfg.Timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	helo := r.cfg.HeloName
	if helo == "" {
		helo = addressLiteral(conn.LocalAddr())
	}
	if r.cfg.TLS == TLSImplicit {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, r.fail("TLS", true, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, r.cfg.Host)
	if err != nil {
		conn.Close()
		return nil, r.fail("greeting", true, err)
	}
	if err := r.session(ctx, c, helo, tlsCfg); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// session runs EHLO, STARTTLS and AUTH on a greeted connection.
func (r *Relay) session(ctx context.Context, c *smtp.Client, helo string, tlsCfg *tls.Config) error {
	if err := c.Hello(helo); err != nil {
		return r.fail("EHLO "+helo, true, err)
	}
	offered, _ := c.Extension("STARTTLS")
	switch {
	case r.cfg.TLS == TLSStartTLS && !offered:
		return &ConfigError{Err: fmt.Errorf("relay %s: STARTTLS is required (tls=starttls) but the relay does not offer it", r.addr())}
	case (r.cfg.TLS == TLSStartTLS || r.cfg.TLS == TLSOpportunistic) && offered:
		if err := c.StartTLS(tlsCfg); err != nil {
			return r.fail("STARTTLS", true, err)
		}
	}
	if r.cfg.Username == "" {
		return nil
	}
	_, encrypted := c.TLSConnectionState()
	_, mechs := c.Extension("AUTH")
	var auth smtp.Auth
	var name string
	var err error
	if r.cfg.XOAuth2 {
		auth, name, err = r.xoauth2(ctx, mechs, encrypted || IsLoopback(r.cfg.Host))
	} else {
		auth, name, err = chooseAuth(mechs, encrypted || IsLoopback(r.cfg.Host), r.cfg.Username, r.cfg.Password)
	}
	if err != nil && r.cfg.XOAuth2 && !errors.Is(err, errNoXOAuth2) {
		return err // a refused refresh (ConfigError), or one that failed for now
	}
	if err != nil {
		return &ConfigError{Err: fmt.Errorf("relay %s: %w", r.addr(), err)}
	}
	if err := c.Auth(auth); err != nil {
		var tp *textproto.Error
		if errors.As(err, &tp) && tp.Code >= 500 {
			if r.cfg.XOAuth2 {
				if r.Invalidate != nil {
					r.Invalidate()
				}
				return &ConfigError{Err: fmt.Errorf("relay %s: AUTH %s refused (%w): check that the user name is the connected account's address and that it may send through SMTP (Microsoft 365: Authenticated SMTP enabled)", r.addr(), name, err)}
			}
			return &ConfigError{Err: fmt.Errorf("relay %s: AUTH %s refused (%w): check the user name and password in the relay URL", r.addr(), name, err)}
		}
		return r.fail("AUTH "+name, true, err)
	}
	return nil
}

// errNoXOAuth2 is a relay that cannot take XOAUTH2 here.
var errNoXOAuth2 = errors.New("the relay does not offer XOAUTH2")

// xoauth2 is the XOAUTH2 mechanism with the URL's static access token or
// one the token source refreshed. The token is a bearer credential: only
// over TLS or to this machine. A refused refresh is a ConfigError (the
// mailbox waits for its account to be connected again); any other failure
// to get a token is temporary.
func (r *Relay) xoauth2(ctx context.Context, offered string, private bool) (smtp.Auth, string, error) {
	hasMech := false
	for _, w := range strings.Fields(offered) {
		hasMech = hasMech || strings.EqualFold(w, "XOAUTH2")
	}
	switch {
	case !private:
		return nil, "", fmt.Errorf("%w unencrypted: an access token is never sent in plain text (use ?tls=starttls or smtps://)", errNoXOAuth2)
	case !hasMech:
		return nil, "", fmt.Errorf("%w (it offers %q)", errNoXOAuth2, offered)
	}
	token := r.cfg.Password
	if r.Token != nil {
		var err error
		if token, err = r.Token(ctx); err != nil {
			err = fmt.Errorf("relay %s: access token: %w", r.addr(), err)
			if errors.Is(err, xoauth.ErrRefused) || errors.Is(err, xoauth.ErrNotConnected) {
				return nil, "", &ConfigError{Err: err}
			}
			return nil, "", err
		}
	} else if r.cfg.OAuth {
		return nil, "", &ConfigError{Err: fmt.Errorf("relay %s: auth=oauth: %w", r.addr(), xoauth.ErrNotConnected)}
	}
	return xoauth2Auth{user: r.cfg.Username, token: token}, "XOAUTH2", nil
}

// xoauth2Auth is SASL XOAUTH2 for net/smtp.
type xoauth2Auth struct{ user, token string }

func (a xoauth2Auth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "XOAUTH2", xoauth.SASL(a.user, a.token), nil
}

// Next answers the error challenge (a base64 JSON status) with an empty
// response, after which the server ends the exchange with its error.
func (a xoauth2Auth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return []byte{}, nil
	}
	return nil, nil
}

// chooseAuth picks the mechanism: PLAIN, then LOGIN, then CRAM-MD5. PLAIN
// and LOGIN send the password itself, so they are used only over TLS or to
// this machine; CRAM-MD5 sends a digest and may go in plain text.
func chooseAuth(offered string, private bool, user, pass string) (smtp.Auth, string, error) {
	has := func(m string) bool {
		for _, w := range strings.Fields(offered) {
			if strings.EqualFold(w, m) {
				return true
			}
		}
		return false
	}
	switch {
	case private && has("PLAIN"):
		return plainAuth{user: user, pass: pass}, "PLAIN", nil
	case private && has("LOGIN"):
		return loginAuth{user: user, pass: pass}, "LOGIN", nil
	case has("CRAM-MD5"):
		return smtp.CRAMMD5Auth(user, pass), "CRAM-MD5", nil
	case offered == "":
		return nil, "", errors.New("credentials are given but the relay offers no authentication here (does it want TLS first? try ?tls=starttls)")
	case !private && (has("PLAIN") || has("LOGIN")):
		return nil, "", errors.New("the relay offers authentication only in plain text, which would send the password unencrypted: use ?tls=starttls or smtps://")
	}
	return nil, "", fmt.Errorf("the relay offers none of PLAIN, LOGIN, CRAM-MD5 (it offers %s)", offered)
}

// Send delivers raw to every recipient.
func (r *Relay) Send(ctx context.Context, from string, to []string, raw []byte) error {
	return r.SendCommit(ctx, from, to, raw, nil)
}

// SendCommit delivers raw to every recipient, calling commit (when not nil)
// just before DATA.
func (r *Relay) SendCommit(ctx context.Context, from string, to []string, raw []byte, commit func() error) error {
	if len(to) == 0 {
		return &PermanentError{Err: errors.New("no recipients")}
	}
	c, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Mail(from); err != nil {
		// The relay will not take mail from the mailbox at all.
		return r.fail("MAIL FROM <"+from+">", true, err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return r.fail("RCPT TO <"+rcpt+">", false, err)
		}
	}
	if commit != nil {
		if err := commit(); err != nil {
			return fmt.Errorf("before DATA: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return r.fail("DATA", false, err)
	}
	if _, err := w.Write(raw); err != nil {
		return r.fail("DATA", false, err)
	}
	// Everything but the final dot on the wire: a failure up to here cannot
	// have delivered anything (no end of data was sent), so it is temporary.
	if err := c.Text.W.Flush(); err != nil {
		return r.fail("DATA (connection lost before the end of the message, nothing delivered)", false, err)
	}
	if err := w.Close(); err != nil {
		var tp *textproto.Error
		if !errors.As(err, &tp) {
			// The whole message went out but no reply came back: the relay
			// may have accepted it. Retrying could deliver it twice.
			return &PermanentError{Err: fmt.Errorf("relay %s: end of DATA: no reply (%w); the message may have been delivered, so it is not sent again", r.addr(), err)}
		}
		return r.fail("end of DATA", false, err)
	}
	_ = c.Quit()
	return nil
}

// Test checks connectivity, TLS and authentication, and with from whether
// the relay takes mail from that sender (MAIL FROM, then RSET): nothing is
// sent. Its errors are the ones a send would get, in the same words.
func (r *Relay) Test(ctx context.Context, from string) error {
	c, err := r.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if from != "" {
		if err := c.Mail(from); err != nil {
			return r.fail("MAIL FROM <"+from+">", true, err)
		}
		if err := c.Reset(); err != nil {
			return r.fail("RSET", false, err)
		}
	}
	return c.Quit()
}

// addressLiteral is the EHLO argument naming our end of conn ([192.0.2.1]),
// for when no name is configured.
func addressLiteral(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "[127.0.0.1]"
	}
	if ip4 := tcp.IP.To4(); ip4 != nil {
		return "[" + ip4.String() + "]"
	}
	return "[IPv6:" + tcp.IP.String() + "]"
}

// plainAuth is PLAIN (RFC 4616). Unlike net/smtp's it does not check the
// connection itself: chooseAuth has decided it is private.
type plainAuth struct{ user, pass string }

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected challenge after PLAIN")
	}
	return nil, nil
}

// loginAuth is the LOGIN mechanism, which net/smtp lacks.
type loginAuth struct{ user, pass string }

func (a loginAuth) Start(*smtp.ServerInfo) (string, []byte, error) { return "LOGIN", nil, nil }

func (a loginAuth) Next(fromServer []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	switch strings.ToLower(strings.TrimSpace(string(fromServer))) {
	case "username:", "user name":
		return []byte(a.user), nil
	case "password:", "password":
		return []byte(a.pass), nil
	}
	return nil, fmt.Errorf("unexpected LOGIN challenge %q", fromServer)
}
