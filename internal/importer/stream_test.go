package importer

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writeBigMbox writes an mbox of n messages of about size bytes each and
// returns its path, file size and the exact size of each message once
// parsed. It streams to disk: the test's own memory stays small.
func writeBigMbox(tb testing.TB, dir string, n, size int) (path string, fileSize int64, msgSize int) {
	tb.Helper()
	path = filepath.Join(dir, "big.mbox")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	line := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 3)[:75] + "\n"
	escaped := ">From " + strings.Repeat("e", len(line)-len("From \n")) + "\n" // len(line) once unescaped
	for i := range n {
		fmt.Fprintf(w, "From sender%d@example.com Mon Jan  1 00:00:00 2024\n", i)
		h := fmt.Sprintf("From: sender%06d@example.com\nSubject: message %06d\nMessage-ID: <big-%06d@example.com>\n\n", i, i, i)
		w.WriteString(h)
		written := len(h)
		for j := 0; written+len(line) <= size; j++ {
			if j%100 == 50 {
				w.WriteString(escaped)
				written += len(line)
				continue
			}
			w.WriteString(line)
			written += len(line)
		}
		w.WriteString("\n") // separator blank line
		msgSize = written
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		tb.Fatal(err)
	}
	return path, fi.Size(), msgSize
}

// TestWalkStreamsLargeMbox walks a ~200 MB mbox and checks that the heap in
// use stays far below the archive size: only one message is in memory.
func TestWalkStreamsLargeMbox(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200 MB file")
	}
	const (
		n        = 2000
		size     = 100 << 10
		maxHeap  = 64 << 20
		sampleEv = 10
	)
	path, fileSize, msgSize := writeBigMbox(t, t.TempDir(), n, size)
	if fileSize < 200e6 {
		t.Fatalf("fixture is %d bytes, want ~200 MB", fileSize)
	}

	runtime.GC()
	var ms runtime.MemStats
	var peak uint64
	sample := func() {
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	count := 0
	var total int64
	err := Walk(context.Background(), []string{path}, 0, func(it Item) error {
		count++
		total += int64(len(it.Raw))
		if len(it.Raw) != msgSize {
			return fmt.Errorf("%s: %d bytes, want %d", it.Source, len(it.Raw), msgSize)
		}
		if count%sampleEv == 0 {
			sample()
		}
		return nil
	}, func(source string, err error) { t.Errorf("onErr(%s, %v)", source, err) })
	sample()
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Errorf("visited %d messages, want %d", count, n)
	}
	t.Logf("walked %d MB; peak HeapInuse %.1f MB", fileSize>>20, float64(peak)/(1<<20))
	if peak >= maxHeap {
		t.Errorf("peak HeapInuse %d bytes, want < %d: Walk does not stream", peak, maxHeap)
	}

	runtime.GC()
	var cn int
	var cb int64
	// Count has no callback to sample in: sample beside it, for the peak
	// rather than what is left after it.
	peak = peakHeapDuring(func() { cn, cb, err = Count(context.Background(), []string{path}) })
	if err != nil || cn != n || cb != total {
		t.Errorf("Count = %d, %d, %v; want %d, %d", cn, cb, err, n, total)
	}
	if peak >= maxHeap {
		t.Errorf("Count: peak HeapInuse %d bytes, want < %d", peak, maxHeap)
	}
}

// peakHeapDuring runs fn and returns the highest HeapInuse sampled every
// two milliseconds while it ran.
func peakHeapDuring(fn func()) uint64 {
	var peak uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	sample()
	return peak
}

// BenchmarkWalkMbox measures mbox throughput; MB/s is reported per op.
func BenchmarkWalkMbox(b *testing.B) {
	path, fileSize, _ := writeBigMbox(b, b.TempDir(), 500, 100<<10)
	ctx := context.Background()
	b.SetBytes(fileSize)
	b.ReportAllocs()
	msgs := 0
	for b.Loop() {
		err := Walk(ctx, []string{path}, 0, func(it Item) error {
			msgs++
			return nil
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(msgs)/b.Elapsed().Seconds(), "msgs/s")
}
