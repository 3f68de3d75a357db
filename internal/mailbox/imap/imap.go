package imap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/xoauth"
)

// Conn is the IMAP connector of one mailbox. It is used by one goroutine.
type Conn struct {
	cfg     Config
	host    *mailbox.Host
	client  *imapclient.Client
	newMail chan struct{}
	stop    func() bool // detaches the ctx watcher of the current connection
}

var _ mailbox.Connector = (*Conn)(nil)

// New returns a connector; it connects on first use.
func New(cfg Config, h *mailbox.Host) *Conn {
	cfg.defaults()
	return &Conn{cfg: cfg, host: h, newMail: make(chan struct{}, 1)}
}

// state is the connector's resume point, per folder.
type state struct {
	Folders map[string]folderState `json:"folders"`
}

type folderState struct {
	UIDValidity uint32 `json:"uidvalidity"`
	LastUID     uint32 `json:"last_uid"`
}

// ErrSendViaSMTP says IMAP mailboxes send through their SMTP relay (the
// ticket service does that); IMAP itself cannot submit mail.
var ErrSendViaSMTP = errors.New("imap mailboxes send through their SMTP relay setting")

// Send is not offered by IMAP: see ErrSendViaSMTP.
func (c *Conn) Send(context.Context, string, []string, []byte) error { return ErrSendViaSMTP }

// connect dials, secures and logs in; the connection is closed when ctx ends
// so a blocked command returns. A server that stops answering is dropped by
// imapclient's own read timeouts (30s per response, none while idling).
func (c *Conn) connect(ctx context.Context) error {
	if c.client != nil {
		select {
		case <-c.client.Closed():
			c.drop()
		default:
			return nil
		}
	}
	dial := c.cfg.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: 30 * time.Second}
		dial = d.DialContext
	}
	raw, err := dial(ctx, "tcp", c.cfg.Addr)
	if err != nil {
		return fmt.Errorf("connect %s: %w", c.cfg.Addr, err)
	}
	opts := &imapclient.Options{
		TLSConfig: c.cfg.tlsConfig(),
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					c.signal()
				}
			},
		},
	}
	var client *imapclient.Client
	switch c.cfg.Security {
	case TLS:
		tc := tls.Client(raw, opts.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return fmt.Errorf("tls with %s: %w", c.cfg.Addr, err)
		}
		client = imapclient.New(tc, opts)
	case StartTLS:
		if client, err = imapclient.NewStartTLS(raw, opts); err != nil {
			return fmt.Errorf("starttls with %s (add ?tls=none for a server without TLS): %w", c.cfg.Addr, err)
		}
	default:
		client = imapclient.New(raw, opts)
	}
	c.client = client
	c.stop = context.AfterFunc(ctx, func() { client.Close() })
	if err := client.WaitGreeting(); err != nil {
		c.drop()
		return fmt.Errorf("greeting from %s: %w", c.cfg.Addr, err)
	}
	if c.cfg.Token != nil {
		// Refreshed before each login when it nears its expiry; a refused
		// refresh has marked the mailbox refused already (xoauth.Tokens).
		tok, terr := c.cfg.Token(ctx)
		if terr != nil {
			c.drop()
			return fmt.Errorf("log in to %s as %s: %w", c.cfg.Addr, c.cfg.Username, terr)
		}
		err = client.Authenticate(&xoauth2{user: c.cfg.Username, token: tok})
	} else if c.cfg.XOAuth2 {
		err = client.Authenticate(&xoauth2{user: c.cfg.Username, token: c.cfg.Password})
	} else {
		err = client.Login(c.cfg.Username, c.cfg.Password).Wait()
	}
	if err != nil {
		c.drop()
		err = fmt.Errorf("log in to %s as %s: %w", c.cfg.Addr, c.cfg.Username, err)
		if refusedLogin(err) && c.cfg.Invalidate != nil {
			// Perhaps revoked early: the next attempt refreshes, and a grant
			// that is gone then shows as a refused refresh.
			c.cfg.Invalidate()
		}
		if refusedLogin(err) && c.host != nil {
			c.host.Refused(ctx, err.Error()) // a retry will not fix it: alert the admins now
		}
		return err
	}
	return nil
}

// refusedLogin tells credentials the server refused (NO to LOGIN or
// AUTHENTICATE) from a server that is only unavailable for now.
func refusedLogin(err error) bool {
	var ie *goimap.Error
	return errors.As(err, &ie) && ie.Type == goimap.StatusResponseTypeNo && ie.Code != goimap.ResponseCodeUnavailable
}

func (c *Conn) drop() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	if c.client != nil {
		c.client.Close()
		c.client = nil
	}
}

