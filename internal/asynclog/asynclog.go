// Package asynclog is a slog.Handler that takes the formatting and the
// writing of log lines off the logging goroutine: Handle copies the record
// into a bounded queue and returns, and one goroutine of the handler's own
// formats the queued records in batches, with an ordinary handler (such as
// slog.TextHandler), into a bufio.Writer that it flushes once per batch.
// A request that logs one line pays for a lock and a copy of the record,
// not for the formatting and a write system call.
//
// Lines reach the writer in the order they were handled, at most about
// FlushInterval after they were logged: the goroutine lets records gather
// for FlushInterval (default 100 ms), or less when the queue is half full,
// then writes everything queued and flushes.
//
// When the queue is full (the writer is slower than the loggers: a blocked
// or slow standard error), records below the sync level are dropped
// rather than block the loggers, and counted; once the queued records are
// written, one summary line at WARN takes their place:
//
//	level=WARN msg="vcode log: 12 lines dropped" dropped=12
//
// Blocking instead would pass the writer's slowness on to every request,
// and with it a way for a flood of requests to stall the whole service on
// its own log.
//
// Records at or above the sync level (default slog.LevelWarn; see
// Handler.WithSyncLevel) are not delayed: they are queued, the goroutine
// is woken at once, and Handle returns once the record, and every record
// queued before it, has been written and flushed, with the write's error.
// Errors and warnings are thus on the writer, in order, by the time the
// call that logged them returns, while the writer keeps up.
//
// No caller waits on a stuck writer, though. A synchronous record waits
// at most Options.SyncTimeout (default 1 s) for its write; if that runs
// out with no write done since the record was queued, the writer is taken
// for stalled, and until it completes a write, synchronous records are
// queued without waiting. They have room for QueueSize more records than
// the others (twice QueueSize in all); past that they are dropped too.
// Handle returns an error for a synchronous record it did not see written.
// Dropped records are counted (Handler.Dropped, for a metric) and the
// summary line reports them once the writer moves again. Waiting for a
// writer that never returns would hang every request that logs an error,
// and then the whole service, on its standard error.
//
// Close writes everything queued, flushes and stops the goroutine; a
// record handled after Close is written and flushed at once, on the
// caller's goroutine. A Handler and those made from it by WithAttrs,
// WithGroup and WithSyncLevel share one queue, goroutine and writer, and
// are safe for concurrent use.
//
// Values are formatted later, on the handler's goroutine: a value passed to
// the logger must not change after the call. slog.LogValuer values are
// resolved in Handle, on the caller's goroutine, as slog requires.
package asynclog

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a Handler; the zero value, or nil, gives the defaults.
type Options struct {
	// QueueSize bounds the records waiting to be written (default 4096);
	// beyond it records below the sync level are dropped and counted.
	QueueSize int
	// FlushInterval is how long records gather before they are written
	// in one batch and flushed (default 100 ms).
	FlushInterval time.Duration
	// BufferSize is the size of the bufio.Writer (default 64 KiB).
	BufferSize int
	// SyncTimeout bounds how long a record at or above the sync level
	// waits for its write (default 1 s); see the package comment.
	SyncTimeout time.Duration
}

// Handler is the asynchronous handler; see the package comment.
type Handler struct {
	inner     slog.Handler
	c         *core
	syncLevel slog.Level
}

// entry is one queued record with the handler that formats it.
type entry struct {
	ctx  context.Context
	h    slog.Handler
	r    slog.Record
	done chan error // for a record at or above the sync level
}

type core struct {
	kick     chan struct{} // wakes the goroutine (capacity 1)
	stopped  chan struct{} // closed when the goroutine returns
	interval time.Duration
	max      int // queue bound; twice as much for synchronous records
	high     int // queue length that wakes the goroutine early
	timeout  time.Duration
	after    func(time.Duration) <-chan time.Time // time.After; tests replace it
	total    atomic.Uint64                        // records dropped, ever

	mu      sync.Mutex
	q       []entry
	dropped int
	urgent  bool // a sync record is queued, or the queue is half full
	closing bool
	done    bool   // the goroutine has returned: write at once
	stalled bool   // a synchronous record's wait ran out; until the next write, none waits
	writes  uint64 // batches written

	wmu   sync.Mutex // serializes writing through root and bw
	w     io.Writer
	bw    *bufio.Writer
	root  slog.Handler
	err   error   // the first write error
	spare []entry // the goroutine's second queue, swapped with q
}

