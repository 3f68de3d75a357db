package ticket

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ticketer/ticketer/internal/auth"
	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// Satisfaction (CSAT). When a ticket of a mailbox with csat on is solved,
// its requester gets one mail with a "Good" and a "Bad" link to
// /survey/{token}. The mail is an outbound message of the ticket, queued in
// the change's transaction like an acknowledgement (stored, sent by the send
// job with its retries). The token is random, for one ticket, and expires
// after SurveyTTL; only its hash is stored. The rating goes through the
// change path (Change.CSAT): the ticket carries the latest one, the audit
// trail every one.

// Survey rules, each with a test.
const (
	// SurveyTTL is how long a survey link takes a rating (and a change of it).
	SurveyTTL = 30 * 24 * time.Hour
	// SurveyWindow and the Config's SurveysPerWindow limit the surveys one
	// address gets, whatever number of tickets are solved for it.
	SurveyWindow = 24 * time.Hour
	// MaxSurveyComment bounds a rating's comment.
	MaxSurveyComment = 2000
)

// Ratings.
const (
	RatingGood = "good"
	RatingBad  = "bad"
)

// ErrSurveyExpired: the survey link is known but past SurveyTTL.
var ErrSurveyExpired = errors.New("survey link expired")

// csatHook mails the survey when a change solves a ticket.
func (s *Service) csatHook() Hook {
	return Hook{Stage: StageNotifications, Name: "csat", Run: func(ctx context.Context, tx *store.Tx, a Applied) ([]Change, error) {
		if a.Created || a.After.Status != domain.StatusSolved || a.Before.Status == domain.StatusSolved {
			return nil, nil
		}
		c, why, err := s.offerSurvey(ctx, tx, a.TicketID, a.At)
		if err != nil || c == nil {
			if why != "" {
				s.log.Info("no satisfaction survey", "ticket", a.TicketID, "why", why)
			}
			return nil, err
		}
		return []Change{*c}, nil
	}}
}

// offerSurvey queues the survey of a ticket just solved and returns the
// change that records it, or says why it sends none.
func (s *Service) offerSurvey(ctx context.Context, tx *store.Tx, ticketID int64, now time.Time) (*Change, string, error) {
	t, err := s.store.GetTicket(ctx, tx, ticketID)
	if err != nil {
		return nil, "", err
	}
	mb, err := s.store.GetMailbox(ctx, tx, t.MailboxID)
	if err != nil {
		return nil, "", err
	}
	to := strings.ToLower(t.Requester.Email)
	switch {
	case !mb.CSAT:
		return nil, "", nil // off: nothing to say
	case !t.SpamAt.IsZero() || t.MergedInto != 0:
		return nil, "spam or merged", nil
	case to == "" || !strings.Contains(to, "@"):
		return nil, "no requester address", nil
	case mail.RobotAddress(to) != "":
		return nil, "the requester is a robot (" + mail.RobotAddress(to) + ")", nil
	case mail.BaseAddress(to) == mail.BaseAddress(mb.Address):
		return nil, "the requester is the mailbox", nil
	}
	auto, err := s.store.AutomaticCustomerMail(ctx, tx, ticketID)
	if err != nil || auto != "" {
		return nil, "the customer's mail is automatic (" + auto + ")", err
	}
	live, err := s.store.LiveSurvey(ctx, tx, ticketID, now)
	if err != nil || live {
		return nil, "a survey of this ticket is still open", err
	}
	n, err := s.store.CountSurveysSince(ctx, tx, to, now.Add(-SurveyWindow))
	if err != nil {
		return nil, "", err
	}
	if n >= s.cfg.SurveysPerWindow {
		return nil, fmt.Sprintf("rate limit: %d surveys to %s within %s", n, to, SurveyWindow), nil
	}
	token := newSurveyToken()
	if err := s.store.CreateSurvey(ctx, tx, store.Survey{TicketID: ticketID, Email: to, CreatedAt: now, ExpiresAt: now.Add(SurveyTTL)},
		auth.HashToken(token)); err != nil {
		return nil, "", err
	}
	tail, _, err := s.store.ThreadTail(ctx, tx, ticketID)
	if err != nil {
		return nil, "", err
	}
	out := mail.TicketMail(mail.Address{Name: mb.Name, Email: mb.Address}, ticketID, tail.MessageID, tail.References, now)
	out.To, out.AutoSubmitted = []mail.Address{{Email: to}}, "auto-generated"
	out.Subject = fmt.Sprintf("How did we do? [#%d] %s", ticketID, t.Subject)
	out.Text = SurveyText(s.cfg.BaseURL, token, t.Subject, SurveyTTL)
	id, err := s.queueOutbound(ctx, tx, ticketID, 0, out, "csat_survey")
	if err != nil {
		return nil, "", err
	}
	return &Change{TicketID: ticketID, Actor: systemActor(), MessageAdded: id, Uncounted: true,
		Events: []Event{{Kind: EventCSATSent, Field: "csat", NewValue: to}}}, "", nil
}

