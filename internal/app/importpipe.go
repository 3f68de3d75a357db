package app

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/ticketer/ticketer/internal/ticket"
)

// importPipe runs an import as a pipeline: messages are stored and parsed by
// several goroutines at once, then committed by one writer in their original
// order, many to a transaction. Order is kept so threading sees a
// conversation the way the archive holds it; one writer because every
// message takes its mailbox's lock anyway.
type importPipe struct {
	svc      *ticket.Service
	maxBatch int
	work     chan *pending
	ordered  chan *pending
	wg       sync.WaitGroup
	done     chan struct{}
	onResult func(source string, res ticket.Result, err error)
}

type pending struct {
	source    string
	mailboxID int64
	raw       []byte
	item      *ticket.ImportItem
	readErr   error // the archive could not give this message
	ready     chan struct{}
}

// newImportPipe starts the workers; onResult is called from one goroutine,
// in the order messages were added.
func newImportPipe(ctx context.Context, svc *ticket.Service, onResult func(source string, res ticket.Result, err error)) *importPipe {
	workers := max(runtime.GOMAXPROCS(0), 2)
	p := &importPipe{
		svc:      svc,
		maxBatch: 100,
		work:     make(chan *pending, workers),
		// In flight at most: bounds memory whatever the archive's size.
		ordered:  make(chan *pending, 4*workers),
		done:     make(chan struct{}),
		onResult: onResult,
	}
	for range workers {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for pd := range p.work {
				pd.item = svc.PrepareImport(ctx, pd.mailboxID, pd.raw)
				pd.raw = nil
				close(pd.ready)
			}
		}()
	}
	go p.commit(ctx)
	return p
}

// Add queues one message; it blocks while the pipeline is full.
func (p *importPipe) Add(source string, mailboxID int64, raw []byte) {
	pd := &pending{source: source, mailboxID: mailboxID, raw: raw, ready: make(chan struct{})}
	p.ordered <- pd
	p.work <- pd
}

// Failed reports a message the archive could not give, in its place.
func (p *importPipe) Failed(source string, err error) {
	pd := &pending{source: source, readErr: err, ready: make(chan struct{})}
	close(pd.ready)
	p.ordered <- pd
}

// Close waits until every added message is committed.
func (p *importPipe) Close() {
	close(p.work)
	close(p.ordered)
	p.wg.Wait()
	<-p.done
}

func (p *importPipe) commit(ctx context.Context) {
	defer close(p.done)
	var next *pending
	take := func(block bool) bool {
		if next != nil {
			return true
		}
		if block {
			pd, ok := <-p.ordered
			next = pd
			return ok
		}
		select {
		case pd, ok := <-p.ordered:
			next = pd
			return ok
		default:
			return false
		}
	}
	for take(true) {
		batch := []*pending{}
		// Gather what is ready now; a batch never waits for a slow message
		// beyond the first.
		for len(batch) < p.maxBatch && take(len(batch) == 0) {
			if len(batch) > 0 && !isReady(next) {
				break
			}
			<-next.ready
			batch = append(batch, next)
			next = nil
		}
		items := make([]*ticket.ImportItem, 0, len(batch))
		for _, pd := range batch {
			if pd.readErr == nil {
				items = append(items, pd.item)
			}
		}
		results, errs := p.svc.ImportBatch(ctx, items)
		for _, pd := range batch {
			if pd.readErr != nil {
				p.onResult(pd.source, ticket.Result{}, fmt.Errorf("cannot read: %w", pd.readErr))
				continue
			}
			p.onResult(pd.source, results[0], errs[0])
			results, errs = results[1:], errs[1:]
		}
	}
}

func isReady(pd *pending) bool {
	select {
	case <-pd.ready:
		return true
	default:
		return false
	}
}
