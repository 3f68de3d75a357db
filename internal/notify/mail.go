package notify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// MailArgs asks for a user's pending notifications to be mailed. Each
// notification that wants mail inserts one, scheduled Delay later; the first
// to run takes every notification pending by then (a burst is one mail) and
// the others find nothing left.
type MailArgs struct {
	UserID int64 `json:"user_id"`
	delay  time.Duration
}

// Kind implements river.JobArgs.
func (MailArgs) Kind() string { return "notify_mail" }

// InsertOpts schedules the job after the collection delay.
func (a MailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueOutbound, MaxAttempts: 8, ScheduledAt: time.Now().Add(a.delay)}
}

// MailWorker runs Service.Mail.
type MailWorker struct {
	river.WorkerDefaults[MailArgs]
	Service *Service
	Sender  Sender
}

// Work implements river.Worker.
func (w *MailWorker) Work(ctx context.Context, j *river.Job[MailArgs]) error {
	return w.Service.Mail(ctx, w.Sender, j.Args.UserID)
}

// AddWorkers adds the mail worker; sender sends from a mailbox.
func AddWorkers(w *river.Workers, s *Service, sender Sender) {
	river.AddWorker(w, &MailWorker{Service: s, Sender: sender})
}

// Mail sends a user's pending notifications as one mail, from the mailbox of
// the first one's ticket, and marks them mailed in the same transaction: a
// failed send leaves them pending for the job's retry. (A crash between the
// relay's acceptance and the commit mails them again: a duplicate notice
// beats a lost one.)
func (s *Service) Mail(ctx context.Context, sender Sender, userID int64) error {
	db := s.cfg.Store.DB()
	return db.InTx(ctx, func(tx *store.Tx) error {
		pending, err := s.cfg.Store.PendingMail(ctx, tx, userID)
		if err != nil || len(pending) == 0 {
			return err
		}
		u, err := s.cfg.Store.GetUserTx(ctx, tx, userID)
		if err != nil {
			return err
		}
		ids := make([]int64, len(pending))
		for i, n := range pending {
			ids[i] = n.ID
		}
		if u.Disabled {
			return s.cfg.Store.MarkEmailed(ctx, tx, ids, s.cfg.Now())
		}
		t, err := s.cfg.Store.GetTicket(ctx, tx, pending[0].TicketID)
		if err != nil {
			return err
		}
		mb, err := s.cfg.Store.GetMailbox(ctx, tx, t.MailboxID)
		if err != nil {
			return err
		}
		out := s.digest(u, pending)
		if err := sender.SendNotice(ctx, mb, out); err != nil {
			return fmt.Errorf("notification mail to %s: %w", u.Email, err)
		}
		return s.cfg.Store.MarkEmailed(ctx, tx, ids, s.cfg.Now())
	})
}

// digest is the mail for a user's pending notifications: automatic (so no
// autoresponder answers it), one line and one link per notification.
func (s *Service) digest(u store.User, list []store.Notification) mail.Outgoing {
	subject := fmt.Sprintf("[#%d] %s: %s", list[0].TicketID, label(Kind(list[0].Kind)), list[0].Subject)
	if len(list) > 1 {
		subject = fmt.Sprintf("%d notifications on your tickets", len(list))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", fallback(u.Name, u.Email))
	for _, n := range list {
		fmt.Fprintf(&b, "- #%d %s: %s (%s)\n  %s\n", n.TicketID, n.Subject, label(Kind(n.Kind)), n.Summary, s.link(n.TicketID))
	}
	b.WriteString("\nChoose which notifications you get by mail in your account settings.\n")
	return mail.Outgoing{To: []mail.Address{{Name: u.Name, Email: u.Email}}, Subject: subject, Text: b.String(),
		AutoSubmitted: "auto-generated", Date: s.cfg.Now().UTC()}
}

func (s *Service) link(ticketID int64) string {
	return fmt.Sprintf("%s/tickets/%d", strings.TrimRight(s.cfg.BaseURL, "/"), ticketID)
}

func label(k Kind) string {
	switch k {
	case KindAssigned:
		return "assigned to you"
	case KindCustomerReplied:
		return "the customer replied"
	case KindMentioned:
		return "you were mentioned"
	case KindSnoozeWoke:
		return "snoozed ticket woke"
	}
	return string(k)
}

func fallback(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
