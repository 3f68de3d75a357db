// Package config turns the TICKETER_* environment and serve's flags into one
// validated Config value.
package config

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is everything the server needs to start.
type Config struct {
	DataDir       string
	DatabaseURL   string
	BlobURL       string
	HTTPAddr      string
	SMTPAddr      string // "" disables the listener
	BaseURL       string
	EncryptionKey string // base64; "" with SQLite means: use the key file in the data dir
	AllowDevLogin bool
	LogFormat     string // text or json
	LogLevel      string // debug, info, warn, error
	SMTPMaxBytes  int64
	// Mailbox connectors: the Google Cloud OAuth client for Gmail mailboxes
	// and the secret Nylas signs its webhooks with.
	GoogleClientID     string
	GoogleClientSecret string
	NylasWebhookSecret string
	// The Microsoft Entra app registration for Microsoft 365 / Outlook.com
	// mailboxes (Graph), and the tenant it signs in against: common,
	// organizations, consumers, or a tenant id or domain.
	MicrosoftClientID     string
	MicrosoftClientSecret string
	MicrosoftTenant       string
	// SMTPCAFile is a PEM file of CA certificates every SMTP relay may be
	// signed by, besides the system's (a relay URL's ?ca= wins).
	SMTPCAFile string
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (for sign-in limits and session records).
	TrustedProxies []netip.Prefix
	// AllowPrivateTargets are loopback or private prefixes that connections
	// made for users (a relay's "test connection", the Nylas, Graph and
	// Gmail API bases) may reach all the same (internal/netguard).
	AllowPrivateTargets []netip.Prefix
	// WebhookAllowPrivate lets outgoing webhooks reach loopback, private and
	// link-local addresses (a receiver on the same machine or LAN).
	WebhookAllowPrivate bool
	// MetricsToken, when set, is the bearer token GET /metrics requires.
	MetricsToken string
	// Single sign-on with OpenID Connect: the issuer (its discovery
	// document is ISSUER/.well-known/openid-configuration), the client
	// registered there, and the email domains whose users may sign in
	// (lower case, without "@"). OIDCOnly turns password sign-in off for
	// everyone but OIDCBreakGlass, an admin's email (lower case).
	OIDCIssuer         string
	OIDCClientID       string
	OIDCClientSecret   string
	OIDCAllowedDomains []string
	OIDCOnly           bool
	OIDCBreakGlass     string
}

// OIDCEnabled reports whether single sign-on is configured.
func (c Config) OIDCEnabled() bool { return c.OIDCIssuer != "" }

// OIDCRedirectURL is where the identity provider sends the browser back: the
// redirect URI to register with it.
func (c Config) OIDCRedirectURL() string {
	return strings.TrimRight(c.BaseURL, "/") + "/api/v1/auth/oidc/callback"
}

// IsPostgres reports whether the database is PostgreSQL.
func (c Config) IsPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// OutboxDir is where mailboxes without a relay write their outbound mail.
func (c Config) OutboxDir() string { return filepath.Join(c.DataDir, "outbox") }

// KeyFile is the generated encryption key of the embedded default.
func (c Config) KeyFile() string { return filepath.Join(c.DataDir, "encryption.key") }

// Lookup reads one environment variable.
type Lookup func(key string) (string, bool)

