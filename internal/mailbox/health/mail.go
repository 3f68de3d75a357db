package health

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/jobs"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
)

// MailArgs mails one admin about one alert: raised, or resolved when
// Recovered. One job per admin, inserted with the alert's change, so a
// failed send is retried for that admin alone.
type MailArgs struct {
	AlertID   int64 `json:"alert_id"`
	UserID    int64 `json:"user_id"`
	Recovered bool  `json:"recovered"`
}

// Kind implements river.JobArgs.
func (MailArgs) Kind() string { return "mailbox_alert_mail" }

// InsertOpts puts the job on the outbound queue.
func (MailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueOutbound, MaxAttempts: 10}
}

// Sender sends a mail from a mailbox through its own transport
// (*ticket.Service).
type Sender interface {
	SendNotice(ctx context.Context, mb store.Mailbox, out mail.Outgoing) error
}

// Mailer sends the alert mails.
type Mailer struct {
	Store  *store.Store
	Sender Sender
	// Outbox takes the mail when no other mailbox works.
	Outbox smtpout.Sender
	// ProviderSenders are the providers whose connector sends mail (gmail,
	// nylas, microsoft): such a mailbox works as a sender while its
	// connector does.
	ProviderSenders []string
	BaseURL         string
	Now             func() time.Time
}

// MailWorker runs Mailer.Mail.
type MailWorker struct {
	river.WorkerDefaults[MailArgs]
	Mailer *Mailer
}

// Work implements river.Worker.
func (w *MailWorker) Work(ctx context.Context, j *river.Job[MailArgs]) error {
	return w.Mailer.Mail(ctx, j.Args)
}

// AddWorkers adds the alert mail worker.
func AddWorkers(w *river.Workers, m *Mailer) {
	river.AddWorker(w, &MailWorker{Mailer: m})
}

// Mail sends one alert mail.
func (m *Mailer) Mail(ctx context.Context, a MailArgs) error {
	_, err := m.send(ctx, a)
	return err
}

// send sends one alert mail and says which mailbox it went out of (empty:
// the outbox folder, or nobody left to tell).
func (m *Mailer) send(ctx context.Context, a MailArgs) (through string, err error) {
	alert, err := m.Store.GetAlert(ctx, a.AlertID)
	if err != nil {
		return "", err
	}
	u, err := m.Store.GetUser(ctx, a.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil // the admin was deleted meanwhile
	}
	if err != nil {
		return "", err
	}
	if u.Disabled {
		return "", nil
	}
	broken, err := m.Store.GetMailbox(ctx, m.Store.DB(), alert.MailboxID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil // the mailbox was deleted: nothing to tell
	}
	if err != nil {
		return "", err
	}
	out := m.compose(u, broken, alert, a.Recovered)
	via, ok, err := m.sender(ctx, broken.ID)
	if err != nil {
		return "", err
	}
	if ok {
		if err := m.Sender.SendNotice(ctx, via, out); err != nil {
			return "", fmt.Errorf("mailbox alert mail to %s through %s: %w", u.Email, via.Address, err)
		}
		return via.Address, nil
	}
	out.From = mail.Address{Name: "Ticketer", Email: broken.Address}
	out.MessageID = mail.NewMessageID(mail.DomainOf(broken.Address))
	raw, err := mail.Compose(out)
	if err != nil {
		return "", fmt.Errorf("compose mailbox alert: %w", err)
	}
	if err := m.Outbox.Send(ctx, broken.Address, []string{u.Email}, raw); err != nil {
		return "", fmt.Errorf("mailbox alert mail to the outbox: %w", err)
	}
	return "", nil
}

// sender picks a mailbox other than the broken one that works: no open
// alert, its connector not failing, and a relay without error or a
// provider that sends; the system-mail mailbox first. ok false: none.
func (m *Mailer) sender(ctx context.Context, brokenID int64) (store.Mailbox, bool, error) {
	list, err := m.Store.ListMailboxes(ctx)
	if err != nil {
		return store.Mailbox{}, false, err
	}
	open, err := m.Store.OpenAlerts(ctx)
	if err != nil {
		return store.Mailbox{}, false, err
	}
	works := func(mb store.Mailbox) bool {
		if _, alerted := open[mb.ID]; alerted || mb.ID == brokenID {
			return false
		}
		if mb.SMTPRelay != "" {
			return mb.RelayError == ""
		}
		return slices.Contains(m.ProviderSenders, mb.Provider) && mb.Status != store.SyncError
	}
	slices.SortStableFunc(list, func(a, b store.Mailbox) int {
		switch {
		case a.SystemMail == b.SystemMail:
			return 0
		case a.SystemMail:
			return -1
		}
		return 1
	})
	for _, mb := range list {
		if works(mb) {
			return mb, true, nil
		}
	}
	return store.Mailbox{}, false, nil
}

// explain says in words what an alert's reason means.
func explain(reason string) string {
	switch reason {
	case store.AlertAuth:
		return "The provider refused the mailbox's credentials (a revoked or expired token, a changed password). Mail is not being fetched until the mailbox is connected again."
	case store.AlertError:
		return "The mailbox's connector has been failing for more than 10 minutes. Mail is not being fetched."
	case store.AlertQuiet:
		return "No mail has arrived for far longer than usual for this mailbox. Forwarding or the connection may be broken."
	}
	return reason
}

func (m *Mailer) compose(u store.User, mb store.Mailbox, a store.MailboxAlert, recovered bool) mail.Outgoing {
	now := time.Now
	if m.Now != nil {
		now = m.Now
	}
	link := strings.TrimRight(m.BaseURL, "/") + "/admin/mailboxes"
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\n", cmpOr(u.Name, u.Email))
	subject := fmt.Sprintf("Mailbox %s works again", mb.Address)
	if recovered {
		fmt.Fprintf(&b, "The mailbox %s (%s) works again. It was broken from %s.\n\nWhat it was: %s\n",
			mb.Name, mb.Address, a.Since.UTC().Format(time.RFC1123), a.Detail)
	} else {
		subject = fmt.Sprintf("Mailbox %s is broken", mb.Address)
		fmt.Fprintf(&b, "The mailbox %s (%s) is broken since %s.\n\n%s\n\nThe error: %s\n",
			mb.Name, mb.Address, a.Since.UTC().Format(time.RFC1123), explain(a.Reason), a.Detail)
	}
	fmt.Fprintf(&b, "\nMailboxes: %s\n", link)
	return mail.Outgoing{To: []mail.Address{{Name: u.Name, Email: u.Email}}, Subject: subject, Text: b.String(),
		AutoSubmitted: "auto-generated", Date: now().UTC()}
}

func cmpOr(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
