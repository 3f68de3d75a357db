package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// logRecorder is a slog.Handler keeping "LEVEL message" of every record,
// for tests of what the service logs (a warning only when something failed).
type logRecorder struct {
	mu   sync.Mutex
	recs []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, r.Level.String()+" "+r.Message)
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// take returns the records so far and forgets them.
func (l *logRecorder) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	recs := l.recs
	l.recs = nil
	return recs
}

// sessionBundle is a store with agent nia@acme.test (no password), a
// clock the test moves, and services over both that log to rec.
type sessionBundle struct {
	ctx  context.Context
	st   *store.Store
	now  time.Time
	rec  *logRecorder
	user store.User
}

func setupSessions(t *testing.T, dsn string) *sessionBundle {
	t.Helper()
	b := &sessionBundle{ctx: context.Background(), st: store.New(storetest.Open(t, dsn)),
		now: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), rec: &logRecorder{}}
	id, err := b.st.CreateUser(b.ctx, store.User{Email: "nia@acme.test", Name: "Nia", Role: domain.RoleAgent, CreatedAt: b.now})
	if err != nil {
		t.Fatal(err)
	}
	if b.user, err = b.st.GetUser(b.ctx, id); err != nil {
		t.Fatal(err)
	}
	return b
}

// service returns a Service over b's store and clock; cfg's zero fields
// take their defaults.
func (b *sessionBundle) service(t *testing.T, cfg Config) *Service {
	t.Helper()
	cfg.Store, cfg.Logger, cfg.Now = b.st, slog.New(b.rec), func() time.Time { return b.now }
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost:8080"
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cookieRequest is a GET carrying token as the session cookie ("" none).
func cookieRequest(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	if token != "" {
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: token})
	}
	return r
}

// warnings are the records of level WARN or above among recs.
func warnings(recs []string) []string {
	var out []string
	for _, r := range recs {
		if strings.HasPrefix(r, "WARN ") || strings.HasPrefix(r, "ERROR ") {
			out = append(out, r)
		}
	}
	return out
}

// TestCookieSessionLifetime: a session cookie works until the session's
// absolute end or until it has been idle for IdleTimeout, whichever is
// first; at either it is refused and its row deleted, with no warning.
func TestCookieSessionLifetime(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		cases := []struct {
			name  string
			cfg   Config
			after time.Duration // from the sign-in, no request between
			ok    bool
		}{
			{name: "just opened", after: 0, ok: true},
			{name: "a microsecond before the idle timeout", cfg: Config{IdleTimeout: time.Hour}, after: time.Hour - time.Microsecond, ok: true},
			{name: "at the idle timeout", cfg: Config{IdleTimeout: time.Hour}, after: time.Hour},
			{name: "the default idle timeout is 12 hours", after: 12 * time.Hour},
			{name: "a microsecond before the end", cfg: Config{IdleTimeout: 3 * time.Hour, MaxAge: 2 * time.Hour}, after: 2*time.Hour - time.Microsecond, ok: true},
			{name: "at the end", cfg: Config{IdleTimeout: 3 * time.Hour, MaxAge: 2 * time.Hour}, after: 2 * time.Hour},
		}
		start := b.now
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b.now = start
				s := b.service(t, c.cfg)
				ns, err := s.openSession(b.ctx, b.user, Client{}, s.now(), store.SessionPassword)
				if err != nil {
					t.Fatal(err)
				}
				b.now = start.Add(c.after)
				p, err := s.Authenticate(b.ctx, cookieRequest(ns.Token))
				_, _, lookup := b.st.SessionByTokenHash(b.ctx, HashToken(ns.Token))
				if c.ok {
					if err != nil || p.User.ID != b.user.ID || !p.ViaCookie() || p.csrfHash != HashToken(ns.CSRF) {
						t.Fatalf("principal %+v, %v; want Nia's session", p, err)
					}
					if lookup != nil {
						t.Fatalf("the session's row: %v", lookup)
					}
				} else {
					if !errors.Is(err, ErrUnauthenticated) {
						t.Fatalf("%v after %s, want ErrUnauthenticated", err, c.after)
					}
					if !errors.Is(lookup, store.ErrNotFound) {
						t.Fatalf("the ended session's row is still there (%v)", lookup)
					}
				}
				if w := warnings(b.rec.take()); len(w) > 0 {
					t.Fatalf("logged %q", w)
				}
			})
		}
	})
}

