package mail

import (
	"strings"
	"testing"
)

func TestVisibleText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "Hello\n", "Hello"},
		{"quote lines", "Answer\n\n> question\n> more", "Answer"},
		{"attribution", "Yes.\n\nOn Mon, 4 Mar 2024 at 10:00, Ann <a@x.com> wrote:\n> q", "Yes."},
		{"attribution wrapped", "Yes.\n\nOn Mon, 4 Mar 2024 at 10:00, Ann Long-Name\n<a@x.com> wrote:\n> q", "Yes."},
		{"german", "Ja.\nAm 04.03.2024 um 10:00 schrieb Ann <a@x.de>:\n> q", "Ja."},
		{"french", "Oui.\nLe lun. 4 mars 2024 à 10:00, Ann <a@x.fr> a écrit :\n> q", "Oui."},
		{"attribution without quote markers", "Yes.\n\nOn Mon, Ann wrote:\nold text without markers", "Yes."},
		{"original message", "New.\n-----Original Message-----\nFrom: x\nold", "New."},
		{"german original message", "Neu.\n-----Ursprüngliche Nachricht-----\nVon: x\nalt", "Neu."},
		{"outlook block", "New.\n\nFrom: A <a@x>\nSent: Monday\nTo: B\nSubject: S\n\nold", "New."},
		{"underscore separator", "New.\n\n________________________________\nFrom: A <a@x>\nSent: Monday\nold", "New."},
		{"signature dash dash space", "Text\n-- \nSig", "Text"},
		{"signature dash dash", "Text\n--\nSig", "Text"},
		{"inline reply", "> q1\na1\n> q2\n\na2\n> q3", "a1\n\na2"},
		{"crlf", "Line 1\r\nLine 2\r\n> q\r\n", "Line 1\nLine 2"},
		{"only quotes falls back", "> only\n> quoted\n", "> only\n> quoted"},
		{"only signature falls back", "-- \nSig only", "--\nSig only"},
		{"blank lines trimmed", "\n\n  \nHi\n\n\n\nthere\n\n", "Hi\n\nthere"},
		{"empty", "", ""},
		{"not a header block", "From: my desk I can see\nthe printer burning.", "From: my desk I can see\nthe printer burning."},
		{"underscore separator, blank line before From", "New.\n\n________________________________\n\nFrom: A <a@x>\nSent: Monday\nold", "New."},
		{"attribution last", "Yes.\n\nOn Mon, 4 Mar 2024 at 10:00, Ann <a@x.com> wrote:\n\n", "Yes."},
		{"outlook block, subject 7 lines down", "New.\n\nFrom: A <a@x>\nSent: Monday\nTo: B\nCc: C\nX-1: 1\nX-2: 2\nX-3: 3\nSubject: S\n\nold", "New."},
		{"subject 8 lines down is no outlook block", "New.\n\nFrom: A <a@x>\nSent: Monday\nTo: B\nCc: C\nX-1: 1\nX-2: 2\nX-3: 3\nX-4: 4\nSubject: S",
			"New.\n\nFrom: A <a@x>\nSent: Monday\nTo: B\nCc: C\nX-1: 1\nX-2: 2\nX-3: 3\nX-4: 4\nSubject: S"},
		// Lines up to maxSignatureLine bytes are tried as a phone's signature.
		{"signature line of 160 bytes", "Yes.\nSent from my iPhone" + strings.Repeat(" ", 141), "Yes."},
		{"161 bytes is no signature line", "Yes.\nSent from my iPhone" + strings.Repeat(" ", 142), "Yes.\nSent from my iPhone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eq(t, "VisibleText", VisibleText(tt.in), tt.want)
		})
	}
}

