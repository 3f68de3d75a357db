package config

import (
	"io"
	"strings"
	"testing"
)

func env(m map[string]string) Lookup {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestLoadDefaults(t *testing.T) {
	c, rest, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 0 || c.DataDir != "./data" || c.HTTPAddr != "127.0.0.1:8080" || c.SMTPAddr != "127.0.0.1:2525" ||
		c.BaseURL != "http://127.0.0.1:8080" || c.DatabaseURL != "data/ticketer.db" || !strings.HasPrefix(c.BlobURL, "file:///") ||
		!strings.HasSuffix(c.BlobURL, "/data/blobs") || c.AllowDevLogin || c.IsPostgres() {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoad(t *testing.T) {
	type loadCase struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
		check   func(Config) bool
	}
	cases := []loadCase{
		{name: "empty SMTP address disables the listener", env: map[string]string{"TICKETER_SMTP_ADDR": ""},
			check: func(c Config) bool { return c.SMTPAddr == "" }},
		{name: "flags win over the environment", env: map[string]string{"TICKETER_HTTP_ADDR": "127.0.0.1:1"}, args: []string{"--http-addr", "127.0.0.1:2"},
			check: func(c Config) bool { return c.HTTPAddr == "127.0.0.1:2" && c.BaseURL == "http://127.0.0.1:2" }},
		{name: "dev login on a public base URL is refused", env: map[string]string{"TICKETER_ALLOW_DEV_LOGIN": "true", "TICKETER_BASE_URL": "https://help.example.com"},
			wantErr: "TICKETER_ALLOW_DEV_LOGIN=true is refused"},
		{name: "microsoft tenant defaults to common", env: map[string]string{"TICKETER_MICROSOFT_CLIENT_ID": "app", "TICKETER_MICROSOFT_CLIENT_SECRET": "s"},
			check: func(c Config) bool {
				return c.MicrosoftTenant == "common" && c.MicrosoftClientID == "app" && c.MicrosoftClientSecret == "s"
			}},
		{name: "microsoft tenant id", env: map[string]string{"TICKETER_MICROSOFT_TENANT": "72f988bf-86f1-41af-91ab-2d7cd011db47"},
			check: func(c Config) bool { return c.MicrosoftTenant == "72f988bf-86f1-41af-91ab-2d7cd011db47" }},
		{name: "microsoft tenant that is not a path segment is refused", env: map[string]string{"TICKETER_MICROSOFT_TENANT": "common/../x"},
			wantErr: "TICKETER_MICROSOFT_TENANT must be"},
		{name: "microsoft tenant with the first and last letters and digits", env: map[string]string{"TICKETER_MICROSOFT_TENANT": "azAZ09.-"},
			check: func(c Config) bool { return c.MicrosoftTenant == "azAZ09.-" }},
		{name: "microsoft tenant of 253 characters", env: map[string]string{"TICKETER_MICROSOFT_TENANT": strings.Repeat("a", 253)},
			check: func(c Config) bool { return len(c.MicrosoftTenant) == 253 }},
		{name: "microsoft tenant of 254 characters is refused", env: map[string]string{"TICKETER_MICROSOFT_TENANT": strings.Repeat("a", 254)},
			wantErr: "TICKETER_MICROSOFT_TENANT must be"},
		{name: "dev login on localhost", env: map[string]string{"TICKETER_ALLOW_DEV_LOGIN": "true", "TICKETER_BASE_URL": "http://localhost:8080"},
			check: func(c Config) bool { return c.AllowDevLogin }},
		{name: "dev login on ::1", env: map[string]string{"TICKETER_ALLOW_DEV_LOGIN": "true", "TICKETER_BASE_URL": "http://[::1]:8080"},
			check: func(c Config) bool { return c.AllowDevLogin }},
		{name: "postgres needs a key", env: map[string]string{"TICKETER_DATABASE_URL": "postgres://x@localhost/db"}, wantErr: "TICKETER_ENCRYPTION_KEY_BASE64 is required"},
		{name: "postgres with a key", env: map[string]string{"TICKETER_DATABASE_URL": "postgres://x@localhost/db", "TICKETER_ENCRYPTION_KEY_BASE64": "k"},
			check: func(c Config) bool { return c.IsPostgres() }},
		{name: "bad http address", env: map[string]string{"TICKETER_HTTP_ADDR": "8080"}, wantErr: "TICKETER_HTTP_ADDR must be host:port"},
		{name: "bad smtp address", env: map[string]string{"TICKETER_SMTP_ADDR": "nope"}, wantErr: "TICKETER_SMTP_ADDR"},
		{name: "bad dev login", env: map[string]string{"TICKETER_ALLOW_DEV_LOGIN": "maybe"}, wantErr: "TICKETER_ALLOW_DEV_LOGIN must be true or false"},
		{name: "dev login on", env: map[string]string{"TICKETER_ALLOW_DEV_LOGIN": "true"}, check: func(c Config) bool { return c.AllowDevLogin }},
		{name: "bad blob url", env: map[string]string{"TICKETER_BLOB_URL": "ftp://x"}, wantErr: "TICKETER_BLOB_URL must start with"},
		{name: "s3 blob url", env: map[string]string{"TICKETER_BLOB_URL": "s3://b?endpoint=http://x"}, check: func(c Config) bool { return c.BlobURL == "s3://b?endpoint=http://x" }},
		{name: "bad base url", env: map[string]string{"TICKETER_BASE_URL": "ftp://x"}, wantErr: "TICKETER_BASE_URL"},
		{name: "bad log format", env: map[string]string{"TICKETER_LOG_FORMAT": "xml"}, wantErr: "TICKETER_LOG_FORMAT"},
		{name: "bad size", env: map[string]string{"TICKETER_SMTP_MAX_BYTES": "12"}, wantErr: "TICKETER_SMTP_MAX_BYTES"},
		{name: "size just under the least", env: map[string]string{"TICKETER_SMTP_MAX_BYTES": "1023"}, wantErr: "TICKETER_SMTP_MAX_BYTES"},
		{name: "the least size", env: map[string]string{"TICKETER_SMTP_MAX_BYTES": "1024"}, check: func(c Config) bool { return c.SMTPMaxBytes == 1024 }},
		{name: "several errors at once", env: map[string]string{"TICKETER_HTTP_ADDR": "x", "TICKETER_LOG_LEVEL": "loud"}, wantErr: "TICKETER_LOG_LEVEL"},
		{name: "unknown flag", args: []string{"--bogus"}, wantErr: "bogus"},
		{name: "dev login listening on every interface is refused", env: map[string]string{"TICKETER_ALLOW_DEV_LOGIN": "true",
			"TICKETER_BASE_URL": "http://localhost:8080", "TICKETER_HTTP_ADDR": "0.0.0.0:8080"}, wantErr: "TICKETER_HTTP_ADDR \"0.0.0.0:8080\" listens beyond"},
		{name: "dev login on an empty host is refused", env: map[string]string{"TICKETER_ALLOW_DEV_LOGIN": "true",
			"TICKETER_BASE_URL": "http://localhost:8080", "TICKETER_HTTP_ADDR": ":8080"}, wantErr: "listens beyond"},
		{name: "dev login on localhost:port", env: map[string]string{"TICKETER_ALLOW_DEV_LOGIN": "true", "TICKETER_HTTP_ADDR": "localhost:8080"},
			check: func(c Config) bool { return c.AllowDevLogin }},
		{name: "trusted proxies", env: map[string]string{"TICKETER_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,::1"},
			check: func(c Config) bool {
				return len(c.TrustedProxies) == 3 && c.TrustedProxies[0].String() == "10.0.0.0/8" &&
					c.TrustedProxies[1].String() == "192.168.1.7/32" && c.TrustedProxies[2].String() == "::1/128"
			}},
		{name: "bad trusted proxy", env: map[string]string{"TICKETER_TRUSTED_PROXIES": "proxy.local"}, wantErr: "TICKETER_TRUSTED_PROXIES must list"},
		{name: "private targets allowed", env: map[string]string{"TICKETER_ALLOW_PRIVATE_TARGETS": "127.0.0.1, 10.1.0.0/16"},
			check: func(c Config) bool {
				return len(c.AllowPrivateTargets) == 2 && c.AllowPrivateTargets[0].String() == "127.0.0.1/32" &&
					c.AllowPrivateTargets[1].String() == "10.1.0.0/16"
			}},
		{name: "bad private target", env: map[string]string{"TICKETER_ALLOW_PRIVATE_TARGETS": "relay.lan"}, wantErr: "TICKETER_ALLOW_PRIVATE_TARGETS must list"},
		{name: "webhooks refuse private targets by default", check: func(c Config) bool { return !c.WebhookAllowPrivate }},
		{name: "webhooks may reach private targets", env: map[string]string{"TICKETER_WEBHOOK_ALLOW_PRIVATE": "true"},
			check: func(c Config) bool { return c.WebhookAllowPrivate }},
		{name: "webhook flag wins", env: map[string]string{"TICKETER_WEBHOOK_ALLOW_PRIVATE": "true"}, args: []string{"--webhook-allow-private=false"},
			check: func(c Config) bool { return !c.WebhookAllowPrivate }},
		{name: "bad webhook private flag", env: map[string]string{"TICKETER_WEBHOOK_ALLOW_PRIVATE": "maybe"}, wantErr: "TICKETER_WEBHOOK_ALLOW_PRIVATE must be true or false"},
		{name: "metrics token", env: map[string]string{"TICKETER_METRICS_TOKEN": "s3cret"}, check: func(c Config) bool { return c.MetricsToken == "s3cret" }},
		{name: "sso off by default", check: func(c Config) bool {
			return !c.OIDCEnabled() && !c.OIDCOnly && c.OIDCAllowedDomains == nil && c.OIDCBreakGlass == ""
		}},
		{name: "sso configured", env: oidcEnv(map[string]string{"TICKETER_OIDC_CLIENT_SECRET": "shh",
			"TICKETER_OIDC_ALLOWED_DOMAINS": " @Example.com, ,support.example.org", "TICKETER_BASE_URL": "https://help.example.com/"}),
			check: func(c Config) bool {
				return c.OIDCEnabled() && c.OIDCIssuer == "https://idp.example.com/realms/staff" && c.OIDCClientID == "ticketer" &&
					c.OIDCClientSecret == "shh" && strings.Join(c.OIDCAllowedDomains, "|") == "example.com|support.example.org" && !c.OIDCOnly &&
					c.OIDCRedirectURL() == "https://help.example.com/api/v1/auth/oidc/callback"
			}},
		{name: "sso flags", args: []string{"--oidc-issuer", "https://accounts.google.com", "--oidc-client-id", "id", "--oidc-client-secret", "s",
			"--oidc-allowed-domains", "example.com", "--oidc-only=true", "--oidc-break-glass", "Root@Example.com"},
			check: func(c Config) bool {
				return c.OIDCIssuer == "https://accounts.google.com" && c.OIDCClientID == "id" && c.OIDCClientSecret == "s" &&
					c.OIDCOnly && c.OIDCBreakGlass == "root@example.com" && len(c.OIDCAllowedDomains) == 1
			}},
		{name: "sso only with a break-glass admin", env: oidcEnv(map[string]string{"TICKETER_OIDC_ONLY": "true", "TICKETER_OIDC_BREAK_GLASS": " admin@example.com "}),
			check: func(c Config) bool { return c.OIDCOnly && c.OIDCBreakGlass == "admin@example.com" }},
		{name: "sso issuer over http on localhost", env: oidcEnv(map[string]string{"TICKETER_OIDC_ISSUER": "http://127.0.0.1:9000"}),
			check: func(c Config) bool { return c.OIDCIssuer == "http://127.0.0.1:9000" }},
		{name: "sso issuer over http elsewhere is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_ISSUER": "http://idp.example.com"}),
			wantErr: "TICKETER_OIDC_ISSUER must be an https URL"},
		{name: "sso issuer without a host is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_ISSUER": "https:///x"}),
			wantErr: "TICKETER_OIDC_ISSUER must be an https URL"},
		{name: "sso issuer that is no URL is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_ISSUER": "https://idp\x7f.example.com/%zz"}),
			wantErr: "TICKETER_OIDC_ISSUER must be an https URL"},
		{name: "sso issuer of another scheme is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_ISSUER": "ftp://localhost"}),
			wantErr: "TICKETER_OIDC_ISSUER must be an https URL"},
		{name: "sso needs a client id", env: oidcEnv(map[string]string{"TICKETER_OIDC_CLIENT_ID": ""}), wantErr: "TICKETER_OIDC_CLIENT_ID is required"},
		{name: "sso needs allowed domains", env: oidcEnv(map[string]string{"TICKETER_OIDC_ALLOWED_DOMAINS": " , "}), wantErr: "TICKETER_OIDC_ALLOWED_DOMAINS is required"},
		{name: "sso domain that is an address is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_ALLOWED_DOMAINS": "example.com,bob@example.com"}),
			wantErr: `TICKETER_OIDC_ALLOWED_DOMAINS must list email domains such as example.com, got "bob@example.com"`},
		{name: "sso domain without a dot is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_ALLOWED_DOMAINS": "intranet"}),
			wantErr: "TICKETER_OIDC_ALLOWED_DOMAINS must list email domains"},
		{name: "bad sso only", env: oidcEnv(map[string]string{"TICKETER_OIDC_ONLY": "yes please"}), wantErr: "TICKETER_OIDC_ONLY must be true or false"},
		{name: "break-glass that is no address is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_ONLY": "true", "TICKETER_OIDC_BREAK_GLASS": "Admin <a@example.com>"}),
			wantErr: "TICKETER_OIDC_BREAK_GLASS must be an email address"},
		{name: "break-glass that does not parse is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_ONLY": "true", "TICKETER_OIDC_BREAK_GLASS": "admin"}),
			wantErr: "TICKETER_OIDC_BREAK_GLASS must be an email address"},
		{name: "break-glass without sso only is refused", env: oidcEnv(map[string]string{"TICKETER_OIDC_BREAK_GLASS": "a@example.com"}),
			wantErr: "TICKETER_OIDC_BREAK_GLASS only matters with TICKETER_OIDC_ONLY=true"},
	}
	for _, name := range []string{"TICKETER_OIDC_CLIENT_ID", "TICKETER_OIDC_CLIENT_SECRET", "TICKETER_OIDC_ALLOWED_DOMAINS", "TICKETER_OIDC_ONLY", "TICKETER_OIDC_BREAK_GLASS"} {
		value := map[string]string{"TICKETER_OIDC_ONLY": "true", "TICKETER_OIDC_BREAK_GLASS": "a@example.com", "TICKETER_OIDC_ALLOWED_DOMAINS": "example.com"}[name]
		if value == "" {
			value = "x"
		}
		cases = append(cases, loadCase{name: name + " without an issuer is refused", env: map[string]string{name: value}, wantErr: name + " needs TICKETER_OIDC_ISSUER"})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, _, err := Load("serve", c.args, env(c.env), io.Discard)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("want error containing %q, got %v", c.wantErr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.check(cfg) {
				t.Fatalf("unexpected config %+v", cfg)
			}
		})
	}
}