// TestCookieSessionRefused: no cookie, an empty one, an unknown token and
// a disabled user's session are all ErrUnauthenticated.
func TestCookieSessionRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		s := b.service(t, Config{})
		ns, err := s.openSession(b.ctx, b.user, Client{}, s.now(), store.SessionPassword)
		if err != nil {
			t.Fatal(err)
		}
		// The same request with the real cookie works: each refusal below
		// is the case's doing.
		if _, err := s.Authenticate(b.ctx, cookieRequest(ns.Token)); err != nil {
			t.Fatal(err)
		}
		empty := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
		empty.AddCookie(&http.Cookie{Name: SessionCookie, Value: ""})
		for name, r := range map[string]*http.Request{
			"no cookie":    cookieRequest(""),
			"empty cookie": empty,
			"unknown":      cookieRequest("tks_not-a-session"),
			"other cookie": func() *http.Request {
				r := cookieRequest("")
				r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: ns.Token})
				return r
			}(),
		} {
			if _, err := s.Authenticate(b.ctx, r); !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("%s: %v, want ErrUnauthenticated", name, err)
			}
		}
		yes := true
		if err := b.st.UpdateUser(b.ctx, b.st.DB().W(), b.user.ID, store.UserChange{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(b.ctx, cookieRequest(ns.Token)); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("a disabled user's session: %v, want ErrUnauthenticated", err)
		}
	})
}

// TestCookieSessionTouch: a request records the session's last use only
// when the last record is more than a minute old (one write a minute).
func TestCookieSessionTouch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		s := b.service(t, Config{})
		ns, err := s.openSession(b.ctx, b.user, Client{}, s.now(), store.SessionPassword)
		if err != nil {
			t.Fatal(err)
		}
		checkTouch(t, b, s, cookieRequest(ns.Token), func() time.Time {
			se, _, err := b.st.SessionByTokenHash(b.ctx, HashToken(ns.Token))
			if err != nil {
				t.Fatal(err)
			}
			return se.LastSeenAt
		})
	})
}

// checkTouch sends r at times from now on (the session's or token's
// making) and checks the last use lastUse reads after each: written only
// when the one recorded is more than a minute old, and nothing logged.
func checkTouch(t *testing.T, b *sessionBundle, s *Service, r *http.Request, lastUse func() time.Time) {
	t.Helper()
	made := b.now
	for _, c := range []struct {
		after   time.Duration // from the making
		lastUse time.Duration // from the making, after the request
	}{
		{after: 0, lastUse: 0},
		{after: 30 * time.Second, lastUse: 0},
		{after: time.Minute, lastUse: 0},
		{after: time.Minute + time.Microsecond, lastUse: time.Minute + time.Microsecond},
		{after: 2 * time.Minute, lastUse: time.Minute + time.Microsecond},
		{after: 3 * time.Minute, lastUse: 3 * time.Minute},
	} {
		b.now = made.Add(c.after)
		if _, err := s.Authenticate(b.ctx, r); err != nil {
			t.Fatalf("after %s: %v", c.after, err)
		}
		if got, want := lastUse(), made.Add(c.lastUse); !got.Equal(want) {
			t.Fatalf("after a request at +%s: last use at +%s, want +%s", c.after, got.Sub(made), c.lastUse)
		}
	}
	if w := warnings(b.rec.take()); len(w) > 0 {
		t.Fatalf("logged %q", w)
	}
}

