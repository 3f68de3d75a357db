package mail

import "mime"

// deliveryHeaders name whom a copy was delivered to (a journal, an alias, a
// forward), most specific first. They outrank To and Cc, which say only whom
// the author wrote to.
var deliveryHeaders = []string{"Delivered-To", "X-Original-To", "X-Envelope-To", "Envelope-To", "X-Forwarded-To"}

// HeaderRecipients reads only the header section of raw (no body parsing)
// and lists the recipient addresses, lower-cased and deduped, in order: the
// delivery headers, then To, then Cc. It is as lenient as Parse: a malformed field
// still gives the addresses it contains. Routing reads it to find the
// mailbox a fetched message was meant for.
func HeaderRecipients(raw []byte) []string {
	h := readHeaderBlock(raw).fields
	dec := wordDecoder(func(string) {})
	out := deliveredTo(h, dec)
	for _, name := range []string{"To", "Cc"} {
		for _, a := range addressesOf(h, name, dec) {
			out = append(out, a.Email)
		}
	}
	return dedupe(out)
}

// deliveredTo lists the addresses of the delivery headers in order.
func deliveredTo(h header, dec *mime.WordDecoder) []string {
	var out []string
	for _, name := range deliveryHeaders {
		for _, v := range h.values(name) {
			for _, a := range parseAddresses(v, dec) {
				out = append(out, a.Email)
			}
		}
	}
	return out
}

// Recipients lists everyone a parsed message reached, most specific first:
// the envelope recipients given (an SMTP session's RCPT TO), the delivery
// headers (DeliveredTo), then To and Cc.
func (m *Message) Recipients(envelope ...string) []string {
	out := make([]string, 0, len(envelope)+len(m.DeliveredTo)+len(m.To)+len(m.Cc))
	out = append(append(out, envelope...), m.DeliveredTo...)
	for _, a := range m.To {
		out = append(out, a.Email)
	}
	for _, a := range m.Cc {
		out = append(out, a.Email)
	}
	return out
}
