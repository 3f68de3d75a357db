package app

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/gmail"
	"github.com/ticketer/ticketer/internal/mailbox/graph"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/mailbox/nylas"
	"github.com/ticketer/ticketer/internal/mailbox/oauthweb"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
	"github.com/ticketer/ticketer/internal/store"
)

// newConnectors builds the supervisor of the mailbox connectors (IMAP,
// Gmail, Nylas); Serve runs it alongside the workers.
func (a *App) newConnectors() *mailbox.Supervisor {
	return mailbox.NewSupervisor(mailbox.Config{
		Store:     a.Store,
		Receiver:  a.Tickets,
		Secrets:   a.Secrets,
		Logger:    a.Log.With("component", "connectors"),
		Factories: a.connectorFactories(),
		Health:    a.Health.Check,
	})
}

// providerSenders are the providers whose connector sends mail: a mailbox
// of theirs can carry the alert mail about another.
func providerSenders() []string { return []string{"gmail", "nylas", graph.Provider} }

func (a *App) connectorFactories() map[string]mailbox.Factory {
	return map[string]mailbox.Factory{
		"imap":  imap.Factory(a.Secrets, a.MailTokens, nil),
		"gmail": gmail.Factory(a.gmailConfig()),
		"nylas": nylas.Factory(a.nylasConfig()),
		// Microsoft 365 / Outlook.com through Microsoft Graph.
		graph.Provider: graph.Factory(a.microsoftConfig()),
	}
}

func (a *App) nylasConfig() nylas.Config {
	return nylas.Config{Secrets: a.Secrets, HTTPClient: a.userHTTP}
}

// NylasWebhook is the receiver to mount (no session: the signature is the
// authentication) as GET and POST /api/v1/mailboxes/nylas/webhook. It
// answers at once and leaves the fetch to nylasFetchWorker's jobs.
func (a *App) NylasWebhook() *nylas.Webhook {
	return &nylas.Webhook{Secret: a.Cfg.NylasWebhookSecret, Store: a.Store, Queue: a.Queue, Config: a.nylasConfig(),
		Log: a.Log.With("component", "nylas-webhook")}
}

// nylasFetchWorker works the webhook's fetch jobs; Open sets its Receiver
// once the ticket service exists, before any worker starts.
func (a *App) nylasFetchWorker() *nylas.FetchWorker {
	return &nylas.FetchWorker{Store: a.Store, Config: a.nylasConfig(), Log: a.Log.With("component", "nylas-fetch")}
}

// ConnectNylas checks a grant id and API key, stores them sealed on the
// mailbox and starts its sync (apiBase "" is the US region; since zero
// backfills everything).
func (a *App) ConnectNylas(ctx context.Context, mailboxID int64, grantID, apiKey, apiBase string, since time.Time) error {
	err := nylas.Connect(ctx, a.Store, a.nylasConfig(), mailboxID, nylas.Credentials{GrantID: grantID, APIKey: apiKey, APIBase: apiBase}, since)
	if err == nil {
		a.Connectors.Refresh()
	}
	return err
}

func (a *App) gmailConfig() gmail.Config {
	return gmail.Config{
		App: gmail.OAuthApp{ClientID: a.Cfg.GoogleClientID, ClientSecret: a.Cfg.GoogleClientSecret,
			RedirectURL: strings.TrimRight(a.Cfg.BaseURL, "/") + "/api/v1/mailboxes/gmail/oauth/callback"},
		Secrets:    a.Secrets,
		HTTPClient: a.userHTTP,
	}
}

// GmailOAuth returns the handlers of the Gmail connect flow; session reads
// the caller's session id (the state is bound to it). Mount them as
//
//	GET /api/v1/mailboxes/gmail/oauth/start    -> flow.Start (admins only)
//	GET /api/v1/mailboxes/gmail/oauth/callback -> flow.Callback
func (a *App) GmailOAuth(session func(r *http.Request) (string, error)) *gmail.OAuthFlow {
	return &gmail.OAuthFlow{App: a.gmailConfig().App, Config: a.gmailConfig(), Flow: a.oauthFlow("gmail", session)}
}

func (a *App) microsoftConfig() graph.Config {
	return graph.Config{
		App: graph.OAuthApp{ClientID: a.Cfg.MicrosoftClientID, ClientSecret: a.Cfg.MicrosoftClientSecret, Tenant: a.Cfg.MicrosoftTenant,
			RedirectURL: strings.TrimRight(a.Cfg.BaseURL, "/") + "/api/v1/mailboxes/microsoft/oauth/callback"},
		Secrets:    a.Secrets,
		HTTPClient: a.userHTTP,
		NotifyBase: microsoftNotifyBase(a.Cfg.BaseURL),
	}
}

// microsoftNotifyBase is where Graph posts change notifications: the
// public URL when it is https (Graph refuses anything else), else "" and
// the connector polls.
func microsoftNotifyBase(baseURL string) string {
	if strings.HasPrefix(strings.ToLower(baseURL), "https://") {
		return baseURL
	}
	return ""
}