func (c *Conn) signal() {
	select {
	case c.newMail <- struct{}{}:
	default:
	}
}

// Close logs out and closes the connection.
func (c *Conn) Close() error {
	if c.client != nil {
		done := make(chan struct{})
		go func() {
			_ = c.client.Logout().Wait()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
		}
	}
	c.drop()
	return nil
}

// Test logs in and opens the folders.
func (c *Conn) Test(ctx context.Context) error {
	if err := c.connect(ctx); err != nil {
		return err
	}
	for _, f := range c.folders() {
		if _, err := c.client.Select(f.name, &goimap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			return fmt.Errorf("open folder %s: %w", f.name, err)
		}
	}
	return nil
}

type folder struct{ name, source string }

func (c *Conn) folders() []folder {
	fs := []folder{{c.cfg.Folder, "imap"}}
	if c.cfg.SentFolder != "" {
		fs = append(fs, folder{c.cfg.SentFolder, "imap-sent"})
	}
	return fs
}

// Backfill syncs every folder from its saved UID, keeping only mail received
// since the given day when it is set.
func (c *Conn) Backfill(ctx context.Context, since time.Time) error {
	return c.syncAll(ctx, since)
}

// Sync fetches what arrived after the saved UIDs.
func (c *Conn) Sync(ctx context.Context) error { return c.syncAll(ctx, time.Time{}) }

func (c *Conn) syncAll(ctx context.Context, since time.Time) error {
	if err := c.connect(ctx); err != nil {
		return err
	}
	for _, f := range c.folders() {
		if err := c.syncFolder(ctx, f, since); err != nil {
			return err
		}
	}
	c.host.Idle(ctx)
	return nil
}

func (c *Conn) syncFolder(ctx context.Context, f folder, since time.Time) error {
	sel, err := c.client.Select(f.name, &goimap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return fmt.Errorf("open folder %s: %w", f.name, c.ctxErr(ctx, err))
	}
	var st state
	if err := c.host.LoadState(ctx, &st); err != nil {
		return err
	}
	if st.Folders == nil {
		st.Folders = map[string]folderState{}
	}
	fs := st.Folders[f.name]
	if fs.UIDValidity != sel.UIDValidity {
		if fs.UIDValidity != 0 {
			// The server renumbered the folder: fetch it all again; ingestion
			// dedupes by Message-ID, so this only adds occurrences.
			c.host.Log.Warn("imap UIDVALIDITY changed; re-syncing the folder", "folder", f.name,
				"old", fs.UIDValidity, "new", sel.UIDValidity)
		}
		fs = folderState{UIDValidity: sel.UIDValidity}
		st.Folders[f.name] = fs
		if err := c.host.SaveState(ctx, st); err != nil {
			return err
		}
	}
	if sel.NumMessages == 0 || (sel.UIDNext != 0 && uint32(sel.UIDNext) <= fs.LastUID+1) {
		return nil
	}
	var set goimap.UIDSet
	set.AddRange(goimap.UID(fs.LastUID+1), 0)
	crit := &goimap.SearchCriteria{UID: []goimap.UIDSet{set}, Since: since}
	found, err := c.client.UIDSearch(crit, nil).Wait()
	if err != nil {
		return fmt.Errorf("search folder %s: %w", f.name, c.ctxErr(ctx, err))
	}
	var uids []goimap.UID
	for _, u := range found.AllUIDs() {
		// "n:*" matches the highest UID even when it is below n.
		if uint32(u) > fs.LastUID {
			uids = append(uids, u)
		}
	}
	if len(uids) == 0 {
		return nil
	}
	slices.Sort(uids)
	total := int64(len(uids))
	c.host.Progress(ctx, 0, total)
	for start := 0; start < len(uids); start += c.cfg.BatchSize {
		batch := uids[start:min(start+c.cfg.BatchSize, len(uids))]
		last, err := c.fetchBatch(ctx, f, sel.UIDValidity, batch)
		if last > fs.LastUID {
			fs.LastUID = last
			st.Folders[f.name] = fs
			if serr := c.host.SaveState(ctx, st); serr != nil {
				return serr
			}
		}
		if err != nil {
			return err
		}
		c.host.Progress(ctx, int64(start+len(batch)), total)
	}
	return nil
}

