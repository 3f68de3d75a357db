package oauthweb

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
)

// refreshKey is where every OAuth credential sealed on a mailbox (Gmail,
// Microsoft, IMAP/SMTP's xoauth) keeps its refresh token.
const refreshKey = "refresh_token"

// SaveRotatedToken stores rotated, the refresh token the provider issued in
// place of old, in the mailbox's credentials as they are stored now; every
// other field is kept, so the account and settings stay those of the last
// connection. It returns the new sealed credentials, or "" when it wrote
// nothing.
//
// It writes only while the stored refresh token is still old: a connection
// through the flow (another account, other settings or scopes) exchanges a
// new code and so always stores a new refresh token, which makes the token
// the exact mark of the grant the caller holds; a check of the account would
// miss a reconnection of the same account with other settings. The token is
// compared opened, not sealed, so a re-encryption under a new key
// (ResealMailboxSecrets) is no change. When it differs, the rotated token is
// dropped and the stored credentials win: either the mailbox was connected
// again, or another holder of the grant stored a newer token of its own
// (the supervisor restarts the connector on changed credentials either way).
func SaveRotatedToken(ctx context.Context, st *store.Store, secrets *secret.Box, log *slog.Logger,
	mailboxID int64, old, rotated string) (string, error) {
	var sealed string
	wrote, err := st.UpdateCredentials(ctx, mailboxID, func(cur string) (string, bool, error) {
		if cur == "" {
			return "", false, nil
		}
		plain, err := secrets.Open(cur)
		if err != nil {
			return "", false, err
		}
		var fields map[string]json.RawMessage
		var stored string
		if json.Unmarshal([]byte(plain), &fields) != nil || json.Unmarshal(fields[refreshKey], &stored) != nil || stored != old {
			return "", false, nil
		}
		fields[refreshKey], _ = json.Marshal(rotated)
		b, _ := json.Marshal(fields)
		sealed, err = secrets.Seal(string(b))
		return sealed, err == nil, err
	})
	if err != nil {
		return "", fmt.Errorf("store the rotated refresh token: %w", err)
	}
	if !wrote {
		if log == nil {
			log = slog.Default()
		}
		log.Info("rotated refresh token dropped: the mailbox was connected again since it was read (or a newer token was stored); the stored credentials are kept",
			"mailbox", mailboxID)
		return "", nil
	}
	return sealed, nil
}
