package limiter

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/internal/memcache"
)

// TestMemoryOneEventIsCompact: a key with one event in its window, the
// usual case, is packed (no go-cache item); the second event switches it
// to a go-cache list, and the next lone event back to packed.
func TestMemoryOneEventIsCompact(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := NewMemory(WithClock(func() time.Time { return now }))
	defer m.Close()
	ctx := t.Context()
	rule := Rule{Limit: 3, Window: time.Minute}
	kind := func() string {
		sh := m.mem.Shard("k")
		v, ok := sh.Get("k")
		if _, inPacked := packedOf(sh).get("k"); inPacked {
			if ok {
				return "packed and in go-cache"
			}
			return "packed"
		}
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
	if got := kind(); got != "packed" {
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
	if got := kind(); got != "packed" {
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
	for _, packed := range []bool{true, false} {
		t.Run(map[bool]string{true: "packed", false: "go-cache"}[packed], func(t *testing.T) { testForgetsByItsClockOnly(t, packed) })
	}
}

func testForgetsByItsClockOnly(t *testing.T, packed bool) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := NewMemory(WithClock(c.Now))
	if !packed {
		m.mem.SetPacked(nil)
	}
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

// TestMemoryPackedListsBounded: a shard's lists of heads and windows are
// bounded; a key whose head or window finds no room, or whose head is
// longer than maxHead, is a go-cache item, and is limited, released and
// swept exactly as a packed one.
func TestMemoryPackedListsBounded(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := NewMemory(WithClock(c.Now))
	defer m.Close()
	ctx := t.Context()
	m.init()
	tail := "0123456789abcdef"
	// Keys that all land in one shard: new heads, then new windows.
	var keys []string
	target := m.mem.Shard("h0:" + tail)
	for i := 0; len(keys) < 2*(maxHeads+maxWindows); i++ {
		if k := fmt.Sprintf("h%d:%s", i, tail); m.mem.Shard(k) == target {
			keys = append(keys, k)
		}
	}
	keys = append(keys, strings.Repeat("x", maxHead+1)+tail)
	inGoCache := func(k string) bool {
		sh := m.mem.Shard(k)
		sh.Lock()
		defer sh.Unlock()
		_, ok := sh.Get(k)
		_, p := packedOf(sh).get(k)
		if ok == p {
			t.Fatalf("%q: in go-cache %v, packed %v", k, ok, p)
		}
		return ok
	}
	goCache := 0
	for i, k := range keys {
		rule := Rule{Limit: 1, Window: time.Duration(1+i%(2*maxWindows)) * time.Second}
		d, err := m.Allow(ctx, k, rule)
		if err != nil || !d.Allowed {
			t.Fatalf("%q: first event %+v, %v", k, d, err)
		}
		if d, _ := m.Allow(ctx, k, rule); d.Allowed || d.RetryAfter != rule.Window {
			t.Fatalf("%q: second event within its window %+v", k, d)
		}
		if inGoCache(k) {
			goCache++
		}
		if i%2 == 0 {
			if err := m.Release(ctx, k, d.At); err != nil {
				t.Fatal(err)
			}
			if d, _ := m.Allow(ctx, k, rule); !d.Allowed {
				t.Fatalf("%q: refused after its event was released", k)
			}
		}
	}
	target.Lock()
	heads, windows := len(packedOf(target).heads), len(packedOf(target).windows)
	target.Unlock()
	if heads != maxHeads || windows != maxWindows || goCache < len(keys)-maxHeads {
		t.Fatalf("%d heads, %d windows listed; %d of %d keys in go-cache", heads, windows, goCache, len(keys))
	}
	c.Advance((2*maxWindows + 1) * time.Second) // past the longest window
	for i := range m.mem.NumShards() {
		m.mem.Sweep(i)
	}
	if got := m.Len(); got != 0 {
		t.Fatalf("every window passed, and a sweep left %d keys", got)
	}
}

// TestMemoryPackedExpiryPerWindow: a packed key is swept once its own
// longest window has passed by the clock, not before, not at another
// key's: the verifier's contact keys, a one-minute deliveries count
// beside an hourly cap with a cooldown.
func TestMemoryPackedExpiryPerWindow(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := NewMemory(WithClock(c.Now))
	defer m.Close()
	ctx := t.Context()
	const n = 1000
	send := []Rule{{Limit: 10, Window: time.Hour}, {Limit: 1, Window: time.Minute}}
	deliveries := []Rule{{Limit: 2, Window: time.Minute}}
	for i := range n {
		tail := fmt.Sprintf("%016d", i)
		for _, r := range []struct {
			key   string
			rules []Rule
		}{{"send:" + tail, send}, {"dcon:" + tail, deliveries}} {
			if d, err := m.Allow(ctx, r.key, r.rules...); err != nil || !d.Allowed {
				t.Fatalf("%s: %+v, %v", r.key, d, err)
			}
		}
	}
	for _, step := range []struct {
		advance time.Duration
		held    int
	}{
		{time.Minute, 2 * n},                           // at the minute's deadline: kept, as go-cache's "now > Expiration"
		{time.Nanosecond, n},                           // the deliveries gone, the hourly caps kept
		{time.Hour - time.Minute - time.Nanosecond, n}, // at the hour's deadline
		{time.Nanosecond, 0},
	} {
		c.Advance(step.advance)
		for i := range m.mem.NumShards() {
			m.mem.Sweep(i)
		}
		if got := m.Len(); got != step.held {
			t.Fatalf("after %v more: %d keys held, want %d", step.advance, got, step.held)
		}
	}
}

// BenchmarkPackedSweepPause: how long a sweep holds a shard of a limiter
// of a million packed keys (a pending code's hourly caps), a tenth more
// expired in each shard (its deliveries counts): the time to range over
// the shard's packed map, reported per shard.
func BenchmarkPackedSweepPause(b *testing.B) {
	const n = 1_000_000
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m := NewMemory(WithClock(c.Now))
	defer m.Close()
	m.init()
	m.mem.Close() // no sweeper running: this benchmark sweeps
	ctx := context.Background()
	hour := []Rule{{Limit: 10, Window: time.Hour}, {Limit: 1, Window: time.Minute}}
	minute := []Rule{{Limit: 2, Window: time.Minute}}
	var tail [16]byte
	key := func(name string, i int) string {
		binary.LittleEndian.PutUint64(tail[:], uint64(i)*0x9E3779B97F4A7C15)
		return name + string(tail[:])
	}
	for i := range n {
		m.Allow(ctx, key("send:", i), hour...)
	}
	var walls []time.Duration
	round := 0
	for b.Loop() {
		b.StopTimer()
		for i := range n / 10 {
			m.Allow(ctx, key("dcon:", round*n+i), minute...)
		}
		c.Advance(2 * time.Minute)
		round++
		runtime.GC()
		b.StartTimer()
		for i := range m.mem.NumShards() {
			t0 := time.Now()
			m.mem.Sweep(i)
			walls = append(walls, time.Since(t0))
		}
	}
	if got := m.Len(); got != n {
		b.Fatalf("the sweeps left %d keys of %d live", got, n)
	}
	slices.Sort(walls)
	q := func(p float64) float64 { return float64(walls[int(p*float64(len(walls)-1))]) / 1e3 }
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(q(0.5), "sweep-p50-us")
	b.ReportMetric(q(0.99), "sweep-p99-us")
	b.ReportMetric(q(1), "sweep-max-us")
}
