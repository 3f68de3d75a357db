package mail

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The words mail clients write around quoted history, in the languages
// support teams see: English, German, French, Spanish, Portuguese, Italian,
// Dutch, Polish, Swedish, Norwegian, Danish, Finnish, Czech, Russian,
// Turkish, Japanese and Chinese. Each list is the clients' own wording
// (Gmail, Outlook desktop/web/mobile, Apple Mail, Thunderbird, the big
// webmailers); visible_test.go has a reply per language and client shape.

// alt joins alternatives into one regexp group body.
func alt(words ...string) string { return strings.Join(words, "|") }

// colon is ASCII or full-width, optionally after a (no-break, narrow
// no-break) space, as French typography and CJK clients write it.
const colon = `[ \t\x{00a0}\x{202f}]*[:：]`

var (
	// attributionVerbs end an attribution line ("... wrote:"), possibly
	// followed by the date ("Ann schrieb am 04.03.2024 um 10:00:").
	// Lower-case; each must follow a non-letter.
	attributionVerbs = []string{
		"wrote", "writes", "has written", // en
		"schrieb", "schreibt", "hat geschrieben", // de
		"a écrit", "a ecrit", "écrivait", // fr
		"escribió", "escribio", "ha escrito", // es
		"escreveu", "escrevia", // pt
		"ha scritto", "scrive", // it
		"schreef", "schrijft", "heeft geschreven", // nl
		"napisał(a)", "napisała", "napisał", "pisze", // pl
		"skrev", "skriver", // sv, no, da
		"kirjoitti",                                          // fi
		"napsal(a)", "napsal/a", "napsala", "napsal", "píše", // cs
		"написал(а)", "написала", "написал", "пишет", // ru
		"şunu yazdı", "yazdı", // tr
	}
	// CJK verbs follow the name without a space: "王伟写道：".
	attributionCJKVerbs = []string{"さんは書きました", "は書きました", "のメール", "写道", "寫道"}

	// attributionStartRe: the words an attribution begins with when the date
	// comes first ("On ...", "Am ...", "Le ...", "W dniu ...", "在 ...").
	attributionStartRe = regexp.MustCompile(`(?i)^\s*(` + alt(`on`, `am`, `le`, `el`, `em`, `il giorno`, `il`, `op`, `w dniu`, `dnia`, `den`, `dne`) + `)\s|^\s*在`)

	// A date or time: a four-digit year, hh:mm or hh.mm, d.m., or 年.
	attributionDateRe = regexp.MustCompile(`\d{4}|\d{1,2}[:.]\d{2}\b|\d{1,2}\.\s?\d{1,2}\.|年`)
	attributionMailRe = regexp.MustCompile(`[^\s<>()@]+@[^\s<>()@]+\.[^\s<>()@]+|mailto:`)
	// Gmail in Russian, Japanese and Korean writes no verb: "пн, 4 мар. 2024
	// г. в 10:00, Ann <a@x>:". Only taken when a quote follows.
	verblessAttributionRe = regexp.MustCompile(`[>)]` + colon + `$`)

	// originalMessageRe: the separator lines above a quoted or forwarded
	// message ("-----Original Message-----", "-------- Oprindelig besked
	// --------", "------------------ 原始邮件 ------------------").
	originalMessageRe = lazyRegexp(`(?i)^[\s\x{00a0}]*[-_=*]{2,}[\s\x{00a0}]*(` + alt(
		`original message`, `forwarded message`, `original e-?mail`,
		`ursprüngliche nachricht`, `originalnachricht`, `weitergeleitete nachricht`,
		`message d'origine`, `message original`, `message transféré`,
		`mensaje original`, `mensaje reenviado`,
		`mensagem original`, `mensagem encaminhada`,
		`messaggio originale`, `messaggio inoltrato`,
		`oorspronkelijk bericht`, `origineel bericht`, `doorgestuurd bericht`,
		`wiadomość oryginalna`, `oryginalna wiadomość`, `przekazana wiadomość`,
		`ursprungligt meddelande`, `originalmeddelande`, `vidarebefordrat meddelande`,
		`opprinnelig melding`, `original melding`, `videresendt melding`,
		`oprindelig meddelelse`, `oprindelig besked`, `original besked`, `videresendt besked`,
		`alkuperäinen viesti`, `välitetty viesti`,
		`původní zpráva`, `přeposlaná zpráva`,
		`исходное сообщение`, `пересылаемое сообщение`, `оригинальное сообщение`, `пересланное сообщение`,
		`özgün ileti`, `özgün İleti`, `orijinal mesaj`, `orijinal ileti`, `iletilen ileti`,
		`元のメッセージ`, `転送メッセージ`, `原始邮件`, `原始郵件`, `原始信件`, `转发邮件`, `轉寄郵件`,
	) + `)[\s\x{00a0}]*[-_=*]{2,}[\s\x{00a0}]*$`)
	// forwardedIntroRe is Apple Mail's forward introduction, localized.
	forwardedIntroRe = lazyRegexp(`(?i)^\s*(` + alt(
		`begin forwarded message`, `anfang der weitergeleiteten nachricht`, `début du message réexpédié`,
		`inicio del mensaje reenviado`, `início da mensagem reencaminhada`, `inizio messaggio inoltrato`,
		`begin doorgestuurd bericht`, `początek przekazanej wiadomości`, `vidarebefordrat brev`,
		`videresendt melding`, `videresendt meddelelse`, `välitetty viesti alkaa`, `začátek přeposlané zprávy`,
		`начало переадресованного сообщения`, `iletilen ileti başlangıcı`, `転送されたメッセージ`, `转发的邮件`, `轉寄的郵件`,
	) + `)` + colon + `\s*$`)

	// The labels of Outlook's header block above quoted history.
	hdrFromLabels = alt(`from`, `von`, `de`, `da`, `van`, `od`, `från`, `fra`, `lähettäjä`, `от`, `kimden`,
		`差出人`, `送信者`, `发件人`, `發件人`, `寄件者`, `寄件人`)
	hdrSentLabels = alt(`sent`, `date`, `gesendet`, `datum`, `envoyé`, `enviado el`, `enviado em`, `enviada em`, `enviado`, `enviada`, `fecha`, `data`, `inviato`,
		`verzonden`, `wysłane`, `wysłano`, `skickat`, `sendt`, `dato`, `lähetetty`, `päivämäärä`, `odesláno`,
		`отправлено`, `дата`, `gönderildi`, `gönderilme tarihi`, `gönderim`, `tarih`,
		`送信日時`, `日付`, `发送时间`, `發送時間`, `日期`, `寄件日期`, `时间`)
	hdrSubjectLabels = alt(`subject`, `betreff`, `objet`, `asunto`, `assunto`, `oggetto`, `onderwerp`, `temat`,
		`ämne`, `emne`, `aihe`, `předmět`, `тема`, `konu`, `件名`, `主题`, `主題`, `主旨`)
	hdrFromRe    = regexp.MustCompile(`(?i)^\s*\*?(` + hdrFromLabels + `)\*?` + colon + `\*?\s*\S`)
	hdrSentRe    = regexp.MustCompile(`(?i)^\s*\*?(` + hdrSentLabels + `)\*?` + colon)
	hdrSubjectRe = regexp.MustCompile(`(?i)^\s*\*?(` + hdrSubjectLabels + `)\*?` + colon)

	underscoreLineRe = regexp.MustCompile(`^\s*_{10,}\s*$`)

	// mobileSignatureRe: the line a phone's mail app appends ("Sent from my
	// iPhone", "Get Outlook for iOS<https://aka.ms/o0ukef>"), per language.
	mobileSignatureRe = lazyRegexp(`(?i)^\s*(` + alt(
		`sent from my .{1,40}`, `sent from (outlook|mail for windows|yahoo mail|aol|proton mail|samsung).{0,40}`, `sent (via|with) .{1,30} (app|mobile|for (ios|android))`, `get outlook for (ios|android)`,
		`von (meinem|meiner) .{1,40} gesendet`, `gesendet von meinem .{1,40}`, `gesendet (von|mit) .{1,30} für (ios|android)`, `gesendet mit der .{1,30} app`, `outlook für (ios|android) (herunterladen|beziehen)`,
		`envoyé de mon .{1,40}`, `envoyé depuis mon .{1,40}`, `envoyé à partir de .{1,40}`, `(obtenir|télécharger) outlook pour (ios|android)`,
		`enviado desde mi .{1,40}`, `enviado desde (outlook|correo|yahoo).{0,40}`, `obtener outlook para (ios|android)`,
		`enviado do meu .{1,40}`, `enviado a partir do meu .{1,40}`, `(obter o|obtenha o|baixe o) outlook para (ios|android)`,
		`inviato da iphone`, `inviato da ipad`, `inviato dal mio .{1,40}`, `inviato da (outlook|libero|yahoo).{0,30}`, `(scarica|ottieni) outlook per (ios|android)`,
		`(verzonden|verstuurd) (vanaf|met|via) (mijn )?.{1,40}`, `outlook voor (ios|android) downloaden`,
		`wysłane z (mojego )?.{1,40}`, `pobierz (aplikację )?outlook dla (systemu )?(ios|android)`,
		`skickat från min .{1,40}`, `hämta outlook för (ios|android)`,
		`sendt fra min .{1,40}`, `hent outlook (for|til) (ios|android)`,
		`lähetetty (iphonesta|ipadista|android-?(laitteesta|puhelimesta)(ni)?|.{1,30}(sta|stä))`, `hanki outlook for (ios|android)`,
		`odesláno z (mého )?.{1,40}`, `stáhněte si outlook pro (ios|android)`,
		`отправлено с (моего )?.{1,40}`, `отправлено из .{1,40}`, `скачайте outlook для (ios|android)`,
		`\S{1,30}(dan|den) gönderildi`, `(ios|android) için outlook'u edinin`,
		`\S{1,20}から送信`, `(ios|android) 版 outlook を入手`,
		`(从|從)我的.{1,20}(发送|傳送|發送)`, `发自我的.{1,20}`, `(获取|取得) ?(ios|android) ?版 ?outlook`,
	) + `)\.?\s*(<[^<>\s]+>|\([^()\s]+\))?\s*$`)
)

