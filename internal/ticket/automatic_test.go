package ticket_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/domain"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// automaticFixtures are the automatic mails of testdata/automatic with the
// reason each must be kept with.
var automaticFixtures = map[string]string{
	"arf_report.eml":         "feedback_report",
	"mdn_receipt.eml":        "receipt",
	"dsn_never_sent.eml":     "bounce",
	"exchange_ooo.eml":       "auto_reply",
	"gmail_ooo.eml":          "auto_reply",
	"challenge_response.eml": "auto_reply",
	"spam_flagged.eml":       "spam",
	"spam_status.eml":        "spam",
}

var returnPathRe = regexp.MustCompile(`(?im)^Return-Path:.*\r?\n`)

// withEnvelope writes the Return-Path a final delivery (our SMTP listener)
// puts first: "<>" for the null reverse path.
func withEnvelope(raw []byte, from string) []byte {
	return append([]byte("Return-Path: <"+from+">\r\n"), returnPathRe.ReplaceAll(raw, nil)...)
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "automatic", name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestAutomaticMailIsKeptNotQueued: every automatic mail, over SMTP with a
// null and with a normal envelope sender and through import, is kept with
// its reason, opens no ticket and is acknowledged by nobody. It prints the
// issue's measure.
func TestAutomaticMailIsKeptNotQueued(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		mails := 0
		for name, reason := range automaticFixtures {
			raw := fixture(t, name)
			for _, path := range []string{"smtp-null", "smtp-sender", "import"} {
				t.Run(name+"/"+path, func(t *testing.T) {
					e.t = t
					// Each path is a different copy (one Message-ID each): a copy
					// of kept mail is a duplicate, tested below.
					copyRaw := []byte(strings.Replace(string(raw), "Message-ID: <", "Message-ID: <"+path+".", 1))
					var r ticket.Result
					switch path {
					case "smtp-null":
						r = e.receive(e.mb, withEnvelope(copyRaw, ""))
					case "smtp-sender":
						r = e.receive(e.mb, withEnvelope(copyRaw, "bounces@sender.test"))
					default:
						r = e.importMsg(e.mb, copyRaw)
					}
					mails++
					if r.Outcome != ticket.OutcomeAutomatic || r.TicketID != 0 {
						t.Fatalf("outcome %+v, want kept as automatic", r)
					}
					mid := path + "." + strings.TrimSuffix(strings.SplitN(strings.SplitN(string(copyRaw), "Message-ID: <"+path+".", 2)[1], ">", 2)[0], "")
					if n := e.count(`SELECT count(*) FROM inbound WHERE status = 'automatic' AND reason = $1 AND rfc_message_id = $2`, reason, mid); n != 1 {
						t.Fatalf("kept rows with reason %s and Message-ID %s: %d", reason, mid, n)
					}
				})
			}
		}
		e.t = t
		tickets := e.count(`SELECT count(*) FROM tickets`)
		acks := e.count(`SELECT count(*) FROM messages WHERE auto_reason = 'acknowledgement'`)
		t.Logf("automatic mails: %d; acknowledgements: %d; tickets opened per 100: %.1f", mails, acks, 100*float64(tickets)/float64(mails))
		if tickets != 0 || acks != 0 {
			t.Fatalf("%d automatic mails opened %d tickets and got %d acknowledgements", mails, tickets, acks)
		}
		// The same automatic mail again is a duplicate, kept once.
		again := e.receive(e.mb, withEnvelope([]byte(strings.Replace(string(fixture(t, "gmail_ooo.eml")), "Message-ID: <", "Message-ID: <import.", 1)), ""))
		if again.Outcome != ticket.OutcomeDuplicate {
			t.Fatalf("a copy of kept automatic mail: %+v", again)
		}
	})
}

