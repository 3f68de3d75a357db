// Package webhook sends ticket events to the URLs admins register: a hook
// on the ticket change path (stage webhooks) writes one delivery row per
// event and webhook, with its job, in the transaction of the change; the
// job POSTs the signed JSON body, retrying with exponential backoff for
// RetryWindow, and a ticket's deliveries to one webhook go out in order.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/netguard"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/ticket"
)

// Event names, as the X-Ticketer-Event header and the body's "event" give them.
const (
	EventTicketCreated  = "ticket.created"
	EventTicketUpdated  = "ticket.updated"
	EventMessageCreated = "message.created"
	// EventTicketSLABreached: a target of the ticket's SLA was missed (the
	// breach job; the ticket's "sla" names what was breached).
	EventTicketSLABreached = "ticket.sla_breached"
	// EventTicketRuleFired: an automation rule with a webhook action fired
	// (the body's "rule" names it). It goes only to the webhooks rules name,
	// whatever their events: no webhook subscribes to it.
	EventTicketRuleFired = "ticket.rule_fired"
	// EventTest is what "send test" sends; no webhook subscribes to it.
	EventTest = "webhook.test"
)

// Events lists the events a webhook may subscribe to.
func Events() []string {
	return []string{EventTicketCreated, EventTicketUpdated, EventMessageCreated, EventTicketSLABreached}
}

// AllEvents lists every event a delivery may carry: the subscribed ones,
// a rule's and the test.
func AllEvents() []string { return append(Events(), EventTicketRuleFired, EventTest) }

// Renderer turns the store's values into the API's JSON shapes (the
// httpapi conversions), so a webhook body carries a Ticket or a Message
// exactly as the API returns it.
type Renderer struct {
	Ticket  func(store.Ticket) any
	Message func(store.Message) any
}

// Config holds the service's dependencies.
type Config struct {
	Store   *store.Store
	Queue   ticket.Enqueuer
	Secrets *secret.Box
	Render  Renderer
	// Guard checks every address a delivery connects to (at connect time,
	// after DNS). AllowPrivate (TICKETER_WEBHOOK_ALLOW_PRIVATE) lets
	// webhooks reach loopback and private addresses all the same.
	Guard        netguard.Guard
	AllowPrivate bool
	// FirstRetry is the first wait after a failed attempt (FirstRetry when
	// 0; tests shorten it).
	FirstRetry time.Duration
	// Timeout bounds one attempt; DefaultTimeout when 0.
	Timeout time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
}

// DefaultTimeout bounds one delivery attempt.
const DefaultTimeout = 10 * time.Second

// Service manages webhooks and delivers their events.
type Service struct {
	cfg    Config
	guard  netguard.Guard
	client *http.Client
}

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	g := cfg.Guard
	if cfg.AllowPrivate {
		g.Allow = append(slices.Clone(g.Allow), netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0"))
	}
	c := g.HTTPClient(cfg.Timeout)
	// A redirect is not followed: the receiver answers the URL it was given.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Service{cfg: cfg, guard: g, client: c}
}

// Input is what an admin gives for a webhook; nil fields are left alone
// on an update.
type Input struct {
	URL     *string
	Events  *[]string
	Secret  *string
	Enabled *bool
}

// View is a webhook as the API shows it: the secret only as a hint (its
// last four characters), except right after creation when Ticketer made it.
type View struct {
	store.Webhook
	SecretHint string
	NewSecret  string // the generated secret, once, in the create answer
}

