package limitertest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/limiter"
)

// runBatch runs the AllowAll tests when factory's limiters are
// BatchLimiters, and skips them otherwise.
func runBatch(t *testing.T, factory Factory) {
	clk := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if _, ok := factory(t, clk.Now).(limiter.BatchLimiter); !ok {
		t.Skip("not a limiter.BatchLimiter")
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, l limiter.BatchLimiter, clk *clock.Manual)
	}{
		{"AllOrNothing", testBatchAllOrNothing},
		{"RefusedIndex", testBatchRefusedIndex},
		{"SameKeyTwice", testBatchSameKey},
		{"Release", testBatchRelease},
		{"Invalid", testBatchInvalid},
		{"AgainstModel", testBatchRandomised},
		{"Concurrent", testBatchConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			tt.fn(t, factory(t, clk.Now).(limiter.BatchLimiter), clk)
		})
	}
}

func req(key string, rules ...limiter.Rule) limiter.Request {
	return limiter.Request{Key: key, Rules: rules}
}

func per(limit int, window time.Duration) limiter.Rule {
	return limiter.Rule{Limit: limit, Window: window}
}

// allowAll calls AllowAll and checks that it answers without an error and,
// on a refusal, with nothing but the refusal in decisions.
func allowAll(t *testing.T, l limiter.BatchLimiter, reqs ...limiter.Request) (int, []limiter.Decision) {
	t.Helper()
	ds := make([]limiter.Decision, len(reqs))
	for i := range ds {
		ds[i] = limiter.Decision{Remaining: -7} // must be overwritten
	}
	refused, err := l.AllowAll(ctx, reqs, ds)
	if err != nil {
		t.Fatalf("AllowAll: %v", err)
	}
	if refused < -1 || refused >= len(reqs) {
		t.Fatalf("AllowAll refused index %d of %d requests", refused, len(reqs))
	}
	for i, d := range ds {
		switch {
		case refused < 0 && !d.Allowed:
			t.Fatalf("AllowAll allowed all, but decision %d is %+v", i, d)
		case refused >= 0 && i != refused && d != (limiter.Decision{}):
			t.Fatalf("AllowAll refused %d, but decision %d is %+v, want zero", refused, i, d)
		case i == refused && (d.Allowed || d.RetryAfter <= 0 || d.Remaining != 0 || !d.At.IsZero()):
			t.Fatalf("refusing decision %d is %+v", i, d)
		}
	}
	return refused, ds
}

func testBatchAllOrNothing(t *testing.T, l limiter.BatchLimiter, clk *clock.Manual) {
	const w = time.Minute
	reqs := []limiter.Request{req("a", per(2, w)), req("b", per(1, w)), req("c", per(3, w))}
	refused, ds := allowAll(t, l, reqs...)
	if refused != -1 {
		t.Fatalf("first batch refused by %d", refused)
	}
	for i, want := range []int{1, 0, 2} {
		if ds[i].Remaining != want || !ds[i].At.Equal(clk.Now()) {
			t.Fatalf("decision %d = %+v, want %d remaining at %v", i, ds[i], want, clk.Now())
		}
	}
	clk.Advance(time.Second)
	// b is full: nothing is recorded, a's and c's events are given back.
	refused, ds = allowAll(t, l, reqs...)
	if refused != 1 || ds[1].RetryAfter != w-time.Second {
		t.Fatalf("second batch: refused %d, %+v; want b's refusal with %v to wait", refused, ds[1], w-time.Second)
	}
	expectAllowed(t, l, "a", 2, w, 0)
	expectDenied(t, l, "a", 2, w, w-time.Second)
	expectAllowed(t, l, "c", 3, w, 1)
	// A refusal by the first request takes nothing from the others.
	refused, _ = allowAll(t, l, req("a", per(2, w)), req("d", per(1, w)))
	if refused != 0 {
		t.Fatalf("a full: refused %d, want 0", refused)
	}
	expectAllowed(t, l, "d", 1, w, 0)
	// Once b's window has passed, the same batch goes through.
	clk.Advance(w - time.Second)
	refused, ds = allowAll(t, l, reqs...)
	// (a and c each keep the event allowed alone at one second.)
	if refused != -1 || ds[0].Remaining != 0 || ds[1].Remaining != 0 || ds[2].Remaining != 1 {
		t.Fatalf("after the window: refused %d, %+v", refused, ds)
	}
}

