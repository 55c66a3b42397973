package main

import (
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// progressPrinter shows an import's progress on the terminal — files done
// out of the total, the time left, the current file — on one line that it
// rewrites. It stays quiet (nil) when stderr or stdout is not a terminal:
// a script, a pipe, a log file or systemd's journal gets only the results.
func (m *Main) progressPrinter() func(done, total int, current string) {
	if !isTerminalWriter(m.Stderr) || !isTerminalWriter(m.Stdout) {
		return nil
	}
	return m.progressTo(m.Stderr, time.Now)
}

// progressTo writes progress lines to w, timing them with now.
func (m *Main) progressTo(w io.Writer, now func() time.Time) func(done, total int, current string) {
	start := now()
	return func(done, total int, current string) {
		if total < 2 {
			return
		}
		if current == "" {
			fmt.Fprint(w, "\r\033[K") // finished: clear the line for the results
			return
		}
		fmt.Fprint(w, "\r\033[K"+m.formatProgress(done, total, current, now().Sub(start)))
	}
}

// formatProgress is one progress line: "3/10 (30%) · còn 1m10s · tệp.wav".
// The time left is the mean time per file so far times the files left; it
// is not shown before the first file is done.
func (m *Main) formatProgress(done, total int, current string, elapsed time.Duration) string {
	line := fmt.Sprintf("%d/%d (%d%%)", done, total, done*100/max(total, 1))
	if done > 0 {
		left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
		line += fmt.Sprintf(" · %s %s", m.T("còn", "left"), left.Round(time.Second))
	}
	return line + " · " + filepath.Base(current)
}