// List returns every webhook.
func (s *Service) List(ctx context.Context, viewer store.User) ([]View, error) {
	if err := admin(viewer); err != nil {
		return nil, err
	}
	list, err := s.cfg.Store.ListWebhooks(ctx, s.cfg.Store.DB(), false)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(list))
	for _, w := range list {
		v, err := s.view(w)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Get returns one webhook.
func (s *Service) Get(ctx context.Context, viewer store.User, id int64) (View, error) {
	if err := admin(viewer); err != nil {
		return View{}, err
	}
	w, err := s.cfg.Store.GetWebhook(ctx, s.cfg.Store.DB(), id)
	if err != nil {
		return View{}, err
	}
	return s.view(w)
}

func (s *Service) view(w store.Webhook) (View, error) {
	plain, err := s.cfg.Secrets.Open(w.Secret)
	if err != nil {
		return View{}, fmt.Errorf("webhook %d: %w", w.ID, err)
	}
	w.Secret = ""
	return View{Webhook: w, SecretHint: hint(plain)}, nil
}

// hint is what a GET shows of a secret: its last four characters.
func hint(secret string) string {
	if len(secret) <= 4 {
		return strings.Repeat("•", len(secret))
	}
	return "…" + secret[len(secret)-4:]
}

// Create registers a webhook. Without a secret, Ticketer makes one and
// shows it once in the answer.
func (s *Service) Create(ctx context.Context, viewer store.User, in Input) (View, error) {
	if err := admin(viewer); err != nil {
		return View{}, err
	}
	w := store.Webhook{Enabled: true, CreatedAt: s.cfg.Now()}
	generated := ""
	if in.Secret == nil || *in.Secret == "" {
		generated = randomHex(24)
		in.Secret = &generated
	}
	if in.URL == nil {
		return View{}, domain.Invalid("url", "is required")
	}
	if in.Events == nil {
		return View{}, domain.Invalid("events", "is required")
	}
	if err := s.apply(&w, in); err != nil {
		return View{}, err
	}
	id, err := s.cfg.Store.CreateWebhook(ctx, s.cfg.Store.DB().W(), w)
	if err != nil {
		return View{}, err
	}
	v, err := s.Get(ctx, viewer, id)
	v.NewSecret = generated
	return v, err
}

// Update changes the fields given.
func (s *Service) Update(ctx context.Context, viewer store.User, id int64, in Input) (View, error) {
	if err := admin(viewer); err != nil {
		return View{}, err
	}
	w, err := s.cfg.Store.GetWebhook(ctx, s.cfg.Store.DB(), id)
	if err != nil {
		return View{}, err
	}
	if err := s.apply(&w, in); err != nil {
		return View{}, err
	}
	w.UpdatedAt = s.cfg.Now()
	if err := s.cfg.Store.UpdateWebhook(ctx, s.cfg.Store.DB().W(), w); err != nil {
		return View{}, err
	}
	return s.Get(ctx, viewer, id)
}

// Delete removes a webhook and its delivery log; queued deliveries find
// it gone and stop.
func (s *Service) Delete(ctx context.Context, viewer store.User, id int64) error {
	if err := admin(viewer); err != nil {
		return err
	}
	return s.cfg.Store.DeleteWebhook(ctx, s.cfg.Store.DB().W(), id)
}

// MaxSecretLen bounds a secret (it is an HMAC key, not a document).
const MaxSecretLen = 200

func (s *Service) apply(w *store.Webhook, in Input) error {
	if in.URL != nil {
		u, err := s.CheckURL(*in.URL)
		if err != nil {
			return err
		}
		w.URL = u
	}
	if in.Events != nil {
		events, err := checkEvents(*in.Events)
		if err != nil {
			return err
		}
		w.Events = events
	}
	if in.Secret != nil {
		if *in.Secret == "" || len(*in.Secret) > MaxSecretLen {
			return domain.Invalid("secret", fmt.Sprintf("must be 1 to %d characters", MaxSecretLen))
		}
		sealed, err := s.cfg.Secrets.Seal(*in.Secret)
		if err != nil {
			return err
		}
		w.Secret = sealed
	}
	if in.Enabled != nil {
		w.Enabled = *in.Enabled
	}
	return nil
}

// CheckURL accepts an http(s) URL with a host, and refuses at once a
// literal address the guard refuses ("localhost" too). Names are checked
// when each delivery connects, on the addresses they resolve to then.
func (s *Service) CheckURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(raw) > 2000 {
		return "", domain.Invalid("url", "must be an http:// or https:// URL with a host and no user name")
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if err := s.guard.Check(a); err != nil {
			return "", domain.Invalid("url", privateMessage)
		}
	} else if h := strings.ToLower(strings.TrimSuffix(host, ".")); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		if err := s.guard.Check(netip.MustParseAddr("127.0.0.1")); err != nil {
			return "", domain.Invalid("url", privateMessage)
		}
	}
	return u.String(), nil
}

const privateMessage = "is a loopback, private or link-local address (the operator may allow it with TICKETER_WEBHOOK_ALLOW_PRIVATE=true)"

func checkEvents(list []string) ([]string, error) {
	if len(list) == 0 {
		return nil, domain.Invalid("events", "must name at least one of "+strings.Join(Events(), ", "))
	}
	var out []string
	for _, e := range list {
		if !slices.Contains(Events(), e) {
			return nil, domain.Invalid("events", fmt.Sprintf("%q is not one of %s", e, strings.Join(Events(), ", ")))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func admin(viewer store.User) error {
	if viewer.Role != domain.RoleAdmin {
		return domain.Forbidden("only admins manage webhooks")
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b)
}

// Deliveries returns a webhook's latest deliveries, newest first.
func (s *Service) Deliveries(ctx context.Context, viewer store.User, id int64, limit int) ([]store.WebhookDelivery, error) {
	if err := admin(viewer); err != nil {
		return nil, err
	}
	if _, err := s.cfg.Store.GetWebhook(ctx, s.cfg.Store.DB(), id); err != nil {
		return nil, err
	}
	return s.cfg.Store.ListWebhookDeliveries(ctx, s.cfg.Store.DB(), id, limit)
}
