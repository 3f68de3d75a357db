package ticket

import (
	"context"
	"strings"

	"github.com/ticketer/ticketer/internal/store"
)

// maxSignature bounds a signature (an agent's or a mailbox's).
const maxSignature = 4 << 10

// signatureSep is the email convention's line above a signature.
const signatureSep = "-- "

// SetMySignature replaces the agent's own reply signature; placeholders are
// checked as a macro body's are.
func (s *Service) SetMySignature(ctx context.Context, actor store.User, sig string) error {
	sig, err := checkSignature(sig)
	if err != nil {
		return err
	}
	return s.store.SetUserSignature(ctx, actor.ID, sig)
}

// checkSignature trims a signature and checks its size and placeholders.
func checkSignature(sig string) (string, error) {
	sig = strings.TrimSpace(sig)
	return sig, checkTemplate("signature", sig, maxSignature)
}

// MySignature is the agent's own reply signature, as typed.
func (s *Service) MySignature(ctx context.Context, actor store.User) (string, error) {
	return s.store.UserSignature(ctx, s.db, actor.ID)
}

// withSignatures appends to a reply body the agent's signature, then the
// mailbox's, rendered for the ticket, under a "-- " line; a body without
// either is left alone.
func (s *Service) withSignatures(ctx context.Context, tx *store.Tx, body string, t store.Ticket, actor store.User) (string, error) {
	mine, err := s.store.UserSignature(ctx, tx, actor.ID)
	if err != nil {
		return "", err
	}
	mailbox, err := s.store.MailboxSignature(ctx, tx, t.MailboxID)
	if err != nil {
		return "", err
	}
	return appendSignatures(body, RenderMacro(mine, t, actor), RenderMacro(mailbox, t, actor)), nil
}

// appendSignatures is the layout: body, a blank line, "-- ", then each
// signature that is not empty, a blank line between them.
func appendSignatures(body string, sigs ...string) string {
	var kept []string
	for _, s := range sigs {
		if s = strings.TrimSpace(s); s != "" {
			kept = append(kept, s)
		}
	}
	if len(kept) == 0 {
		return body
	}
	return strings.TrimRight(body, "\n") + "\n\n" + signatureSep + "\n" + strings.Join(kept, "\n\n")
}
