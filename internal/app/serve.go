package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/httpapi"
	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/live"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/smtpin"
	"github.com/ticketer/ticketer/internal/portal"
	"github.com/ticketer/ticketer/internal/sso"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// httpReadTimeout bounds reading one request, body included: the largest
// upload (an import or attachment) over a slow line, not a trickle forever.
const httpReadTimeout = 5 * time.Minute

// newHTTPServer bounds what one client can hold: headers within
// ReadHeaderTimeout, a request body, however slowly trickled, within
// ReadTimeout. Answers have no WriteTimeout: event streams and exports run
// long.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       httpReadTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

// SSO is the single sign-on flow (TICKETER_OIDC_*). The identity provider
// is the admin's choice, often on the LAN (Keycloak): it is reached with a
// plain client, not the guarded one of user-given targets.
func (a *App) SSO(authn *auth.Service) *sso.Flow {
	return sso.New(sso.Config{Issuer: a.Cfg.OIDCIssuer, ClientID: a.Cfg.OIDCClientID, ClientSecret: a.Cfg.OIDCClientSecret,
		RedirectURL: a.Cfg.OIDCRedirectURL(), AllowedDomains: a.Cfg.OIDCAllowedDomains, Store: a.Store, Auth: authn,
		Client: httpapi.ClientFrom, Logger: a.Log.With("component", "sso")})
}

// Ready is called by Serve once every listener is up (tests use it to learn
// the ports when they ask for port 0).
type Ready func(httpAddr, smtpAddr net.Addr)