// attributionAt finds an attribution ("On ... wrote:") that ends at line
// end, which clients wrap over up to three lines. It returns the first line
// of the block (-1 if none) and whether the block is certain enough to cut
// unquoted history after it: a verb, and a start word or an address.
// A block takes in the lines above it only when they make it more certain,
// so the author's last line is not eaten.
func attributionAt(lines []string, end int) (start int, certain bool) {
	last := strings.TrimSpace(lines[end])
	if last == "" || isQuoted(last) || !(strings.HasSuffix(last, ":") || strings.HasSuffix(last, "：")) {
		return -1, false
	}
	best, bestScore := -1, 0
	verbless := false
	joined := ""
	for s := end; s >= 0 && s > end-3; s-- {
		l := strings.TrimSpace(lines[s])
		if l == "" || isQuoted(l) {
			break
		}
		if s < end && endsSentence(l) {
			break
		}
		joined = strings.TrimSpace(l + " " + joined)
		if len(joined) > 400 {
			break
		}
		hasVerb := hasAttributionVerb(joined)
		noVerb := !hasVerb && verblessAttributionRe.MatchString(joined) &&
			attributionMailRe.MatchString(joined) && attributionDateRe.MatchString(joined)
		if !hasVerb && !noVerb {
			continue
		}
		// How sure the block's first line is the start of an attribution.
		score := 1
		switch {
		case attributionStartRe.MatchString(l):
			score = 4
		case attributionMailRe.MatchString(l):
			score = 3
		case attributionDateRe.MatchString(l):
			score = 2
		}
		if score > bestScore {
			best, bestScore, verbless = s, score, noVerb
		}
	}
	if best < 0 {
		return -1, false
	}
	// A date alone is too weak to cut at: "As I wrote on 04.03.2024:" is
	// the author introducing their own words.
	return best, bestScore >= 3 && !verbless
}

