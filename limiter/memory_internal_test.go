package limiter

import (
	"testing"
	"time"
)

// TestMemoryOneEventIsCompact: a key with one event in its window, the
// usual case, holds a boxed int64 (8 bytes) rather than a slice; the
// second event switches it to a list and a release goes back.
func TestMemoryOneEventIsCompact(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemory(WithClock(func() time.Time { return now }))
	defer m.Close()
	ctx := t.Context()
	rule := Rule{Limit: 3, Window: time.Minute}
	kind := func() string {
		v, ok := m.mem.Shard("k").Get("k")
		switch v.(type) {
		case single:
			return "single"
		case *events:
			return "events"
		}
		if !ok {
			return "none"
		}
		return "other"
	}

	first, _ := m.Allow(ctx, "k", rule)
	if got := kind(); got != "single" {
		t.Fatalf("after one event the key holds %s", got)
	}
	now = now.Add(time.Second)
	second, _ := m.Allow(ctx, "k", rule)
	if got := kind(); got != "events" {
		t.Fatalf("after two events the key holds %s", got)
	}
	if err := m.Release(ctx, "k", second.At); err != nil {
		t.Fatal(err)
	}
	if err := m.Release(ctx, "k", first.At); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	m.Allow(ctx, "k", rule)
	if got := kind(); got != "single" {
		t.Fatalf("after the window passed, one new event: the key holds %s", got)
	}
	if err := m.Release(ctx, "k", now); err != nil {
		t.Fatal(err)
	}
	if got := kind(); got != "none" {
		t.Fatalf("after releasing its only event the key holds %s", got)
	}
}
