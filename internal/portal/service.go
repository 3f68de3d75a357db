// Package portal is the customer portal's domain: sign-in links mailed to a
// customer, customers' sessions (their own table and cookie, nothing shared
// with agents' sessions), and what a signed-in customer may read and write.
// A customer is an email address, never a user: what they may see is
// decided here, in one place (the tickets they asked for or took part in,
// and only their mail, never notes). What they write goes in as mail
// through ticket.Service.Receive, so threading, hooks and live events are
// the ones every inbound message gets.
package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strings"
	"sync"
	"time"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// The portal's rules, each with a test.
const (
	// LinkTTL is how long a mailed sign-in link works (once).
	LinkTTL = 15 * time.Minute
	// SessionTTL is how long a customer stays signed in.
	SessionTTL = 7 * 24 * time.Hour
	// SignInWindow, SignInsPerAddress and SignInsPerClient limit link
	// requests: per email address (nobody's inbox gets flooded) and per
	// client address. The window is the agents' sign-in window: both count
	// in the same table, which forgets windows past that size.
	SignInWindow      = 15 * time.Minute
	SignInsPerAddress = 3
	SignInsPerClient  = 10
	// CookieName is the customer's session cookie, scoped to /portal: never
	// the agents' cookie, never sent to the agents' API.
	CookieName = "ticketer_portal"
	// CookiePath scopes the cookie.
	CookiePath = "/portal"
	// MaxTickets bounds the list of a customer's tickets.
	MaxTickets = 200
	// MaxBody bounds a customer's message text.
	MaxBody = 100_000
	// MaxSubject bounds a new ticket's subject.
	MaxSubject = 250
)

// ErrNotFound is what every refusal to read looks like: no ticket, or not
// the customer's (the same answer, so ids reveal nothing).
var ErrNotFound = store.ErrNotFound

// Config holds the service's dependencies.
type Config struct {
	Store   *store.Store
	Tickets *ticket.Service
	BaseURL string
	Logger  *slog.Logger
	Now     func() time.Time
}

// Service runs the portal.
type Service struct {
	cfg  Config
	st   *store.Store
	log  *slog.Logger
	mail sync.WaitGroup // link mails being sent
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return &Service{cfg: cfg, st: cfg.Store, log: cfg.Logger}
}

// Secure reports whether the portal's cookie must be Secure (an https
// base URL).
func (s *Service) Secure() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

