package notify_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/mailboxtest"
	"github.com/ticketer/ticketer/internal/notify"
	"github.com/ticketer/ticketer/internal/rules"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// bundle is a ticket service with the notifications hook, a ticket from
// Alice, and two agents, Ann and Bob.
type bundle struct {
	t        *testing.T
	e        *mailboxtest.Env
	n        *notify.Service
	mb       int64
	ticket   int64
	ann, bob store.User
}

func setup(t *testing.T, dsn string) *bundle {
	t.Helper()
	b := &bundle{t: t}
	b.e = mailboxtest.NewWith(t, dsn, mailboxtest.Options{Manual: true,
		Register: func(e *mailboxtest.Env, w *river.Workers) {
			b.n = notify.New(notify.Config{Store: e.Store, Queue: envQueue{e}, BaseURL: "https://help.acme.test/"})
			notify.AddWorkers(w, b.n, envSender{e})
		},
		HooksFrom: func(e *mailboxtest.Env) []ticket.Hook { return []ticket.Hook{b.n.Hook()} }})
	b.mb = b.e.Mailbox("support@acme.test", "smtp")
	b.ann, b.bob = b.user("ann@acme.test", "Ann Lee"), b.user("bob@acme.test", "Bob Stone")
	res, err := b.e.Svc.Import(b.e.Ctx, b.mb, raw("From: Alice <alice@customer.test>", "Subject: Printer on fire", "Message-ID: <a1@customer.test>"))
	if err != nil {
		t.Fatal(err)
	}
	b.ticket = res.TicketID
	return b
}

func raw(headers ...string) []byte {
	return []byte(strings.Join(headers, "\r\n") + "\r\nTo: support@acme.test\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n\r\nHello.\r\n")
}

func (b *bundle) user(email, name string) store.User {
	b.t.Helper()
	u := store.User{Email: email, Name: name, Role: domain.RoleAgent, CreatedAt: time.Now()}
	id, err := b.e.Store.CreateUser(b.e.Ctx, u)
	if err != nil {
		b.t.Fatal(err)
	}
	u.ID = id
	return u
}

func (b *bundle) assign(by store.User, to int64) {
	b.t.Helper()
	if _, err := b.e.Svc.UpdateTicket(b.e.Ctx, by, b.ticket, ticket.TicketUpdate{AssigneeSet: true, AssigneeID: to}); err != nil {
		b.t.Fatal(err)
	}
}

// kinds lists a user's in-app notifications, oldest first, and the unread count.
func (b *bundle) kinds(u store.User) ([]string, int) {
	b.t.Helper()
	list, unread, err := b.e.Store.ListNotifications(b.e.Ctx, u.ID, 50)
	if err != nil {
		b.t.Fatal(err)
	}
	var out []string
	for _, n := range slices.Backward(list) {
		out = append(out, n.Kind)
	}
	return out, unread
}

func TestAssignmentNotifiesTheAssignee(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		b.assign(b.ann, b.bob.ID)
		if got, unread := b.kinds(b.bob); !slices.Equal(got, []string{"assigned"}) || unread != 1 {
			t.Fatalf("bob: %v (%d unread)", got, unread)
		}
		// Taking a ticket oneself tells nobody.
		b.assign(b.ann, b.ann.ID)
		if got, _ := b.kinds(b.ann); len(got) != 0 {
			t.Fatalf("ann assigned herself and got %v", got)
		}
	})
}

func TestCustomerReplyNotifiesTheAssignee(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		b.assign(b.ann, b.bob.ID)
		// Bob's own reply and its acknowledgement-free path tell nobody.
		if _, err := b.e.Svc.Reply(b.e.Ctx, b.bob, b.ticket, ticket.ReplyInput{Body: "On it."}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.e.Svc.Import(b.e.Ctx, b.mb, raw("From: Alice <alice@customer.test>", "Subject: Re: Printer on fire",
			"Message-ID: <a2@customer.test>", "In-Reply-To: <a1@customer.test>")); err != nil {
			t.Fatal(err)
		}
		if got, _ := b.kinds(b.bob); !slices.Equal(got, []string{"assigned", "customer_replied"}) {
			t.Fatalf("bob: %v", got)
		}
	})
}

