package limitertest

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/limiter"
)

// runCount checks a limiter.Counter, when the Limiter is one: counts in
// windows, across time, after a release, capped by the limit, several keys
// and windows in one call, against a model of random events and reads;
// and a read records nothing.
func runCount(t *testing.T, factory Factory) {
	clk := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	l, ok := factory(t, clk.Now).(limiter.Counter)
	if !ok {
		t.Skip("not a limiter.Counter")
	}
	count := func(key string, window time.Duration) int {
		t.Helper()
		var n [1]int
		if err := l.Count(ctx, []limiter.CountRequest{{Key: key, Window: window}}, n[:]); err != nil {
			t.Fatalf("Count(%q, %v): %v", key, window, err)
		}
		return n[0]
	}
	if n := count("none", time.Hour); n != 0 {
		t.Fatalf("a key never allowed counts %d", n)
	}
	rule := limiter.Rule{Limit: 100, Window: time.Hour}
	var ats []time.Time
	for range 5 {
		d, err := l.Allow(ctx, "k", rule)
		if err != nil || !d.Allowed {
			t.Fatal(d, err)
		}
		ats = append(ats, d.At)
		clk.Advance(time.Minute)
	}
	// Events at -5, -4, -3, -2 and -1 minutes.
	for _, tt := range []struct {
		window time.Duration
		want   int
	}{{time.Hour, 5}, {5 * time.Minute, 4}, {150 * time.Second, 2}, {time.Second, 0}} {
		if n := count("k", tt.window); n != tt.want {
			t.Errorf("Count(k, %v) = %d, want %d", tt.window, n, tt.want)
		}
	}
	if n := count("k", time.Hour); n != 5 {
		t.Fatalf("reading recorded an event: %d", n)
	}
	if err := l.Release(ctx, "k", ats[4]); err != nil {
		t.Fatal(err)
	}
	if n := count("k", time.Hour); n != 4 {
		t.Fatalf("after a release: %d, want 4", n)
	}
	clk.Advance(time.Hour)
	if n := count("k", time.Hour); n != 0 {
		t.Fatalf("events out of the window still count: %d", n)
	}
	// A key keeps no more than its limit's newest events.
	for range 5 {
		l.Allow(ctx, "capped", limiter.Rule{Limit: 3, Window: time.Hour})
	}
	if n := count("capped", time.Hour); n != 3 {
		t.Fatalf("capped key counts %d, want 3", n)
	}

	// Several keys and windows, a key twice, in one call: each count is
	// the one a call of its own gives.
	l.Allow(ctx, "other", rule)
	reqs := []limiter.CountRequest{
		{Key: "capped", Window: time.Hour}, {Key: "none", Window: time.Hour},
		{Key: "other", Window: time.Minute}, {Key: "capped", Window: time.Nanosecond},
		{Key: "other", Window: time.Hour},
	}
	counts := []int{-1, -1, -1, -1, -1, -1}
	if err := l.Count(ctx, reqs, counts); err != nil {
		t.Fatal(err)
	}
	for i, r := range reqs {
		if want := count(r.Key, r.Window); counts[i] != want {
			t.Errorf("batched Count(%q, %v) = %d, alone %d", r.Key, r.Window, counts[i], want)
		}
	}
	if counts[5] != -1 {
		t.Errorf("Count wrote past its requests: %v", counts)
	}
	if err := l.Count(ctx, nil, nil); err != nil {
		t.Errorf("no requests: %v", err)
	}
	for _, tt := range []struct {
		name   string
		reqs   []limiter.CountRequest
		counts int
		want   error
	}{
		{"zero window", []limiter.CountRequest{{Key: "k", Window: time.Hour}, {Key: "k"}}, 2, limiter.ErrInvalidRule},
		{"negative window", []limiter.CountRequest{{Key: "k", Window: -time.Hour}}, 1, limiter.ErrInvalidRule},
		{"short counts", []limiter.CountRequest{{Key: "k", Window: time.Hour}, {Key: "k", Window: time.Hour}}, 1, limiter.ErrShortCounts},
	} {
		if err := l.Count(ctx, tt.reqs, make([]int, tt.counts)); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}

	// Against a model: random events over two hours, read in random
	// windows.
	rng := rand.New(rand.NewPCG(7, 11))
	var model []time.Time
	for range 200 {
		clk.Advance(time.Duration(rng.IntN(60)) * time.Second)
		if rng.IntN(3) > 0 {
			if d, err := l.Allow(ctx, "model", rule); err == nil && d.Allowed {
				model = append(model, clk.Now())
			}
			continue
		}
		w := time.Duration(1+rng.IntN(3600)) * time.Second
		want := 0
		for _, at := range model {
			if at.After(clk.Now().Add(-w)) && !at.After(clk.Now()) {
				want++
			}
		}
		if want > rule.Limit {
			want = rule.Limit
		}
		if n := count("model", w); n != want {
			t.Fatalf("Count(model, %v) = %d, model says %d", w, n, want)
		}
	}
}