// New returns a Handler writing to w through the handler that newHandler
// makes, for example
//
//	asynclog.New(os.Stderr, func(w io.Writer) slog.Handler {
//		return slog.NewTextHandler(w, nil)
//	}, nil)
//
// newHandler is given the Handler's buffered writer; the handler it
// returns decides which levels are enabled and must write only from its
// Handle method. New starts the goroutine that Close stops.
func New(w io.Writer, newHandler func(io.Writer) slog.Handler, opts *Options) *Handler {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 4096
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = 100 * time.Millisecond
	}
	if o.BufferSize <= 0 {
		o.BufferSize = 64 << 10
	}
	if o.SyncTimeout <= 0 {
		o.SyncTimeout = time.Second
	}
	c := &core{
		kick:     make(chan struct{}, 1),
		stopped:  make(chan struct{}),
		interval: o.FlushInterval,
		max:      o.QueueSize,
		high:     max(o.QueueSize/2, 1),
		timeout:  o.SyncTimeout,
		after:    time.After,
		w:        w,
		bw:       bufio.NewWriterSize(w, o.BufferSize),
	}
	c.root = newHandler(c.bw)
	go c.run()
	return &Handler{inner: c.root, c: c, syncLevel: slog.LevelWarn}
}

// Enabled reports whether the inner handler handles records at level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

// Handle queues a copy of r; a record at or above the sync level is
// waited for, at most SyncTimeout and not at all while the writer is
// stalled. See the package comment.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	c := h.c
	e := entry{ctx: ctx, h: h.inner, r: detach(r)}
	wait := r.Level >= h.syncLevel
	if wait {
		e.done = make(chan error, 1)
	}
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return c.writeNow(e)
	}
	n := len(c.q)
	if n >= c.max && (!wait || n >= 2*c.max) {
		c.dropped++
		c.total.Add(1)
		c.mu.Unlock()
		if wait {
			return errDropped
		}
		return nil
	}
	if wait && c.dropped > 0 {
		// The summary goes before the record, which came after the drops.
		c.q = append(c.q, c.summary(c.dropped))
		c.dropped = 0
	}
	c.q = append(c.q, e)
	wake := n == 0
	if wait || n+1 == c.high {
		c.urgent, wake = true, true
	}
	stalled, writes := c.stalled, c.writes
	c.mu.Unlock()
	if wake {
		c.wake()
	}
	if !wait {
		return nil
	}
	if stalled {
		return errStalled
	}
	select {
	case err := <-e.done:
		return err
	case <-c.after(c.timeout):
	}
	c.mu.Lock()
	if c.writes == writes {
		// Nothing was written meanwhile: the writer is stuck, and
		// nobody else need wait for it.
		c.stalled = true
	}
	c.mu.Unlock()
	return errStalled
}

// The errors of a synchronous record not seen written.
var (
	errStalled = errors.New("asynclog: the log writer is stalled; the record is queued, not yet written")
	errDropped = errors.New("asynclog: the log writer is stalled and the queue full; the record was dropped")
)

// Dropped returns how many records were dropped since New, for a
// metric; each was reported, or will be, in a summary line.
func (h *Handler) Dropped() uint64 { return h.c.total.Load() }

// WithAttrs returns a Handler sharing h's queue whose records carry attrs.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return &Handler{inner: h.inner.WithAttrs(attrs), c: h.c, syncLevel: h.syncLevel}
}

// WithGroup returns a Handler sharing h's queue whose attributes are in
// the group name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &Handler{inner: h.inner.WithGroup(name), c: h.c, syncLevel: h.syncLevel}
}

// WithSyncLevel returns a Handler sharing h's queue for which records at
// or above level are written synchronously (waited for, within
// SyncTimeout, and kept while the queue has room for them; see the
// package comment). slog.LevelDebug makes every record
// synchronous: for a program's few lines of its own (start, stop) that
// should be out at once, in order with the queued ones.
func (h *Handler) WithSyncLevel(level slog.Level) *Handler {
	return &Handler{inner: h.inner, c: h.c, syncLevel: level}
}