// Load reads the environment, then flags (flags win). args are the flags
// after the subcommand; serve passes its own, other commands pass nil.
func Load(name string, args []string, env Lookup, stderr io.Writer) (Config, []string, error) {
	get := func(key, def string) string {
		if v, ok := env(key); ok {
			return v
		}
		return def
	}
	c := Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.DataDir, "data-dir", get("TICKETER_DATA_DIR", "./data"), "data folder (TICKETER_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", get("TICKETER_DATABASE_URL", ""), "database: SQLite file in the data dir, or postgres://... (TICKETER_DATABASE_URL)")
	fs.StringVar(&c.BlobURL, "blob-url", get("TICKETER_BLOB_URL", ""), "blob store: file:// folder or s3://bucket?endpoint=... (TICKETER_BLOB_URL)")
	fs.StringVar(&c.HTTPAddr, "http-addr", get("TICKETER_HTTP_ADDR", "127.0.0.1:8080"), "HTTP listen address (TICKETER_HTTP_ADDR)")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", get("TICKETER_SMTP_ADDR", "127.0.0.1:2525"), "inbound SMTP listen address, empty disables (TICKETER_SMTP_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", get("TICKETER_BASE_URL", ""), "public URL of the web UI (TICKETER_BASE_URL)")
	fs.StringVar(&c.EncryptionKey, "encryption-key-base64", get("TICKETER_ENCRYPTION_KEY_BASE64", ""), "32-byte key(s), base64, comma-separated for rotation (TICKETER_ENCRYPTION_KEY_BASE64)")
	devLogin := fs.String("allow-dev-login", get("TICKETER_ALLOW_DEV_LOGIN", "false"), "enable passwordless dev login on localhost (TICKETER_ALLOW_DEV_LOGIN)")
	fs.StringVar(&c.LogFormat, "log-format", get("TICKETER_LOG_FORMAT", "text"), "log format: text or json (TICKETER_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", get("TICKETER_LOG_LEVEL", "info"), "log level: debug, info, warn, error (TICKETER_LOG_LEVEL)")
	maxBytes := fs.String("smtp-max-bytes", get("TICKETER_SMTP_MAX_BYTES", "26214400"), "largest message the SMTP listener accepts (TICKETER_SMTP_MAX_BYTES)")
	fs.StringVar(&c.GoogleClientID, "google-client-id", get("TICKETER_GOOGLE_CLIENT_ID", ""), "Google OAuth client id for Gmail mailboxes (TICKETER_GOOGLE_CLIENT_ID)")
	fs.StringVar(&c.GoogleClientSecret, "google-client-secret", get("TICKETER_GOOGLE_CLIENT_SECRET", ""), "Google OAuth client secret (TICKETER_GOOGLE_CLIENT_SECRET)")
	proxies := fs.String("trusted-proxies", get("TICKETER_TRUSTED_PROXIES", ""), "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (TICKETER_TRUSTED_PROXIES)")
	private := fs.String("allow-private-targets", get("TICKETER_ALLOW_PRIVATE_TARGETS", ""), "comma-separated addresses or CIDRs on the loopback or private network that a relay's connection test and the mail APIs may reach (TICKETER_ALLOW_PRIVATE_TARGETS)")
	webhookPrivate := fs.String("webhook-allow-private", get("TICKETER_WEBHOOK_ALLOW_PRIVATE", "false"), "let outgoing webhooks reach loopback, private and link-local addresses (TICKETER_WEBHOOK_ALLOW_PRIVATE)")
	fs.StringVar(&c.MetricsToken, "metrics-token", get("TICKETER_METRICS_TOKEN", ""), "bearer token required by GET /metrics, empty leaves it public (TICKETER_METRICS_TOKEN)")
	fs.StringVar(&c.MicrosoftClientID, "microsoft-client-id", get("TICKETER_MICROSOFT_CLIENT_ID", ""), "Microsoft Entra app (client) id for Microsoft 365 mailboxes (TICKETER_MICROSOFT_CLIENT_ID)")
	fs.StringVar(&c.MicrosoftClientSecret, "microsoft-client-secret", get("TICKETER_MICROSOFT_CLIENT_SECRET", ""), "Microsoft Entra client secret (TICKETER_MICROSOFT_CLIENT_SECRET)")
	fs.StringVar(&c.MicrosoftTenant, "microsoft-tenant", get("TICKETER_MICROSOFT_TENANT", "common"), "Microsoft tenant: common, organizations, consumers, or a tenant id (TICKETER_MICROSOFT_TENANT)")
	fs.StringVar(&c.NylasWebhookSecret, "nylas-webhook-secret", get("TICKETER_NYLAS_WEBHOOK_SECRET", ""), "Nylas webhook signing secret (TICKETER_NYLAS_WEBHOOK_SECRET)")
	fs.StringVar(&c.SMTPCAFile, "smtp-ca-file", get("TICKETER_SMTP_CA_FILE", ""), "PEM CA certificates trusted for SMTP relays, besides the system's (TICKETER_SMTP_CA_FILE)")
	fs.StringVar(&c.OIDCIssuer, "oidc-issuer", get("TICKETER_OIDC_ISSUER", ""), "OpenID Connect issuer URL for single sign-on, empty disables it (TICKETER_OIDC_ISSUER)")
	fs.StringVar(&c.OIDCClientID, "oidc-client-id", get("TICKETER_OIDC_CLIENT_ID", ""), "OpenID Connect client id (TICKETER_OIDC_CLIENT_ID)")
	fs.StringVar(&c.OIDCClientSecret, "oidc-client-secret", get("TICKETER_OIDC_CLIENT_SECRET", ""), "OpenID Connect client secret, empty for a public client (TICKETER_OIDC_CLIENT_SECRET)")
	domains := fs.String("oidc-allowed-domains", get("TICKETER_OIDC_ALLOWED_DOMAINS", ""), "comma-separated email domains whose users may sign in with SSO (TICKETER_OIDC_ALLOWED_DOMAINS)")
	oidcOnly := fs.String("oidc-only", get("TICKETER_OIDC_ONLY", "false"), "turn password sign-in off for everyone but the break-glass admin (TICKETER_OIDC_ONLY)")
	fs.StringVar(&c.OIDCBreakGlass, "oidc-break-glass", get("TICKETER_OIDC_BREAK_GLASS", ""), "email of the admin who may still sign in with a password when SSO is the only way (TICKETER_OIDC_BREAK_GLASS)")
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	var errs []error
	var err error
	if c.AllowDevLogin, err = strconv.ParseBool(*devLogin); err != nil {
		errs = append(errs, fmt.Errorf("TICKETER_ALLOW_DEV_LOGIN must be true or false, got %q", *devLogin))
	}
	if c.WebhookAllowPrivate, err = strconv.ParseBool(*webhookPrivate); err != nil {
		errs = append(errs, fmt.Errorf("TICKETER_WEBHOOK_ALLOW_PRIVATE must be true or false, got %q", *webhookPrivate))
	}
	if c.SMTPMaxBytes, err = strconv.ParseInt(*maxBytes, 10, 64); err != nil || c.SMTPMaxBytes < 1024 {
		errs = append(errs, fmt.Errorf("TICKETER_SMTP_MAX_BYTES must be a number of bytes of at least 1024, got %q", *maxBytes))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("TICKETER_DATA_DIR must not be empty"))
	}
	if c.DatabaseURL, err = resolveDatabase(c.DatabaseURL, c.DataDir); err != nil {
		errs = append(errs, err)
	}
	if c.TrustedProxies, err = parsePrefixes("TICKETER_TRUSTED_PROXIES", *proxies); err != nil {
		errs = append(errs, err)
	}
	if c.AllowPrivateTargets, err = parsePrefixes("TICKETER_ALLOW_PRIVATE_TARGETS", *private); err != nil {
		errs = append(errs, err)
	}
	if c.BlobURL == "" {
		abs, err := filepath.Abs(filepath.Join(c.DataDir, "blobs"))
		if err != nil {
			errs = append(errs, fmt.Errorf("data dir: %w", err))
		}
		c.BlobURL = "file://" + filepath.ToSlash(abs)
	} else if !strings.HasPrefix(c.BlobURL, "file://") && !strings.HasPrefix(c.BlobURL, "s3://") {
		errs = append(errs, fmt.Errorf("TICKETER_BLOB_URL must start with file:// or s3://, got %q", c.BlobURL))
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		errs = append(errs, fmt.Errorf("TICKETER_HTTP_ADDR must be host:port, got %q", c.HTTPAddr))
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("TICKETER_SMTP_ADDR must be host:port or empty, got %q", c.SMTPAddr))
		}
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.HTTPAddr
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("TICKETER_BASE_URL must be an http(s) URL, got %q", c.BaseURL))
	}
	if c.AllowDevLogin && !IsLocalURL(c.BaseURL) {
		errs = append(errs, fmt.Errorf("TICKETER_ALLOW_DEV_LOGIN=true is refused: TICKETER_BASE_URL %q is not localhost, 127.0.0.1 or ::1", c.BaseURL))
	}
	if c.AllowDevLogin && !isLoopbackListen(c.HTTPAddr) {
		errs = append(errs, fmt.Errorf("TICKETER_ALLOW_DEV_LOGIN=true is refused: TICKETER_HTTP_ADDR %q listens beyond this machine (use 127.0.0.1, ::1 or localhost)", c.HTTPAddr))
	}
	if c.IsPostgres() && c.EncryptionKey == "" {
		errs = append(errs, errors.New("TICKETER_ENCRYPTION_KEY_BASE64 is required with PostgreSQL (32 random bytes, base64: openssl rand -base64 32)"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("TICKETER_LOG_FORMAT must be text or json, got %q", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("TICKETER_LOG_LEVEL must be debug, info, warn or error, got %q", c.LogLevel))
	}
	if !validTenant(c.MicrosoftTenant) {
		errs = append(errs, fmt.Errorf("TICKETER_MICROSOFT_TENANT must be common, organizations, consumers, a tenant id or a domain, got %q", c.MicrosoftTenant))
	}
	if c.OIDCOnly, err = strconv.ParseBool(*oidcOnly); err != nil {
		errs = append(errs, fmt.Errorf("TICKETER_OIDC_ONLY must be true or false, got %q", *oidcOnly))
	}
	if c.OIDCAllowedDomains, err = parseDomains(*domains); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.checkOIDC()...)
	if c.SMTPCAFile != "" {
		if err := checkCAFile(c.SMTPCAFile); err != nil {
			errs = append(errs, fmt.Errorf("TICKETER_SMTP_CA_FILE: %w", err))
		}
	}
	if len(errs) > 0 {
		return c, nil, fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return c, fs.Args(), nil
}

// checkOIDC checks that the single sign-on settings make a whole: an
// issuer with a client and allowed domains, and the rest only with an issuer.
func (c *Config) checkOIDC() []error {
	var errs []error
	c.OIDCBreakGlass = strings.ToLower(strings.TrimSpace(c.OIDCBreakGlass))
	if c.OIDCIssuer == "" {
		for _, set := range []struct {
			name string
			on   bool
		}{{"TICKETER_OIDC_CLIENT_ID", c.OIDCClientID != ""}, {"TICKETER_OIDC_CLIENT_SECRET", c.OIDCClientSecret != ""},
			{"TICKETER_OIDC_ALLOWED_DOMAINS", len(c.OIDCAllowedDomains) > 0}, {"TICKETER_OIDC_ONLY", c.OIDCOnly},
			{"TICKETER_OIDC_BREAK_GLASS", c.OIDCBreakGlass != ""}} {
			if set.on {
				errs = append(errs, fmt.Errorf("%s needs TICKETER_OIDC_ISSUER", set.name))
			}
		}
		return errs
	}
	// The issuer is trusted to say who people are: only over TLS, or on this
	// machine (a test provider).
	if u, err := url.Parse(c.OIDCIssuer); err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && IsLocalURL(c.OIDCIssuer))) {
		errs = append(errs, fmt.Errorf("TICKETER_OIDC_ISSUER must be an https URL (http only on localhost), got %q", c.OIDCIssuer))
	}
	if c.OIDCClientID == "" {
		errs = append(errs, errors.New("TICKETER_OIDC_CLIENT_ID is required with TICKETER_OIDC_ISSUER"))
	}
	if len(c.OIDCAllowedDomains) == 0 {
		errs = append(errs, errors.New("TICKETER_OIDC_ALLOWED_DOMAINS is required with TICKETER_OIDC_ISSUER (the email domains whose users may sign in)"))
	}
	if c.OIDCBreakGlass != "" {
		if a, err := mail.ParseAddress(c.OIDCBreakGlass); err != nil || a.Address != c.OIDCBreakGlass {
			errs = append(errs, fmt.Errorf("TICKETER_OIDC_BREAK_GLASS must be an email address, got %q", c.OIDCBreakGlass))
		}
		if !c.OIDCOnly {
			errs = append(errs, errors.New("TICKETER_OIDC_BREAK_GLASS only matters with TICKETER_OIDC_ONLY=true"))
		}
	}
	return errs
}

