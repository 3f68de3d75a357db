package ticket

import (
	"context"
	"fmt"
	"strings"

	"github.com/ticketer/ticketer/internal/store"
)

// StoredRaw is a raw message already in the blob store, for a connector
// that streamed it there (the SMTP listener) instead of holding it whole.
type StoredRaw struct {
	Key, SHA256 string
	Size        int64
}

// ReceiveStored records a message whose bytes are already stored (r.Raw is
// ignored): in one transaction, the inbound row and its ingestion job. Once
// it returns nil the message cannot be lost.
func (s *Service) ReceiveStored(ctx context.Context, r Received, raw StoredRaw) (int64, error) {
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		id, err = s.store.InsertInbound(ctx, tx, store.Inbound{
			MailboxID: r.MailboxID, Source: r.Source, ProviderID: r.ProviderID,
			EnvelopeFrom: r.EnvelopeFrom, EnvelopeTo: strings.Join(r.EnvelopeTo, ","),
			RawKey: raw.Key, SHA256: raw.SHA256, Size: raw.Size, Status: store.InboundPending, ReceivedAt: s.now(),
		})
		if err != nil {
			return err
		}
		return s.enqueueIngest(ctx, tx, id, r.MailboxID, raw.Size)
	})
	if err != nil {
		return 0, fmt.Errorf("record received message: %w", err)
	}
	return id, nil
}

// enqueueIngest queues the ingestion of inbound row id in tx, on the queue
// and at the priority fair ingestion gives it (IngestArgs).
func (s *Service) enqueueIngest(ctx context.Context, tx *store.Tx, id, mailboxID, size int64) error {
	waiting, err := s.store.PendingInbound(ctx, tx, mailboxID, BacklogMessages+1)
	if err != nil {
		return err
	}
	// waiting counts this message too.
	return s.cfg.Queue.Enqueue(ctx, tx, IngestArgs{InboundID: id, Large: size > LargeMessageBytes, Backlog: waiting > BacklogMessages})
}
