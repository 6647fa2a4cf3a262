package limiter_test

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/internal/leakcheck"
	"github.com/vcodekit/vcode/limiter"
)

var rule = limiter.Rule{Limit: 2, Window: time.Minute}

// TestMemoryCloseStopsGoroutines: ten limiters, used and closed, leave no
// goroutine behind.
func TestMemoryCloseStopsGoroutines(t *testing.T) {
	before := leakcheck.Snapshot()
	limiters := make([]*limiter.Memory, 10)
	for i := range limiters {
		limiters[i] = limiter.NewMemory()
		if _, err := limiters[i].Allow(t.Context(), "k", rule); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for id := range leakcheck.Snapshot() {
		if _, ok := before[id]; !ok {
			n++
		}
	}
	if n < len(limiters) {
		t.Fatalf("%d limiters in use run %d goroutines; the test would prove nothing", len(limiters), n)
	}
	for _, l := range limiters {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if left := leakcheck.LeftOver(before, false); len(left) > 0 {
		t.Fatalf("%d goroutines left after Close:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
	runtime.KeepAlive(limiters)
}

// TestMemoryUnreachableStopsGoroutine: a limiter dropped without Close has
// its sweeper stopped once collected, as go-cache's janitor is.
func TestMemoryUnreachableStopsGoroutine(t *testing.T) {
	before := leakcheck.Snapshot()
	func() {
		l := limiter.NewMemory()
		_, _ = l.Allow(t.Context(), "k", rule)
	}()
	if left := leakcheck.LeftOver(before, true); len(left) > 0 {
		t.Fatalf("%d goroutines left by an unreachable limiter:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// TestMemoryUseAfterClose: Close may be called twice, before any use and
// concurrently with the other methods, and the limiter decides correctly
// after it, windows included.
func TestMemoryUseAfterClose(t *testing.T) {
	ctx := t.Context()
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	before := leakcheck.Snapshot()
	l := limiter.NewMemory(limiter.WithClock(clk.Now))
	if err := l.Close(); err != nil { // before first use
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			key := string(rune('a' + i))
			if d, _ := l.Allow(ctx, key, rule); d.Allowed {
				_ = l.Release(ctx, key, d.At)
			}
			if err := l.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if left := leakcheck.LeftOver(before, false); len(left) > 0 {
		t.Fatalf("a limiter closed before use started goroutines:\n\n%s", strings.Join(left, "\n\n"))
	}

	allow := func(want bool, remaining int) limiter.Decision {
		t.Helper()
		d, err := l.Allow(ctx, "k", rule)
		if err != nil || d.Allowed != want || d.Remaining != remaining {
			t.Fatalf("Allow after Close = %+v, %v; want allowed %v, remaining %d", d, err, want, remaining)
		}
		return d
	}
	allow(true, 1)
	clk.Advance(time.Second)
	second := allow(true, 0)
	if d := allow(false, 0); d.RetryAfter != time.Minute-time.Second {
		t.Fatalf("RetryAfter after Close = %v", d.RetryAfter)
	}
	if err := l.Release(ctx, "k", second.At); err != nil {
		t.Fatal(err)
	}
	allow(true, 0) // the released event no longer counts

	// Nothing sweeps after Close, yet events out of the window never count.
	clk.Advance(time.Minute)
	allow(true, 1)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestNewMemoryAllocatesLittle: the constructor allocates one small struct
// and starts no goroutine; the cache, locks and sweeper wait for first use.
func TestNewMemoryAllocatesLittle(t *testing.T) {
	if allocs := testing.AllocsPerRun(100, func() { _ = limiter.NewMemory() }); allocs > 1 {
		t.Errorf("NewMemory makes %v allocations", allocs)
	}
	const n = 1000
	keep := make([]*limiter.Memory, n)
	before := leakcheck.Snapshot()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	for i := range keep {
		keep[i] = limiter.NewMemory()
	}
	runtime.ReadMemStats(&b)
	if per := (b.TotalAlloc - a.TotalAlloc) / n; per > 512 {
		t.Errorf("NewMemory allocates %d bytes", per)
	}
	if left := leakcheck.LeftOver(before, false); len(left) > 0 {
		t.Errorf("NewMemory started %d goroutines", len(left))
	}
	runtime.KeepAlive(keep)
}
