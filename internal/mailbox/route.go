package mailbox

import (
	"context"
	"errors"
	"sync"

	tmail "github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/store"
)

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
		for _, addr := range append(append([]string{}, m.EnvelopeTo...), tmail.HeaderRecipients(m.Raw)...) {
			if id := lookup(ctx, addr); id != 0 && id != fallback {
				return id, []string{addr}
			}
		}
		return fallback, nil
	}
}