// parseDomains reads a comma-separated list of email domains ("@" before
// one is dropped), lower-cased.
func parseDomains(v string) ([]string, error) {
	var out []string
	for _, d := range strings.Split(v, ",") {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d == "" {
			continue
		}
		if !strings.Contains(d, ".") || !validTenant(d) {
			return nil, fmt.Errorf("TICKETER_OIDC_ALLOWED_DOMAINS must list email domains such as example.com, got %q", d)
		}
		out = append(out, d)
	}
	return out, nil
}

// checkCAFile verifies that path is readable and holds PEM certificates.
// validTenant accepts what the identity platform takes in its path: a
// keyword, a GUID or a domain (letters, digits, dots, hyphens).
func validTenant(t string) bool {
	if t == "" || len(t) > 253 {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return false
		}
	}
	return true
}

func checkCAFile(path string) error {
	pem, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s holds no PEM certificate", path)
	}
	return nil
}

// databaseForms is what TICKETER_DATABASE_URL may be, for the error.
const databaseForms = "postgres://..., postgresql://..., sqlite:PATH, file:PATH or a file path ending in .db"

// resolveDatabase checks a database setting and returns PostgreSQL URLs
// unchanged and SQLite as a plain file path, a relative one taken from the
// data dir. Anything else is refused rather than created as a file.
func resolveDatabase(raw, dataDir string) (string, error) {
	if raw == "" {
		return filepath.Join(dataDir, "ticketer.db"), nil
	}
	if strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		return raw, nil
	}
	path, explicit := "", false
	for _, prefix := range []string{"sqlite://", "sqlite:", "file://", "file:"} {
		if rest, ok := strings.CutPrefix(raw, prefix); ok {
			path, explicit = rest, true
			break
		}
	}
	if !explicit {
		if strings.Contains(raw, "://") || !strings.HasSuffix(raw, ".db") {
			return "", fmt.Errorf("TICKETER_DATABASE_URL must be %s, got %q", databaseForms, raw)
		}
		path = raw
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return "", fmt.Errorf("TICKETER_DATABASE_URL %q names no file; it must be %s", raw, databaseForms)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(dataDir, path)
	}
	return path, nil
}

// DatabaseForLog names the database without its password.
func (c Config) DatabaseForLog() string {
	if !c.IsPostgres() {
		return c.DatabaseURL
	}
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "postgres (unparseable URL)"
	}
	return u.Redacted()
}

// parsePrefixes reads a comma-separated list of addresses or CIDRs (the
// value of the variable name).
func parsePrefixes(name, v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%s must list IP addresses or CIDRs, got %q", name, f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// isLoopbackListen reports whether a listen address only accepts
// connections from this machine ("" and 0.0.0.0 are every interface).
func isLoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLocalURL reports whether a base URL's host is this machine (localhost or
// a loopback address): the passwordless dev login is only ever allowed there.
func IsLocalURL(base string) bool {
	u, err := url.Parse(base)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
