// Package limitertest is the conformance suite for limiter.Limiter
// implementations. Every implementation in this module runs it, and so should
// a host's own. When the limiters implement limiter.BatchLimiter, Run checks
// AllowAll too (the Batch tests); otherwise it skips them.
package limitertest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/limiter"
)

// Factory returns a fresh, empty limiter whose clock is now. The suite moves
// the clock in whole milliseconds; an implementation may keep finer time,
// but need not. Limiters that
// share a backend must isolate tests, for example with a unique key prefix.
type Factory func(t *testing.T, now func() time.Time) limiter.Limiter

// Run runs the whole suite against the limiters that factory makes.
func Run(t *testing.T, factory Factory) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l limiter.Limiter, clk *clock.Manual)
	}{
		{"Basic", testBasic},
		{"RollingNotFixed", testRolling},
		{"NoBurstAtBucketEdge", testBucketEdge},
		{"KeysAreIndependent", testIndependentKeys},
		{"Release", testRelease},
		{"RejectsInvalidRules", testInvalid},
		{"HugeLimit", testHugeLimit},
		{"RandomisedAgainstModel", testRandomised},
		{"SeveralRulesOnOneKey", testSeveralRules},
		{"SeveralRulesAgainstModel", testSeveralRulesRandomised},
		{"Concurrent", testConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			tt.fn(t, factory(t, clk.Now), clk)
		})
	}
	t.Run("Batch", func(t *testing.T) { runBatch(t, factory) })
	t.Run("Guard", func(t *testing.T) { runGuard(t, factory) })
}

var ctx = context.Background()

func allow(t *testing.T, l limiter.Limiter, key string, limit int, window time.Duration) limiter.Decision {
	t.Helper()
	d, err := l.Allow(ctx, key, limiter.Rule{Limit: limit, Window: window})
	if err != nil {
		t.Fatalf("Allow(%q): %v", key, err)
	}
	return d
}

func expectAllowed(t *testing.T, l limiter.Limiter, key string, limit int, window time.Duration, remaining int) limiter.Decision {
	t.Helper()
	d := allow(t, l, key, limit, window)
	if !d.Allowed || d.Remaining != remaining {
		t.Fatalf("Allow(%q) = %+v, want allowed with %d remaining", key, d, remaining)
	}
	return d
}

func expectDenied(t *testing.T, l limiter.Limiter, key string, limit int, window, retry time.Duration) {
	t.Helper()
	d := allow(t, l, key, limit, window)
	if d.Allowed || d.RetryAfter != retry {
		t.Fatalf("Allow(%q) = %+v, want denied with retry after %v", key, d, retry)
	}
}

func testBasic(t *testing.T, l limiter.Limiter, clk *clock.Manual) {
	const w = time.Minute
	expectAllowed(t, l, "k", 3, w, 2)
	expectAllowed(t, l, "k", 3, w, 1)
	d := expectAllowed(t, l, "k", 3, w, 0)
	if !d.At.Equal(clk.Now()) {
		t.Fatalf("At = %v, want the clock's %v", d.At, clk.Now())
	}
	expectDenied(t, l, "k", 3, w, w)
	clk.Advance(w - time.Millisecond)
	expectDenied(t, l, "k", 3, w, time.Millisecond)
	clk.Advance(time.Millisecond)
	expectAllowed(t, l, "k", 3, w, 2) // all three left together
}

func testRolling(t *testing.T, l limiter.Limiter, clk *clock.Manual) {
	const w = time.Minute
	expectAllowed(t, l, "k", 2, w, 1) // t=0
	clk.Advance(30 * time.Second)
	expectAllowed(t, l, "k", 2, w, 0) // t=30
	clk.Advance(29 * time.Second)
	expectDenied(t, l, "k", 2, w, time.Second) // t=59
	clk.Advance(time.Second)
	expectAllowed(t, l, "k", 2, w, 0) // t=60: the t=0 event left
	clk.Advance(time.Second)
	expectDenied(t, l, "k", 2, w, 29*time.Second) // t=61: 30 and 60 inside
}

// testBucketEdge is the case a fixed window gets wrong: a full quota just
// before a minute boundary and another just after.
func testBucketEdge(t *testing.T, l limiter.Limiter, clk *clock.Manual) {
	const w = time.Minute
	clk.Advance(59 * time.Second)
	for i := 4; i >= 0; i-- {
		expectAllowed(t, l, "k", 5, w, i)
	}
	clk.Advance(2 * time.Second)
	expectDenied(t, l, "k", 5, w, 58*time.Second)
}

func testIndependentKeys(t *testing.T, l limiter.Limiter, _ *clock.Manual) {
	expectAllowed(t, l, "a", 1, time.Minute, 0)
	expectDenied(t, l, "a", 1, time.Minute, time.Minute)
	expectAllowed(t, l, "b", 1, time.Minute, 0)
	expectAllowed(t, l, "\x00{b}\xff", 1, time.Minute, 0)
}

