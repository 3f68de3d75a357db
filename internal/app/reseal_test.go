package app

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/config"
	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// openWithKeys opens the app as serve does (Open with work=true) on dsn and
// dataDir with the given TICKETER_ENCRYPTION_KEY_BASE64.
func openWithKeys(t *testing.T, dsn, dataDir, keys string) *App {
	t.Helper()
	env := map[string]string{"TICKETER_DATA_DIR": dataDir, "TICKETER_DATABASE_URL": dsn, "TICKETER_ENCRYPTION_KEY_BASE64": keys}
	cfg, _, err := config.Load("serve", nil, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler), true)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Starting with a rotated key list (new key first, old key after) re-seals
// every stored credential under the new key, so that the old key can then be
// removed: after the restart the new key alone opens them all.
func TestStartReseals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		k := func(b byte) string { return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(b), 32))) }
		dataDir := t.TempDir()
		plain := [3]string{"smtp://u:p@relay:587", "imap://u:p@host/INBOX", `{"api_key":"nyk-1"}`}

		a := openWithKeys(t, dsn, dataDir, k('a'))
		var sealed [3]string
		for i, p := range plain {
			s, err := a.Secrets.Seal(p)
			if err != nil {
				t.Fatal(err)
			}
			sealed[i] = s
		}
		ctx := context.Background()
		id, err := a.Store.CreateMailbox(ctx, store.Mailbox{Name: "S", Address: "s@acme.test", Provider: "nylas",
			SMTPRelay: sealed[0], IMAP: sealed[1], CreatedAt: time.Now()})
		if err == nil {
			err = a.Store.SetCredentials(ctx, id, sealed[2])
		}
		a.Close()
		if err != nil {
			t.Fatal(err)
		}

		a = openWithKeys(t, dsn, dataDir, k('b')+","+k('a'))
		mb, err := a.Store.GetMailbox(ctx, a.DB.W(), id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.Store.GetConnector(ctx, id)
		a.Close()
		if err != nil {
			t.Fatal(err)
		}
		onlyNew, err := secret.ParseKeys(k('b'))
		if err != nil {
			t.Fatal(err)
		}
		for i, got := range [3]string{mb.SMTPRelay, mb.IMAP, c.Credentials} {
			if p, err := onlyNew.Open(got); err != nil || p != plain[i] {
				t.Errorf("column %d after a start with the rotated keys: %q %v", i, p, err)
			}
		}
	})
}