// Customer is a signed-in customer.
type Customer struct {
	SessionID int64
	Email     string
	// CSRF is the token the portal's forms carry, derived from the session.
	CSRF string
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfFor derives a session's form token: knowing it takes the session
// token, which only the cookie (HttpOnly) holds.
func csrfFor(sessionToken string) string {
	m := hmac.New(sha256.New, []byte(sessionToken))
	m.Write([]byte("ticketer portal csrf"))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a form's token is the session's.
func (c Customer) CheckCSRF(token string) bool {
	return c.CSRF != "" && hmac.Equal([]byte(token), []byte(c.CSRF))
}

// normalEmail checks and lower-cases an address.
func normalEmail(email string) (string, error) {
	email = strings.TrimSpace(email)
	a, err := netmail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return "", domain.Invalid("email", "must be an email address")
	}
	return strings.ToLower(email), nil
}

// RequestLink mails a sign-in link to email if it has tickets. The caller
// learns nothing about the address: the same nil for known and unknown
// ones, and the mail goes out after the answer (its time tells nothing
// either). Past a limit it is an *auth.RateLimitError, for any address.
func (s *Service) RequestLink(ctx context.Context, email string, c auth.Client) error {
	email, err := normalEmail(email)
	if err != nil {
		return err
	}
	now := s.now()
	for _, l := range []struct {
		key   string
		limit int
	}{{"portal-email:" + email, SignInsPerAddress}, {"portal-client:" + c.RemoteAddr, SignInsPerClient}} {
		w, err := s.st.CountLoginAttempt(ctx, l.key, SignInWindow, now)
		if err != nil {
			return err
		}
		if w.Fails > l.limit {
			return &auth.RateLimitError{RetryAfter: w.Start.Add(SignInWindow).Sub(now)}
		}
	}
	known, err := s.st.IsCustomer(ctx, email)
	if err != nil {
		return err
	}
	if !known {
		s.log.Info("portal link asked for an address without tickets", "remote", c.RemoteAddr)
		return nil
	}
	token := randomToken()
	if err := s.st.CreatePortalLink(ctx, email, auth.HashToken(token), now, now.Add(LinkTTL)); err != nil {
		return err
	}
	link := s.cfg.BaseURL + CookiePath + "/sign-in/" + token
	s.mail.Add(1)
	go func() {
		defer s.mail.Done()
		_, err := s.cfg.Tickets.SendSystemMail(context.WithoutCancel(ctx), ticket.SystemMail{
			To:      mail.Address{Email: email},
			Subject: "Your sign-in link",
			Text: "Open this link to see your tickets:\n\n" + link + "\n\nIt works once, within " +
				fmt.Sprint(int(LinkTTL.Minutes())) + " minutes. If you did not ask for it, ignore this mail.\n",
		})
		if err != nil {
			s.log.Warn("portal link not sent", "err", err)
		}
	}()
	return nil
}

// Wait waits for the link mails being sent (tests; each send is bounded
// by ticket.SystemMailTimeout).
func (s *Service) Wait() { s.mail.Wait() }

// NewSession is a session just opened: its token exists only here.
type NewSession struct {
	Token     string
	ExpiresAt time.Time
	Customer  Customer
}

// SignIn takes a link's token (once, within LinkTTL) and opens a session.
// ErrNotFound for a token unknown, used or expired alike.
func (s *Service) SignIn(ctx context.Context, linkToken string) (NewSession, error) {
	now := s.now()
	email, err := s.st.UsePortalLink(ctx, auth.HashToken(linkToken), now)
	if err != nil {
		return NewSession{}, err
	}
	token := randomToken()
	exp := now.Add(SessionTTL)
	if err := s.st.CreatePortalSession(ctx, email, auth.HashToken(token), now, exp); err != nil {
		return NewSession{}, err
	}
	return NewSession{Token: token, ExpiresAt: exp, Customer: Customer{Email: email, CSRF: csrfFor(token)}}, nil
}

// ErrNoSession: no portal cookie, or one for no live session.
var ErrNoSession = errors.New("portal: not signed in")

// Session returns the customer of a session token; ErrNoSession if none.
func (s *Service) Session(ctx context.Context, token string) (Customer, error) {
	if token == "" {
		return Customer{}, ErrNoSession
	}
	se, err := s.st.PortalSessionByTokenHash(ctx, auth.HashToken(token), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return Customer{}, ErrNoSession
	}
	if err != nil {
		return Customer{}, err
	}
	return Customer{SessionID: se.ID, Email: se.Email, CSRF: csrfFor(token)}, nil
}

// SignOut ends the customer's session.
func (s *Service) SignOut(ctx context.Context, c Customer) error {
	return s.st.DeletePortalSession(ctx, c.SessionID)
}

// Tickets lists the customer's tickets, newest activity first.
func (s *Service) Tickets(ctx context.Context, c Customer) ([]store.Ticket, error) {
	return s.st.CustomerTickets(ctx, c.Email, MaxTickets)
}

// Ticket returns one of the customer's tickets with its mail (never
// notes); ErrNotFound when it is not theirs.
func (s *Service) Ticket(ctx context.Context, c Customer, id int64) (store.Ticket, []store.Message, error) {
	t, err := s.st.CustomerTicket(ctx, c.Email, id)
	if err != nil {
		return t, nil, err
	}
	msgs, err := s.st.PublicMessages(ctx, id)
	return t, msgs, err
}

// Attachment returns an attachment of the customer's mail; ErrNotFound
// otherwise.
func (s *Service) Attachment(ctx context.Context, c Customer, id int64) (store.Attachment, error) {
	return s.st.CustomerAttachment(ctx, c.Email, id)
}

// Mailboxes lists the mailboxes customers may open tickets in.
func (s *Service) Mailboxes(ctx context.Context) ([]store.Mailbox, error) {
	all, err := s.st.ListMailboxes(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.Mailbox
	for _, mb := range all {
		if mb.Portal {
			out = append(out, mb)
		}
	}
	return out, nil
}

func checkBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", domain.Invalid("body", "write a message")
	}
	if len(body) > MaxBody {
		return "", domain.Invalid("body", fmt.Sprintf("at most %d characters", MaxBody))
	}
	return body, nil
}