func testRelease(t *testing.T, l limiter.Limiter, clk *clock.Manual) {
	const w = time.Minute
	d := expectAllowed(t, l, "k", 1, w, 0)
	if err := l.Release(ctx, "k", d.At); err != nil {
		t.Fatal(err)
	}
	expectAllowed(t, l, "k", 1, w, 0)
	expectDenied(t, l, "k", 1, w, w)

	// Releasing one event leaves the others.
	first := expectAllowed(t, l, "m", 3, w, 2)
	clk.Advance(time.Second)
	expectAllowed(t, l, "m", 3, w, 1)
	if err := l.Release(ctx, "m", first.At); err != nil {
		t.Fatal(err)
	}
	expectAllowed(t, l, "m", 3, w, 1)
	expectAllowed(t, l, "m", 3, w, 0)
	expectDenied(t, l, "m", 3, w, w) // the released t=0 event no longer counts

	// Releasing what is not there is harmless.
	if err := l.Release(ctx, "never", clk.Now()); err != nil {
		t.Fatalf("Release of an unknown key: %v", err)
	}
	if err := l.Release(ctx, "m", clk.Now().Add(-time.Hour)); err != nil {
		t.Fatalf("Release of an unknown time: %v", err)
	}
	expectDenied(t, l, "m", 3, w, w)
}

func testInvalid(t *testing.T, l limiter.Limiter, _ *clock.Manual) {
	for _, c := range []struct {
		limit  int
		window time.Duration
	}{{0, time.Minute}, {-1, time.Minute}, {5, 0}, {5, -time.Second}} {
		if _, err := l.Allow(ctx, "k", limiter.Rule{Limit: c.limit, Window: c.window}); err == nil {
			t.Errorf("Allow(limit %d, window %v) accepted", c.limit, c.window)
		}
		if _, err := l.Allow(ctx, "k", limiter.Rule{Limit: 1, Window: time.Minute}, limiter.Rule{Limit: c.limit, Window: c.window}); err == nil {
			t.Errorf("Allow with a valid rule and (limit %d, window %v) accepted", c.limit, c.window)
		}
	}
	if _, err := l.Allow(ctx, "k"); err == nil {
		t.Error("Allow with no rule accepted")
	}
}

// testHugeLimit: a limit set high to switch a rule off in effect must cost
// memory for the events seen, not for the limit.
func testHugeLimit(t *testing.T, l limiter.Limiter, _ *clock.Manual) {
	for i := range 3 {
		expectAllowed(t, l, "k", 1<<40, time.Hour, 1<<40-i-1)
	}
}

// testRandomised drives random traffic on a few keys, giving back one
// accepted event in six at once, and compares every decision with a
// reference model that keeps all accepted times; then it
// checks the defining invariant on what was accepted: for every key, any
// limit+1 consecutive accepted events span at least the window.
func testRandomised(t *testing.T, l limiter.Limiter, clk *clock.Manual) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	const w = 10 * time.Second
	limits := map[string]int{"x": 1, "y": 3, "z": 5}
	accepted := map[string][]time.Time{}
	for i := range 1500 {
		// Whole milliseconds: implementations may keep time in
		// microseconds (Redis does), and the suite must not demand more.
		// One step in four stays at the same instant, so several events
		// share a time.
		if rng.IntN(4) != 0 {
			clk.Advance(time.Duration(rng.Int64N(int64(w/3/time.Millisecond))) * time.Millisecond)
		}
		keys := []string{"x", "y", "z"}
		key := keys[rng.IntN(len(keys))]
		limit, now := limits[key], clk.Now()

		// The model: how many accepted events lie in (now-w, now].
		var inside []time.Time
		for _, at := range accepted[key] {
			if at.After(now.Add(-w)) {
				inside = append(inside, at)
			}
		}
		d := allow(t, l, key, limit, w)
		if want := len(inside) < limit; d.Allowed != want {
			t.Fatalf("seed %d step %d key %s: allowed=%v, model says %v (%d inside, limit %d)",
				seed, i, key, d.Allowed, want, len(inside), limit)
		}
		if d.Allowed {
			if d.Remaining != limit-len(inside)-1 {
				t.Fatalf("seed %d step %d: remaining %d, model %d", seed, i, d.Remaining, limit-len(inside)-1)
			}
			if rng.IntN(6) == 0 {
				// Given back, as the verifier does when a later
				// check refuses or a delivery fails.
				if err := l.Release(ctx, key, d.At); err != nil {
					t.Fatalf("seed %d step %d: Release: %v", seed, i, err)
				}
				continue
			}
			accepted[key] = append(accepted[key], d.At)
			continue
		}
		if want := inside[len(inside)-limit].Add(w).Sub(now); d.RetryAfter != want {
			t.Fatalf("seed %d step %d: retry after %v, model %v", seed, i, d.RetryAfter, want)
		}
	}
	for key, times := range accepted {
		limit := limits[key]
		for i := 0; i+limit < len(times); i++ {
			if span := times[i+limit].Sub(times[i]); span < w {
				t.Fatalf("seed %d key %s: %d events within %v", seed, key, limit+1, span)
			}
		}
	}
}