// TestCookieSessionMustEnrol: when an admin requires two-factor, a
// password session of a user without it reaches only the enrolment
// routes; a single sign-on session (the identity provider asks for the
// second factor) and an enrolled user's are not held back.
func TestCookieSessionMustEnrol(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		s := b.service(t, Config{})
		enrolledID, err := b.st.CreateUser(b.ctx, store.User{Email: "ola@acme.test", Name: "Ola", Role: domain.RoleAgent, CreatedAt: b.now})
		if err != nil {
			t.Fatal(err)
		}
		enrolled, err := b.st.GetUser(b.ctx, enrolledID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.st.StartTOTP(b.ctx, enrolledID, "sealed"); err != nil {
			t.Fatal(err)
		}
		if on, err := b.st.EnableTOTP(b.ctx, enrolledID, "", 1); err != nil || !on {
			t.Fatal(on, err)
		}
		cases := []struct {
			name            string
			user            store.User
			method          string
			required, enrol bool
		}{
			{"not required", b.user, store.SessionPassword, false, false},
			{"required, password session", b.user, store.SessionPassword, true, true},
			{"required, dev session", b.user, store.SessionDev, true, true},
			{"required, single sign-on session", b.user, store.SessionSSO, true, false},
			{"required, enrolled user", enrolled, store.SessionPassword, true, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := b.st.SetSetting(b.ctx, store.SettingRequire2FA, map[bool]string{true: "true", false: "false"}[c.required]); err != nil {
					t.Fatal(err)
				}
				ns, err := s.openSession(b.ctx, c.user, Client{}, s.now(), c.method)
				if err != nil {
					t.Fatal(err)
				}
				p, err := s.Authenticate(b.ctx, cookieRequest(ns.Token))
				if err != nil || p.User.ID != c.user.ID {
					t.Fatalf("principal %+v, %v", p, err)
				}
				if p.MustEnrol != c.enrol {
					t.Fatalf("MustEnrol %v, want %v", p.MustEnrol, c.enrol)
				}
			})
		}
	})
}

// TestLogout ends the caller's session only; a token caller has none.
func TestLogout(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		s := b.service(t, Config{})
		var tokens []string
		for range 2 {
			ns, err := s.openSession(b.ctx, b.user, Client{}, s.now(), store.SessionPassword)
			if err != nil {
				t.Fatal(err)
			}
			tokens = append(tokens, ns.Token)
		}
		p, err := s.Authenticate(b.ctx, cookieRequest(tokens[0]))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Logout(b.ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(b.ctx, cookieRequest(tokens[0])); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("the session signed out: %v, want ErrUnauthenticated", err)
		}
		if _, err := s.Authenticate(b.ctx, cookieRequest(tokens[1])); err != nil {
			t.Fatalf("the user's other session: %v", err)
		}
		if err := s.Logout(b.ctx, Principal{User: b.user, TokenID: 3}); err != nil {
			t.Fatalf("a token caller signing out: %v", err)
		}
	})
}

// TestClearCookies: signing out sends both cookies empty and already
// expired, with the attributes they were set with.
func TestClearCookies(t *testing.T) {
	t.Parallel()
	st := store.New(storetest.Open(t, storetest.SQLiteURL(t)))
	for _, c := range []struct {
		base   string
		secure bool
	}{{"http://localhost:8080", false}, {"https://help.acme.test/", true}} {
		s, err := New(Config{Store: st, BaseURL: c.base})
		if err != nil {
			t.Fatal(err)
		}
		set := s.SessionCookies(NewSession{Token: "tks_x", CSRF: "y", ExpiresAt: time.Now().Add(time.Hour)})
		cleared := s.ClearCookies()
		if len(cleared) != len(set) {
			t.Fatalf("%d cookies cleared, %d set", len(cleared), len(set))
		}
		for i, k := range cleared {
			if k.Name != set[i].Name || k.Value != "" || k.MaxAge >= 0 || k.Path != set[i].Path ||
				k.HttpOnly != set[i].HttpOnly || k.Secure != c.secure || k.SameSite != set[i].SameSite {
				t.Errorf("%s: cleared %+v, set %+v", c.base, k, set[i])
			}
			// MaxAge < 0 is what makes net/http send Max-Age=0 (delete now).
			if !strings.Contains(k.String(), "Max-Age=0") {
				t.Errorf("%s: %q does not delete the cookie", c.base, k.String())
			}
		}
	}
}

func TestIsAdmin(t *testing.T) {
	t.Parallel()
	for role, want := range map[domain.Role]bool{domain.RoleAdmin: true, domain.RoleAgent: false, "": false} {
		if got := (Principal{User: store.User{Role: role}}).IsAdmin(); got != want {
			t.Errorf("IsAdmin of a %q = %v", role, got)
		}
	}
}

