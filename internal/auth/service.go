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
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/config"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// Cookie and header names of browser sessions.
const (
	SessionCookie = "ticketer_session"
	CSRFCookie    = "ticketer_csrf"
	CSRFHeader    = "X-CSRF-Token"
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

// RateLimitError says try again after RetryAfter: too many sign-in
// attempts, or (Busy) every password-hashing slot taken.
type RateLimitError struct {
	RetryAfter time.Duration
	Busy       bool
}

func (e *RateLimitError) Error() string {
	if e.Busy {
		return fmt.Sprintf("too many sign-ins at once; try again in %s", e.RetryAfter.Round(time.Second))
	}
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
	// Sign-in attempts allowed per window, per account from one client
	// address, and per client address. Keyed so, a stranger's wrong
	// passwords never lock the real user out from where they sign in.
	AccountLimit, AddressLimit int           // defaults 5 and 20
	LimitWindow                time.Duration // default 15 minutes
	// FailDelay is the wait before answering a failed sign-in, doubled for
	// every earlier failure of the same account and client (at most 8
	// times). Default 250 ms; negative for none.
	FailDelay time.Duration
	// HashMemory bounds the memory of password checks running at once
	// (argon2id takes 64 MiB each, garbage at once, and the collector lets
	// as much again pile up): default 128 MiB, so 2 at a time. A
	// sign-in waits up to HashWait (default 2 s) for a slot, else it is
	// refused with a RateLimitError marked Busy.
	HashMemory int64
	HashWait   time.Duration
	// Secrets seals two-factor secrets; without it two-factor cannot be
	// turned on.
	Secrets *secret.Box
	// SSOOnly turns password sign-in off (and invitation links, which set
	// a password) for everyone but BreakGlass, an admin's email in lower
	// case, who keeps a way in when the identity provider is down.
	SSOOnly    bool
	BreakGlass string
}

// Service signs users in and out and authenticates requests.
type Service struct {
	cfg    Config
	store  *store.Store
	log    *slog.Logger
	secure bool
	dummy  string // a hash to compare against for unknown users (same timing)
	hashes chan struct{}
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
	if cfg.FailDelay == 0 {
		cfg.FailDelay = 250 * time.Millisecond
	}
	if cfg.HashMemory <= 0 {
		cfg.HashMemory = 128 << 20
	}
	if cfg.HashWait <= 0 {
		cfg.HashWait = 2 * time.Second
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base url: %w", err)
	}
	dummy, err := dummyHash()
	if err != nil {
		return nil, err
	}
	slots := max(1, cfg.HashMemory/(argonMemory<<10))
	return &Service{cfg: cfg, store: cfg.Store, log: cfg.Logger, secure: u.Scheme == "https", dummy: dummy,
		hashes: make(chan struct{}, slots)}, nil
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

// Login checks email and password and opens a session. Each attempt is
// counted before the password is hashed, in the database (one limit for
// every replica, and no race between parallel attempts): per account from
// this client, then per client. Password checks run a few at a time.
func (s *Service) Login(ctx context.Context, email, password string, c Client) (NewSession, error) {
	return s.LoginTOTP(ctx, email, password, "", c)
}

// LoginTOTP is Login with a two-factor code (or recovery code) for users
// who have two-factor on. A missing code after a right password is no
// failed try (ErrTOTPRequired); a wrong one counts like a wrong password.
func (s *Service) LoginTOTP(ctx context.Context, email, password, code string, c Client) (NewSession, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !s.passwordAllowed(email) {
		return NewSession{}, ErrSSOOnly
	}
	now := s.now()
	pair, client := "account:"+email+"|"+c.RemoteAddr, "address:"+c.RemoteAddr
	var pairTries int
	for _, l := range []struct {
		key   string
		limit int
	}{{pair, s.cfg.AccountLimit}, {client, s.cfg.AddressLimit}} {
		w, err := s.store.CountLoginAttempt(ctx, l.key, s.cfg.LimitWindow, now)
		if err != nil {
			return NewSession{}, err
		}
		if w.Fails > l.limit {
			return NewSession{}, &RateLimitError{RetryAfter: w.Start.Add(s.cfg.LimitWindow).Sub(now)}
		}
		if l.key == pair {
			pairTries = w.Fails
		}
	}
	forgive := func(keys ...string) {
		for _, key := range keys {
			if err := s.store.ForgiveLoginAttempt(ctx, key); err != nil {
				s.log.Warn("sign-in attempt not forgiven", "key", key, "err", err)
			}
		}
	}
	ok, u, err := s.checkLogin(ctx, email, password)
	if err != nil {
		if errors.As(err, new(*RateLimitError)) {
			forgive(pair, client) // refused unchecked: not a try
		}
		return NewSession{}, err
	}
	if !ok {
		s.log.Warn("failed sign-in", "email", email, "remote", c.RemoteAddr)
		s.delay(ctx, pairTries)
		return NewSession{}, ErrInvalidCredentials
	}
	if err := s.breakGlassOnly(u); err != nil {
		forgive(pair, client)
		return NewSession{}, err
	}
	if err := s.secondFactor(ctx, u, code); err != nil {
		switch {
		case errors.Is(err, ErrTOTPRequired):
			forgive(pair, client)
		case errors.Is(err, ErrTOTPInvalid):
			s.log.Warn("failed two-factor code", "email", email, "remote", c.RemoteAddr)
			s.delay(ctx, pairTries)
		}
		return NewSession{}, err
	}
	if err := s.store.ClearLoginFailures(ctx, pair); err != nil {
		s.log.Warn("failed sign-ins not cleared", "key", pair, "err", err)
	}
	forgive(client)
	ns, err := s.openSession(ctx, u, c, now, store.SessionPassword)
	if err == nil && s.cfg.SSOOnly {
		s.log.Warn("break-glass password sign-in", "email", email, "remote", c.RemoteAddr)
	}
	return ns, err
}

// checkLogin reports whether email and password name an enabled user,
// hashing in one of the Service's slots.
func (s *Service) checkLogin(ctx context.Context, email, password string) (bool, store.User, error) {
	wait, cancel := context.WithTimeout(ctx, s.cfg.HashWait)
	defer cancel()
	select {
	case s.hashes <- struct{}{}:
		defer s.releaseHash()
	case <-wait.Done():
		if err := ctx.Err(); err != nil {
			return false, store.User{}, err
		}
		return false, store.User{}, &RateLimitError{RetryAfter: time.Second, Busy: true}
	}
	u, err := s.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		CheckPassword(s.dummy, password)
		return false, store.User{}, nil
	}
	if err != nil {
		return false, store.User{}, err
	}
	if u.PasswordHash == "" || !CheckPassword(u.PasswordHash, password) || u.Disabled {
		return false, store.User{}, nil
	}
	return true, u, nil
}

// releaseHash frees a hashing slot. The last check running hands its 64 MiB
// back to the system at once: the runtime would otherwise keep it mapped for
// minutes, and one sign-in would double an idle server's memory.
func (s *Service) releaseHash() {
	<-s.hashes
	if len(s.hashes) == 0 {
		debug.FreeOSMemory()
	}
}

func (s *Service) failDelay(tries int) time.Duration {
	return s.cfg.FailDelay << min(max(tries-1, 0), 8)
}

// delay waits FailDelay, doubled per earlier try of the same account and
// client: a guesser from one place slows down fast.
func (s *Service) delay(ctx context.Context, tries int) {
	if s.cfg.FailDelay < 0 {
		return
	}
	t := time.NewTimer(s.failDelay(tries))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
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
	return s.openSession(ctx, u, c, s.now(), store.SessionDev)
}

// openSession opens a session for u, opened by method (store.Session*).
func (s *Service) openSession(ctx context.Context, u store.User, c Client, now time.Time, method string) (NewSession, error) {
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
		CreatedAt: now, LastSeenAt: now, ExpiresAt: ns.ExpiresAt, RemoteAddr: c.RemoteAddr, UserAgent: ua, Method: method})
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
	// MustEnrol: an admin requires two-factor and this session's user has
	// not turned it on; the session reaches only the enrolment routes. API
	// tokens are never held back.
	MustEnrol bool
	csrfHash  string
}

