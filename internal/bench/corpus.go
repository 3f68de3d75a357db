// Package bench holds Ticketer's end-to-end benchmarks and the generator of
// the realistic mail corpus they ingest.
package bench

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// CorpusStats describes a generated corpus.
type CorpusStats struct {
	Messages, Conversations, Replies, WithAttachments int
	Bytes                                             int64
}

var (
	firstNames = []string{"Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter", "Zoë"}
	topics     = []string{"Printer is on fire", "Invoice #%d is wrong", "Cannot log in", "Refund for order %d", "Password reset link expired",
		"Delivery delayed", "Wrong size shipped", "API returns 500", "Feature request: dark mode", "Cancel my subscription",
		"Question about pricing", "Bug in export (%d rows)", "Account locked", "Where is my package?", "Données personnelles: demande RGPD"}
	sentences = []string{"I have tried restarting it twice.", "This started happening yesterday afternoon.", "Could you please look into it?",
		"Our whole team is blocked by this.", "I attached a screenshot of the error.", "Thanks for your quick help last time!",
		"The order number is in the subject.", "Ich bin nicht sicher, ob das richtig ist.", "Merci d'avance pour votre réponse.",
		"Please call me back if that is easier.", "It works on my phone but not on the laptop.", "We are on the enterprise plan."}
)

// WriteCorpus writes n messages as an mbox: 60% open new conversations, 40%
// reply to an earlier message (In-Reply-To and References), 10% carry an
// attachment of up to maxAttachment bytes. Deterministic for a seed.
func WriteCorpus(w io.Writer, n int, seed uint64, maxAttachment int) (CorpusStats, error) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	bw := bufio.NewWriterSize(w, 1<<20)
	type conv struct {
		subject string
		from    string
		name    string
		ids     []string
	}
	var convs []*conv
	var st CorpusStats
	base := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		date := base.Add(time.Duration(i) * 37 * time.Second)
		var c *conv
		reply := len(convs) > 0 && r.IntN(100) < 40
		if reply {
			c = convs[r.IntN(len(convs))]
			st.Replies++
		} else {
			name := firstNames[r.IntN(len(firstNames))]
			topic := topics[r.IntN(len(topics))]
			if strings.Contains(topic, "%d") {
				topic = fmt.Sprintf(topic, 1000+r.IntN(90000))
			}
			c = &conv{subject: topic, name: name, from: fmt.Sprintf("%s.%d@customer%d.example", strings.ToLower(strings.ReplaceAll(name, "ë", "e")), i, r.IntN(50))}
			convs = append(convs, c)
			st.Conversations++
		}
		id := fmt.Sprintf("corpus-%d-%d@mail.customer.example", seed, i)
		var b strings.Builder
		fmt.Fprintf(&b, "From MAILER-DAEMON %s\n", date.Format("Mon Jan _2 15:04:05 2006"))
		fmt.Fprintf(&b, "Return-Path: <%s>\nFrom: %s <%s>\nTo: Support <support@acme.example>\n", c.from, c.name, c.from)
		subject := c.subject
		if reply {
			subject = "Re: " + subject
		}
		fmt.Fprintf(&b, "Subject: %s\nDate: %s\nMessage-ID: <%s>\nMIME-Version: 1.0\n", encodeSubject(subject), date.Format(time.RFC1123Z), id)
		if reply {
			parent := c.ids[len(c.ids)-1]
			fmt.Fprintf(&b, "In-Reply-To: <%s>\nReferences:", parent)
			for _, ref := range c.ids {
				fmt.Fprintf(&b, " <%s>", ref)
			}
			b.WriteString("\n")
		}
		body := paragraph(r)
		if reply {
			body += "\n\nOn " + date.Add(-time.Hour).Format("Mon, Jan 2, 2006 at 3:04 PM") + " Support <support@acme.example> wrote:\n> " +
				strings.ReplaceAll(paragraph(r), "\n", "\n> ")
		}
		body += "\n\n-- \n" + c.name + "\n"
		attach := r.IntN(100) < 10
		boundary := fmt.Sprintf("b-%d", i)
		if attach {
			st.WithAttachments++
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\n\n--%s\n", boundary, boundary)
		}
		if r.IntN(2) == 0 {
			alt := "alt-" + boundary
			fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\n\n--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n--%s\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n<html><body><p>%s</p></body></html>\n--%s--\n",
				alt, alt, escapeFrom(body), alt, strings.ReplaceAll(escapeFrom(body), "\n", "<br>\n"), alt)
		} else {
			fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n%s\n", escapeFrom(body))
		}
		if attach {
			size := 10_000 + r.IntN(maxAttachment-10_000)
			data := make([]byte, size)
			for j := range data {
				data[j] = byte(r.Uint32())
			}
			enc := base64.StdEncoding.EncodeToString(data)
			fmt.Fprintf(&b, "--%s\nContent-Type: application/pdf; name=\"report-%d.pdf\"\nContent-Disposition: attachment; filename=\"report-%d.pdf\"\nContent-Transfer-Encoding: base64\n\n", boundary, i, i)
			for len(enc) > 76 {
				b.WriteString(enc[:76])
				b.WriteString("\n")
				enc = enc[76:]
			}
			b.WriteString(enc)
			fmt.Fprintf(&b, "\n--%s--\n", boundary)
		}
		b.WriteString("\n")
		c.ids = append(c.ids, id)
		if _, err := bw.WriteString(b.String()); err != nil {
			return st, err
		}
		st.Messages++
		st.Bytes += int64(b.Len())
	}
	return st, bw.Flush()
}

func paragraph(r *rand.Rand) string {
	var parts []string
	for range 2 + r.IntN(6) {
		parts = append(parts, sentences[r.IntN(len(sentences))])
	}
	return strings.Join(parts, " ")
}

// escapeFrom keeps body lines from looking like mbox separators.
func escapeFrom(s string) string {
	return strings.ReplaceAll(s, "\nFrom ", "\n>From ")
}

func encodeSubject(s string) string {
	for _, c := range s {
		if c > 127 {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
		}
	}
	return s
}
