package mailbox

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"strings"
	"sync"

	tmail "github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

// recipientHeaders hold the original recipient of a journaled or forwarded
// copy, most specific first; To and Cc come last.
var recipientHeaders = []string{"Delivered-To", "X-Original-To", "X-Envelope-To", "Envelope-To", "X-Forwarded-To", "To", "Cc"}

// RecipientRouter routes a message fetched from a journal mailbox to the
// support mailbox it was originally addressed to (Delivered-To,
// X-Original-To, envelope headers, then To/Cc), else to fallback. It returns
// the matched address as the envelope recipient so plus-address ticket
// tokens still work.
func RecipientRouter(st *store.Store, fallback int64) func(ctx context.Context, m Message) (int64, []string) {
	var mu sync.Mutex
	cache := map[string]int64{} // base address -> mailbox id (0: none)
	lookup := func(ctx context.Context, addr string) int64 {
		base := tmail.BaseAddress(addr)
		mu.Lock()
		id, ok := cache[base]
		mu.Unlock()
		if ok {
			return id
		}
		mb, err := st.MailboxByAddress(ctx, base)
		switch {
		case err == nil:
			id = mb.ID
		case errors.Is(err, store.ErrNotFound):
			id = 0
		default:
			return 0 // a database hiccup: do not cache
		}
		mu.Lock()
		cache[base] = id
		mu.Unlock()
		return id
	}
	return func(ctx context.Context, m Message) (int64, []string) {
		for _, addr := range append(append([]string{}, m.EnvelopeTo...), headerRecipients(m.Raw)...) {
			if id := lookup(ctx, addr); id != 0 && id != fallback {
				return id, []string{addr}
			}
		}
		return fallback, nil
	}
}

// headerRecipients lists the addresses of the recipient headers in order.
func headerRecipients(raw []byte) []string {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = bytes.Index(raw, []byte("\n\n"))
	}
	if end < 0 {
		end = len(raw)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(append(append([]byte{}, raw[:end]...), "\r\n\r\n"...)))
	if err != nil {
		return nil
	}
	var out []string
	for _, h := range recipientHeaders {
		for _, v := range msg.Header[h] {
			if list, err := mail.ParseAddressList(v); err == nil {
				for _, a := range list {
					out = append(out, a.Address)
				}
				continue
			}
			// Lenient: Delivered-To is a bare address, sometimes malformed.
			for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '<' || r == '>' }) {
				if strings.Contains(f, "@") {
					out = append(out, f)
				}
			}
		}
	}
	return out
}