// TestAutomaticMailJoinsItsTicketQuietly: an out-of-office that answers one
// of our messages lands on its ticket without waking it.
func TestAutomaticMailJoinsItsTicketQuietly(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r, _ := e.newConversation()
		if err := e.st.SetTicketStatus(e.ctx, e.st.DB().W(), r.TicketID, domain.StatusPending, e.now); err != nil {
			t.Fatal(err)
		}
		raw := strings.Replace(string(fixture(t, "exchange_ooo.eml")), "<unknown-88@acme.test>", "<m1@customer.test>", 1)
		got := e.receive(e.mb, withEnvelope([]byte(raw), ""))
		if got.TicketID != r.TicketID || e.ticket(r.TicketID).Status != domain.StatusPending {
			t.Fatalf("the out-of-office went to %+v, ticket now %s", got, e.ticket(r.TicketID).Status)
		}
		m, err := e.st.GetMessage(e.ctx, e.st.DB(), got.MessageID)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != store.KindAutoReply || m.ThreadedBy != "in-reply-to" || m.ThreadedKey != "m1@customer.test" {
			t.Fatalf("message kind %s threaded by %s %s", m.Kind, m.ThreadedBy, m.ThreadedKey)
		}
	})
}

// TestOwnListIsNotAutomatic: a support address behind a Google Group gets
// List-Id, List-Unsubscribe and Precedence: list on every customer's mail;
// that mail is a customer's. Another list's mail stays automatic.
func TestOwnListIsNotAutomatic(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		group := func(listID, mid string) []byte {
			return withEnvelope(msg("From: Dana <dana@customer.test>", "To: support@acme.test", "Subject: Login broken",
				"List-Id: <"+listID+">", "Precedence: list", "List-Unsubscribe: <mailto:"+listID+"+unsubscribe@acme.test>",
				"Mailing-list: list "+listID, "Message-ID: <"+mid+"@customer.test>"), "support+bncBAAA@acme.test")
		}
		own := e.receive(e.mb, group("support.acme.test", "g1"))
		if own.Outcome != ticket.OutcomeNew || own.TicketID == 0 || len(e.acks(own.TicketID)) != 1 {
			t.Fatalf("mail through our own group: %+v, acks %d", own, len(e.acks(own.TicketID)))
		}
		other := e.receive(e.mb, group("news.other.test", "g2"))
		if other.Outcome != ticket.OutcomeAutomatic {
			t.Fatalf("another list's mail: %+v", other)
		}
		// Our own list does not hide what the author's mail says of itself.
		ooo := e.receive(e.mb, msg("From: dana@customer.test", "Subject: Out of office", "List-Id: <support.acme.test>",
			"Auto-Submitted: auto-replied", "Message-ID: <g3@customer.test>"))
		if ooo.Outcome != ticket.OutcomeAutomatic {
			t.Fatalf("an out-of-office through our own group: %+v", ooo)
		}
	})
}

// TestReplyLoop: more than loopLimit (5) messages a minute from one sender
// to one ticket are a loop: kept on the ticket, waking nothing.
func TestReplyLoop(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r := e.receive(e.mb, msg("Date: Mon, 2 Nov 2026 10:00:00 +0000", "From: bot@loop.test", "Subject: Order 1", "Message-ID: <l0@loop.test>"))
		var kinds []string
		for i := 1; i <= 6; i++ {
			if err := e.st.SetTicketStatus(e.ctx, e.st.DB().W(), r.TicketID, domain.StatusSolved, e.now); err != nil {
				t.Fatal(err)
			}
			got := e.receive(e.mb, msg(fmt.Sprintf("Date: Mon, 2 Nov 2026 10:00:%02d +0000", i*8), "From: bot@loop.test", "Subject: Re: Order 1",
				fmt.Sprintf("Message-ID: <l%d@loop.test>", i), "In-Reply-To: <l0@loop.test>"))
			m, err := e.st.GetMessage(e.ctx, e.st.DB(), got.MessageID)
			if err != nil {
				t.Fatal(err)
			}
			kinds = append(kinds, m.Kind+":"+string(e.ticket(r.TicketID).Status))
			// The note counts the message itself: the sixth within the minute.
			if want := "loop: 6 messages from bot@loop.test within 1m0s"; i == 5 && m.AutoReason != want {
				t.Fatalf("message %d: reason %q, want %q", i, m.AutoReason, want)
			}
		}
		want := "inbound:open inbound:open inbound:open inbound:open auto_reply:solved auto_reply:solved"
		if strings.Join(kinds, " ") != want {
			t.Fatalf("kinds and ticket status after each: %v, want %s", kinds, want)
		}
		// A minute later the same sender is a person again.
		got := e.receive(e.mb, msg("Date: Mon, 2 Nov 2026 10:02:00 +0000", "From: bot@loop.test", "Subject: Re: Order 1",
			"Message-ID: <l9@loop.test>", "In-Reply-To: <l0@loop.test>"))
		if m, _ := e.st.GetMessage(e.ctx, e.st.DB(), got.MessageID); m.Kind != store.KindInbound {
			t.Fatalf("after the window: %s", m.Kind)
		}
	})
}