// Reply adds the customer's message to one of their tickets, as the mail
// they would have sent: an inbound message from them, in reply to the
// ticket's last mail and to its plus address (so it threads), through
// ingestion. It returns the inbound row's id.
func (s *Service) Reply(ctx context.Context, c Customer, ticketID int64, body string, files []ticket.File) (int64, error) {
	t, msgs, err := s.Ticket(ctx, c, ticketID)
	if err != nil {
		return 0, err
	}
	if body, err = checkBody(body); err != nil {
		return 0, err
	}
	mb, err := s.st.GetMailbox(ctx, s.st.DB(), t.MailboxID)
	if err != nil {
		return 0, err
	}
	out := mail.Outgoing{
		From: mail.Address{Email: c.Email}, To: []mail.Address{{Name: mb.Name, Email: mail.PlusAddress(mb.Address, t.ID)}},
		Subject: "Re: " + t.Subject, Text: body, Date: s.now(), MessageID: mail.NewMessageID(s.host()),
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if id := msgs[i].MessageID; id != "" {
			out.InReplyTo = id
			out.References = append(append([]string{}, msgs[i].References...), id)
			break
		}
	}
	return s.receive(ctx, mb, out, files)
}

// Open starts a new ticket from the customer in a portal mailbox, as the
// mail they would have sent to it. It returns the inbound row's id.
func (s *Service) Open(ctx context.Context, c Customer, mailboxID int64, subject, body string, files []ticket.File) (int64, error) {
	mbs, err := s.Mailboxes(ctx)
	if err != nil {
		return 0, err
	}
	var mb *store.Mailbox
	for i := range mbs {
		if mbs[i].ID == mailboxID {
			mb = &mbs[i]
		}
	}
	if mb == nil {
		return 0, domain.Invalid("mailbox_id", "choose one of the mailboxes offered")
	}
	subject = strings.Join(strings.Fields(subject), " ")
	if subject == "" || len(subject) > MaxSubject {
		return 0, domain.Invalid("subject", fmt.Sprintf("1 to %d characters", MaxSubject))
	}
	if body, err = checkBody(body); err != nil {
		return 0, err
	}
	out := mail.Outgoing{From: mail.Address{Email: c.Email}, To: []mail.Address{{Name: mb.Name, Email: mb.Address}},
		Subject: subject, Text: body, Date: s.now(), MessageID: mail.NewMessageID(s.host())}
	return s.receive(ctx, *mb, out, files)
}

func (s *Service) receive(ctx context.Context, mb store.Mailbox, out mail.Outgoing, files []ticket.File) (int64, error) {
	for _, f := range files {
		out.Attachments = append(out.Attachments, mail.Attachment{Filename: f.Name, ContentType: f.ContentType, Data: f.Data})
	}
	raw, err := mail.Compose(out)
	if err != nil {
		return 0, domain.Invalid("body", err.Error())
	}
	return s.cfg.Tickets.Receive(ctx, ticket.Received{MailboxID: mb.ID, Source: "portal",
		EnvelopeFrom: out.From.Email, EnvelopeTo: []string{out.To[0].Email}, Raw: raw})
}

// host names our Message-IDs.
func (s *Service) host() string {
	h := strings.TrimPrefix(strings.TrimPrefix(s.cfg.BaseURL, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	h, _, _ = strings.Cut(h, ":")
	if h == "" {
		return "localhost"
	}
	return h
}