func testBatchRefusedIndex(t *testing.T, l limiter.BatchLimiter, _ *clock.Manual) {
	const w = time.Minute
	expectAllowed(t, l, "full1", 1, w, 0)
	expectAllowed(t, l, "full2", 1, w, 0)
	for _, c := range []struct {
		keys []string
		want int
	}{
		{[]string{"full1"}, 0},
		{[]string{"x", "full1", "full2"}, 1},
		{[]string{"x", "y", "full2", "full1"}, 2},
		{[]string{"x", "y", "z", "full1"}, 3},
	} {
		reqs := make([]limiter.Request, len(c.keys))
		for i, k := range c.keys {
			reqs[i] = req(k, per(1, w))
		}
		if refused, ds := allowAll(t, l, reqs...); refused != c.want || ds[refused].RetryAfter != w {
			t.Fatalf("%v: refused %d (%+v), want %d", c.keys, refused, ds, c.want)
		}
	}
	// Nothing was taken from x, y and z.
	for _, k := range []string{"x", "y", "z"} {
		expectAllowed(t, l, k, 1, w, 0)
	}
}

// testBatchSameKey: a key may appear twice, each request decided after the
// one before it, and a refusal gives back the first one's event too.
func testBatchSameKey(t *testing.T, l limiter.BatchLimiter, clk *clock.Manual) {
	const w = time.Minute
	r := req("k", per(3, w))
	refused, ds := allowAll(t, l, r, r)
	if refused != -1 || ds[0].Remaining != 2 || ds[1].Remaining != 1 {
		t.Fatalf("two on an empty key: refused %d, %+v", refused, ds)
	}
	clk.Advance(time.Second)
	// One left: the second request refuses, and the first's event goes
	// back.
	if refused, ds = allowAll(t, l, r, req("other", per(1, w)), r); refused != 2 || ds[2].RetryAfter != w-time.Second {
		t.Fatalf("two with one left: refused %d, %+v", refused, ds)
	}
	expectAllowed(t, l, "k", 3, w, 0)
	expectAllowed(t, l, "other", 1, w, 0)
}

func testBatchRelease(t *testing.T, l limiter.BatchLimiter, clk *clock.Manual) {
	const w = time.Minute
	reqs := []limiter.Request{req("a", per(1, w)), req("b", per(2, w)), req("b", per(2, w))}
	refused, ds := allowAll(t, l, reqs...)
	if refused != -1 {
		t.Fatalf("refused %d", refused)
	}
	if refused, _ := allowAll(t, l, reqs...); refused != 0 {
		t.Fatalf("a full: refused %d, want 0", refused)
	}
	clk.Advance(time.Second)
	// Given back, as the verifier does when a later step fails.
	for i, r := range reqs {
		if err := l.Release(ctx, r.Key, ds[i].At); err != nil {
			t.Fatal(err)
		}
	}
	if refused, ds = allowAll(t, l, reqs...); refused != -1 || ds[0].Remaining != 0 || ds[2].Remaining != 0 {
		t.Fatalf("after the release: refused %d, %+v", refused, ds)
	}
	expectDenied(t, l, "b", 2, w, w)
}

func testBatchInvalid(t *testing.T, l limiter.BatchLimiter, _ *clock.Manual) {
	const w = time.Minute
	for _, bad := range [][]limiter.Rule{nil, {per(0, w)}, {per(1, w), per(1, 0)}} {
		ds := make([]limiter.Decision, 2)
		if refused, err := l.AllowAll(ctx, []limiter.Request{req("k", per(1, w)), {Key: "j", Rules: bad}}, ds); err == nil {
			t.Fatalf("rules %v accepted: refused %d, %+v", bad, refused, ds)
		}
	}
	if _, err := l.AllowAll(ctx, []limiter.Request{req("k", per(1, w)), req("j", per(1, w))}, make([]limiter.Decision, 1)); !errors.Is(err, limiter.ErrShortDecisions) {
		t.Fatalf("one decision for two requests: %v, want ErrShortDecisions", err)
	}
	if refused, err := l.AllowAll(ctx, nil, nil); refused != -1 || err != nil {
		t.Fatalf("no request: %d, %v", refused, err)
	}
	// None of those recorded anything.
	expectAllowed(t, l, "k", 1, w, 0)
	expectAllowed(t, l, "j", 1, w, 0)
}

