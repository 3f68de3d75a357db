package mail

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestAutomaticFixtures: each automatic-mail shape gets its reason, and the
// signal that decided it; the human ones next to them stay human.
func TestAutomaticFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		reason Reason
		auto   string
		check  func(t *testing.T, m *Message)
	}{
		{"arf_abuse.eml", ReasonFeedbackReport, "feedback-report: abuse", func(t *testing.T, m *Message) {
			eq(t, "Feedback", m.Feedback, &FeedbackReport{
				Type: "abuse", OriginalMessageID: "reply-77-2@ticketer.test", OriginalMailFrom: "bounces+77@ticketer.test",
				OriginalRcptTo: "reader@mailbox.example", SourceIP: "192.0.2.25", ReportedDomain: "ticketer.test",
			})
			eq(t, "Bounce", m.Bounce, (*Bounce)(nil))
		}},
		// Some providers send the report part in multipart/mixed.
		{"arf_without_report_wrapper.eml", ReasonFeedbackReport, "feedback-report: fraud", func(t *testing.T, m *Message) {
			eq(t, "Feedback", m.Feedback, &FeedbackReport{
				Type: "fraud", OriginalMessageID: "reply-78-1@ticketer.test", OriginalMailFrom: "bounces+77@ticketer.test",
				OriginalRcptTo: "reader@mailbox.example", SourceIP: "192.0.2.25", ReportedDomain: "ticketer.test",
			})
		}},
		{"mdn_displayed.eml", ReasonReceipt, "disposition-notification: displayed", func(t *testing.T, m *Message) {
			eq(t, "Receipt", m.Receipt, &Receipt{OriginalMessageID: "reply-91-1@ticketer.test", Recipient: "carla@customer.example", Disposition: "displayed"})
			eq(t, "Bounce", m.Bounce, (*Bounce)(nil))
		}},
		{"dsn_never_sent.eml", ReasonBounce, "bounce", func(t *testing.T, m *Message) {
			eq(t, "Bounce", m.Bounce, &Bounce{OriginalMessageID: "forged-1@spammer.example", Recipient: "someone@far-away.example",
				Status: "5.7.1", Action: "failed", Diagnostic: "550 5.7.1 Message rejected as spam"})
		}},
		{"exchange_ooo.eml", ReasonAutoReply, "auto-submitted: auto-generated", nil},
		{"exchange_ooo_subject_only.eml", ReasonAutoReply, "subject: automatische antwort", nil},
		{"gmail_vacation.eml", ReasonAutoReply, "auto-submitted: auto-replied", nil},
		{"zimbra_vacation.eml", ReasonAutoReply, "auto-submitted: auto-replied", nil},
		{"lotus_domino_ooo.eml", ReasonAutoReply, "subject: auto", nil},
		{"apple_icloud_vacation.eml", ReasonAutoReply, "x-autoreply", nil},
		{"challenge_response.eml", ReasonAutoReply, "challenge-response", nil},
		{"spam_flag.eml", ReasonSpam, "x-spam-flag: yes", nil},
		{"spam_status_only.eml", ReasonSpam, "x-spam-status: yes", nil},
		{"rspamd_spam.eml", ReasonSpam, "x-spam: yes", nil},
		{"spam_status_no.eml", "", "", nil},
		{"null_return_path_reply.eml", ReasonAutoReply, "null return-path", nil},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(strings.TrimSuffix(tt.file, ".eml"), func(t *testing.T) {
			t.Parallel()
			m := mustParse(t, filepath.Join("auto", tt.file))
			eq(t, "Reason", m.Reason, tt.reason)
			eq(t, "Auto", m.Auto, tt.auto)
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
	files := fixtures(t, "testdata/auto/*.eml")
	for _, f := range files {
		if !seen[filepath.Base(f)] {
			t.Errorf("fixture %s has no test case", f)
		}
	}
}

// TestReasonOfExistingFixtures: the fixtures that predate Reason get the
// reason their Auto value implies.
func TestReasonOfExistingFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file   string
		reason Reason
	}{
		{"dsn_bounce_rfc822.eml", ReasonBounce},
		{"dsn_bounce_headers_only.eml", ReasonBounce},
		{"dsn_bounce_envelope_id_only.eml", ReasonBounce},
		{"qmail_bounce.eml", ReasonBounce},
		{"exim_bounce.eml", ReasonBounce},
		{"attached_original_bounce.eml", ReasonBounce},
		{"auto_submitted_auto_replied.eml", ReasonAutoReply},
		{"auto_submitted_auto_generated.eml", ReasonAutoReply},
		{"precedence_bulk.eml", ReasonAutoReply},
		{"list_id.eml", ReasonAutoReply},
		{"x_auto_response_suppress.eml", ReasonAutoReply},
		{"empty_return_path.eml", ReasonAutoReply},
		{"noreply_sender.eml", ReasonAutoReply},
		{"auto_submitted_no.eml", ""},
		{"plain_text.eml", ""},
		{"forwarded_rfc822.eml", ""},
		{"outlook_reply.eml", ""},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".eml"), func(t *testing.T) {
			t.Parallel()
			m := mustParse(t, tt.file)
			eq(t, "Reason", m.Reason, tt.reason)
			if (m.Reason == "") != (m.Auto == "") {
				t.Errorf("Reason %q and Auto %q disagree", m.Reason, m.Auto)
			}
		})
	}
}