func TestMentionInNoteNotifies(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		if _, err := b.e.Svc.AddNote(b.e.Ctx, b.ann, b.ticket, "@bob can you look? cc @ann (me) and mail bob@acme.test"); err != nil {
			t.Fatal(err)
		}
		if got, _ := b.kinds(b.bob); !slices.Equal(got, []string{"mentioned"}) {
			t.Fatalf("bob: %v", got)
		}
		if got, _ := b.kinds(b.ann); len(got) != 0 {
			t.Fatalf("ann mentioned herself and got %v", got)
		}
	})
}

func TestMentioned(t *testing.T) {
	t.Parallel()
	users := []store.Mentionable{{ID: 1, Email: "ann@acme.test", Name: "Ann Lee"}, {ID: 2, Email: "b.stone@acme.test", Name: "Bob"}}
	cases := []struct {
		text string
		want []int64
	}{
		{"@ann please", []int64{1}},
		{"@AnnLee and @b.stone.", []int64{1, 2}},
		{"@bob @bob", []int64{2}},
		{"write to ann@acme.test", nil},
		{"@nobody", nil},
		{"(@ann)", []int64{1}},
	}
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			var got []int64
			for _, u := range notify.Mentioned(c.text, users) {
				got = append(got, u.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestSettingsAreRespected(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		cases := []struct {
			name          string
			choice        store.NotifyChoice
			listed, mails int
		}{
			{"both off", store.NotifyChoice{}, 0, 0},
			{"mail only", store.NotifyChoice{Email: true}, 0, 1},
			{"app only", store.NotifyChoice{App: true}, 1, 0},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if err := b.e.Store.SetNotificationPrefs(b.e.Ctx, b.bob.ID, map[string]store.NotifyChoice{"assigned": c.choice}); err != nil {
					t.Fatal(err)
				}
				b.e.DB.Exec(b.e.Ctx, `DELETE FROM notifications`)
				b.assign(b.ann, 0)
				b.assign(b.ann, b.bob.ID)
				if got, _ := b.kinds(b.bob); len(got) != c.listed {
					t.Errorf("listed %v, want %d", got, c.listed)
				}
				if n := b.e.Count(`SELECT count(*) FROM notifications WHERE email`); n != c.mails {
					t.Errorf("%d waiting for mail, want %d", n, c.mails)
				}
			})
		}
	})
}

// recorder is a Sender that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []mail.Outgoing
}

func (r *recorder) SendNotice(_ context.Context, _ store.Mailbox, out mail.Outgoing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, out)
	return nil
}

// TestBurstIsOneMail: three notifications, one mail (automatic, to the
// agent, a link per ticket); nothing is mailed twice.
func TestBurstIsOneMail(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		b.assign(b.ann, b.bob.ID)
		for _, text := range []string{"@bob first", "@bob second"} {
			if _, err := b.e.Svc.AddNote(b.e.Ctx, b.ann, b.ticket, text); err != nil {
				t.Fatal(err)
			}
		}
		if n := b.e.Count(`SELECT count(*) FROM river_job WHERE kind = 'notify_mail'`); n != 3 {
			t.Fatalf("%d mail jobs, want one per notification", n)
		}
		r := &recorder{}
		for range 3 { // every job runs; the first takes all
			if err := b.n.Mail(b.e.Ctx, r, b.bob.ID); err != nil {
				t.Fatal(err)
			}
		}
		if len(r.sent) != 1 {
			t.Fatalf("%d mails, want 1", len(r.sent))
		}
		m := r.sent[0]
		if m.AutoSubmitted != "auto-generated" || len(m.To) != 1 || m.To[0].Email != "bob@acme.test" || m.Subject != "3 notifications on your tickets" ||
			strings.Count(m.Text, "https://help.acme.test/tickets/") != 3 {
			t.Fatalf("mail %+v", m)
		}
		if _, err := mail.Compose(mail.Outgoing{From: mail.Address{Email: "support@acme.test"}, To: m.To, Subject: m.Subject, Text: m.Text,
			MessageID: "x@acme.test", AutoSubmitted: m.AutoSubmitted, Date: m.Date}); err != nil {
			t.Fatalf("the digest does not compose: %v", err)
		}
	})
}

