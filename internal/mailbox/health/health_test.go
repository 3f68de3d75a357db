package health

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mailbox/smtpout"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// TestAssess pins every rule and its threshold: each case sits just on one
// side of a constant, so changing the constant fails a case.
func TestAssess(t *testing.T) {
	t.Parallel()
	m := New(Config{})
	conn := func(status string, errFor time.Duration, refused bool) store.MailboxHealth {
		h := store.MailboxHealth{Provider: "imap", Enabled: true, Status: status, LastError: "dial tcp: connection refused", AuthRefused: refused}
		if status == store.SyncError {
			h.ErrorSince = t0.Add(-errFor)
		}
		return h
	}
	smtp := store.MailboxHealth{Provider: "smtp", Enabled: true, Status: store.SyncOK}
	// A mailbox whose longest silence was 4 hours: quiet after 2 x 4 h... but
	// never before QuietMin (6 h).
	hist := func(count int, gap, silence time.Duration) Quiet {
		return Quiet{Count: count, LongestGap: gap, Last: t0.Add(-silence)}
	}
	cases := []struct {
		name   string
		h      store.MailboxHealth
		q      Quiet
		reason string // "" healthy
	}{
		{"connector fine", conn(store.SyncOK, 0, false), Quiet{}, ""},
		{"syncing", conn(store.SyncSyncing, 0, false), Quiet{}, ""},
		{"failing for 9m59s: a reconnect", conn(store.SyncError, DefaultErrorGrace-time.Second, false), Quiet{}, ""},
		{"failing for exactly the grace", conn(store.SyncError, DefaultErrorGrace, false), Quiet{}, ""},
		{"failing for 10m01s", conn(store.SyncError, DefaultErrorGrace+time.Second, false), Quiet{}, store.AlertError},
		{"credentials refused: at once", conn(store.SyncError, 0, true), Quiet{}, store.AlertAuth},
		{"disabled mailbox: never", store.MailboxHealth{Provider: "imap", Enabled: false, Status: store.SyncError, ErrorSince: t0.Add(-time.Hour)}, Quiet{}, ""},
		{"listener status is no connector's", store.MailboxHealth{Provider: "smtp", Enabled: true, Status: store.SyncError, ErrorSince: t0.Add(-time.Hour)}, Quiet{}, ""},
		{"relay token refresh refused on a listener mailbox: at once", store.MailboxHealth{Provider: "smtp", Enabled: true, Status: store.SyncError,
			ErrorSince: t0, AuthRefused: true, LastError: "token refresh refused: invalid_grant"}, Quiet{}, store.AlertAuth},
		{"quiet: twice the longest gap passed", smtp, hist(DefaultQuietMinMessages, 4*time.Hour, 8*time.Hour+time.Second), store.AlertQuiet},
		{"quiet: not yet twice", smtp, hist(DefaultQuietMinMessages, 4*time.Hour, 8*time.Hour-time.Second), ""},
		{"quiet: never before the minimum", smtp, hist(DefaultQuietMinMessages, time.Minute, DefaultQuietMin-time.Second), ""},
		{"quiet: past the minimum with a short history gap", smtp, hist(DefaultQuietMinMessages, time.Minute, DefaultQuietMin+time.Second), store.AlertQuiet},
		{"quiet: too little history to judge", smtp, hist(DefaultQuietMinMessages-1, time.Minute, 30*24*time.Hour), ""},
		{"quiet applies to connectors too", conn(store.SyncOK, 0, false), hist(100, time.Hour, 7*time.Hour), store.AlertQuiet},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, bad := m.Assess(c.h, c.q, t0)
			if got := map[bool]string{true: p.Reason}[bad]; got != c.reason {
				t.Fatalf("reason %q (%+v), want %q", got, p, c.reason)
			}
		})
	}
	t.Run("since is when it began", func(t *testing.T) {
		p, _ := m.Assess(conn(store.SyncError, time.Hour, false), Quiet{}, t0)
		if !p.Since.Equal(t0.Add(-time.Hour)) || p.Detail != "dial tcp: connection refused" {
			t.Fatalf("%+v", p)
		}
		p, _ = m.Assess(smtp, hist(50, time.Hour, 9*time.Hour), t0)
		if !p.Since.Equal(t0.Add(-9*time.Hour)) || !strings.Contains(p.Detail, "no mail for 9h0m0s") {
			t.Fatalf("%+v", p)
		}
	})
}