// TestClassifySignals: one message per signal, so a rule that goes away or
// changes its value fails here by name.
func TestClassifySignals(t *testing.T) {
	t.Parallel()
	base := "From: Ann <ann@customer.example>\nTo: support@ticketer.test\nMessage-ID: <x@customer.example>\n"
	tests := []struct {
		name, head, subject, body string
		reason                    Reason
		auto                      string
	}{
		{"person", "", "Printer", "It is broken.", "", ""},
		{"auto-submitted no", "Auto-Submitted: no\n", "Printer", "x", "", ""},
		{"auto-submitted with comment", "Auto-Submitted: auto-replied (vacation)\n", "x", "x", ReasonAutoReply, "auto-submitted: auto-replied"},
		{"auto-submitted empty", "Auto-Submitted:\n", "x", "x", ReasonAutoReply, "auto-submitted: present"},
		{"auto-submitted with parameters only", "Auto-Submitted: ;x=y\n", "x", "x", ReasonAutoReply, "auto-submitted: present"},
		{"auto-submitted keyword with parameters", "Auto-Submitted: auto-generated; x=y\n", "x", "x", ReasonAutoReply, "auto-submitted: auto-generated"},
		{"precedence list", "Precedence: list\n", "x", "x", ReasonAutoReply, "precedence: list"},
		{"precedence auto_reply", "Precedence: auto_reply\n", "x", "x", ReasonAutoReply, "precedence: auto_reply"},
		{"precedence first-class", "Precedence: first-class\n", "x", "x", "", ""},
		{"list-unsubscribe", "List-Unsubscribe: <mailto:u@list.example>\n", "x", "x", ReasonAutoReply, "list-unsubscribe"},
		{"x-autorespond", "X-Autorespond: yes\n", "x", "x", ReasonAutoReply, "x-autorespond"},
		{"x-mail-autoreply", "X-Mail-Autoreply: yes\n", "x", "x", ReasonAutoReply, "x-mail-autoreply"},
		{"x-fc-machinegenerated", "X-FC-MachineGenerated: true\n", "x", "x", ReasonAutoReply, "x-fc-machinegenerated"},
		{"domino $autosubmitted", "$AutoSubmitted: auto-generated\n", "x", "x", ReasonAutoReply, "$autosubmitted"},
		{"null return-path", "Return-Path: <>\n", "x", "x", ReasonAutoReply, "null return-path"},
		{"qmail null return-path", "Return-Path: <#@[]>\n", "x", "x", ReasonAutoReply, "null return-path"},
		{"sendmail null return-path", "Return-Path: <MAILER-DAEMON>\n", "x", "x", ReasonAutoReply, "null return-path"},
		{"mailer-daemon with a domain is an address", "Return-Path: <mailer-daemon@ann.example>\n", "x", "x", "", ""},
		{"forwarded challenge is a person's question", "", "Fwd: what is this?", "What is this? Should I click it?\n\n---------- Forwarded message ---------\n" +
			"Please confirm that you are a human; then you join my approved senders.", "", ""},
		{"normal return-path", "Return-Path: <ann@customer.example>\n", "x", "x", "", ""},
		{"robot sender header", "Sender: <mailer-daemon@mx.example>\n", "x", "x", ReasonAutoReply, "sender: mailer-daemon"},
		{"noreply prefix", "Sender: <noreply-billing@shop.example>\n", "x", "x", ReasonAutoReply, "sender: noreply"},
		{"verp bounces", "Sender: <bounces+1234-ann=customer.example@mail.shop.example>\n", "x", "x", ReasonAutoReply, "sender: bounces"},
		{"exchange online", "Sender: <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@tenant.example>\n", "x", "x", ReasonAutoReply, "sender: microsoftexchange"},
		{"robot as a later Sender mailbox", "Sender: <ann@customer.example>, <mailer-daemon@mx.example>\n", "x", "x", ReasonAutoReply, "sender: mailer-daemon"},
		{"bouncer is a person", "Sender: <bouncer@club.example>\n", "x", "x", "", ""},
		{"spam beats auto-reply", "X-Spam-Flag: YES\nAuto-Submitted: auto-replied\n", "x", "x", ReasonSpam, "x-spam-flag: yes"},
		{"spam from a later hop", "X-Spam-Status: No, score=0\nX-Spam-Status: Yes, score=9\n", "x", "x", ReasonSpam, "x-spam-status: yes"},
		{"spam flag no", "X-Spam-Flag: NO\n", "x", "x", "", ""},
		{"subject automatic reply", "", "Automatic reply: Printer", "x", ReasonAutoReply, "subject: automatic reply"},
		{"subject out of office autoreply", "", "Out of Office AutoReply: Printer", "x", ReasonAutoReply, "subject: out of office autoreply"},
		{"subject french", "", "Réponse automatique : Imprimante", "x", ReasonAutoReply, "subject: réponse automatique"},
		{"subject spanish", "", "Respuesta automática: Impresora", "x", ReasonAutoReply, "subject: respuesta automática"},
		{"subject portuguese", "", "Resposta automática: Impressora", "x", ReasonAutoReply, "subject: resposta automática"},
		{"subject italian", "", "Risposta automatica: Stampante", "x", ReasonAutoReply, "subject: risposta automatica"},
		{"subject dutch", "", "Automatisch antwoord: Printer", "x", ReasonAutoReply, "subject: automatisch antwoord"},
		{"subject polish", "", "Odpowiedź automatyczna: Drukarka", "x", ReasonAutoReply, "subject: odpowiedź automatyczna"},
		{"subject swedish", "", "Automatiskt svar: Skrivare", "x", ReasonAutoReply, "subject: automatiskt svar"},
		{"subject danish", "", "Automatisk svar: Printer", "x", ReasonAutoReply, "subject: automatisk svar"},
		{"subject finnish", "", "Automaattinen vastaus: Tulostin", "x", ReasonAutoReply, "subject: automaattinen vastaus"},
		{"subject czech", "", "Automatická odpověď: Tiskárna", "x", ReasonAutoReply, "subject: automatická odpověď"},
		{"subject russian", "", "Автоматический ответ: Принтер", "x", ReasonAutoReply, "subject: автоматический ответ"},
		{"subject turkish", "", "Otomatik yanıt: Yazıcı", "x", ReasonAutoReply, "subject: otomatik yanıt"},
		{"subject japanese", "", "自動応答: プリンター", "x", ReasonAutoReply, "subject: 自動応答"},
		{"subject chinese fullwidth colon", "", "自动回复：打印机", "x", ReasonAutoReply, "subject: 自动回复"},
		{"subject lotus", "", "AUTO: Ann Smith is out of the office (returning 04/15/2024)", "x", ReasonAutoReply, "subject: auto"},
		{"subject auto is a car in german", "", "Auto: Rückruf wegen Kennzeichen", "x", "", ""},
		{"subject words without colon", "", "Automatic reply not working in my account", "x", "", ""},
		{"unknown report type", "Content-Type: multipart/report; report-type=tlsrpt; boundary=b\n", "Report", "--b\nContent-Type: text/plain\n\nx\n--b--\n", ReasonAutoReply, "report: tlsrpt"},
		{"challenge", "", "Verification request", "Please confirm that you are a human; then you join my approved senders.", ReasonAutoReply, "challenge-response"},
		{"two challenge phrases are enough", "", "Verification request", "Please confirm that you are a human.", ReasonAutoReply, "challenge-response"},
		{"one challenge phrase is a person", "", "Spam filter", "Can you whitelist our domain? Thanks.", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse([]byte(base + tt.head + "Subject: " + tt.subject + "\n\n" + tt.body + "\n"))
			if err != nil {
				t.Fatal(err)
			}
			eq(t, "Reason", m.Reason, tt.reason)
			eq(t, "Auto", m.Auto, tt.auto)
		})
	}
}

// TestReasonsAreTheContract: the values are stored and shown by the API
// (GET /api/v1/inbound?status=automatic), so they never change.
func TestReasonsAreTheContract(t *testing.T) {
	t.Parallel()
	got := []Reason{ReasonBounce, ReasonAutoReply, ReasonFeedbackReport, ReasonReceipt, ReasonLoop, ReasonSpam}
	want := []Reason{"bounce", "auto_reply", "feedback_report", "receipt", "loop", "spam"}
	eq(t, "reasons", got, want)
}
