package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/config"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
)

// Cookie and header names of browser sessions.
const (
	SessionCookie = "ticketer_session"
	CSRFCookie    = "ticketer_csrf"
	CSRFHeader    = "X-CSRF-Token"
)

// Roles.
const (
	RoleAdmin = "admin"
	RoleAgent = "agent"
)

// Errors the HTTP layer translates.
var (
	ErrUnauthenticated    = errors.New("not signed in, or the session or token is no longer valid")
	ErrInvalidCredentials = errors.New("wrong email or password")
	ErrCSRF               = errors.New("missing or wrong X-CSRF-Token header (it must equal the ticketer_csrf cookie)")
	ErrDevLoginDisabled   = errors.New("dev login is disabled (TICKETER_ALLOW_DEV_LOGIN)")
	ErrDevLoginNotLocal   = errors.New("dev login is refused: the base URL is not localhost")
	ErrLastAdmin          = errors.New("this would leave no enabled admin")
)

// RateLimitError says too many failed sign-ins; try again after RetryAfter.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many failed sign-in attempts; try again in %s", e.RetryAfter.Round(time.Second))
}

// Config holds the service's dependencies and settings.
type Config struct {
	Store         *store.Store
	BaseURL       string
	AllowDevLogin bool
	Logger        *slog.Logger
	Now           func() time.Time // replaceable clock (tests)
	IdleTimeout   time.Duration    // default 12h
	MaxAge        time.Duration    // absolute session lifetime, default 30 days
	// Failed sign-ins allowed per window, per account and per remote address.
	AccountLimit, AddressLimit int           // defaults 5 and 20
	LimitWindow                time.Duration // default 15 minutes
}

// Service signs users in and out and authenticates requests.
type Service struct {
	cfg    Config
	store  *store.Store
	log    *slog.Logger
	secure bool
	dummy  string // a hash to compare against for unknown users (same timing)
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 12 * time.Hour
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = 30 * 24 * time.Hour
	}
	if cfg.AccountLimit == 0 {
		cfg.AccountLimit = 5
	}
	if cfg.AddressLimit == 0 {
		cfg.AddressLimit = 20
	}
	if cfg.LimitWindow == 0 {
		cfg.LimitWindow = 15 * time.Minute
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base url: %w", err)
	}
	dummy, err := HashPassword("not a real password, for timing only")
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, store: cfg.Store, log: cfg.Logger, secure: u.Scheme == "https", dummy: dummy}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// HashToken is how API tokens and session tokens are stored: only their sha256.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// NewSession is a session just created: its secrets exist only here.
type NewSession struct {
	Token, CSRF string
	ExpiresAt   time.Time
	User        store.User
}

// Client describes who is signing in, for rate limits and the session record.
type Client struct {
	RemoteAddr string // host of the TCP peer
	UserAgent  string
}

// Login checks email and password and opens a session. Failures are rate
// limited per account and per remote address, counted in the database so
// that every replica enforces the same limit.
func (s *Service) Login(ctx context.Context, email, password string, c Client) (NewSession, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	acct, addr := "account:"+email, "address:"+c.RemoteAddr
	for _, l := range []struct {
		key   string
		limit int
	}{{acct, s.cfg.AccountLimit}, {addr, s.cfg.AddressLimit}} {
		w, err := s.store.LoginFailures(ctx, l.key, s.cfg.LimitWindow, now)
		if err != nil {
			return NewSession{}, err
		}
		if w.Fails >= l.limit {
			return NewSession{}, &RateLimitError{RetryAfter: w.Start.Add(s.cfg.LimitWindow).Sub(now)}
		}
	}
	fail := func() (NewSession, error) {
		for _, key := range []string{acct, addr} {
			if err := s.store.NoteLoginFailure(ctx, key, s.cfg.LimitWindow, now); err != nil {
				s.log.Error("failed sign-in not counted", "key", key, "err", err)
			}
		}
		s.log.Warn("failed sign-in", "email", email, "remote", c.RemoteAddr)
		return NewSession{}, ErrInvalidCredentials
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		CheckPassword(s.dummy, password)
		return fail()
	}
	if err != nil {
		return NewSession{}, err
	}
	if u.PasswordHash == "" || !CheckPassword(u.PasswordHash, password) || u.Disabled {
		return fail()
	}
	if err := s.store.ClearLoginFailures(ctx, acct); err != nil {
		s.log.Warn("failed sign-ins not cleared", "key", acct, "err", err)
	}
	return s.openSession(ctx, u, c, now)
}

