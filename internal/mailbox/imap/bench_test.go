package imap_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"

	"github.com/ticketer/ticketer/internal/mailbox"
	"github.com/ticketer/ticketer/internal/mailbox/imap"
	"github.com/ticketer/ticketer/internal/store"
	"github.com/ticketer/ticketer/internal/store/storetest"
)

// benchMsg is a typical support message of about 2 KB.
func benchMsg(i int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: Customer %d <customer%d@example.test>\r\nTo: support@acme.test\r\n", i%500, i%500)
	fmt.Fprintf(&b, "Subject: Order %d does not arrive\r\nMessage-ID: <bench-%d@example.test>\r\n", i, i)
	b.WriteString("Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	for range 24 {
		fmt.Fprintf(&b, "Hello, my order %d has not arrived yet and I would like to know where it is.\r\n", i)
	}
	return b.Bytes()
}

// fillMaildir writes n messages straight into the Maildir's cur folder:
// much faster than APPEND, and Dovecot indexes them on first access.
func fillMaildir(b *testing.B, d *dovecot, n int) {
	for i := range n {
		name := filepath.Join(d.maildir, "cur", fmt.Sprintf("%d.M%dP1.bench:2,", 1700000000+i, i))
		if err := os.WriteFile(name, benchMsg(i), 0o644); err != nil {
			b.Fatal(err)
		}
		if os.Getuid() == 0 {
			if err := os.Chown(name, d.uid, d.gid); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// peakRSS reads the process's peak resident set size (VmHWM) in KiB.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb
		}
	}
	return 0
}

// BenchmarkDovecotBackfill backfills 10,000 messages from Dovecot into the
// pipeline (raw blob + ingestion job committed per message, SQLite, the
// ingestion workers running alongside). Its clock stops when every message
// is a ticket a reader of the API sees (all ingested, none pending), not
// when the raw rows are committed; it prints both, and the heap high-water
// mark sampled until the tickets are visible.
func BenchmarkDovecotBackfill(b *testing.B) {
	const n = 10000
	for range b.N {
		d := startDovecot(b)
		fillMaildir(b, d, n)
		c := d.client(b)
		if _, err := c.Status("INBOX", &goimap.StatusOptions{NumMessages: true}).Wait(); err != nil {
			b.Fatal(err)
		}
		c.Close()
		h := newHarness(b, storetest.SQLiteURL(b), "imap://agent:secret@"+d.addr+"/INBOX?tls=none", nil)
		cfg, err := imap.ParseURL("imap://agent:secret@" + d.addr + "/INBOX?tls=none")
		if err != nil {
			b.Fatal(err)
		}
		host := mailbox.NewHost(h.st, h.svc, h.mb, "support@acme.test", slog.New(slog.DiscardHandler))
		conn := imap.New(cfg, host)

		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peakHeap atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			var ms runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					runtime.ReadMemStats(&ms)
					if ms.HeapInuse > peakHeap.Load() {
						peakHeap.Store(ms.HeapInuse)
					}
				}
			}
		}()
		start := time.Now()
		if err := conn.Backfill(context.Background(), time.Time{}); err != nil {
			b.Fatal(err)
		}
		rawTook := time.Since(start)
		if got := h.count(`SELECT count(*) FROM inbound`); got != n {
			b.Fatalf("backfilled %d of %d", got, n)
		}
		// Each message opens its own conversation: n tickets, once the
		// ingestion workers have caught up.
		deadline := time.Now().Add(10 * time.Minute)
		for {
			c := h.counts()
			if c.failed != 0 {
				b.Fatalf("%d messages failed ingestion", c.failed)
			}
			if c.tickets == n && c.pending == 0 {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("tickets never all visible: %+v", c)
			}
			time.Sleep(5 * time.Millisecond)
		}
		took := time.Since(start)
		close(stop)
		<-sampled
		conn.Close()
		rate := float64(n) / took.Seconds()
		b.ReportMetric(rate, "msgs/s")
		b.ReportMetric(float64(n)/rawTook.Seconds(), "raw-msgs/s")
		b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MiB")
		fmt.Printf("imap backfill: %d messages from Dovecot to visible tickets in %v = %.0f msgs/s (raw rows committed after %v = %.0f msgs/s); heap in use before %.1f MiB, peak during %.1f MiB; process peak RSS %d MiB\n",
			n, took.Round(time.Millisecond), rate, rawTook.Round(time.Millisecond), float64(n)/rawTook.Seconds(),
			float64(base.HeapInuse)/(1<<20), float64(peakHeap.Load())/(1<<20), peakRSS()/1024)
	}
}

// BenchmarkIdleLatency measures new mail to ticket with IDLE: the time from
// the APPEND's completion on Dovecot to the ticket existing, median of 20.
func BenchmarkIdleLatency(b *testing.B) {
	for range b.N {
		d := startDovecot(b)
		h := newHarness(b, storetest.SQLiteURL(b), "imap://agent:secret@"+d.addr+"/INBOX?tls=none", func(c *imap.Config) {
			c.PollInterval, c.ResyncInterval = time.Hour, time.Hour
		})
		h.start()
		waitStatus(b, h, func(s store.SyncStatus) bool { return s.Backfilled })
		var lat, rawLat []time.Duration
		for i := range 20 {
			before := h.count(`SELECT count(*) FROM inbound`)
			subject := fmt.Sprintf("latency %d", i)
			d.appendMsgs(b, "INBOX", testMsg(subject))
			start := time.Now()
			for h.count(`SELECT count(*) FROM inbound`) == before {
				if time.Since(start) > waitFor {
					b.Fatalf("no inbound row for %q", subject)
				}
				time.Sleep(2 * time.Millisecond)
			}
			rawLat = append(rawLat, time.Since(start))
			for !h.ticketWithSubject(subject) {
				if time.Since(start) > waitFor {
					b.Fatalf("no ticket for %q", subject)
				}
				time.Sleep(2 * time.Millisecond)
			}
			lat = append(lat, time.Since(start))
		}
		slices.Sort(lat)
		slices.Sort(rawLat)
		median := (lat[9] + lat[10]) / 2
		b.ReportMetric(float64(median.Microseconds())/1000, "median-ms")
		fmt.Printf("imap idle: new mail to ticket median %v, min %v, max %v; to raw message committed median %v (20 messages, SQLite, Dovecot)\n",
			median.Round(time.Millisecond), lat[0].Round(time.Millisecond), lat[19].Round(time.Millisecond), ((rawLat[9] + rawLat[10]) / 2).Round(time.Millisecond))
	}
}
