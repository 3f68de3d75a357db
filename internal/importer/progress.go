package importer

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

const (
	barWidth = 20
	// ttyRedrawEvery limits redraws of the TTY bar.
	ttyRedrawEvery = 100 * time.Millisecond
	// plainEveryN and plainEvery: a non-TTY line is written once this many
	// messages or this much time have passed since the previous line.
	plainEveryN = 1000
	plainEvery  = 5 * time.Second
)

// Progress reports import progress on w (normally stderr).
//
// On a terminal it redraws one line:
//
//	[#####...............]  1234/10000  12%  310 msg/s  ETA 25s
//
// Otherwise it writes a plain line every 1000 messages or 5 seconds,
// whichever comes first, and a final summary line from Done.
// A Progress is for use by one goroutine.
type Progress struct {
	w     io.Writer
	tty   bool
	total int
	now   func() time.Time

	start     time.Time
	done      int
	lastDraw  time.Time // TTY: last redraw
	lastWidth int       // TTY: length of the last drawn line, to blank leftovers
	lastLineN int       // plain: count at the last line
	lastLineT time.Time // plain: time of the last line
	finished  bool
}

// NewProgress returns a Progress for total messages (0 if unknown). now is
// the clock (time.Now if nil); tests inject a fake one.
func NewProgress(w io.Writer, isTTY bool, total int, now func() time.Time) *Progress {
	if now == nil {
		now = time.Now
	}
	t := now()
	p := &Progress{w: w, tty: isTTY, total: total, now: now, start: t, lastLineT: t}
	if isTTY {
		p.draw(t)
	}
	return p
}

// Add records n more processed messages and updates the display if due.
func (p *Progress) Add(n int) {
	if p.finished {
		return
	}
	p.done += n
	t := p.now()
	if p.tty {
		if t.Sub(p.lastDraw) >= ttyRedrawEvery || (p.total > 0 && p.done >= p.total) {
			p.draw(t)
		}
		return
	}
	if p.done-p.lastLineN >= plainEveryN || t.Sub(p.lastLineT) >= plainEvery {
		fmt.Fprintf(p.w, "progress: %s\n", p.status(t))
		p.lastLineN, p.lastLineT = p.done, t
	}
}

// Done writes the final state: the bar a last time followed by a newline on
// a terminal, a summary line otherwise. Later calls do nothing.
func (p *Progress) Done() {
	if p.finished {
		return
	}
	p.finished = true
	t := p.now()
	if p.tty {
		p.draw(t)
		fmt.Fprintln(p.w)
		return
	}
	elapsed := t.Sub(p.start)
	fmt.Fprintf(p.w, "done: %d messages in %s (%s)\n", p.done, fmtDuration(elapsed), fmtRate(p.rate(t)))
}

// draw redraws the TTY line.
func (p *Progress) draw(t time.Time) {
	var line string
	if p.total > 0 {
		filled := min(barWidth, p.done*barWidth/p.total)
		line = "[" + strings.Repeat("#", filled) + strings.Repeat(".", barWidth-filled) + "]  " + p.status(t)
	} else {
		line = p.status(t)
	}
	pad := ""
	if n := p.lastWidth - len(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.lastWidth = len(line)
	p.lastDraw = t
}

// status is "1234/10000  12%  310 msg/s  ETA 25s" (or "1234  310 msg/s"
// without a total).
func (p *Progress) status(t time.Time) string {
	rate := p.rate(t)
	if p.total <= 0 {
		return fmt.Sprintf("%d  %s", p.done, fmtRate(rate))
	}
	pct := min(100, p.done*100/p.total)
	eta := "--"
	if left := p.total - p.done; left <= 0 {
		eta = "0s"
	} else if rate > 0 {
		eta = fmtDuration(time.Duration(float64(left) / rate * float64(time.Second)))
	}
	return fmt.Sprintf("%d/%d  %d%%  %s  ETA %s", p.done, p.total, pct, fmtRate(rate), eta)
}

func (p *Progress) rate(t time.Time) float64 {
	el := t.Sub(p.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.done) / el
}

func fmtRate(r float64) string { return fmt.Sprintf("%.0f msg/s", r) }

// fmtDuration rounds to seconds: "25s", "3m05s", "1h02m".
func fmtDuration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	default:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
}

// IsTerminal reports whether f is a terminal.
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(int(f.Fd()))
}