// DevLogin opens a session without a password: only when enabled and the
// base URL is on this machine.
func (s *Service) DevLogin(ctx context.Context, email string, c Client) (NewSession, error) {
	if !s.cfg.AllowDevLogin {
		return NewSession{}, ErrDevLoginDisabled
	}
	if !config.IsLocalURL(s.cfg.BaseURL) {
		return NewSession{}, ErrDevLoginNotLocal
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
		return NewSession{}, ErrInvalidCredentials
	}
	if err != nil {
		return NewSession{}, err
	}
	s.log.Warn("dev login", "email", u.Email)
	return s.openSession(ctx, u, c, s.now())
}

func (s *Service) openSession(ctx context.Context, u store.User, c Client, now time.Time) (NewSession, error) {
	// Opportunistic cleanup: sign-ins are rare enough for this to be cheap.
	if _, err := s.store.DeleteExpiredSessions(ctx, now, now.Add(-s.cfg.IdleTimeout)); err != nil {
		s.log.Warn("cleaning expired sessions", "err", err)
	}
	ns := NewSession{Token: randomToken("tks_"), CSRF: randomToken(""), ExpiresAt: now.Add(s.cfg.MaxAge), User: u}
	ua := c.UserAgent
	if len(ua) > 300 {
		ua = ua[:300]
	}
	_, err := s.store.CreateSession(ctx, store.Session{UserID: u.ID, TokenHash: HashToken(ns.Token), CSRFHash: HashToken(ns.CSRF),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: ns.ExpiresAt, RemoteAddr: c.RemoteAddr, UserAgent: ua})
	if err != nil {
		return NewSession{}, err
	}
	return ns, nil
}

// Principal is the authenticated caller of a request.
type Principal struct {
	User      store.User
	SessionID int64 // set for cookie sessions
	TokenID   int64 // set for bearer tokens
	csrfHash  string
}

// ViaCookie reports whether the request was authenticated by the session cookie.
func (p Principal) ViaCookie() bool { return p.SessionID != 0 }

// IsAdmin reports whether the caller is an admin.
func (p Principal) IsAdmin() bool { return p.User.Role == RoleAdmin }

// touchEvery limits last-seen writes to one per minute per session or token.
const touchEvery = time.Minute

