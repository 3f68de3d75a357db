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
	minBatch int
	maxBatch int
	work     chan *pending
	ordered  chan *pending
	wg       sync.WaitGroup
	done     chan struct{}
	onResult func(source string, res ticket.Result, err error)

	// Memory: every message counts its raw size from Add until its commit
	// (the parsed text it becomes is of that order). Add waits while the
	// messages in flight pass maxBytes, and tells the writer through full
	// not to wait for more before committing.
	maxBytes int
	mu       sync.Mutex
	freed    *sync.Cond
	inFlight int
	full     chan struct{}
}

type pending struct {
	source    string
	mailboxID int64
	raw       []byte
	size      int
	item      *ticket.ImportItem
	readErr   error // the archive could not give this message
	ready     chan struct{}
}

// newImportPipe starts the workers; onResult is called from one goroutine,
// in the order messages were added.
func newImportPipe(ctx context.Context, svc *ticket.Service, onResult func(source string, res ticket.Result, err error)) *importPipe {
	workers := max(runtime.GOMAXPROCS(0), 2)
	p := &importPipe{
		svc: svc,
		// A commit rewrites every page its messages touched, and the
		// writer's CPU is taken from the workers: the writer waits for
		// minBatch messages when more are coming and memory allows.
		minBatch: 32,
		maxBatch: 100,
		work:     make(chan *pending, workers),
		// The workers may run a whole batch ahead of the writer.
		ordered:  make(chan *pending, 100+4*workers),
		done:     make(chan struct{}),
		onResult: onResult,
		maxBytes: 32 << 20,
		full:     make(chan struct{}, 1),
	}
	p.freed = sync.NewCond(&p.mu)
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
	pd := &pending{source: source, mailboxID: mailboxID, raw: raw, size: len(raw), ready: make(chan struct{})}
	p.mu.Lock()
	for p.inFlight > 0 && p.inFlight+pd.size > p.maxBytes {
		select {
		case p.full <- struct{}{}:
		default:
		}
		p.freed.Wait()
	}
	p.inFlight += pd.size
	p.mu.Unlock()
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

func (p *importPipe) release(size int) {
	p.mu.Lock()
	p.inFlight -= size
	p.mu.Unlock()
	p.freed.Broadcast()
}

func (p *importPipe) commit(ctx context.Context) {
	defer close(p.done)
	var next *pending
	// take gets the next message into next; with wait it waits for one to
	// come, unless memory is full. It is false at the end or when nothing
	// is there.
	take := func(wait bool) bool {
		if next != nil {
			return true
		}
		if wait {
			select {
			case pd, ok := <-p.ordered:
				next = pd
				return ok
			case <-p.full:
				return false
			}
		}
		select {
		case pd, ok := <-p.ordered:
			next = pd
			return ok
		default:
			return false
		}
	}
	for {
		// The first message of a batch is always waited for.
		if next == nil {
			pd, ok := <-p.ordered
			if !ok {
				return
			}
			next = pd
		}
		batch := []*pending{}
		// Gather what is ready, and wait for at least minBatch messages.
		for len(batch) < p.maxBatch && take(len(batch) < p.minBatch) {
			if len(batch) >= p.minBatch && !isReady(next) {
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
			p.release(pd.size)
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
