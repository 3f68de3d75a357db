package store_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/secret"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// sealedColumn is one of the mailbox columns that hold a sealed value: how a
// test writes it and how it reads it back.
type sealedColumn struct {
	name  string
	plain string
	set   func(t *testing.T, s *store.Store, id int64, sealed string)
	get   func(t *testing.T, s *store.Store, id int64) string
}

// sealedColumns lists every sealed column of mailboxes: a new one must be
// added here, and the rotation test then fails until ResealMailboxSecrets
// covers it.
func sealedColumns() []sealedColumn {
	mailbox := func(t *testing.T, s *store.Store, id int64) store.Mailbox {
		t.Helper()
		mb, err := s.GetMailbox(t.Context(), s.DB().W(), id)
		if err != nil {
			t.Fatal(err)
		}
		return mb
	}
	// The relay and IMAP URLs are written with the mailbox's connection
	// settings; the credentials with the connector's.
	settings := func(relay bool) func(t *testing.T, s *store.Store, id int64, sealed string) {
		return func(t *testing.T, s *store.Store, id int64, sealed string) {
			t.Helper()
			col := "imap"
			if relay {
				col = "smtp_relay"
			}
			if _, err := s.DB().Exec(t.Context(), `UPDATE mailboxes SET `+col+` = $1 WHERE id = $2`, sealed, id); err != nil {
				t.Fatal(err)
			}
		}
	}
	return []sealedColumn{
		{
			name:  "smtp_relay",
			plain: "smtp://u:p@relay:587",
			set:   settings(true),
			get:   func(t *testing.T, s *store.Store, id int64) string { return mailbox(t, s, id).SMTPRelay },
		},
		{
			name:  "imap",
			plain: "imap://u:p@host/INBOX",
			set:   settings(false),
			get:   func(t *testing.T, s *store.Store, id int64) string { return mailbox(t, s, id).IMAP },
		},
		{
			name:  "credentials",
			plain: `{"refresh_token":"r-123"}`,
			set: func(t *testing.T, s *store.Store, id int64, sealed string) {
				t.Helper()
				if err := s.SetCredentials(t.Context(), id, sealed); err != nil {
					t.Fatal(err)
				}
			},
			get: func(t *testing.T, s *store.Store, id int64) string {
				c, err := s.GetConnector(t.Context(), id)
				if err != nil {
					t.Fatal(err)
				}
				return c.Credentials
			},
		},
	}
}

func rotationKey(b byte) string {
	return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(b), 32)))
}

func mustKeys(t *testing.T, list string) *secret.Box {
	t.Helper()
	b, err := secret.ParseKeys(list)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Each sealed column alone under the old key: the rotation must reseal it,
// so that the new key alone opens it. Dropping any column from the reseal
// fails its row.
func TestResealEverySealedColumn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		// One database for the rows: each adds a mailbox, and the rows before
		// it are already under the current key, so each pass rewrites one.
		s, ctx := open(t, dsn)
		for _, col := range sealedColumns() {
			t.Run(col.name, func(t *testing.T) {
				old := mustKeys(t, rotationKey('a'))
				rotated := mustKeys(t, rotationKey('b')+","+rotationKey('a'))
				onlyNew := mustKeys(t, rotationKey('b'))
				id, err := s.CreateMailbox(ctx, store.Mailbox{Name: col.name, Address: col.name + "@acme.test", Provider: "imap", CreatedAt: time.Now()})
				if err != nil {
					t.Fatal(err)
				}
				sealed, err := old.Seal(col.plain)
				if err != nil {
					t.Fatal(err)
				}
				col.set(t, s, id, sealed)

				n, err := s.ResealMailboxSecrets(ctx, rotated.Reseal)
				if err != nil || n != 1 {
					t.Fatalf("resealed %d mailboxes, want 1: %v", n, err)
				}
				got := col.get(t, s, id)
				if secret.KeyID(got) == secret.KeyID(sealed) {
					t.Fatalf("%s still sealed with the old key %s", col.name, secret.KeyID(got))
				}
				if plain, err := onlyNew.Open(got); err != nil || plain != col.plain {
					t.Fatalf("%s after rotation: %q %v", col.name, plain, err)
				}
			})
		}
	})
}

// A mailbox whose values are all under the current key is not rewritten
// (n counts rewritten mailboxes), and a value that cannot be opened is kept
// as it was rather than lost.
func TestResealLeavesCurrentAndUnreadableValues(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		current := mustKeys(t, rotationKey('b'))
		relay, err := current.Seal("smtp://u:p@relay:587")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMailbox(ctx, store.Mailbox{Name: "Cur", Address: "cur@acme.test", Provider: "smtp", SMTPRelay: relay, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		lost := mustKeys(t, rotationKey('z'))
		unreadable, err := lost.Seal("imap://u:p@gone/INBOX")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMailbox(ctx, store.Mailbox{Name: "Lost", Address: "lost@acme.test", Provider: "imap", IMAP: unreadable, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		n, err := s.ResealMailboxSecrets(ctx, current.Reseal)
		if err != nil || n != 0 {
			t.Fatalf("resealed %d, want 0: %v", n, err)
		}
		cur, err := s.MailboxByAddress(ctx, "cur@acme.test")
		if err != nil || cur.SMTPRelay != relay {
			t.Fatalf("a value under the current key was rewritten: %v", err)
		}
		gone, err := s.MailboxByAddress(ctx, "lost@acme.test")
		if err != nil || gone.IMAP != unreadable {
			t.Fatalf("an unreadable value must be kept as it was: %v", err)
		}
	})
}
