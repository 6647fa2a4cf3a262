package asynclog

import (
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// written counts the lines with msg in out, and sums the drops the
// summary lines report.
func written(out, msg string) (lines, dropped int) {
	summary := regexp.MustCompile(`^level=WARN msg="vcode log: (\d+) lines dropped" dropped=(\d+)$`)
	for _, line := range strings.Split(out, "\n") {
		if m := summary.FindStringSubmatch(line); m != nil {
			var n int
			fmt.Sscan(m[1], &n)
			dropped += n
		} else if line == "level=ERROR msg="+msg || strings.HasPrefix(line, "level=ERROR msg="+msg+" ") {
			lines++
		}
	}
	return lines, dropped
}

// TestStuckWriterNeverHangs: with the writer blocked for good (a standard
// error nobody reads), 1,000 requests that each log an ERROR all return;
// the lines that find no room are counted, and once the writer moves
// again the count is reported, so that written and dropped lines add up.
func TestStuckWriterNeverHangs(t *testing.T) {
	w := &blocking{entered: make(chan struct{}), release: make(chan struct{})}
	const queue = 16
	h := New(w, text(slog.LevelInfo), &Options{QueueSize: queue, SyncTimeout: 5 * time.Millisecond})
	l := slog.New(h)
	l.Info("first")
	<-w.entered // the goroutine is stuck writing "first", for good

	const n = 1000
	done := make(chan struct{})
	go func() {
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { l.Error("failed", "i", i) })
		}
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute): // a watchdog, not a measure
		t.Fatal("requests are still waiting on the stuck log after a minute")
	}
	dropped := h.Dropped()
	if dropped == 0 || dropped > n {
		t.Fatalf("Dropped() = %d, want between 1 and %d", dropped, n)
	}
	close(w.release)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	lines, reported := written(w.String(), "failed")
	if lines+reported != n || uint64(reported) != dropped || lines > 2*queue {
		t.Fatalf("%d lines written, %d reported dropped, Dropped() = %d: want %d in all, the report equal to Dropped(), at most %d written",
			lines, reported, dropped, n, 2*queue)
	}
	t.Logf("%d written, %d dropped", lines, reported)
}

// TestStuckWriterWaitedForOnce: once a synchronous record's wait has run
// out, later ones do not wait while the writer is stuck (1,000 ERRORs in a
// row cost one wait, not 1,000); once it has written again, they are
// synchronous again.
func TestStuckWriterWaitedForOnce(t *testing.T) {
	w := &blocking{entered: make(chan struct{}), release: make(chan struct{})}
	const queue = 16
	h := New(w, text(slog.LevelInfo), &Options{QueueSize: queue})
	var waits atomic.Int32
	fire := make(chan time.Time)
	close(fire)
	h.c.after = func(time.Duration) <-chan time.Time {
		waits.Add(1)
		return fire // the wait runs out at once
	}
	l := slog.New(h)
	l.Info("first")
	<-w.entered

	const n = 1000
	for i := range n {
		if err := h.Handle(t.Context(), slog.NewRecord(time.Now(), slog.LevelError, "failed", 0)); err == nil {
			t.Fatalf("ERROR %d: Handle returned nil, the line unwritten", i)
		}
	}
	if got := waits.Load(); got != 1 {
		t.Fatalf("%d waits for a stuck writer, want 1", got)
	}
	if got := h.Dropped(); got != n-2*queue {
		t.Fatalf("Dropped() = %d, want %d (the queue holds %d synchronous records)", got, n-2*queue, 2*queue)
	}

	close(w.release)
	// Once the queue has drained, an ERROR waits for its write again.
	h.c.after = func(time.Duration) <-chan time.Time { return nil } // never runs out
	for {
		h.c.mu.Lock()
		drained := len(h.c.q) == 0 && !h.c.stalled
		h.c.mu.Unlock()
		if drained {
			break
		}
		time.Sleep(time.Millisecond)
	}
	l.Error("again")
	if !strings.HasSuffix(w.String(), "level=ERROR msg=again\n") {
		t.Fatalf("the ERROR after the writer moved again is not written when the call returns:\n%s", w.String())
	}
	h.Close()
	lines, reported := written(w.String(), "failed")
	if lines != 2*queue || reported != n-2*queue {
		t.Fatalf("%d written, %d reported dropped; want %d and %d", lines, reported, 2*queue, n-2*queue)
	}
}