func TestVisibleTextFromHTML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"gmail", `<div dir="ltr">New</div><div class="gmail_quote"><div class="gmail_attr">On X wrote:</div><blockquote class="gmail_quote">old</blockquote></div>`, "New"},
		{"gmail signature", `<div>New</div><div class="gmail_signature">Sig</div>`, "New"},
		{"apple", `New<blockquote type="cite">old</blockquote>`, "New"},
		{"thunderbird", `<p>New</p><div class="moz-cite-prefix">On X, Y wrote:</div><blockquote type="cite">old</blockquote>`, "New"},
		{"outlook web", `<div>New</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> x</div><div>old</div>`, "New"},
		{"outlook nested cut", `<div><div>New</div><div><div id="divRplyFwdMsg">From: x</div><p>old 1</p></div><p>old 2</p></div>`, "New"},
		{"outlook desktop border-top", `<p class=MsoNormal>New</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>From:</b> x</p></div><p>old</p>`, "New"},
		{"generic trailing blockquote", `<p>New</p><p>On Monday Bob wrote:</p><blockquote>old</blockquote>`, "New"},
		{"inline html reply", `<blockquote>q1</blockquote><p>a1</p><blockquote>q2</blockquote><p>a2</p>`, "a1\n\na2"},
		{"dash signature", `<div>New<br>-- <br>Sig</div>`, "New"},
		{"breaks and paragraphs", `<p>One<br>Two</p><p>Three</p><div>Four</div>`, "One\nTwo\n\nThree\n\nFour"},
		{"entities and nbsp", `<p>a&amp;b&nbsp;&lt;c&gt;</p>`, "a&b <c>"},
		{"scripts invisible", `<style>p{}</style><script>x()</script><p>Body</p>`, "Body"},
		{"only quote falls back", `<blockquote type="cite">old only</blockquote>`, "> old only"},
		{"empty", ``, ""},
		{"outlook mobile signature", `<div>Ok</div><div id="ms-outlook-mobile-signature">Get <a href="x">Outlook for iOS</a></div>`, "Ok"},
		{"outlook quoted again", `<div>New</div><div id="x_divRplyFwdMsg"><b>From:</b> x</div><div>old</div>`, "New"},
		{"proton quote", `<div>New</div><div class="protonmail_quote">On Mon, Ann wrote:<blockquote>old</blockquote></div>`, "New"},
		{"outlook desktop localized from", `<p class=MsoNormal>Neu</p><div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>Lähettäjä:</b> x</p></div><p>vanha</p>`, "Neu"},
		{"outlook blank paragraph", `<p class=MsoNormal>One</p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Two</p>`, "One\n\nTwo"},
		{"outlook paragraph with only an image", `<p class=MsoNormal>One</p><p class=MsoNormal><img src="cid:x" alt=""></p><p class=MsoNormal>Two</p>`, "One\nTwo"},
		{"type=cite only quotes on a blockquote", `<p>New</p><div type="cite">Still new</div>`, "New\n\nStill new"},
		{"pre keeps its spacing, not what follows", "<p>See:</p><pre>a  b\n  indented</pre><p>after   the   pre</p>", "See:\n\na  b\n  indented\n\nafter the pre"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eq(t, "VisibleTextFromHTML", VisibleTextFromHTML(tt.in), tt.want)
		})
	}
}

// TestVisibleTextSeparators: each localized "original message" separator
// and forward introduction cuts the history below it.
func TestVisibleTextSeparators(t *testing.T) {
	t.Parallel()
	seps := []string{
		"-----Original Message-----", "---------- Forwarded message ---------", "-----Ursprüngliche Nachricht-----",
		"-------- Weitergeleitete Nachricht --------", "-------- Message d'origine --------", "-------- Message original --------",
		"-----Mensaje original-----", "-----Mensagem original-----", "-----Messaggio originale-----",
		"-----Oorspronkelijk bericht-----", "-----Wiadomość oryginalna-----", "-------- Oryginalna wiadomość --------",
		"-----Ursprungligt meddelande-----", "-------- Originalmeddelande --------", "-----Opprinnelig melding-----",
		"-----Oprindelig meddelelse-----", "-------- Oprindelig besked --------", "-----Alkuperäinen viesti-----",
		"-----Původní zpráva-----", "-----Исходное сообщение-----", "-------- Пересылаемое сообщение --------",
		"-----Özgün İleti-----", "-----Orijinal Mesaj-----", "-----元のメッセージ-----", "-----原始邮件-----",
		"------------------ 原始邮件 ------------------", "-----原始郵件-----",
		"------------------\u00a0原始邮件\u00a0------------------", "Begin forwarded message:", "Anfang der weitergeleiteten Nachricht:", "Début du message réexpédié :",
	}
	for _, sep := range seps {
		t.Run(sep, func(t *testing.T) {
			t.Parallel()
			eq(t, "VisibleText", VisibleText("New text.\n\n"+sep+"\nFrom: a@x\nold text"), "New text.")
		})
	}
}

