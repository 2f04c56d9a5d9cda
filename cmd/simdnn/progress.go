package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a bar within the epoch on a terminal, but only once the
// epoch has run for a second: short epochs print their line and nothing
// else.
type progress struct {
	w       io.Writer
	enabled bool
	epochs  int
	now     func() time.Time

	start time.Time // of the current epoch
	drawn time.Time // last draw; zero when nothing is on the line
}

const (
	progressDelay = time.Second
	progressEvery = 100 * time.Millisecond
	progressWidth = 30
)

func newProgress(w io.Writer, enabled bool, epochs int) *progress {
	p := &progress{w: w, enabled: enabled, epochs: epochs, now: time.Now}
	p.restart()
	return p
}

// restart marks the start of an epoch.
func (p *progress) restart() { p.start = p.now() }

// batch is net.Config.OnBatch.
func (p *progress) batch(epoch, done, total int) {
	t := p.now()
	if !p.enabled || t.Sub(p.start) < progressDelay || done == total || t.Sub(p.drawn) < progressEvery {
		return
	}
	filled := progressWidth * done / total
	bar := strings.Repeat("=", filled) + ">" + strings.Repeat(" ", progressWidth-filled)
	elapsed := t.Sub(p.start)
	eta := time.Duration(float64(elapsed) * float64(total-done) / float64(done)).Round(time.Second)
	fmt.Fprintf(p.w, "\r\x1b[KEpoch %d/%d [%s] %d/%d - ETA %s", epoch, p.epochs, bar[:progressWidth+1], done, total, eta)
	p.drawn = t
}

// clear removes the bar, if one is drawn, so the next line starts clean.
func (p *progress) clear() {
	if !p.drawn.IsZero() {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = time.Time{}
	}
}
