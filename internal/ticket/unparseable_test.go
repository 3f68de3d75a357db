package ticket_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"github.com/ticketer/ticketer/internal/mail"
	"github.com/ticketer/ticketer/internal/mail/mailtest"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
	"github.com/ticketer/ticketer/internal/ticket"
)

// nestedMail is multipart/mixed nested deeper than the parser takes.
func nestedMail(depth int) []byte {
	return []byte("From: a@customer.test\r\nSubject: Nested\r\nMessage-ID: <nested@customer.test>\r\n" + mailtest.Nested(depth))
}

// Mail the parser refuses (over a structure limit, or not mail at all) fails
// the same way every time: it is kept as failed mail with its reason, once,
// and its job is cancelled instead of retried. A temporary failure (the raw
// blob missing, in TestFailedIngestionIsVisibleAndRetried) keeps retrying.
func TestUnparseableMailIsKeptNotRetried(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		id, err := e.svc.Receive(e.ctx, ticket.Received{MailboxID: e.mb, Source: "smtp", Raw: nestedMail(200)})
		if err != nil {
			t.Fatal(err)
		}
		err = e.svc.ProcessInbound(e.ctx, id)
		var cancel *rivertype.JobCancelError
		if !errors.As(err, &cancel) || !errors.Is(err, ticket.ErrUnparseable) || !errors.Is(err, mail.ErrTooComplex) {
			t.Fatalf("ProcessInbound = %v, want a cancelled job (no retry) for unparseable mail", err)
		}
		in, err := e.st.GetInbound(e.ctx, e.st.DB(), id)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status != store.InboundFailed || !strings.Contains(in.Error, "cannot be read as mail") || in.RawKey == "" {
			t.Fatalf("inbound row: %+v, want it failed with the reason and its raw message kept", in)
		}
		if n := e.count(`SELECT count(*) FROM tickets`); n != 0 {
			t.Fatalf("tickets: %d, want none", n)
		}
	})
}