// Serve runs the HTTP server, the SMTP listener and the workers until ctx is
// cancelled, then shuts down gracefully: listeners stop accepting, in-flight
// requests and jobs finish (jobs cut off are retried after a restart).
func (a *App) Serve(ctx context.Context, ready Ready) error {
	if a.DB.Dialect == store.SQLite {
		release, err := lockDataDir(a.Cfg.DataDir)
		if err != nil {
			return err
		}
		defer release()
		n, err := jobs.RecoverAfterCrash(ctx, a.DB)
		if err != nil {
			return err
		}
		if n > 0 {
			a.Log.Warn("resuming jobs interrupted by a crash", "jobs", n)
		}
	}
	if err := a.ensureDefaultMailbox(ctx); err != nil {
		return err
	}
	authn, err := auth.New(auth.Config{Store: a.Store, BaseURL: a.Cfg.BaseURL, AllowDevLogin: a.Cfg.AllowDevLogin, Logger: a.Log, Secrets: a.Secrets,
		SSOOnly: a.Cfg.OIDCOnly, BreakGlass: a.Cfg.OIDCBreakGlass})
	if err != nil {
		return err
	}
	var oidcStart, oidcCallback http.Handler
	if a.Cfg.OIDCEnabled() {
		flow := a.SSO(authn)
		oidcStart, oidcCallback = http.HandlerFunc(flow.Start), http.HandlerFunc(flow.Callback)
	}
	gmailFlow := a.GmailOAuth(oauthSession)
	microsoftFlow := a.MicrosoftOAuth(oauthSession)
	mailFlow := a.MailOAuth(oauthSession)
	customers := portal.New(portal.Config{Store: a.Store, Tickets: a.Tickets, BaseURL: a.Cfg.BaseURL, Logger: a.Log})
	api := httpapi.New(httpapi.Deps{Store: a.Store, Blobs: a.Blobs, Tickets: a.Tickets, Webhooks: a.Webhooks, Auth: authn, Portal: customers, Logger: a.Log,
		Connectors: connectorAPI{a}, Presence: a.Live}, httpapi.Options{
		GmailOAuthStart:        http.HandlerFunc(gmailFlow.Start),
		GmailOAuthCallback:     http.HandlerFunc(gmailFlow.Callback),
		MicrosoftOAuthStart:    http.HandlerFunc(microsoftFlow.Start),
		MicrosoftOAuthCallback: http.HandlerFunc(microsoftFlow.Callback),
		MailOAuthStart:         http.HandlerFunc(mailFlow.Start),
		MailOAuthCallback:      http.HandlerFunc(mailFlow.Callback),
		NylasWebhook:           a.NylasWebhook(),
		MicrosoftNotifications: a.MicrosoftNotifications(),
		OIDCStart:              oidcStart,
		OIDCCallback:           oidcCallback,
		Stream: a.Live.Handler(live.HandlerConfig{Authenticate: func(r *http.Request) (int64, bool) {
			u, ok := httpapi.UserFrom(r.Context())
			return u.ID, ok
		}, StillValid: func(r *http.Request, userID int64) bool {
			// Authenticated afresh: a revoked token, an ended session or a
			// disabled user fails; a new role needs a new stream.
			was, _ := httpapi.UserFrom(r.Context())
			p, err := authn.Authenticate(r.Context(), r)
			return err == nil && p.User.ID == userID && p.User.Role == was.Role
		}}),
		Metrics:        requireToken(a.Cfg.MetricsToken, a.Metrics.Handler()),
		Middleware:     a.Metrics.Middleware,
		TrustedProxies: a.Cfg.TrustedProxies,
	})
	// Messages past a small size wait here during DATA, not in memory.
	spool := filepath.Join(a.Cfg.DataDir, "spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		return fmt.Errorf("smtp spool folder: %w", err)
	}
	// Files a crash left behind. Only this process uses a SQLite data dir
	// (locked above); replicas on PostgreSQL may share one, so there only
	// files older than any live transaction go.
	cutoff := time.Now()
	if a.DB.Dialect != store.SQLite {
		cutoff = cutoff.Add(-smtpin.DefaultSessionTimeout)
	}
	if n, err := smtpin.CleanSpool(spool, cutoff); err != nil {
		a.Log.Warn("leftover SMTP spool files", "err", err)
	} else if n > 0 {
		a.Log.Info("removed leftover SMTP spool files", "files", n)
	}
	httpLn, err := net.Listen("tcp", a.Cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen http %s: %w", a.Cfg.HTTPAddr, err)
	}
	var smtpLn net.Listener
	if a.Cfg.SMTPAddr != "" {
		if smtpLn, err = net.Listen("tcp", a.Cfg.SMTPAddr); err != nil {
			httpLn.Close()
			return fmt.Errorf("listen smtp %s: %w", a.Cfg.SMTPAddr, err)
		}
	}
	if err := a.Queue.Start(ctx); err != nil {
		httpLn.Close()
		if smtpLn != nil {
			smtpLn.Close()
		}
		return fmt.Errorf("start workers: %w", err)
	}
	// Live updates: on PostgreSQL, listen for every replica's events.
	if err := a.Live.Start(ctx); err != nil {
		a.Log.Warn("live updates from other replicas are off", "err", err)
	}
	defer a.Live.Stop()
	stopConnectors := a.startConnectors(ctx)
	go a.maintainSearch(ctx)
	go a.maintainRetention(ctx)

	srv := newHTTPServer(withHSTS(a.Cfg.BaseURL, api))
	// Event streams never go idle: end them when shutdown begins.
	srv.RegisterOnShutdown(a.Live.Stop)
	errc := make(chan error, 2)
	go func() {
		if err := srv.Serve(httpLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	smtpCtx, stopSMTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSMTP()
	smtpDone := make(chan struct{})
	var smtpAddr net.Addr
	if smtpLn != nil {
		smtpAddr = smtpLn.Addr()
		s := smtpin.New(smtpin.Config{Addr: a.Cfg.SMTPAddr, Domain: hostOf(a.Cfg.BaseURL), MaxMessageBytes: a.Cfg.SMTPMaxBytes,
			SpoolDir: spool, Logger: a.Log}, &receiver{app: a})
		go func() {
			defer close(smtpDone)
			if err := s.Serve(smtpCtx, smtpLn); err != nil {
				errc <- fmt.Errorf("smtp: %w", err)
			}
		}()
	} else {
		close(smtpDone)
	}
	a.Log.Info("ticketer is running", "http", httpLn.Addr().String(), "smtp", addrString(smtpAddr), "database", string(a.DB.Dialect),
		"database_at", a.Cfg.DatabaseForLog(),
		"data_dir", a.Cfg.DataDir, "base_url", a.Cfg.BaseURL)
	if ready != nil {
		ready(httpLn.Addr(), smtpAddr)
	}

	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	a.Log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	stopSMTP()
	<-smtpDone
	if err := srv.Shutdown(shutdownCtx); err != nil {
		a.Log.Warn("http shutdown", "err", err)
	}
	stopConnectors()
	if err := a.Queue.Stop(shutdownCtx); err != nil {
		a.Log.Warn("workers shutdown", "err", err)
	}
	a.Log.Info("stopped")
	return runErr
}

func addrString(a net.Addr) string {
	if a == nil {
		return "disabled"
	}
	return a.String()
}

func hostOf(baseURL string) string {
	h := strings.TrimPrefix(strings.TrimPrefix(baseURL, "https://"), "http://")
	if i := strings.IndexAny(h, ":/"); i >= 0 {
		h = h[:i]
	}
	if h == "" {
		return "localhost"
	}
	return h
}

// receiver connects the SMTP listener to the ticket service.
type receiver struct{ app *App }

func (r *receiver) Accepts(ctx context.Context, rcpt string) (bool, error) {
	_, err := r.app.Store.MailboxByAddress(ctx, mail.BaseAddress(rcpt))
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (r *receiver) Deliver(ctx context.Context, env smtpin.Envelope, msg io.ReadSeeker) error {
	// Streamed to the blob store once, from the listener's spool file.
	key, sum, size, err := r.app.Blobs.PutReader(ctx, "raw", msg)
	if err != nil {
		return fmt.Errorf("store raw message: %w", err)
	}
	raw := ticket.StoredRaw{Key: key, SHA256: sum, Size: size}
	// One inbound row per mailbox addressed: the second becomes an occurrence.
	seen := map[int64]bool{}
	for _, rcpt := range env.Recipients {
		mb, err := r.app.Store.MailboxByAddress(ctx, mail.BaseAddress(rcpt))
		if err != nil {
			return err
		}
		if seen[mb.ID] {
			continue
		}
		seen[mb.ID] = true
		if _, err := r.app.Tickets.ReceiveStored(ctx, ticket.Received{MailboxID: mb.ID, Source: "smtp", EnvelopeFrom: env.From,
			EnvelopeTo: env.Recipients}, raw); err != nil {
			return err
		}
	}
	return nil
}

// connectorAPI is what the HTTP API may ask of the connectors.
type connectorAPI struct{ *App }

func (c connectorAPI) Refresh() { c.Connectors.Refresh() }

// oauthSession binds a Gmail connect flow to who started it: the browser
// session when there is one (the callback comes back with the same cookie),
// else the signed-in user.
func oauthSession(r *http.Request) (string, error) {
	if c, err := r.Cookie(auth.SessionCookie); err == nil && c.Value != "" {
		return "session:" + c.Value, nil
	}
	u, ok := httpapi.UserFrom(r.Context())
	if !ok {
		return "", errors.New("not signed in")
	}
	return "user:" + strconv.FormatInt(u.ID, 10), nil
}

// maintainSearch keeps the SQLite search index compact as mail comes in: a
// little merging every few minutes (each step bounded, so ingestion never
// waits long for the writer). PostgreSQL's GIN index needs nothing here.
func (a *App) maintainSearch(ctx context.Context) {
	if a.DB.Dialect != store.SQLite {
		return
	}
	tick := time.NewTicker(5 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := a.Store.MergeSearch(ctx, 500); err != nil && ctx.Err() == nil {
				a.Log.Warn("search index maintenance", "err", err)
			}
		}
	}
}