// testBatchRandomised drives random batches (a key may appear twice) and
// compares every answer with a model that decides the requests in turn and
// drops a refused batch's events; one allowed batch in five is given back
// with Release.
func testBatchRandomised(t *testing.T, l limiter.BatchLimiter, clk *clock.Manual) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0xba7c))
	rules := map[string][]limiter.Rule{
		"x": {per(1, 5*time.Second)},
		"y": {per(3, 10*time.Second)},
		"z": {per(2, 4*time.Second), per(5, 20*time.Second)},
		"w": {per(8, 10*time.Second)},
	}
	keys := []string{"x", "y", "z", "w"}
	accepted := map[string][]time.Time{}
	for step := range 600 {
		if rng.IntN(3) != 0 {
			clk.Advance(time.Duration(rng.Int64N(3000)) * time.Millisecond)
		}
		now := clk.Now()
		reqs := make([]limiter.Request, 1+rng.IntN(4))
		for i := range reqs {
			k := keys[rng.IntN(len(keys))]
			reqs[i] = req(k, rules[k]...)
		}
		// The model, on a copy of accepted.
		model := map[string][]time.Time{}
		for k, ts := range accepted {
			model[k] = ts
		}
		wantRefused, wantRetry := -1, time.Duration(0)
		wantRemaining := make([]int, len(reqs))
		for i, r := range reqs {
			ok, remaining, retry := decideModel(model[r.Key], r.Rules, now)
			if !ok {
				wantRefused, wantRetry = i, retry
				break
			}
			wantRemaining[i] = remaining
			model[r.Key] = append(append([]time.Time(nil), model[r.Key]...), now)
		}
		refused, ds := allowAll(t, l, reqs...)
		if refused != wantRefused {
			t.Fatalf("seed %d step %d %v: refused %d, model %d", seed, step, reqs, refused, wantRefused)
		}
		if refused >= 0 {
			if ds[refused].RetryAfter != wantRetry {
				t.Fatalf("seed %d step %d: retry after %v, model %v", seed, step, ds[refused].RetryAfter, wantRetry)
			}
			continue
		}
		for i, d := range ds {
			if d.Remaining != wantRemaining[i] || !d.At.Equal(now) {
				t.Fatalf("seed %d step %d decision %d: %+v, model %d remaining at %v", seed, step, i, d, wantRemaining[i], now)
			}
		}
		if rng.IntN(5) == 0 {
			for i, r := range reqs {
				if err := l.Release(ctx, r.Key, ds[i].At); err != nil {
					t.Fatalf("seed %d step %d: Release: %v", seed, step, err)
				}
			}
			continue
		}
		accepted = model
	}
}

// decideModel decides one event at now against the accepted times, as
// Allow must.
func decideModel(accepted []time.Time, rules []limiter.Rule, now time.Time) (ok bool, remaining int, retry time.Duration) {
	ok, remaining = true, 1<<62
	for _, r := range rules {
		var inside []time.Time
		for _, at := range accepted {
			if at.After(now.Add(-r.Window)) {
				inside = append(inside, at)
			}
		}
		if len(inside) >= r.Limit {
			ok = false
			retry = max(retry, inside[len(inside)-r.Limit].Add(r.Window).Sub(now))
			continue
		}
		remaining = min(remaining, r.Limit-len(inside)-1)
	}
	return ok, remaining, retry
}

// testBatchConcurrent: batches racing for one hot key among keys of their
// own let exactly its limit through; batches racing for two hot keys never
// let more through than the smaller limit, and leave exactly the allowed
// batches' events behind once all have returned.
func testBatchConcurrent(t *testing.T, l limiter.BatchLimiter, _ *clock.Manual) {
	const goroutines, w = 200, time.Minute
	run := func(batch func(i int) []limiter.Request) int {
		t.Helper()
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
				reqs := batch(i)
				refused, err := l.AllowAll(ctx, reqs, make([]limiter.Decision, len(reqs)))
				if err != nil {
					failed.Add(1)
					return
				}
				if refused < 0 {
					allowed.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		if failed.Load() > 0 {
			t.Fatalf("%d calls failed", failed.Load())
		}
		return int(allowed.Load())
	}

	n := run(func(i int) []limiter.Request {
		own := req(fmt.Sprint("own", i), per(1, w))
		if i%2 == 0 {
			return []limiter.Request{own, req("hot", per(10, w))}
		}
		return []limiter.Request{req("hot", per(10, w)), own}
	})
	if n != 10 {
		t.Fatalf("%d concurrent batches on one hot key: %d allowed, want exactly 10", goroutines, n)
	}

	n = run(func(i int) []limiter.Request {
		a, b := req("a", per(10, w)), req("b", per(5, w))
		if i%2 == 0 {
			return []limiter.Request{a, b}
		}
		return []limiter.Request{b, a}
	})
	// Not exactly 5: where a batch is not atomic across keys, batches
	// refused by one key give back what they took from the other, and may
	// refuse one another in passing.
	if n > 5 {
		t.Fatalf("%d concurrent batches on two hot keys: %d allowed, want 5 at most", goroutines, n)
	}
	// Exactly the allowed batches' events are left.
	expectAllowed(t, l, "a", 10, w, 10-n-1)
	if n < 5 {
		expectAllowed(t, l, "b", 5, w, 5-n-1)
	} else {
		expectDenied(t, l, "b", 5, w, w)
	}
}