// TestVisibleTextMobileSignatures: the line a phone's mail app appends, and
// everything after it, is not the author's.
func TestVisibleTextMobileSignatures(t *testing.T) {
	t.Parallel()
	sigs := []string{
		"Sent from my iPhone", "Sent from my Samsung Galaxy smartphone.", "Sent from Mail for Windows", "Sent from Yahoo Mail for iPhone",
		"Get Outlook for iOS", "Get Outlook for Android<https://aka.ms/ghei36>", "Von meinem iPhone gesendet", "Gesendet von meinem iPad",
		"Gesendet von Outlook für Android", "Von meiner Galaxy Watch gesendet", "Gesendet mit der WEB.DE Mail App", "Outlook für iOS beziehen<https://aka.ms/o0ukef>",
		"Envoyé de mon iPhone", "Envoyé depuis mon appareil Galaxy", "Obtenir Outlook pour iOS", "Enviado desde mi iPhone",
		"Enviado desde mi smartphone Samsung Galaxy.", "Obtener Outlook para Android", "Enviado do meu iPhone", "Obter o Outlook para iOS",
		"Inviato da iPhone", "Inviato dal mio dispositivo Galaxy", "Scarica Outlook per iOS", "Verzonden vanaf mijn iPhone",
		"Verstuurd vanaf mijn Samsung", "Outlook voor iOS downloaden", "Wysłane z mojego iPhone'a", "Pobierz aplikację Outlook dla systemu Android",
		"Skickat från min iPhone", "Hämta Outlook för iOS", "Sendt fra min iPhone", "Hent Outlook for Android", "Hent Outlook til iOS",
		"Lähetetty iPhonesta", "Lähetetty Android-laitteestani", "Odesláno z iPhonu", "Stáhněte si Outlook pro iOS", "Отправлено с iPhone",
		"Отправлено из мобильной Почты Mail.ru", "Скачайте Outlook для Android", "iPhone'umdan gönderildi", "iOS için Outlook'u edinin",
		"iPhoneから送信", "iOS 版 Outlook を入手", "发自我的iPhone", "从我的 iPhone 发送", "從我的 iPhone 傳送", "获取 iOS 版 Outlook",
	}
	for _, sig := range sigs {
		t.Run(sig, func(t *testing.T) {
			t.Parallel()
			eq(t, "VisibleText", VisibleText("Yes, go ahead.\n\n"+sig+"\n\n> old"), "Yes, go ahead.")
		})
	}
}