// fetchBatch fetches the UIDs in one UID FETCH and delivers each message. It
// returns the highest UID up to which every message of the batch was
// delivered: the resume point may move there.
func (c *Conn) fetchBatch(ctx context.Context, f folder, uidValidity uint32, batch []goimap.UID) (uint32, error) {
	var set goimap.UIDSet
	set.AddNum(batch...)
	section := &goimap.FetchItemBodySection{Peek: true}
	cmd := c.client.Fetch(set, &goimap.FetchOptions{UID: true, BodySection: []*goimap.FetchItemBodySection{section}})
	delivered := map[goimap.UID]bool{}
	var deliverErr error
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		if deliverErr != nil {
			continue // drain: the command must finish before the next one
		}
		var uid goimap.UID
		var body []byte
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch it := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = it.UID
			case imapclient.FetchItemDataBodySection:
				b, err := io.ReadAll(it.Literal)
				if err != nil {
					deliverErr = fmt.Errorf("read message: %w", c.ctxErr(ctx, err))
				}
				body = b
			}
		}
		if deliverErr != nil || uid == 0 || body == nil {
			continue
		}
		deliverErr = c.host.Deliver(ctx, mailbox.Message{
			ProviderID: fmt.Sprintf("%s:%d:%d", f.source, uidValidity, uid),
			Source:     f.source,
			Raw:        body,
		})
		if deliverErr == nil {
			delivered[uid] = true
		}
	}
	err := cmd.Close()
	// A UID missing from the answer was expunged meanwhile: nothing to keep.
	// Stop at the first one we asked for, got, and failed to deliver.
	var last uint32
	for _, u := range batch {
		if !delivered[u] && (deliverErr != nil || err != nil) {
			break
		}
		last = uint32(u)
	}
	if deliverErr != nil {
		return last, deliverErr
	}
	if err != nil {
		return last, fmt.Errorf("fetch from %s: %w", f.name, c.ctxErr(ctx, err))
	}
	return last, nil
}

// ctxErr prefers the context's error: a connection closed because ctx ended
// is not a server failure.
func (c *Conn) ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// Watch syncs, then waits for new mail with IDLE (or polls) and syncs again.
// It returns nil when ctx ends and an error when the connection fails.
func (c *Conn) Watch(ctx context.Context) error {
	if err := c.Sync(ctx); err != nil {
		return c.ctxNil(ctx, err)
	}
	caps := c.client.Caps()
	idle := !c.cfg.DisableIdle && (caps.Has(goimap.CapIdle) || caps.Has(goimap.CapIMAP4rev2))
	if !idle {
		c.host.Log.Info("imap server without IDLE; polling", "every", c.cfg.PollInterval)
		return c.ctxNil(ctx, c.poll(ctx))
	}
	return c.ctxNil(ctx, c.idle(ctx))
}

func (c *Conn) ctxNil(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (c *Conn) poll(ctx context.Context) error {
	t := time.NewTicker(c.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.client.Closed():
			return errors.New("imap connection closed by the server")
		case <-t.C:
		}
		if err := c.Sync(ctx); err != nil {
			return err
		}
	}
}

// idle keeps the main folder selected in IDLE; new mail (EXISTS) ends the
// IDLE, the folder is synced, and IDLE starts again. The sent folder, which
// one connection cannot idle on at the same time, is looked at on the poll
// interval.
func (c *Conn) idle(ctx context.Context) error {
	main := c.folders()[0]
	resync := time.NewTicker(c.cfg.ResyncInterval)
	defer resync.Stop()
	sent := time.NewTicker(c.cfg.PollInterval)
	defer sent.Stop()
	for {
		// Sync right before idling: SELECT reports what arrived since the
		// last sync (its EXISTS does not signal), and the sync is one cheap
		// round trip when UIDNEXT shows nothing new.
		if err := c.syncFolder(ctx, main, time.Time{}); err != nil {
			return err
		}
		c.host.Idle(ctx)
		select {
		case <-c.newMail: // announced during the sync: look again
			continue
		default:
		}
		cmd, err := c.client.Idle()
		if err != nil {
			return fmt.Errorf("idle: %w", err)
		}
		all := false
		select {
		case <-ctx.Done():
			_ = cmd.Close()
			return nil
		case <-c.client.Closed():
			return errors.New("imap connection closed by the server")
		case <-c.newMail:
		case <-resync.C:
			all = true
		case <-sent.C:
			all = c.cfg.SentFolder != ""
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("stop idle: %w", err)
		}
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("idle: %w", err)
		}
		if all {
			if err := c.syncAll(ctx, time.Time{}); err != nil {
				return err
			}
		}
	}
}

// xoauth2 is the SASL XOAUTH2 mechanism (Gmail, Outlook): one initial
// response carrying the user and the bearer token.
type xoauth2 struct{ user, token string }

var _ sasl.Client = (*xoauth2)(nil)

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", xoauth.SASL(x.user, x.token), nil
}

// Next answers a server challenge, which XOAUTH2 sends only with an error
// description: an empty response makes the server finish with NO.
func (x *xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }
