package asynclog

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// buffer is a bytes.Buffer safe for concurrent use.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func text(level slog.Level) func(io.Writer) slog.Handler {
	return func(w io.Writer) slog.Handler {
		return slog.NewTextHandler(w, &slog.HandlerOptions{
			Level: level,
			// No time: the tests compare lines.
			ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
				if a.Key == slog.TimeKey && len(groups) == 0 {
					return slog.Attr{}
				}
				return a
			},
		})
	}
}

func lines(s string) []string {
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func TestOrderKeptAndAllWrittenOnClose(t *testing.T) {
	var out buffer
	h := New(&out, text(slog.LevelInfo), &Options{QueueSize: 100000})
	l := slog.New(h)
	const n = 5000
	for i := range n {
		l.Info("line", "i", i)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	got := lines(out.String())
	if len(got) != n {
		t.Fatalf("%d lines, want %d", len(got), n)
	}
	for i, line := range got {
		if want := fmt.Sprintf("level=INFO msg=line i=%d", i); line != want {
			t.Fatalf("line %d: %q, want %q", i, line, want)
		}
	}
}

// TestConcurrentWritersNothingLost: every line of every writer is out after
// Close, each writer's in its order, with a queue that never fills.
func TestConcurrentWritersNothingLost(t *testing.T) {
	var out buffer
	const writers, each = 8, 2000
	h := New(&out, text(slog.LevelInfo), &Options{QueueSize: writers * each, FlushInterval: time.Millisecond})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			l := slog.New(h).With("w", w)
			for i := range each {
				l.Info("line", "i", i)
				if i%500 == 0 {
					l.Warn("sync", "i", i) // synchronous ones interleaved
				}
			}
		})
	}
	wg.Wait()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers)
	re := regexp.MustCompile(`^level=(INFO|WARN) msg=(line|sync) w=(\d+) i=(\d+)$`)
	infos := 0
	for _, line := range lines(out.String()) {
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("unexpected line %q", line)
		}
		var w, i int
		fmt.Sscan(m[3], &w)
		fmt.Sscan(m[4], &i)
		if m[2] == "sync" {
			if i != next[w]-1 {
				t.Fatalf("writer %d: warning %d after line %d", w, i, next[w]-1)
			}
			continue
		}
		if i != next[w] {
			t.Fatalf("writer %d: line %d, want %d", w, i, next[w])
		}
		next[w]++
		infos++
	}
	if infos != writers*each {
		t.Fatalf("%d lines, want %d", infos, writers*each)
	}
}

// TestConcurrentDropsAccounted: with the default queue, lines written plus
// lines reported dropped are all the lines logged.
func TestConcurrentDropsAccounted(t *testing.T) {
	var out buffer
	h := New(&out, text(slog.LevelInfo), &Options{QueueSize: 64})
	const writers, each = 4, 3000
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			l := slog.New(h)
			for range each {
				l.Info("line")
			}
		})
	}
	wg.Wait()
	h.Close()
	written, dropped := 0, 0
	for _, line := range lines(out.String()) {
		var n int
		if _, err := fmt.Sscanf(line, `level=WARN msg="vcode log: %d lines dropped"`, &n); err == nil {
			dropped += n
			continue
		}
		written++
	}
	if written+dropped != writers*each {
		t.Fatalf("%d written + %d dropped, want %d", written, dropped, writers*each)
	}
	t.Logf("%d written, %d dropped", written, dropped)
}