// TestSpamAndBlockedSenders: a ticket marked as spam leaves the lists and
// blocks its sender, whose later mail is kept as spam; restoring undoes
// both. A blocked domain covers every address in it.
func TestSpamAndBlockedSenders(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		agent := e.agent()
		r := e.receive(e.mb, msg("From: Pushy <pushy@seller.test>", "Subject: Buy now", "Message-ID: <s1@seller.test>"))
		if _, err := e.svc.MarkSpam(e.ctx, agent, r.TicketID); err != nil {
			t.Fatal(err)
		}
		if list := e.list(store.TicketFilter{}); len(list) != 0 {
			t.Fatalf("a spam ticket is still listed: %+v", list)
		}
		if list := e.list(store.TicketFilter{Spam: true}); len(list) != 1 {
			t.Fatalf("spam list: %d", len(list))
		}
		later := e.receive(e.mb, msg("From: pushy@seller.test", "Subject: Last chance", "Message-ID: <s2@seller.test>"))
		if later.Outcome != ticket.OutcomeAutomatic || e.count(`SELECT count(*) FROM inbound WHERE reason = 'spam' AND from_email = 'pushy@seller.test'`) != 1 {
			t.Fatalf("mail from a blocked sender: %+v", later)
		}
		if _, err := e.svc.RestoreSpam(e.ctx, agent, r.TicketID); err != nil {
			t.Fatal(err)
		}
		if list := e.list(store.TicketFilter{}); len(list) != 1 {
			t.Fatal("a restored ticket is not listed")
		}
		if again := e.receive(e.mb, msg("From: pushy@seller.test", "Subject: Hello", "Message-ID: <s3@seller.test>")); again.Outcome != ticket.OutcomeNew {
			t.Fatalf("restored sender still blocked: %+v", again)
		}
		if _, err := e.svc.BlockSender(e.ctx, agent, "Spam-Domain.test"); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"", "nodot", "a b@c.test", "@x.test", "x@nodot"} {
			if _, err := e.svc.BlockSender(e.ctx, agent, bad); err == nil {
				t.Errorf("blocking %q was accepted", bad)
			}
		}
		d := e.receive(e.mb, msg("From: anyone@spam-domain.test", "Subject: hi", "Message-ID: <d1@spam-domain.test>"))
		if d.Outcome != ticket.OutcomeAutomatic {
			t.Fatalf("mail from a blocked domain: %+v", d)
		}
	})
}

// TestThreadedBy: each message records how it found its ticket and the key.
func TestThreadedBy(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r, _ := e.newConversation()
		id := r.TicketID
		cases := []struct {
			name, by, key string
			raw           []byte
		}{
			{"in-reply-to", "in-reply-to", "m1@customer.test", msg("From: alice@customer.test", "Subject: Re: Printer", "Message-ID: <t1@customer.test>", "In-Reply-To: <m1@customer.test>")},
			{"references", "references", "t1@customer.test", msg("From: bob@customer.test", "Subject: Re: Printer", "Message-ID: <t2@customer.test>", "In-Reply-To: <elsewhere@x.test>", "References: <m1@customer.test> <t1@customer.test>")},
			{"subject token", "subject-token", fmt.Sprintf("[#%d]", id), msg("From: alice@customer.test", fmt.Sprintf("Subject: Re: [#%d] Printer", id), "Message-ID: <t3@customer.test>")},
			{"plus address", "plus-address", fmt.Sprintf("support+t%d@acme.test", id), msg("From: alice@customer.test", fmt.Sprintf("To: support+t%d@acme.test", id), "Subject: more", "Message-ID: <t4@customer.test>")},
			{"new", "new", "", msg("From: carol@customer.test", "Subject: Other thing", "Message-ID: <t5@customer.test>")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				e.t = t
				got := e.receive(e.mb, c.raw)
				m, err := e.st.GetMessage(e.ctx, e.st.DB(), got.MessageID)
				if err != nil {
					t.Fatal(err)
				}
				if m.ThreadedBy != c.by || m.ThreadedKey != c.key || (c.by != "new") != (got.TicketID == id) {
					t.Fatalf("threaded by %q key %q to ticket %d, want %q %q", m.ThreadedBy, m.ThreadedKey, got.TicketID, c.by, c.key)
				}
			})
		}
	})
}

