package limiter_test

import (
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/clock"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/limitertest"
)

func TestMemoryConformance(t *testing.T) {
	limitertest.Run(t, func(t *testing.T, now func() time.Time) limiter.Limiter {
		l := limiter.NewMemory(limiter.WithClock(now))
		t.Cleanup(func() { l.Close() })
		return l
	})
}

// TestMemoryUnpackedConformance: with no packed keys, a key's one event
// is a go-cache item, the layout of a key whose head or window finds no
// room in its shard's lists.
func TestMemoryUnpackedConformance(t *testing.T) {
	limitertest.Run(t, func(t *testing.T, now func() time.Time) limiter.Limiter {
		l := limiter.NewMemoryUnpacked(limiter.WithClock(now))
		t.Cleanup(func() { l.Close() })
		return l
	})
}

// TestMemoryClockStepBack: a wall clock that steps back must not let more
// events in.
func TestMemoryClockStepBack(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := limiter.NewMemory(limiter.WithClock(clk.Now))
	defer l.Close()
	ctx := t.Context()
	rule := limiter.Rule{Limit: 2, Window: time.Minute}
	if d, _ := l.Allow(ctx, "k", rule); !d.Allowed {
		t.Fatal("first event refused")
	}
	clk.Advance(-time.Hour) // the wall clock steps back
	if d, _ := l.Allow(ctx, "k", rule); !d.Allowed {
		t.Fatal("second event refused")
	}
	if d, _ := l.Allow(ctx, "k", rule); d.Allowed {
		t.Fatal("a clock step back widened the window")
	}
}