// TestNoticeGoesToOutbox: through the ticket service, the digest leaves from
// the mailbox address with Auto-Submitted: auto-generated.
func TestNoticeGoesToOutbox(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		b.assign(b.ann, b.bob.ID)
		if err := b.n.Mail(b.e.Ctx, b.e.Svc, b.bob.ID); err != nil {
			t.Fatal(err)
		}
		files, err := filepathGlob(b.e.OutboxDir)
		if err != nil || len(files) != 1 {
			t.Fatalf("outbox %v %v", files, err)
		}
		for _, want := range []string{"Auto-Submitted: auto-generated", "<support@acme.test>", `To: "Bob Stone" <bob@acme.test>`, "/tickets/"} {
			if !strings.Contains(files[0], want) {
				t.Errorf("mail lacks %q:\n%s", want, files[0])
			}
		}
	})
}

// TestRuleNotifies: a rule's notify action tells the agent it names (once,
// kind rule); a disabled agent is skipped and the mail still lands.
func TestRuleNotifies(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		name, when := "Tell Bob", "customer_replied"
		acts := []rules.Action{{Type: "notify", Value: fmt.Sprint(b.bob.ID)}, {Type: "notify", Value: fmt.Sprint(b.ann.ID)}}
		if _, err := b.e.Svc.CreateRule(b.e.Ctx, ticket.RuleInput{Name: &name, When: &when, Actions: &acts}); err != nil {
			t.Fatal(err)
		}
		if _, err := b.e.Store.DB().Exec(b.e.Ctx, `UPDATE users SET disabled = TRUE WHERE id = $1`, b.ann.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.e.Svc.Import(b.e.Ctx, b.mb, raw("From: Alice <alice@customer.test>", "Subject: Re: Printer on fire",
			"Message-ID: <a2@customer.test>", "In-Reply-To: <a1@customer.test>")); err != nil {
			t.Fatal(err)
		}
		if got, _ := b.kinds(b.bob); !slices.Equal(got, []string{"rule"}) {
			t.Fatalf("bob: %v", got)
		}
		if got, _ := b.kinds(b.ann); len(got) != 0 {
			t.Fatalf("disabled ann: %v", got)
		}
	})
}

// TestSLABreachNotifiesTheAssignee: the breach pass tells the assignee,
// once, of a missed target.
func TestSLABreachNotifiesTheAssignee(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		name, first := "Std", 30
		if _, err := b.e.Svc.SaveSLAPolicy(b.e.Ctx, 0, ticket.SLAPolicyInput{Name: &name, FirstResponseMin: &first}); err != nil {
			t.Fatal(err)
		}
		// Opened an hour ago: the policy, taken on at the next change, is overdue.
		if _, err := b.e.Store.DB().Exec(b.e.Ctx, `UPDATE tickets SET created_at = $2 WHERE id = $1`, b.ticket, time.Now().UTC().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		b.assign(b.ann, b.bob.ID)
		for range 2 {
			if _, err := b.e.Svc.RunSLABreaches(b.e.Ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := b.kinds(b.bob); !slices.Equal(got, []string{"assigned", "sla_breached"}) {
			t.Fatalf("bob: %v", got)
		}
	})
}