// TestThreadIndex: Outlook mail that carries only Thread-Index joins the
// ticket of its conversation.
func TestThreadIndex(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		// 22 bytes of conversation, then a 5-byte child block for the reply.
		first := e.receive(e.mb, msg("From: olaf@corp.test", "Subject: VPN down", "Thread-Topic: VPN down",
			"Thread-Index: AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1Fw==", "Message-ID: <o1@corp.test>"))
		reply := e.receive(e.mb, msg("From: olaf@corp.test", "Subject: RE: VPN down", "Thread-Topic: VPN down",
			"Thread-Index: AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1F0AAAAAA", "Message-ID: <o2@corp.test>"))
		if reply.TicketID != first.TicketID {
			t.Fatalf("Thread-Index reply opened ticket %d, want %d", reply.TicketID, first.TicketID)
		}
		m, _ := e.st.GetMessage(e.ctx, e.st.DB(), reply.MessageID)
		if m.ThreadedBy != "thread-index" || m.ThreadedKey == "" {
			t.Fatalf("threaded by %q %q", m.ThreadedBy, m.ThreadedKey)
		}
		other := e.receive(e.mb, msg("From: olaf@corp.test", "Subject: Printer", "Thread-Index: AdhVx0Qm8aT2U1b4SKe0iJ1p5iK1Gw==", "Message-ID: <o3@corp.test>"))
		if other.TicketID == first.TicketID {
			t.Fatal("another conversation joined the ticket")
		}
	})
}

// TestReplyToLongClosedTicket: after the mailbox's reopen window a reply
// opens a new ticket that names the old one; within it, it reopens.
func TestReplyToLongClosedTicket(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		r, _ := e.newConversation()
		close := func() {
			for _, st := range []domain.Status{domain.StatusSolved, domain.StatusClosed} {
				if err := e.st.SetTicketStatus(e.ctx, e.st.DB().W(), r.TicketID, st, e.now); err != nil {
					t.Fatal(err)
				}
			}
		}
		close()
		e.now = e.now.Add(31 * 24 * time.Hour)
		late := e.receive(e.mb, msg("Date: Thu, 3 Dec 2026 10:00:00 +0000", "From: alice@customer.test", "Subject: Re: Printer on fire",
			"Message-ID: <late@customer.test>", "In-Reply-To: <m1@customer.test>"))
		if late.TicketID == r.TicketID || e.ticket(r.TicketID).Status != domain.StatusClosed {
			t.Fatalf("reply 31 days after closing went to %d (old %d, now %s)", late.TicketID, r.TicketID, e.ticket(r.TicketID).Status)
		}
		links := e.count(`SELECT count(*) FROM ticket_events WHERE kind = 'ticket_linked' AND ((ticket_id = $1 AND field = 'follows' AND new_value = $2)
			OR (ticket_id = $3 AND field = 'followed_by' AND new_value = $4))`, late.TicketID, fmt.Sprint(r.TicketID), r.TicketID, fmt.Sprint(late.TicketID))
		if links != 2 {
			t.Fatalf("link events: %d, want 2", links)
		}
		// Within the window (here 60 days for the mailbox), it reopens.
		if _, err := e.st.DB().W().Exec(e.ctx, `UPDATE mailboxes SET reopen_days = 60 WHERE id = $1`, e.mb); err != nil {
			t.Fatal(err)
		}
		soon := e.receive(e.mb, msg("Date: Thu, 3 Dec 2026 11:00:00 +0000", "From: alice@customer.test", "Subject: Re: Printer on fire",
			"Message-ID: <soon@customer.test>", "In-Reply-To: <m1@customer.test>"))
		if soon.TicketID != r.TicketID || e.ticket(r.TicketID).Status != domain.StatusOpen {
			t.Fatalf("reply within the window: ticket %d, status %s", soon.TicketID, e.ticket(r.TicketID).Status)
		}
	})
}

