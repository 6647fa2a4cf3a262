package redislimiter_test

import (
	"context"
	"testing"
	"time"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/limitertest"
	"github.com/vcodekit/vcode/limiter/redislimiter"
)

func TestConformance(t *testing.T) {
	client := redistest.Client(t)
	limitertest.Run(t, func(t *testing.T, now func() time.Time) limiter.Limiter {
		return redislimiter.New(client, redistest.Prefix(t), redislimiter.WithClock(now))
	})
}

func TestClusterConformance(t *testing.T) {
	client := redistest.ClusterClient(t)
	limitertest.Run(t, func(t *testing.T, now func() time.Time) limiter.Limiter {
		return redislimiter.New(client, redistest.Prefix(t), redislimiter.WithClock(now))
	})
}

// TestRedisClock runs without WithClock, as in production: Redis's TIME
// stamps the events, the window holds, and the key expires with the window.
func TestRedisClock(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	l := redislimiter.New(client, prefix)
	ctx := context.Background()
	before := time.Now()
	for i := range 3 {
		d, err := l.Allow(ctx, "k", limiter.Rule{Limit: 3, Window: time.Hour})
		if err != nil || !d.Allowed || d.Remaining != 2-i {
			t.Fatalf("event %d: %+v, %v", i, d, err)
		}
		if !redistest.Real() {
			continue // miniredis's TIME is the test process's clock anyway
		}
		if skew := d.At.Sub(before); skew < -time.Minute || skew > time.Minute {
			t.Fatalf("At %v is far from now %v", d.At, before)
		}
	}
	d, err := l.Allow(ctx, "k", limiter.Rule{Limit: 3, Window: time.Hour})
	if err != nil || d.Allowed || d.RetryAfter <= 59*time.Minute || d.RetryAfter > time.Hour {
		t.Fatalf("fourth: %+v, %v", d, err)
	}
	key := prefix + "{6b}"
	if ttl := client.PTTL(ctx, key).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("PTTL %v, want about an hour", ttl)
	}
	if n := client.ZCard(ctx, key).Val(); n != 3 {
		t.Fatalf("%d events stored, want 3 (never more than the limit)", n)
	}
}

// TestSameMicrosecond: events recorded at one instant are counted apart.
func TestSameMicrosecond(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := redislimiter.New(redistest.Client(t), redistest.Prefix(t), redislimiter.WithClock(func() time.Time { return at }))
	ctx := context.Background()
	var first limiter.Decision
	for i := range 4 {
		d, err := l.Allow(ctx, "k", limiter.Rule{Limit: 4, Window: time.Minute})
		if err != nil || !d.Allowed {
			t.Fatalf("event %d: %+v %v", i, d, err)
		}
		first = d
	}
	if d, _ := l.Allow(ctx, "k", limiter.Rule{Limit: 4, Window: time.Minute}); d.Allowed {
		t.Fatal("a fifth event at the same instant was allowed")
	}
	// Release one, take one again: still never more than four.
	if err := l.Release(ctx, "k", first.At); err != nil {
		t.Fatal(err)
	}
	if d, _ := l.Allow(ctx, "k", limiter.Rule{Limit: 4, Window: time.Minute}); !d.Allowed {
		t.Fatal("refused after a release")
	}
	if d, _ := l.Allow(ctx, "k", limiter.Rule{Limit: 4, Window: time.Minute}); d.Allowed {
		t.Fatal("a released slot was handed out twice")
	}
}

func TestFailClosed(t *testing.T) {
	proxy := redistest.NewProxy(t, redistest.Addr(t))
	l := redislimiter.New(redistest.NewClient(t, proxy.Addr()), redistest.Prefix(t), redislimiter.WithTimeout(300*time.Millisecond))
	ctx := context.Background()
	for name, breakIt := range map[string]func(){"down": proxy.Cut, "hung": proxy.Hang} {
		breakIt()
		start := time.Now()
		if d, err := l.Allow(ctx, "k", limiter.Rule{Limit: 5, Window: time.Minute}); err == nil || d.Allowed {
			t.Fatalf("%s: Allow = %+v, %v; want an error and no permission", name, d, err)
		}
		if err := l.Release(ctx, "k", time.Now()); err == nil {
			t.Fatalf("%s: Release succeeded", name)
		}
		if err := l.Ping(ctx); err == nil {
			t.Fatalf("%s: Ping succeeded", name)
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Fatalf("%s: three calls took %v with a 300 ms timeout", name, elapsed)
		}
		proxy.Restore()
	}
	if d, err := l.Allow(ctx, "k", limiter.Rule{Limit: 5, Window: time.Minute}); err != nil || !d.Allowed {
		t.Fatalf("after Redis came back: %+v, %v", d, err)
	}
}

func TestNilClient(t *testing.T) {
	l := redislimiter.New(nil, "p:")
	ctx := context.Background()
	if _, err := l.Allow(ctx, "k", limiter.Rule{Limit: 1, Window: time.Minute}); err == nil {
		t.Fatal("Allow with a nil client succeeded")
	}
	if l.Release(ctx, "k", time.Now()) == nil || l.Ping(ctx) == nil {
		t.Fatal("Release or Ping with a nil client succeeded")
	}
}
