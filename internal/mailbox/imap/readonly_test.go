package imap_test

import (
	"slices"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// folderState is what the provider holds of a folder: each message's UID and
// flags, in order (read with EXAMINE, which changes nothing).
type folderState struct {
	uids  []goimap.UID
	flags [][]goimap.Flag
}

func (s server) state(t *testing.T, folder string) folderState {
	t.Helper()
	c := s.client(t)
	defer c.Close()
	if _, err := c.Select(folder, &goimap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("examine %s: %v", folder, err)
	}
	var all goimap.SeqSet
	all.AddRange(1, 0) // 1:*
	msgs, err := c.Fetch(all, &goimap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatalf("fetch flags of %s: %v", folder, err)
	}
	var st folderState
	for _, m := range msgs {
		// \Recent is the server's own session flag (never set by a client):
		// left out.
		fl := slices.DeleteFunc(slices.Clone(m.Flags), func(f goimap.Flag) bool { return f == `\Recent` })
		slices.Sort(fl)
		st.uids = append(st.uids, m.UID)
		st.flags = append(st.flags, fl)
	}
	return st
}

// Nothing is deleted, moved or flagged at the provider: after a backfill and
// mail taken in while watching, the folder holds the same messages with the
// same flags (no \Seen, no \Deleted), and the other folder is untouched.
func runLeavesProviderUntouched(t *testing.T, srv server, dsn string) {
	folder := "Support"
	srv.create(t, folder)
	srv.appendMsgs(t, folder, testMsg("untouched 1"), testMsg("untouched 2"))
	srv.appendMsgs(t, "INBOX", testMsg("not synced"))
	inbox := srv.state(t, "INBOX")

	h := newHarness(t, dsn, "imap://"+srv.user+":"+srv.pass+"@"+srv.addr+"/"+folder+"?tls=none", func(c *imap.Config) {
		c.PollInterval, c.ResyncInterval = time.Hour, time.Hour
	})
	h.start()
	waitStatus(t, h, func(s store.SyncStatus) bool { return s.Backfilled && s.Status == store.SyncOK })
	h.waitTicket("untouched 1")
	h.waitTicket("untouched 2")
	srv.appendMsgs(t, folder, testMsg("untouched 3"))
	h.waitTicket("untouched 3")
	h.stop()

	got := srv.state(t, folder)
	if len(got.uids) != 3 {
		t.Fatalf("%s holds %d messages after the sync, want the 3 appended: %+v", folder, len(got.uids), got)
	}
	for i, fl := range got.flags {
		if len(fl) != 0 {
			t.Errorf("message %d (UID %d) has flags %v after the sync, want none", i+1, got.uids[i], fl)
		}
	}
	if after := srv.state(t, "INBOX"); !slices.Equal(after.uids, inbox.uids) {
		t.Errorf("INBOX changed: UIDs %v, before %v", after.uids, inbox.uids)
	}
}

func TestMemServerLeavesProviderUntouched(t *testing.T) {
	runLeavesProviderUntouched(t, startMemServer(t, true), storetest.SQLiteURL(t))
}

func TestDovecotLeavesProviderUntouched(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, dsn string) {
		runLeavesProviderUntouched(t, startDovecot(t).server, dsn)
	})
}
