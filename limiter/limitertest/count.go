package limitertest

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/vcodetest"
)

// runCount checks a limiter.Counter, when the Limiter is one: counts in
// windows, across time, after a release, capped by the limit, against a
// model of random events and reads; and a read records nothing.
func runCount(t *testing.T, factory Factory) {
	clk := vcodetest.NewClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	l, ok := factory(t, clk.Now).(limiter.Counter)
	if !ok {
		t.Skip("not a limiter.Counter")
	}
	count := func(key string, window time.Duration) int {
		t.Helper()
		n, err := l.Count(ctx, key, window)
		if err != nil {
			t.Fatalf("Count(%q, %v): %v", key, window, err)
		}
		return n
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
	if _, err := l.Count(ctx, "k", 0); err == nil {
		t.Fatal("a zero window was accepted")
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