// TestVisibleTextKeepsTheAuthor: lines that look a little like quote
// markers but are the author's own words stay.
func TestVisibleTextKeepsTheAuthor(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"colon line without a verb", "On Monday I tried these steps:\n1. restart\n2. login", "On Monday I tried these steps:\n1. restart\n2. login"},
		{"german am without verb", "Am Montag bin ich da:\nbitte anrufen.", "Am Montag bin ich da:\nbitte anrufen."},
		{"von in prose", "Von: meinem Kollegen weiß ich das.\nDanke.", "Von: meinem Kollegen weiß ich das.\nDanke."},
		{"sent from in prose", "The file was sent from my laptop yesterday, but it never arrived at your side.", "The file was sent from my laptop yesterday, but it never arrived at your side."},
		{"author line above attribution", "See you on 5 March 2024.\nOn Mon, 4 Mar 2024 at 10:00, Ann <a@x.com> wrote:\n> q", "See you on 5 March 2024."},
		{"exclamation above attribution", "Thanks!\nOn Mon, 4 Mar 2024 at 10:00, Ann\n<a@x.com> wrote:\n> q", "Thanks!"},
		{"loose attribution keeps unquoted text", "My colleague wrote:\nthe server is down", "My colleague wrote:\nthe server is down"},
		{"verbless needs a quote", "Call me, 2024 plans, Ann <a@x.com>:\nabout the budget", "Call me, 2024 plans, Ann <a@x.com>:\nabout the budget"},
		{"the author quoting their own date", "Hello,\nas I wrote on 04.03.2024:\nthe printer is broken.", "Hello,\nas I wrote on 04.03.2024:\nthe printer is broken."},
		{"attribution with pasted history", "Ok.\n\nLe 4 mars 2024, Anne <a@x.fr> a écrit :\nancien texte", "Ok."},
		{"three-line attribution", "Yes.\n\nOn Mon, 4 Mar 2024 at 10:00,\nAnn Very-Long-Name\n<ann@example.com> wrote:\n> q", "Yes."},
		{"french narrow no-break space", "Oui.\n\nLe lun. 4 mars 2024 à 10:00, Anne <a@x.fr> a écrit\u202f:\n> q", "Oui."},
		{"spanish outlook enviado el", "Sí.\n\nDe: Ana <a@x.es>\nEnviado el: lunes, 4 de marzo de 2024 10:00\nPara: b@x.es\nAsunto: Hola\n\nviejo", "Sí."},
		{"portuguese outlook enviada em", "Sim.\n\nDe: Ana <a@x.pt>\nEnviada em: segunda-feira, 4 de março de 2024 10:00\nPara: b@x.pt\nAssunto: Olá\n\nvelho", "Sim."},
		{"french outlook no-break space", "Oui.\n\nDe\u00a0: Anne <a@x.fr>\nEnvoyé\u00a0: lundi 4 mars 2024 10:00\nÀ\u00a0: b@x.fr\nObjet\u00a0: Salut\n\nvieux", "Oui."},
		{"bold outlook labels", "Ok.\n\n*From:* Ann <a@x.com>\n*Sent:* Monday, March 4, 2024 10:00 AM\n*To:* b@x.com\n*Subject:* Hi\n\nold", "Ok."},
		{"pt-PT gmail date after verb", "Sim.\n\nAna <a@x.pt> escreveu (segunda, 4/03/2024 à(s) 10:00):\n\n> velho", "Sim."},
		{"inline reply keeps answers", "> q1\na1\n\nOn Mon, 4 Mar 2024, Ann <a@x.com> wrote:\n> q2\na2", "a1\n\na2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			eq(t, "VisibleText", VisibleText(tt.in), tt.want)
		})
	}
}

// BenchmarkVisibleText: a long thread, 200 replies deep, in plain text.
func BenchmarkVisibleText(b *testing.B) {
	var s strings.Builder
	s.WriteString("Thanks, that works.\n\nAnn\n\n")
	for i := 0; i < 200; i++ {
		s.WriteString("On Mon, 4 Mar 2024 at 10:00, Support <support@ticketer.test> wrote:\n")
		s.WriteString(strings.Repeat("> a line of the earlier message, long enough to look like mail\n", 10))
	}
	text := s.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		VisibleText(text)
	}
}

// TestDeepBlockquotesFlatten: past maxQuoteDepth levels a blockquote adds
// no more "> " (each level copied the text again: hostile nesting was
// quadratic), but its text is still quoted.
func TestDeepBlockquotesFlatten(t *testing.T) {
	t.Parallel()
	html := strings.Repeat("<blockquote>", 100) + "deep" + strings.Repeat("</blockquote>", 100)
	got := htmlToText(html)
	if !strings.HasSuffix(got, "deep") || strings.Count(got, ">") != maxQuoteDepth {
		t.Errorf("htmlToText = %q, want %d quote markers before deep", got, maxQuoteDepth)
	}
	eq(t, "VisibleTextFromHTML", VisibleTextFromHTML("<p>New</p>"+html), "New")
}

// TestVisibleTextOfHTMLOnlyMail: for a message with only HTML, the visible
// text is read from the HTML, whose quote markers (here Gmail's class, with
// no attribution line) the text made from it has lost.
func TestVisibleTextOfHTMLOnlyMail(t *testing.T) {
	t.Parallel()
	m, err := Parse([]byte("From: a@x.test\r\nTo: s@t.test\r\nSubject: Re: x\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<div>Works now.</div><div class="gmail_quote">Earlier text here<blockquote>Did it work?</blockquote></div>`))
	if err != nil {
		t.Fatal(err)
	}
	if m.VisibleText != "Works now." {
		t.Fatalf("VisibleText %q, want %q", m.VisibleText, "Works now.")
	}
}