// Authenticate finds the caller of r: a Bearer token first, else the
// session cookie. Disabled users, revoked tokens and expired sessions are
// ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, r *http.Request) (Principal, error) {
	now := s.now()
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return Principal{}, ErrUnauthenticated
		}
		t, u, err := s.store.APITokenByHash(ctx, HashToken(strings.TrimSpace(token)))
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Disabled) {
			return Principal{}, ErrUnauthenticated
		}
		if err != nil {
			return Principal{}, err
		}
		if now.Sub(t.LastUsedAt) > touchEvery {
			if err := s.store.TouchAPIToken(ctx, t.ID, now); err != nil {
				s.log.Warn("recording token use", "err", err)
			}
		}
		return Principal{User: u, TokenID: t.ID}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return Principal{}, ErrUnauthenticated
	}
	se, u, err := s.store.SessionByTokenHash(ctx, HashToken(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	if !now.Before(se.ExpiresAt) || !now.Before(se.LastSeenAt.Add(s.cfg.IdleTimeout)) {
		if err := s.store.DeleteSession(ctx, se.ID); err != nil {
			s.log.Warn("deleting expired session", "err", err)
		}
		return Principal{}, ErrUnauthenticated
	}
	if u.Disabled {
		return Principal{}, ErrUnauthenticated
	}
	if now.Sub(se.LastSeenAt) > touchEvery {
		if err := s.store.TouchSession(ctx, se.ID, now); err != nil {
			s.log.Warn("recording session use", "err", err)
		}
	}
	return Principal{User: u, SessionID: se.ID, csrfHash: se.CSRFHash}, nil
}

// CheckCSRF enforces the double submit on requests authenticated by cookie
// that change something: the X-CSRF-Token header must equal the CSRF cookie,
// and be the one issued with this session.
func CheckCSRF(r *http.Request, p Principal) error {
	if !p.ViaCookie() {
		return nil
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	header := r.Header.Get(CSRFHeader)
	c, err := r.Cookie(CSRFCookie)
	if header == "" || err != nil || c.Value == "" {
		return ErrCSRF
	}
	if subtle.ConstantTimeCompare([]byte(header), []byte(c.Value)) != 1 ||
		subtle.ConstantTimeCompare([]byte(HashToken(header)), []byte(p.csrfHash)) != 1 {
		return ErrCSRF
	}
	return nil
}

// Logout ends the caller's session (a token caller has none to end).
func (s *Service) Logout(ctx context.Context, p Principal) error {
	if p.SessionID == 0 {
		return nil
	}
	return s.store.DeleteSession(ctx, p.SessionID)
}

// SessionCookies are the cookies that carry a new session.
func (s *Service) SessionCookies(ns NewSession) []*http.Cookie {
	maxAge := max(int(ns.ExpiresAt.Sub(s.now()).Seconds()), 1)
	return []*http.Cookie{
		{Name: SessionCookie, Value: ns.Token, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode},
		// Readable by the web UI's JavaScript, which echoes it in X-CSRF-Token.
		{Name: CSRFCookie, Value: ns.CSRF, Path: "/", MaxAge: maxAge, HttpOnly: false, Secure: s.secure, SameSite: http.SameSiteLaxMode},
	}
}

// ClearCookies remove the session cookies.
func (s *Service) ClearCookies() []*http.Cookie {
	return []*http.Cookie{
		{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode},
		{Name: CSRFCookie, Value: "", Path: "/", MaxAge: -1, Secure: s.secure, SameSite: http.SameSiteLaxMode},
	}
}

// CreateToken makes a new API token for a user; the secret is returned once.
func (s *Service) CreateToken(ctx context.Context, userID int64, name string) (string, store.APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", store.APIToken{}, domain.Invalid("name", "must be 1 to 100 characters")
	}
	token, err := NewToken()
	if err != nil {
		return "", store.APIToken{}, err
	}
	id, err := s.store.CreateAPIToken(ctx, userID, name, HashToken(token), s.now())
	if err != nil {
		return "", store.APIToken{}, err
	}
	t, err := s.store.GetAPIToken(ctx, userID, id)
	return token, t, err
}

// NewUser is what an admin gives to create a user.
type NewUser struct {
	Email, Name, Role, Password string
}

// CreateUser validates and stores a user; store.ErrConflict when the email is taken.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (store.User, error) {
	addr, err := mail.ParseAddress(strings.TrimSpace(in.Email))
	if err != nil || addr.Name != "" || !strings.Contains(addr.Address, "@") {
		return store.User{}, domain.Invalid("email", "must be an email address")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len(name) > 200 {
		return store.User{}, domain.Invalid("name", "must be 1 to 200 characters")
	}
	if in.Role != RoleAdmin && in.Role != RoleAgent {
		return store.User{}, domain.Invalid("role", "must be admin or agent")
	}
	hash := ""
	if in.Password != "" {
		if hash, err = HashPassword(in.Password); err != nil {
			return store.User{}, domain.Invalid("password", err.Error())
		}
	}
	id, err := s.store.CreateUser(ctx, store.User{Email: addr.Address, Name: name, Role: domain.Role(in.Role), PasswordHash: hash, CreatedAt: s.now()})
	if err != nil {
		return store.User{}, err
	}
	return s.store.GetUser(ctx, id)
}

// UserUpdate lists what to change; nil leaves a field alone.
type UserUpdate struct {
	Name, Role, Password *string
	Disabled             *bool
}

// UpdateUser changes a user. Disabling a user or changing their password
// ends their sessions; disabled users' tokens stop working at once. The
// last enabled admin cannot be disabled or demoted.
func (s *Service) UpdateUser(ctx context.Context, id int64, in UserUpdate) (store.User, error) {
	var c store.UserChange
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" || len(name) > 200 {
			return store.User{}, domain.Invalid("name", "must be 1 to 200 characters")
		}
		c.Name = &name
	}
	if in.Role != nil {
		if *in.Role != RoleAdmin && *in.Role != RoleAgent {
			return store.User{}, domain.Invalid("role", "must be admin or agent")
		}
		c.Role = in.Role
	}
	if in.Password != nil {
		hash, err := HashPassword(*in.Password)
		if err != nil {
			return store.User{}, domain.Invalid("password", err.Error())
		}
		c.PasswordHash = &hash
	}
	c.Disabled = in.Disabled
	err := s.store.DB().InTx(ctx, func(tx *store.Tx) error {
		u, err := s.store.GetUserTx(ctx, tx, id)
		if err != nil {
			return err
		}
		losesAdmin := u.Role == RoleAdmin && !u.Disabled &&
			((c.Role != nil && *c.Role != RoleAdmin) || (c.Disabled != nil && *c.Disabled))
		if losesAdmin {
			n, err := s.store.CountEnabledAdmins(ctx, tx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return ErrLastAdmin
			}
		}
		if err := s.store.UpdateUser(ctx, tx, id, c); err != nil {
			return err
		}
		if (c.Disabled != nil && *c.Disabled) || c.PasswordHash != nil {
			return s.store.DeleteUserSessions(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return store.User{}, err
	}
	return s.store.GetUserTx(ctx, s.store.DB().W(), id)
}

// RevokeToken revokes one of a user's tokens; store.ErrNotFound for another user's.
func (s *Service) RevokeToken(ctx context.Context, userID, id int64) error {
	return s.store.RevokeAPIToken(ctx, userID, id, s.now())
}
