package store_test

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

func TestConnectorStatusAndState(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
		id, err := s.CreateMailbox(ctx, store.Mailbox{Name: "S", Address: "s@acme.test", Provider: "imap", IMAP: "sealed:v1:x:y", CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMailbox(ctx, store.Mailbox{Name: "Listener", Address: "l@acme.test", Provider: "smtp", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		cs, err := s.ConnectorMailboxes(ctx)
		if err != nil || len(cs) != 1 || cs[0].MailboxID != id || !cs[0].Enabled || !cs[0].BackfilledAt.IsZero() {
			t.Fatalf("connector mailboxes: %+v %v", cs, err)
		}
		if err := s.SaveSyncState(ctx, id, `{"folders":{"INBOX":{"uidvalidity":7,"last_uid":42}}}`, now); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSyncProgress(ctx, id, 10, 40); err != nil {
			t.Fatal(err)
		}
		st, err := s.MailboxSyncStatus(ctx, id)
		if err != nil || st.Status != store.SyncSyncing || st.Done != 10 || st.Total != 40 || !st.LastSyncAt.Equal(now) {
			t.Fatalf("syncing: %+v %v", st, err)
		}
		if err := s.SetSyncError(ctx, id, "connection refused", now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSyncError(ctx, id, "login failed", now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if st, err = s.MailboxSyncStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
		if st.Status != store.SyncError || st.LastError != "login failed" || !st.ErrorSince.Equal(now.Add(time.Minute)) {
			t.Fatalf("error: %+v", st)
		}
		if err := s.SetSyncOK(ctx, id, now.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetBackfilled(ctx, id, now); err != nil {
			t.Fatal(err)
		}
		if st, err = s.MailboxSyncStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
		if st.Status != store.SyncOK || st.LastError != "" || !st.ErrorSince.IsZero() || !st.Backfilled {
			t.Fatalf("ok: %+v", st)
		}
		c, err := s.GetConnector(ctx, id)
		if err != nil || !strings.Contains(c.SyncState, `"last_uid":42`) {
			t.Fatalf("state: %+v %v", c, err)
		}
		since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := s.SetConnectorSettings(ctx, id, "gmail", "sealed:v1:a:b", since); err != nil {
			t.Fatal(err)
		}
		if c, err = s.GetConnector(ctx, id); err != nil {
			t.Fatal(err)
		}
		if c.Provider != "gmail" || c.Credentials != "sealed:v1:a:b" || !c.BackfillSince.Equal(since) || !c.BackfilledAt.IsZero() || c.SyncState != "{}" {
			t.Fatalf("settings: %+v", c)
		}
		if err := s.SetMailboxEnabled(ctx, id, false); err != nil {
			t.Fatal(err)
		}
		if cs, err := s.ConnectorMailboxes(ctx); err != nil || len(cs) != 0 {
			t.Fatalf("a disabled mailbox is not run: %+v %v", cs, err)
		}
	})
}

func TestResealMailboxSecrets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		k := func(b byte) string { return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(b), 32))) }
		old := mustKeys(t, k('a'))
		relay, err := old.Seal("smtp://u:p@relay:587")
		if err != nil {
			t.Fatal(err)
		}
		imapURL, err := old.Seal("imap://u:p@host/INBOX")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateMailbox(ctx, store.Mailbox{Name: "S", Address: "s@acme.test", Provider: "imap", SMTPRelay: relay, IMAP: imapURL, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		rotated := mustKeys(t, k('b')+","+k('a'))
		n, err := s.ResealMailboxSecrets(ctx, rotated.Reseal)
		if err != nil || n != 1 {
			t.Fatalf("resealed %d: %v", n, err)
		}
		if n, err := s.ResealMailboxSecrets(ctx, rotated.Reseal); err != nil || n != 0 {
			t.Fatalf("second pass changed %d: %v", n, err)
		}
		onlyNew := mustKeys(t, k('b'))
		mb, err := s.MailboxByAddress(ctx, "s@acme.test")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := onlyNew.Open(mb.IMAP); err != nil || got != "imap://u:p@host/INBOX" {
			t.Fatalf("imap after rotation: %q %v", got, err)
		}
		if got, err := onlyNew.Open(mb.SMTPRelay); err != nil || got != "smtp://u:p@relay:587" {
			t.Fatalf("relay after rotation: %q %v", got, err)
		}
	})
}

// UpdateCredentials writes what update makes of the credentials stored
// now, or nothing; concurrent updates see each other's writes (the row is
// locked between the read and the write), so none is lost.
func TestUpdateCredentials(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		s, ctx := open(t, dsn)
		id, err := s.CreateMailbox(ctx, store.Mailbox{Name: "S", Address: "s@acme.test", Provider: "imap", CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetCredentials(ctx, id, "0"); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		for _, tc := range []struct {
			name   string
			update func(string) (string, bool, error)
			wrote  bool
			err    error
			stored string
		}{
			{"written", func(cur string) (string, bool, error) { return cur + "+", true, nil }, true, nil, "0+"},
			{"left", func(string) (string, bool, error) { return "x", false, nil }, false, nil, "0+"},
			{"failed", func(string) (string, bool, error) { return "x", true, boom }, false, boom, "0+"},
		} {
			wrote, err := s.UpdateCredentials(ctx, id, tc.update)
			if wrote != tc.wrote || !errors.Is(err, tc.err) {
				t.Fatalf("%s: wrote %v, err %v", tc.name, wrote, err)
			}
			if c, err := s.GetConnector(ctx, id); err != nil || c.Credentials != tc.stored {
				t.Fatalf("%s: stored %q %v", tc.name, c.Credentials, err)
			}
		}
		if _, err := s.UpdateCredentials(ctx, id+100, func(string) (string, bool, error) { return "x", true, nil }); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown mailbox: %v", err)
		}

		// A counter incremented concurrently: a read not locked until the
		// write loses increments.
		if err := s.SetCredentials(ctx, id, "0"); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 5
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for range workers {
			wg.Go(func() {
				for range each {
					_, err := s.UpdateCredentials(ctx, id, func(cur string) (string, bool, error) {
						n, err := strconv.Atoi(cur)
						time.Sleep(time.Millisecond) // widen the window between the read and the write
						return strconv.Itoa(n + 1), true, err
					})
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if c, err := s.GetConnector(ctx, id); err != nil || c.Credentials != strconv.Itoa(workers*each) {
			t.Fatalf("after %d concurrent increments: %q %v", workers*each, c.Credentials, err)
		}
	})
}