// Close writes every queued record, flushes, and stops the goroutine. It
// returns the first error writing met, if any. Records handled after Close
// are written at once. Close may be called more than once.
func (h *Handler) Close() error {
	c := h.c
	c.mu.Lock()
	c.closing = true
	c.mu.Unlock()
	c.wake()
	<-c.stopped
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.err
}

func (c *core) wake() {
	select {
	case c.kick <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// run is the writing goroutine: it waits for records, lets them gather for
// the interval unless one is urgent, and writes them all in one batch.
func (c *core) run() {
	defer close(c.stopped)
	timer := time.NewTimer(c.interval)
	timer.Stop()
	for {
		c.mu.Lock()
		for len(c.q) == 0 && c.dropped == 0 {
			if c.closing {
				c.done = true
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			<-c.kick
			c.mu.Lock()
		}
		if !c.urgent && !c.closing {
			c.mu.Unlock()
			timer.Reset(c.interval)
			select {
			case <-timer.C:
			case <-c.kick: // urgent, closing, or a stale wake-up
			}
			timer.Stop()
			c.mu.Lock()
		}
		batch, dropped := c.q, c.dropped
		c.q, c.dropped, c.urgent = c.spare[:0], 0, false
		c.mu.Unlock()

		batch = c.write(batch, dropped)
		clear(batch) // let the records' contexts and values go
		c.spare = batch
	}
}

// summary is the line that stands for n dropped records.
func (c *core) summary(n int) entry {
	r := slog.NewRecord(time.Now(), slog.LevelWarn, fmt.Sprintf("vcode log: %d lines dropped", n), 0)
	r.AddAttrs(slog.Int("dropped", n))
	return entry{ctx: context.Background(), h: c.root, r: r}
}

// write formats the batch and the summary of the records dropped since
// (which came after every record of the batch: they were dropped because
// the queue was full), flushes, and releases the waiting synchronous
// callers. It returns the batch, grown by the summary.
func (c *core) write(batch []entry, dropped int) []entry {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var herr error
	if dropped > 0 {
		batch = append(batch, c.summary(dropped))
	}
	for i := range batch {
		e := &batch[i]
		if err := e.h.Handle(e.ctx, e.r); err != nil && herr == nil {
			herr = err
		}
	}
	err := c.flush()
	if err == nil {
		err = herr
	}
	if err != nil && c.err == nil {
		c.err = err
	}
	c.mu.Lock()
	c.writes++
	c.stalled = false
	c.mu.Unlock()
	for i := range batch {
		if batch[i].done != nil {
			batch[i].done <- err
		}
	}
	return batch
}

// writeNow writes one record on the caller's goroutine, after Close.
func (c *core) writeNow(e entry) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	err := e.h.Handle(e.ctx, e.r)
	if ferr := c.flush(); err == nil {
		err = ferr
	}
	if err != nil && c.err == nil {
		c.err = err
	}
	return err
}

// flush flushes bw; after an error, whose lines are lost, bw is reset so
// that later lines are tried again (a bufio.Writer keeps its first error).
// Called with wmu held.
func (c *core) flush() error {
	err := c.bw.Flush()
	if err != nil {
		c.bw.Reset(c.w)
	}
	return err
}

// detach returns a copy of r that may be kept after Handle returns, its
// slog.LogValuer values resolved now, on the logging goroutine.
func detach(r slog.Record) slog.Record {
	resolve := false
	r.Attrs(func(a slog.Attr) bool {
		resolve = needsResolve(a.Value)
		return !resolve
	})
	if !resolve {
		return r.Clone()
	}
	nr := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(resolveAttr(a))
		return true
	})
	return nr
}

func needsResolve(v slog.Value) bool {
	switch v.Kind() {
	case slog.KindLogValuer:
		return true
	case slog.KindGroup:
		for _, a := range v.Group() {
			if needsResolve(a.Value) {
				return true
			}
		}
	}
	return false
}

func resolveAttr(a slog.Attr) slog.Attr {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() == slog.KindGroup {
		g := a.Value.Group()
		attrs := make([]slog.Attr, len(g))
		for i, ga := range g {
			attrs[i] = resolveAttr(ga)
		}
		a.Value = slog.GroupValue(attrs...)
	}
	return a
}