// blocking is a writer that blocks until released, telling when it does.
type blocking struct {
	buffer
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func (b *blocking) Write(p []byte) (int, error) {
	b.once.Do(func() {
		close(b.entered)
		<-b.release
	})
	return b.buffer.Write(p)
}

// TestDropsCountedWhenWriterBlocked: with the writer stuck, the queue fills,
// further INFO lines are dropped and summed up in one line, while a WARN
// line is kept, after the summary of the drops that came before it.
func TestDropsCountedWhenWriterBlocked(t *testing.T) {
	w := &blocking{entered: make(chan struct{}), release: make(chan struct{})}
	h := New(w, text(slog.LevelInfo), &Options{QueueSize: 4, FlushInterval: time.Millisecond})
	l := slog.New(h)
	l.Info("first")
	<-w.entered // the goroutine is stuck writing "first"

	start := time.Now()
	for i := range 10 {
		l.Info("queued", "i", i) // 4 queued, 6 dropped
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("logging blocked for %v", d)
	}
	warned := make(chan struct{})
	go func() {
		l.Warn("kept")
		close(warned)
	}()
	// Wait for the warning to be queued before dropping more.
	for {
		h.c.mu.Lock()
		n := len(h.c.q)
		h.c.mu.Unlock()
		if n == 6 { // 4 lines, the summary and the warning
			break
		}
		time.Sleep(time.Millisecond)
	}
	for i := range 3 {
		l.Info("after", "i", i) // dropped: the queue is over its bound
	}
	select {
	case <-warned:
		t.Fatal("the warning returned before it was written")
	case <-time.After(20 * time.Millisecond):
	}
	close(w.release)
	<-warned
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`level=INFO msg=first`,
		`level=INFO msg=queued i=0`,
		`level=INFO msg=queued i=1`,
		`level=INFO msg=queued i=2`,
		`level=INFO msg=queued i=3`,
		`level=WARN msg="vcode log: 6 lines dropped" dropped=6`,
		`level=WARN msg=kept`,
		`level=WARN msg="vcode log: 3 lines dropped" dropped=3`,
	}
	if got := lines(w.String()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLevelFiltering(t *testing.T) {
	var out buffer
	h := New(&out, text(slog.LevelWarn), nil)
	l := slog.New(h)
	if l.Enabled(t.Context(), slog.LevelInfo) || !l.Enabled(t.Context(), slog.LevelWarn) {
		t.Fatal("Enabled does not follow the inner handler's level")
	}
	l.Debug("d")
	l.Info("i")
	l.Warn("w")
	l.Error("e")
	h.Close()
	if got := out.String(); got != "level=WARN msg=w\nlevel=ERROR msg=e\n" {
		t.Fatalf("got %q", got)
	}
}

func TestWithAttrsAndGroup(t *testing.T) {
	var out buffer
	h := New(&out, text(slog.LevelInfo), nil)
	base := slog.New(h)
	derived := base.With("a", 1).WithGroup("g").With("b", 2)
	derived.Info("m", "c", 3)
	base.Info("plain", "c", 4)
	derived.Warn("w")
	h.Close()
	want := "level=INFO msg=m a=1 g.b=2 g.c=3\n" +
		"level=INFO msg=plain c=4\n" +
		"level=WARN msg=w a=1 g.b=2\n"
	if got := out.String(); got != want {
		t.Fatalf("got:\n%swant:\n%s", got, want)
	}
}

// TestSyncWrittenBeforeReturn: a warning is out, after the lines queued
// before it, when the call returns; Close is not needed.
func TestSyncWrittenBeforeReturn(t *testing.T) {
	var out buffer
	h := New(&out, text(slog.LevelInfo), &Options{FlushInterval: time.Hour})
	defer h.Close()
	l := slog.New(h)
	l.Info("queued")
	l.Error("now")
	if got := out.String(); got != "level=INFO msg=queued\nlevel=ERROR msg=now\n" {
		t.Fatalf("got %q", got)
	}
	// WithSyncLevel(Debug): every line at once.
	slog.New(h.WithSyncLevel(slog.LevelDebug)).Info("own")
	if got := out.String(); !strings.HasSuffix(got, "level=INFO msg=own\n") {
		t.Fatalf("got %q", got)
	}
}

func TestFlushedWithinInterval(t *testing.T) {
	var out buffer
	h := New(&out, text(slog.LevelInfo), &Options{FlushInterval: 10 * time.Millisecond})
	defer h.Close()
	slog.New(h).Info("soon")
	deadline := time.Now().Add(5 * time.Second)
	for out.String() == "" {
		if time.Now().After(deadline) {
			t.Fatal("not flushed without Close")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAfterClose(t *testing.T) {
	var out buffer
	h := New(&out, text(slog.LevelInfo), nil)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	slog.New(h).Info("late")
	if got := out.String(); got != "level=INFO msg=late\n" {
		t.Fatalf("got %q", got)
	}
}

type counter struct{ n *int }

func (c counter) LogValue() slog.Value { return slog.IntValue(*c.n) }

// TestLogValuerResolvedAtCall: a LogValuer is read on the caller's
// goroutine, as it was when logged.
func TestLogValuerResolvedAtCall(t *testing.T) {
	var out buffer
	h := New(&out, text(slog.LevelInfo), &Options{FlushInterval: time.Hour})
	n := 1
	slog.New(h).Info("m", "v", counter{&n}, slog.Group("g", "w", counter{&n}))
	n = 2
	h.Close()
	if got := out.String(); got != "level=INFO msg=m v=1 g.w=1\n" {
		t.Fatalf("got %q", got)
	}
}

type failing struct{}

func (failing) Write(p []byte) (int, error) { return 0, io.ErrClosedPipe }

func TestWriteErrorReported(t *testing.T) {
	h := New(failing{}, text(slog.LevelInfo), nil)
	if err := slog.New(h).Handler().Handle(t.Context(), slog.NewRecord(time.Now(), slog.LevelError, "x", 0)); err == nil {
		t.Fatal("no error from a synchronous record whose write failed")
	}
	slog.New(h).Info("y")
	if err := h.Close(); err == nil {
		t.Fatal("Close reports no error")
	}
}

func BenchmarkHandle(b *testing.B) {
	h := New(io.Discard, text(slog.LevelInfo), &Options{QueueSize: 1 << 16})
	defer h.Close()
	l := slog.New(h)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.LogAttrs(b.Context(), slog.LevelInfo, "vcode request",
				slog.String("request_id", "0123456789abcdef"), slog.String("route", "verify"),
				slog.Int("status", 429), slog.Duration("latency", time.Millisecond),
				slog.String("error_code", "USG.201060007"), slog.String("contact", "+86136****5678"))
		}
	})
}

func BenchmarkTextHandlerDirect(b *testing.B) {
	l := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.LogAttrs(b.Context(), slog.LevelInfo, "vcode request",
				slog.String("request_id", "0123456789abcdef"), slog.String("route", "verify"),
				slog.Int("status", 429), slog.Duration("latency", time.Millisecond),
				slog.String("error_code", "USG.201060007"), slog.String("contact", "+86136****5678"))
		}
	})
}