// ViaCookie reports whether the request was authenticated by the session cookie.
func (p Principal) ViaCookie() bool { return p.SessionID != 0 }

// IsAdmin reports whether the caller is an admin.
func (p Principal) IsAdmin() bool { return p.User.Role == domain.RoleAdmin }

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
	required, enrolled, err := s.store.TwoFactorGate(ctx, u.ID)
	if err != nil {
		return Principal{}, err
	}
	// A session opened by single sign-on is not held back: the identity
	// provider asks for the second factor.
	mustEnrol := required && !enrolled && se.Method != store.SessionSSO
	return Principal{User: u, SessionID: se.ID, csrfHash: se.CSRFHash, MustEnrol: mustEnrol}, nil
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

// SignOutEverywhere ends every session and revokes every API token of a
// user (open event streams end at their next check).
func (s *Service) SignOutEverywhere(ctx context.Context, userID int64) error {
	return s.store.DB().InTx(ctx, func(tx *store.Tx) error { return s.revokeAll(ctx, tx, userID) })
}

// revokeAll is what disabling a user, a new password and signing out
// everywhere do: no session and no token of theirs works any more, and
// enabling the user again brings none back.
func (s *Service) revokeAll(ctx context.Context, tx *store.Tx, userID int64) error {
	if err := s.store.DeleteUserSessions(ctx, tx, userID); err != nil {
		return err
	}
	return s.store.RevokeUserTokens(ctx, tx, userID, s.now())
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
	Email, Name, Password string
	Role                  domain.Role
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
	if err := checkRole(in.Role); err != nil {
		return store.User{}, err
	}
	hash := ""
	if in.Password != "" {
		if hash, err = HashPassword(in.Password); err != nil {
			return store.User{}, domain.Invalid("password", err.Error())
		}
	}
	id, err := s.store.CreateUser(ctx, store.User{Email: addr.Address, Name: name, Role: in.Role, PasswordHash: hash, CreatedAt: s.now()})
	if err != nil {
		return store.User{}, err
	}
	return s.store.GetUser(ctx, id)
}

// UserUpdate lists what to change; nil leaves a field alone.
type UserUpdate struct {
	Name, Password *string
	Role           *domain.Role
	Disabled       *bool
}

// checkRole refuses a role that is not one of domain.Roles.
func checkRole(r domain.Role) error {
	if !slices.Contains(domain.Roles(), r) {
		return domain.Invalid("role", "must be one of "+domain.Join(domain.Roles()))
	}
	return nil
}

// UpdateUser changes a user. Disabling a user or changing their password
// ends their sessions and revokes their tokens. The
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
		if err := checkRole(*in.Role); err != nil {
			return store.User{}, err
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
		losesAdmin := u.Role == domain.RoleAdmin && !u.Disabled &&
			((c.Role != nil && *c.Role != domain.RoleAdmin) || (c.Disabled != nil && *c.Disabled))
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
			return s.revokeAll(ctx, tx, id)
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