// hasAttributionVerb: s ends with a verb of attributionVerbs, then at
// most 80 characters that start with a non-letter (the date some languages
// put last), then a colon. Plain string search: a regexp of all the verbs
// cost more than the rest of VisibleText together.
func hasAttributionVerb(s string) bool {
	s = strings.TrimRight(s, " \t\u00a0\u202f")
	if strings.HasSuffix(s, ":") {
		s = s[:len(s)-1]
	} else if strings.HasSuffix(s, "：") {
		s = s[:len(s)-len("：")]
	} else {
		return false
	}
	s = strings.ToLower(strings.TrimRight(s, " \t\u00a0\u202f"))
	check := func(verbs []string, boundary bool) bool {
		for _, v := range verbs {
			for end := len(s); end > 0; {
				i := strings.LastIndex(s[:end], v)
				if i < 0 {
					break
				}
				end = i
				after := s[i+len(v):]
				if utf8.RuneCountInString(after) > 81 {
					break // farther left is farther from the end
				}
				if boundary && i > 0 {
					if r, _ := utf8.DecodeLastRuneInString(s[:i]); unicode.IsLetter(r) {
						continue
					}
				}
				if r, _ := utf8.DecodeRuneInString(after); after == "" || !unicode.IsLetter(r) {
					return true
				}
			}
		}
		return false
	}
	return check(attributionVerbs, true) || check(attributionCJKVerbs, false)
}

// endsSentence: a line ending in "!" or "?" or a long word and "." closes
// the author's sentence, so no attribution continues from it ("4." and
// "kl." in a wrapped date do not).
var sentenceEndRe = regexp.MustCompile(`([!?]|\pL{5,}\.)$`)

func endsSentence(l string) bool { return sentenceEndRe.MatchString(l) }