// SurveyURL is a survey link, with the rating it chooses.
func SurveyURL(baseURL, token, rating string) string {
	return strings.TrimRight(baseURL, "/") + "/survey/" + token + "?rating=" + rating
}

// SurveyText is the survey mail's text.
func SurveyText(baseURL, token, subject string, ttl time.Duration) string {
	return "Your request \"" + subject + "\" is solved. How did we do?\n\n" +
		"Good: " + SurveyURL(baseURL, token, RatingGood) + "\n\n" +
		"Bad:  " + SurveyURL(baseURL, token, RatingBad) + "\n\n" +
		fmt.Sprintf("One click and a confirmation; you may change your answer within %d days.\n", int(ttl.Hours()/24))
}

func newSurveyToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SurveyView is what the survey page shows.
type SurveyView struct {
	TicketID  int64
	Subject   string
	ExpiresAt time.Time
	// CSAT is the rating the ticket has, nil before any.
	CSAT *store.CSAT
}

// survey finds a live survey: store.ErrNotFound for an unknown token,
// ErrSurveyExpired past its expiry.
func (s *Service) survey(ctx context.Context, q store.Querier, token string) (store.Survey, error) {
	if token == "" {
		return store.Survey{}, fmt.Errorf("survey: %w", store.ErrNotFound)
	}
	sv, err := s.store.SurveyByTokenHash(ctx, q, auth.HashToken(token))
	if err != nil {
		return sv, err
	}
	if !s.now().Before(sv.ExpiresAt) {
		return sv, ErrSurveyExpired
	}
	return sv, nil
}

// Survey reads a survey link (the page a GET shows): it changes nothing,
// so a mail scanner that follows the link votes for no one.
func (s *Service) Survey(ctx context.Context, token string) (SurveyView, error) {
	sv, err := s.survey(ctx, s.db, token)
	if err != nil {
		return SurveyView{}, err
	}
	t, err := s.store.GetTicket(ctx, s.db, sv.TicketID)
	if err != nil {
		return SurveyView{}, err
	}
	return SurveyView{TicketID: t.ID, Subject: t.Subject, ExpiresAt: sv.ExpiresAt, CSAT: t.CSAT}, nil
}

// RateSurvey records the requester's rating: again with the same link
// before it expires replaces it (the latest one counts; the audit trail
// keeps each).
func (s *Service) RateSurvey(ctx context.Context, token, rating, comment string) (SurveyView, error) {
	if rating != RatingGood && rating != RatingBad {
		return SurveyView{}, domain.Invalid("rating", "must be good or bad")
	}
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxSurveyComment {
		return SurveyView{}, domain.Invalid("comment", fmt.Sprintf("at most %d characters", MaxSurveyComment))
	}
	var sv store.Survey
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if sv, err = s.survey(ctx, tx, token); err != nil {
			return err
		}
		_, err = s.change(ctx, tx, Change{TicketID: sv.TicketID, Actor: Actor{Name: sv.Email},
			CSAT: &store.CSAT{Rating: rating, Comment: comment, At: s.now()}})
		return err
	})
	if err != nil {
		return SurveyView{}, err
	}
	return s.Survey(ctx, token)
}