// MicrosoftNotifications is the receiver of Graph's change and lifecycle
// notifications, mounted (no session: the clientState authenticates) as
// POST graph.NotificationsPath and graph.LifecyclePath. It answers at once
// and leaves the delta round to microsoftSyncWorker's jobs.
func (a *App) MicrosoftNotifications() *graph.Notifications {
	return &graph.Notifications{Store: a.Store, Queue: a.Queue, Log: a.Log.With("component", "microsoft-notifications")}
}

// microsoftSyncWorker works the notifications' delta rounds; Open sets its
// Receiver once the ticket service exists.
func (a *App) microsoftSyncWorker() *graph.SyncWorker {
	return &graph.SyncWorker{Store: a.Store, Config: a.microsoftConfig(), Log: a.Log.With("component", "microsoft-sync")}
}

// MicrosoftOAuth returns the handlers of the Microsoft 365 connect flow;
// session reads the caller's session id (the state is bound to it). Mount
// them as
//
//	GET /api/v1/mailboxes/microsoft/oauth/start    -> flow.Start (admins only)
//	GET /api/v1/mailboxes/microsoft/oauth/callback -> flow.Callback
func (a *App) MicrosoftOAuth(session func(r *http.Request) (string, error)) *graph.OAuthFlow {
	return &graph.OAuthFlow{Config: a.microsoftConfig(), Flow: a.oauthFlow("microsoft", session)}
}

// mailOAuthApps are the Google and Microsoft OAuth clients of IMAP and SMTP
// (the same app registrations as the Gmail API and Graph connectors, with
// one more redirect URL).
func (a *App) mailOAuthApps() xoauth.Apps {
	return xoauth.Apps{
		Google:      xoauth.App{ClientID: a.Cfg.GoogleClientID, ClientSecret: a.Cfg.GoogleClientSecret},
		Microsoft:   xoauth.App{ClientID: a.Cfg.MicrosoftClientID, ClientSecret: a.Cfg.MicrosoftClientSecret, Tenant: a.Cfg.MicrosoftTenant},
		RedirectURL: strings.TrimRight(a.Cfg.BaseURL, "/") + "/api/v1/mailboxes/oauth/callback",
	}
}

// MailOAuth returns the handlers of "Connect account" for IMAP and SMTP
// mailboxes. Mount them as
//
//	GET /api/v1/mailboxes/oauth/start    -> flow.Start (admins only)
//	GET /api/v1/mailboxes/oauth/callback -> flow.Callback
func (a *App) MailOAuth(session func(r *http.Request) (string, error)) *xoauth.OAuthFlow {
	return &xoauth.OAuthFlow{Apps: a.mailOAuthApps(), Secrets: a.Secrets, HTTPClient: a.userHTTP, Flow: a.oauthFlow("mail", session)}
}

// oauthFlow is the part of a connect flow every provider's shares.
func (a *App) oauthFlow(provider string, session func(r *http.Request) (string, error)) oauthweb.Flow {
	return oauthweb.Flow{
		Store:     a.Store,
		Log:       a.Log.With("component", provider+"-oauth"),
		Session:   session,
		StateKey:  a.Secrets.DeriveKey(provider + " oauth state"),
		Done:      "/admin/mailboxes", // the UI page shows the outcome
		Connected: func(int64) { a.Connectors.Refresh() },
	}
}

// MailboxStatus is a mailbox's connector status for the API.
func (a *App) MailboxStatus(ctx context.Context, mailboxID int64) (store.SyncStatus, error) {
	return a.Connectors.Status(ctx, mailboxID)
}

// transport sends a Gmail, Microsoft or Nylas mailbox's mail through its provider's
// API; for any other it answers nil, and the ticket service uses the
// mailbox's SMTP relay or the outbox folder.
func (a *App) transport(mb store.Mailbox) (smtpout.Sender, error) {
	if f, ok := a.connectorFactories()[mb.Provider]; ok && mb.Provider != "imap" {
		return &providerSender{app: a, mb: mb, factory: f}, nil
	}
	return nil, nil
}

// providerSender sends through the mailbox's connector.
type providerSender struct {
	app     *App
	mb      store.Mailbox
	factory mailbox.Factory
}

func (p *providerSender) Send(ctx context.Context, from string, to []string, raw []byte) error {
	c, err := p.app.Store.GetConnector(ctx, p.mb.ID)
	if err != nil {
		return err
	}
	h := mailbox.NewHost(p.app.Store, p.app.Tickets, p.mb.ID, p.mb.Address, p.app.Log)
	conn, err := p.factory(ctx, c, h)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Send(ctx, from, to, raw)
}

// startConnectors runs the supervisor until the returned stop is called.
func (a *App) startConnectors(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.Connectors.Run(ctx); err != nil {
			a.Log.Error("mailbox connectors stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			a.Log.Warn("mailbox connectors did not stop in time")
		}
	}
}