// recorder is the queue: it keeps the jobs inserted.
type recorder struct {
	mu   sync.Mutex
	jobs []MailArgs
}

func (r *recorder) Enqueue(_ context.Context, _ *store.Tx, args river.JobArgs) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs = append(r.jobs, args.(MailArgs))
	return nil
}

func (r *recorder) take() []MailArgs {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.jobs
	r.jobs = nil
	return out
}

type bundle struct {
	st      *store.Store
	ctx     context.Context
	now     time.Time
	q       *recorder
	mon     *Monitor
	admins  []int64
	broken  int64 // an IMAP mailbox
	relayed int64 // an SMTP listener mailbox with a relay
}

func setup(t *testing.T, dsn string) *bundle {
	t.Helper()
	b := &bundle{st: store.New(storetest.Open(t, dsn)), ctx: context.Background(), now: t0, q: &recorder{}}
	var err error
	if b.broken, err = b.st.CreateMailbox(b.ctx, store.Mailbox{Name: "Support", Address: "support@acme.test", Provider: "imap", IMAP: "sealed", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if b.relayed, err = b.st.CreateMailbox(b.ctx, store.Mailbox{Name: "Sales", Address: "sales@acme.test", Provider: "smtp", SMTPRelay: "sealed-relay", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []store.User{
		{Email: "ann@acme.test", Name: "Ann", Role: domain.RoleAdmin},
		{Email: "bob@acme.test", Name: "Bob", Role: domain.RoleAdmin},
		{Email: "cid@acme.test", Name: "Cid", Role: domain.RoleAgent},
		{Email: "dee@acme.test", Name: "Dee", Role: domain.RoleAdmin, Disabled: true},
	} {
		u.CreatedAt = t0
		id, err := b.st.CreateUser(b.ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if u.Role == domain.RoleAdmin && !u.Disabled {
			b.admins = append(b.admins, id)
		}
	}
	b.mon = New(Config{Store: b.st, Queue: b.q, Now: func() time.Time { return b.now }, Logger: slog.New(slog.DiscardHandler)})
	return b
}

func (b *bundle) check(t *testing.T) []MailArgs {
	t.Helper()
	if err := b.mon.Check(b.ctx); err != nil {
		t.Fatal(err)
	}
	return b.q.take()
}

func (b *bundle) openAlert(t *testing.T, id int64) *store.MailboxAlert {
	t.Helper()
	open, err := b.st.OpenAlerts(b.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := open[id]; ok {
		return &a
	}
	return nil
}

// TestOneAlertPerOutage: a connector failing past the grace raises one
// alert, mailed once to each enabled admin; later rounds add nothing; the
// recovery closes it with one recovery mail each; a second outage is a
// second alert.
func TestOneAlertPerOutage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		if jobs := b.check(t); len(jobs) != 0 {
			t.Fatalf("healthy mailboxes mailed: %+v", jobs)
		}
		if err := b.st.SetSyncError(b.ctx, b.broken, "dial tcp 127.0.0.1:1: connection refused", b.now); err != nil {
			t.Fatal(err)
		}
		for _, step := range []time.Duration{time.Minute, 9 * time.Minute} { // 10 minutes: not more than the grace
			b.now = b.now.Add(step)
			if jobs := b.check(t); len(jobs) != 0 || b.openAlert(t, b.broken) != nil {
				t.Fatalf("alert within the grace: %+v", jobs)
			}
		}
		b.now = b.now.Add(time.Minute)
		jobs := b.check(t)
		a := b.openAlert(t, b.broken)
		if a == nil || a.Reason != store.AlertError || !a.Since.Equal(t0) || !strings.Contains(a.Detail, "connection refused") {
			t.Fatalf("alert %+v", a)
		}
		if len(jobs) != len(b.admins) || jobs[0] != (MailArgs{AlertID: a.ID, UserID: b.admins[0]}) || jobs[1].UserID != b.admins[1] {
			t.Fatalf("mails %+v, want one per enabled admin %v", jobs, b.admins)
		}
		// Still broken: nothing more, however long.
		for range 3 {
			b.now = b.now.Add(time.Hour)
			if err := b.st.SetSyncError(b.ctx, b.broken, "still refused", b.now); err != nil {
				t.Fatal(err)
			}
			if jobs := b.check(t); len(jobs) != 0 {
				t.Fatalf("mailed again in the same outage: %+v", jobs)
			}
		}
		// A second monitor (another replica, or a restart) does not raise it again.
		if err := New(Config{Store: b.st, Queue: b.q, Now: func() time.Time { return b.now }}).Check(b.ctx); err != nil || len(b.q.take()) != 0 {
			t.Fatalf("a restarted monitor mailed again: %v", err)
		}
		// Works again: closed, one recovery mail per admin.
		if err := b.st.SetSyncOK(b.ctx, b.broken, b.now); err != nil {
			t.Fatal(err)
		}
		jobs = b.check(t)
		if b.openAlert(t, b.broken) != nil || len(jobs) != len(b.admins) || !jobs[0].Recovered || jobs[0].AlertID != a.ID {
			t.Fatalf("recovery: %+v", jobs)
		}
		if jobs := b.check(t); len(jobs) != 0 {
			t.Fatalf("recovery mailed twice: %+v", jobs)
		}
		// A second outage is a second alert.
		if err := b.st.SetSyncError(b.ctx, b.broken, "again", b.now); err != nil {
			t.Fatal(err)
		}
		b.now = b.now.Add(DefaultErrorGrace + time.Second)
		jobs = b.check(t)
		if a2 := b.openAlert(t, b.broken); a2 == nil || a2.ID == a.ID || len(jobs) != len(b.admins) {
			t.Fatalf("second outage: %+v %+v", a2, jobs)
		}
	})
}

// TestRefusedCredentialsAlertAtOnce: the connector saying the provider
// refused its credentials raises the alert in the next round, no grace.
func TestRefusedCredentialsAlertAtOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		if err := b.st.SetAuthRefused(b.ctx, b.broken, "gmail authorization failed: invalid_grant", b.now); err != nil {
			t.Fatal(err)
		}
		jobs := b.check(t)
		if a := b.openAlert(t, b.broken); a == nil || a.Reason != store.AlertAuth || len(jobs) != len(b.admins) {
			t.Fatalf("alert %+v, mails %+v", a, jobs)
		}
		// Reconnected: the connector's first good sync clears the refusal too.
		if err := b.st.SetSyncOK(b.ctx, b.broken, b.now); err != nil {
			t.Fatal(err)
		}
		if jobs := b.check(t); b.openAlert(t, b.broken) != nil || len(jobs) != len(b.admins) || !jobs[0].Recovered {
			t.Fatalf("recovery %+v", jobs)
		}
	})
}