// TestNewsletterReferences: answers to a message many people got carry its
// id in References; from a stranger with an unrelated subject, that alone
// does not join its ticket.
func TestNewsletterReferences(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		news := e.receive(e.mb, msg("From: alice@customer.test", "Subject: Spring product news", "Message-ID: <news@acme.test>"))
		stranger := e.receive(e.mb, msg("From: zed@other.test", "Subject: Question about my invoice", "Message-ID: <z1@other.test>",
			"In-Reply-To: <unknown@other.test>", "References: <news@acme.test> <unknown@other.test>"))
		if stranger.TicketID == news.TicketID {
			t.Fatal("a stranger's unrelated answer joined the newsletter's ticket")
		}
		related := e.receive(e.mb, msg("From: yan@other.test", "Subject: Re: Spring product news", "Message-ID: <y1@other.test>",
			"In-Reply-To: <unknown2@other.test>", "References: <news@acme.test> <unknown2@other.test>"))
		if related.TicketID != news.TicketID {
			t.Fatal("an answer sharing the subject did not join")
		}
		direct := e.receive(e.mb, msg("From: zed@other.test", "Subject: Something else", "Message-ID: <z2@other.test>", "In-Reply-To: <news@acme.test>"))
		if direct.TicketID != news.TicketID {
			t.Fatal("In-Reply-To alone must still join")
		}
	})
}

// TestTicketFromInbound: an agent turns kept automatic mail into a ticket,
// once.
func TestTicketFromInbound(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		kept := e.receive(e.mb, withEnvelope(fixture(t, "challenge_response.eml"), ""))
		if kept.Outcome != ticket.OutcomeAutomatic {
			t.Fatalf("%+v", kept)
		}
		var inboundID int64
		if err := e.st.DB().QueryRow(e.ctx, `SELECT id FROM inbound WHERE status = 'automatic'`).Scan(&inboundID); err != nil {
			t.Fatal(err)
		}
		agent := e.agent()
		id, err := e.svc.TicketFromInbound(e.ctx, agent, inboundID)
		if err != nil {
			t.Fatal(err)
		}
		msgs := e.messages(id)
		if len(msgs) != 1 || msgs[0].Kind != store.KindInbound || msgs[0].AutoReason == "" || len(e.acks(id)) != 0 {
			t.Fatalf("messages %+v", msgs)
		}
		in, _ := e.st.GetInbound(e.ctx, e.st.DB(), inboundID)
		if in.Status != store.InboundDone || in.MessageID != msgs[0].ID {
			t.Fatalf("inbound after: %+v", in)
		}
		if _, err := e.svc.TicketFromInbound(e.ctx, agent, inboundID); err == nil {
			t.Fatal("turned into a ticket twice")
		}
	})
}

func (e *env) agent() store.User {
	e.t.Helper()
	u := store.User{Email: fmt.Sprintf("agent%d@acme.test", time.Now().UnixNano()), Name: "Agent", Role: domain.RoleAgent, CreatedAt: e.now}
	id, err := e.st.CreateUser(e.ctx, u)
	if err != nil {
		e.t.Fatal(err)
	}
	u.ID = id
	return u
}

func (e *env) list(f store.TicketFilter) []store.Ticket {
	e.t.Helper()
	list, err := e.st.ListTickets(e.ctx, f)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// TestHooksKnowAutomaticMail: a hook that would answer mail (a rule, a
// notification) sees why an added message is automatic, and "" for a
// person's.
func TestHooksKnowAutomaticMail(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		var seen []string
		b := setupHooks(t, dsn, []ticket.Hook{{Stage: ticket.StageRules, Name: "rules", Run: func(_ context.Context, _ *store.Tx, a ticket.Applied) ([]ticket.Change, error) {
			if a.MessageAdded != 0 {
				seen = append(seen, "["+a.Automatic+"]")
			}
			return nil, nil
		}}})
		seen = nil
		mb, err := b.env.Store.MailboxByAddress(b.env.Ctx, "support@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range [][]byte{
			msg("From: alice@customer.test", "Subject: Out of office", "Auto-Submitted: auto-replied", "Message-ID: <h2@customer.test>", "In-Reply-To: <h1@customer.test>"),
			msg("From: alice@customer.test", "Subject: Re: Printer", "Message-ID: <h3@customer.test>", "In-Reply-To: <h1@customer.test>"),
		} {
			if _, err := b.env.Svc.Import(b.env.Ctx, mb.ID, raw); err != nil {
				t.Fatal(err)
			}
		}
		if got := strings.Join(seen, " "); got != "[auto_reply] []" {
			t.Fatalf("hooks saw %s, want [auto_reply] []", got)
		}
	})
}
