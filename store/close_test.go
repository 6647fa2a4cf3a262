package store_test

import (
	"bytes"
	"crypto/sha256"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/internal/leakcheck"
	"github.com/vcodekit/vcode/store"
)

func sum(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}

// TestMemoryCloseStopsGoroutines: ten stores, used and closed, leave no
// goroutine behind.
func TestMemoryCloseStopsGoroutines(t *testing.T) {
	before := leakcheck.Snapshot()
	stores := make([]*store.Memory, 10)
	for i := range stores {
		stores[i] = store.NewMemory()
		if err := stores[i].Save(t.Context(), "k", store.Record{Digest: sum("c"), TTL: time.Minute, MaxAttempts: 3}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for id := range leakcheck.Snapshot() {
		if _, ok := before[id]; !ok {
			n++
		}
	}
	if n < len(stores) {
		t.Fatalf("%d stores in use run %d goroutines; the test would prove nothing", len(stores), n)
	}
	for _, s := range stores {
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if left := leakcheck.LeftOver(before, false); len(left) > 0 {
		t.Fatalf("%d goroutines left after Close:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
	runtime.KeepAlive(stores)
}

// TestMemoryUnreachableStopsGoroutine: a store dropped without Close has its
// sweeper stopped once collected, as go-cache's janitor is.
func TestMemoryUnreachableStopsGoroutine(t *testing.T) {
	before := leakcheck.Snapshot()
	func() {
		s := store.NewMemory()
		_ = s.Save(t.Context(), "k", store.Record{Digest: sum("c"), TTL: time.Minute, MaxAttempts: 3})
	}()
	if left := leakcheck.LeftOver(before, true); len(left) > 0 {
		t.Fatalf("%d goroutines left by an unreachable store:\n\n%s", len(left), strings.Join(left, "\n\n"))
	}
}

// TestMemoryUseAfterClose: Close may be called twice, before any use and
// concurrently with the other methods, and the store answers correctly
// after it, expiry included.
func TestMemoryUseAfterClose(t *testing.T) {
	ctx := t.Context()
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	before := leakcheck.Snapshot()
	s := store.NewMemory(store.WithClock(clk.Now))
	if err := s.Close(); err != nil { // before first use
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			key := string(rune('a' + i))
			_ = s.Save(ctx, key, store.Record{Digest: sum(key), TTL: time.Minute, MaxAttempts: 3})
			_, _ = s.Consume(ctx, key, sum(key))
			if err := s.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if left := leakcheck.LeftOver(before, false); len(left) > 0 {
		t.Fatalf("a store closed before use started goroutines:\n\n%s", strings.Join(left, "\n\n"))
	}

	rec := store.Record{Digest: sum("right"), Sealed: []byte("sealed"), TTL: time.Minute, MaxAttempts: 2}
	if err := s.Save(ctx, "k", rec); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Consume(ctx, "k", sum("wrong")); r != store.Mismatch {
		t.Fatalf("wrong digest after Close: %v", r)
	}
	if sealed, left, _ := s.Peek(ctx, "k"); !bytes.Equal(sealed, []byte("sealed")) || left != time.Minute {
		t.Fatalf("Peek after Close = %q, %v", sealed, left)
	}
	if r, _ := s.Consume(ctx, "k", sum("right")); r != store.Match {
		t.Fatalf("right digest after Close: %v", r)
	}
	if r, _ := s.Consume(ctx, "k", sum("right")); r != store.NotFound {
		t.Fatalf("second use of a code after Close: %v", r)
	}

	// Nothing sweeps after Close, yet an expired record is never found.
	if err := s.Save(ctx, "k", rec); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if r, _ := s.Consume(ctx, "k", sum("right")); r != store.NotFound {
		t.Fatalf("an expired record after Close: %v", r)
	}
	if sealed, _, _ := s.Peek(ctx, "k"); sealed != nil {
		t.Fatalf("Peek of an expired record after Close = %q", sealed)
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestNewMemoryAllocatesLittle: the constructor allocates one small struct
// and starts no goroutine; the cache, locks and sweeper wait for first use.
func TestNewMemoryAllocatesLittle(t *testing.T) {
	if allocs := testing.AllocsPerRun(100, func() { _ = store.NewMemory() }); allocs > 1 {
		t.Errorf("NewMemory makes %v allocations", allocs)
	}
	const n = 1000
	keep := make([]*store.Memory, n)
	before := leakcheck.Snapshot()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	for i := range keep {
		keep[i] = store.NewMemory()
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