// cooldown and hourly are a contact's send rules: one a minute, three an hour.
var (
	cooldown = limiter.Rule{Limit: 1, Window: time.Minute}
	hourly   = limiter.Rule{Limit: 3, Window: time.Hour}
)

func testSeveralRules(t *testing.T, l limiter.Limiter, clk *clock.Manual) {
	both := func() limiter.Decision {
		t.Helper()
		d, err := l.Allow(ctx, "k", hourly, cooldown)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := both(); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("first: %+v, want allowed with 0 remaining (the cooldown's)", d)
	}
	clk.Advance(20 * time.Second)
	if d := both(); d.Allowed || d.RetryAfter != 40*time.Second {
		t.Fatalf("within the cooldown: %+v, want a 40 s wait", d)
	}
	clk.Advance(40 * time.Second)
	if d := both(); !d.Allowed {
		t.Fatalf("after the cooldown: %+v", d)
	}
	clk.Advance(time.Minute)
	if d := both(); !d.Allowed {
		t.Fatalf("third: %+v", d)
	}
	// Three in the hour: the hourly rule refuses, with the longer wait even
	// once the cooldown has passed.
	clk.Advance(time.Minute)
	if d := both(); d.Allowed || d.RetryAfter != time.Hour-3*time.Minute {
		t.Fatalf("fourth: %+v, want the hourly wait of 57 min", d)
	}
	// Within both at once, the longest wait is reported.
	clk.Advance(57 * time.Minute) // the first event leaves the hour
	if d := both(); !d.Allowed {
		t.Fatalf("after the hour: %+v", d)
	}
	clk.Advance(time.Second)
	if d := both(); d.Allowed || d.RetryAfter != time.Minute-time.Second {
		t.Fatalf("right after: %+v, want the cooldown's 59 s", d)
	}
}

// testSeveralRulesRandomised checks two rules on one key against a model
// that keeps every accepted time.
func testSeveralRulesRandomised(t *testing.T, l limiter.Limiter, clk *clock.Manual) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0xfeed))
	rules := []limiter.Rule{{Limit: 2, Window: 10 * time.Second}, {Limit: 5, Window: time.Minute}}
	var accepted []time.Time
	for i := range 1000 {
		clk.Advance(time.Duration(rng.Int64N(8000)) * time.Millisecond)
		now := clk.Now()
		wantAllowed, wantRetry, wantRemaining := true, time.Duration(0), 1<<30
		for _, r := range rules {
			var inside []time.Time
			for _, at := range accepted {
				if at.After(now.Add(-r.Window)) {
					inside = append(inside, at)
				}
			}
			if len(inside) >= r.Limit {
				wantAllowed = false
				wantRetry = max(wantRetry, inside[len(inside)-r.Limit].Add(r.Window).Sub(now))
			} else {
				wantRemaining = min(wantRemaining, r.Limit-len(inside)-1)
			}
		}
		d, err := l.Allow(ctx, "k", rules...)
		if err != nil {
			t.Fatal(err)
		}
		if d.Allowed != wantAllowed || (!wantAllowed && d.RetryAfter != wantRetry) || (wantAllowed && d.Remaining != wantRemaining) {
			t.Fatalf("seed %d step %d: %+v, model allowed=%v retry=%v remaining=%d", seed, i, d, wantAllowed, wantRetry, wantRemaining)
		}
		if d.Allowed {
			accepted = append(accepted, d.At)
		}
	}
}

func testConcurrent(t *testing.T, l limiter.Limiter, _ *clock.Manual) {
	const goroutines, limit = 200, 10
	var (
		wg      sync.WaitGroup
		allowed atomic.Int32
		failed  atomic.Int32
		start   = make(chan struct{})
	)
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			d, err := l.Allow(ctx, "hot", limiter.Rule{Limit: limit, Window: time.Minute})
			if err != nil {
				failed.Add(1)
				return
			}
			if d.Allowed {
				allowed.Add(1)
			}
			// Traffic on other keys at the same time.
			_, _ = l.Allow(ctx, fmt.Sprint("cold", i), limiter.Rule{Limit: limit, Window: time.Minute})
		}()
	}
	close(start)
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d calls failed", failed.Load())
	}
	if allowed.Load() != limit {
		t.Fatalf("%d concurrent calls allowed %d, want exactly %d", goroutines, allowed.Load(), limit)
	}
}