// TestDevLogin opens a session without a password only when enabled, on a
// local base URL, for an enabled user, and says so in the log.
func TestDevLogin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		if _, err := b.st.CreateUser(b.ctx, store.User{Email: "gus@acme.test", Name: "Gus", Role: domain.RoleAgent, Disabled: true, CreatedAt: b.now}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, email string
			cfg         Config
			want        error
		}{
			{"off", "nia@acme.test", Config{}, ErrDevLoginDisabled},
			{"not local", "nia@acme.test", Config{AllowDevLogin: true, BaseURL: "https://help.acme.test"}, ErrDevLoginNotLocal},
			{"unknown user", "nobody@acme.test", Config{AllowDevLogin: true}, ErrInvalidCredentials},
			{"disabled user", "gus@acme.test", Config{AllowDevLogin: true}, ErrInvalidCredentials},
			{"enabled user", "nia@acme.test", Config{AllowDevLogin: true}, nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				s := b.service(t, c.cfg)
				ns, err := s.DevLogin(b.ctx, c.email, Client{RemoteAddr: "127.0.0.1"})
				recs := b.rec.take()
				if !errors.Is(err, c.want) {
					t.Fatalf("%v, want %v", err, c.want)
				}
				if c.want != nil {
					if ns.Token != "" || len(recs) > 0 {
						t.Fatalf("refused, yet session %+v and log %q", ns, recs)
					}
					return
				}
				se, u, err := b.st.SessionByTokenHash(b.ctx, HashToken(ns.Token))
				if err != nil || u.ID != b.user.ID || ns.User.ID != b.user.ID || se.Method != store.SessionDev {
					t.Fatalf("session %+v of %+v, %v", se, u, err)
				}
				if len(recs) != 1 || recs[0] != "WARN dev login" {
					t.Fatalf("logged %q, want one dev login warning", recs)
				}
			})
		}
	})
}

// bearerRequest is a GET carrying authorization as its Authorization header.
func bearerRequest(authorization string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
	r.Header.Set("Authorization", authorization)
	return r
}

// TestBearerToken: an API token authenticates with its scopes, also with
// spaces around it; a header that is not "Bearer " and a token, an unknown
// token and a disabled user's token (disabling revokes them, but a
// token must not depend on that) are ErrUnauthenticated.
func TestBearerToken(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		s := b.service(t, Config{})
		tok, made, err := s.CreateToken(b.ctx, b.user.ID, "ci", GroupTickets)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"Bearer " + tok, "Bearer  " + tok + " "} {
			p, err := s.Authenticate(b.ctx, bearerRequest(h))
			if err != nil || p.User.ID != b.user.ID || p.TokenID != made.ID || p.ViaCookie() || !slices.Equal(p.Scopes, []string{GroupTickets}) {
				t.Fatalf("%q: principal %+v, %v; want Nia's token", h, p, err)
			}
		}
		for _, h := range []string{"Bearer ", "Bearer    ", "bearer " + tok, "Basic " + tok, tok, "Bearer tkt_unknown"} {
			if _, err := s.Authenticate(b.ctx, bearerRequest(h)); !errors.Is(err, ErrUnauthenticated) {
				t.Errorf("%q: %v, want ErrUnauthenticated", h, err)
			}
		}
		yes := true
		if err := b.st.UpdateUser(b.ctx, b.st.DB().W(), b.user.ID, store.UserChange{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(b.ctx, bearerRequest("Bearer "+tok)); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("a disabled user's token: %v, want ErrUnauthenticated", err)
		}
	})
}

// TestBearerTokenTouch: a request records the token's last use only when
// the last record is more than a minute old (one write a minute); a new
// token's first use is recorded.
func TestBearerTokenTouch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setupSessions(t, dsn)
		s := b.service(t, Config{})
		tok, tk, err := s.CreateToken(b.ctx, b.user.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		if !tk.LastUsedAt.IsZero() {
			t.Fatalf("a new token was used at %s", tk.LastUsedAt)
		}
		checkTouch(t, b, s, bearerRequest("Bearer "+tok), func() time.Time {
			got, err := b.st.GetAPIToken(b.ctx, b.user.ID, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.LastUsedAt
		})
	})
}