// TestQuietMailbox: a mailbox that got mail every hour for a day and then
// nothing is unusual after twice its longest silence; new mail recovers it.
func TestQuietMailbox(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		arrive := func(at time.Time, source string) {
			t.Helper()
			if _, err := b.st.InsertInbound(b.ctx, b.st.DB().W(), store.Inbound{MailboxID: b.relayed, Source: source, RawKey: "k",
				SHA256: at.String(), Status: store.InboundDone, ReceivedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		last := t0
		for i := range 24 {
			arrive(t0.Add(-time.Duration(23-i)*time.Hour), "smtp")
		}
		// An import long after says nothing about the flow.
		arrive(t0.Add(5*time.Hour), "import")
		b.now = last.Add(DefaultQuietMin) // 6 h: max(6 h, 2 x 1 h)
		if jobs := b.check(t); len(jobs) != 0 {
			t.Fatalf("quiet too early: %+v", jobs)
		}
		b.now = last.Add(DefaultQuietMin + time.Minute)
		jobs := b.check(t)
		a := b.openAlert(t, b.relayed)
		if a == nil || a.Reason != store.AlertQuiet || !a.Since.Equal(last) || len(jobs) != len(b.admins) {
			t.Fatalf("alert %+v mails %+v", a, jobs)
		}
		arrive(b.now, "smtp")
		b.now = b.now.Add(time.Minute)
		if jobs := b.check(t); b.openAlert(t, b.relayed) != nil || len(jobs) != len(b.admins) || !jobs[0].Recovered {
			t.Fatalf("recovery %+v", jobs)
		}
	})
}

// fakeSender records notices sent through a mailbox.
type fakeSender struct {
	via []string
	out []mail.Outgoing
}

func (f *fakeSender) SendNotice(_ context.Context, mb store.Mailbox, out mail.Outgoing) error {
	f.via = append(f.via, mb.Address)
	f.out = append(f.out, out)
	return nil
}

// TestAlertMailGoesThroughAnotherMailbox: the mail about a broken mailbox
// leaves through another that works (its relay without error), never the
// broken one; with none that works it lands in the outbox folder.
func TestAlertMailGoesThroughAnotherMailbox(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		b := setup(t, dsn)
		if err := b.st.SetAuthRefused(b.ctx, b.broken, "invalid_grant", b.now); err != nil {
			t.Fatal(err)
		}
		jobs := b.check(t)
		dir := t.TempDir()
		f := &fakeSender{}
		m := &Mailer{Store: b.st, Sender: f, Outbox: smtpout.NewOutbox(dir), BaseURL: "https://help.acme.test/", Now: func() time.Time { return b.now }}
		through, err := m.send(b.ctx, jobs[0])
		if err != nil || through != "sales@acme.test" || len(f.out) != 1 {
			t.Fatalf("through %q %v %+v", through, err, f.via)
		}
		out := f.out[0]
		if out.Subject != "Mailbox support@acme.test is broken" || out.To[0].Email != "ann@acme.test" || out.AutoSubmitted != "auto-generated" ||
			!strings.Contains(out.Text, "refused the mailbox's credentials") || !strings.Contains(out.Text, "https://help.acme.test/admin/mailboxes") {
			t.Fatalf("mail %+v", out)
		}
		// The relay fails too: no mailbox works, so the outbox takes it.
		if err := b.st.SetRelayError(b.ctx, b.st.DB().W(), b.relayed, "auth refused", b.now); err != nil {
			t.Fatal(err)
		}
		if through, err := m.send(b.ctx, jobs[1]); err != nil || through != "" || len(f.out) != 1 {
			t.Fatalf("through %q %v", through, err)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		if len(files) != 1 {
			t.Fatalf("outbox %v", files)
		}
		raw, _ := os.ReadFile(files[0])
		if !strings.Contains(string(raw), "To: Bob <bob@acme.test>") && !strings.Contains(string(raw), "bob@acme.test") {
			t.Fatalf("outbox mail:\n%s", raw)
		}
		// The recovery mail says so.
		if err := b.st.SetSyncOK(b.ctx, b.broken, b.now); err != nil {
			t.Fatal(err)
		}
		rec := b.check(t)
		if err := b.st.ClearRelayError(b.ctx, b.st.DB().W(), b.relayed); err != nil {
			t.Fatal(err)
		}
		if _, err := m.send(b.ctx, rec[0]); err != nil || f.out[len(f.out)-1].Subject != "Mailbox support@acme.test works again" {
			t.Fatalf("recovery mail %v %+v", err, f.out)
		}
	})
}