func TestIsLocalURL(t *testing.T) {
	for url, want := range map[string]bool{
		"http://localhost:8080":      true,
		"http://LOCALHOST":           true,
		"http://127.0.0.1:8080":      true,
		"http://127.1.2.3":           true,
		"http://[::1]:8080":          true,
		"https://help.example.com":   false,
		"http://localhost.evil.test": false,
		"http://10.0.0.1:8080":       false,
		"::not a url":                false,
	} {
		if got := IsLocalURL(url); got != want {
			t.Errorf("%s: %v, want %v", url, got, want)
		}
	}
}

func TestDatabaseURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want, wantErr string }{
		{"", "/srv/data/ticketer.db", ""},
		{"postgres://u@db/t", "postgres://u@db/t", ""},
		{"postgresql://u@db/t", "postgresql://u@db/t", ""},
		{"ticketer.db", "/srv/data/ticketer.db", ""},
		{"sub/help.db", "/srv/data/sub/help.db", ""},
		{"/var/lib/t.db", "/var/lib/t.db", ""},
		{"sqlite:help.db", "/srv/data/help.db", ""},
		{"sqlite:///var/lib/t.sqlite", "/var/lib/t.sqlite", ""},
		{"file:x.db?mode=rwc", "/srv/data/x.db", ""},
		{"file:///var/lib/t.db", "/var/lib/t.db", ""},
		{"mysql://root@localhost/db", "", "TICKETER_DATABASE_URL must be postgres://..., postgresql://..., sqlite:PATH, file:PATH or a file path ending in .db"},
		{"ticketer.sqlite", "", "must be postgres://"},
		{"sqlite:", "", "names no file"},
		{"sqlite:?mode=ro", "", "names no file"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			got, err := resolveDatabase(c.in, "/srv/data")
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("got %q, %v; want an error with %q", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestDatabaseForLogHidesPassword(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://u:secret@db/t":   "postgres://u:xxxxx@db/t",
		"/srv/data/ticketer.db":      "/srv/data/ticketer.db",
		"postgres://u:secret@db:x/t": "postgres (unparseable URL)",
	} {
		if got := (Config{DatabaseURL: in}).DatabaseForLog(); got != want || strings.Contains(got, "secret") {
			t.Errorf("DatabaseForLog(%q) = %q, want %q", in, got, want)
		}
	}
}

// oidcEnv is a whole single sign-on configuration with the given values over it.
func oidcEnv(over map[string]string) map[string]string {
	m := map[string]string{"TICKETER_OIDC_ISSUER": "https://idp.example.com/realms/staff", "TICKETER_OIDC_CLIENT_ID": "ticketer",
		"TICKETER_OIDC_ALLOWED_DOMAINS": "example.com"}
	for k, v := range over {
		m[k] = v
	}
	return m
}
