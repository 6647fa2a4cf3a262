package limiter

import (
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/internal/memcache"
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

// TestMemoryForgetsByItsClockOnly: under WithClock, a key's events count
// until that clock moves them out of their window, however much real time
// passes (an event in a nanosecond's window still refuses the next call,
// real time having passed it, while the clock stood still), and once the
// clock has moved past the window the sweep drops the key; the guard's
// counts likewise go a month and a day after their last write by the
// clock.
func TestMemoryForgetsByItsClockOnly(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := NewMemory(WithClock(c.Now))
	defer m.Close()
	ctx := t.Context()
	sweepAll := func(l *memcache.Lazy) {
		for i := range l.NumShards() {
			l.Sweep(i)
		}
	}
	rules := map[string]Rule{"nanosecond": {Limit: 1, Window: time.Nanosecond}, "minute": {Limit: 1, Window: time.Minute}}
	allowed := func(key string) bool {
		d, err := m.Allow(ctx, key, rules[key])
		if err != nil {
			t.Fatal(err)
		}
		return d.Allowed
	}
	for key := range rules {
		if !allowed(key) {
			t.Errorf("%s: the first event refused", key)
		}
	}
	sweepAll(&m.mem)
	if got := m.Len(); got != 2 {
		t.Errorf("the clock stood still, and a sweep left %d keys of 2", got)
	}
	for key := range rules {
		if allowed(key) {
			t.Errorf("%s: the clock stood still, and a second event was allowed", key)
		}
	}
	c.Advance(2 * time.Minute)
	sweepAll(&m.mem)
	if got := m.Len(); got != 0 {
		t.Errorf("the clock passed the windows, and a sweep left %d keys", got)
	}

	s := GuardSend{Key: GuardKey{Region: "XA", Prefix: "1", Contact: "c"}, Allowance: Allowance{Base: 4, Knee: 3, Low: 1, High: 3, RegionBase: 10, RegionRate: 1}}
	if _, err := m.AllowSend(ctx, nil, s, nil); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		advance time.Duration
		held    int
	}{{GuardMonthDays * 24 * time.Hour, 1}, {25 * time.Hour, 0}} {
		c.Advance(step.advance)
		sweepAll(&m.guard)
		if got := m.guard.Len(); got != step.held {
			t.Fatalf("after %v more: %d regions held, want %d", step.advance, got, step.held)
		}
	}
}
