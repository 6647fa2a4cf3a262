package redislimiter_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/limiter"
	"github.com/vcodekit/vcode/limiter/limitertest"
	"github.com/vcodekit/vcode/limiter/redislimiter"
)

func TestConformance(t *testing.T) {
	client := redistest.Client(t)
	limitertest.Run(t, func(t *testing.T, now func() time.Time) limiter.Limiter {
		return redistest.Must(redislimiter.New(client, redistest.Prefix(t), redislimiter.WithClock(now)))(t)
	})
}

func TestClusterConformance(t *testing.T) {
	client := redistest.ClusterClient(t)
	limitertest.Run(t, func(t *testing.T, now func() time.Time) limiter.Limiter {
		return redistest.Must(redislimiter.New(client, redistest.Prefix(t), redislimiter.WithClock(now)))(t)
	})
}

// TestRedisClock runs without WithClock, as in production: Redis's TIME
// stamps the events, the window holds, and the key expires with the window.
func TestRedisClock(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	l := redistest.Must(redislimiter.New(client, prefix))(t)
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
	l := redistest.Must(redislimiter.New(redistest.Client(t), redistest.Prefix(t), redislimiter.WithClock(func() time.Time { return at })))(t)
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
	l := redistest.Must(redislimiter.New(redistest.NewClient(t, proxy.Addr()), redistest.Prefix(t), redislimiter.WithTimeout(300*time.Millisecond)))(t)
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

// TestNilClient: New refuses a nil client, and a Limiter made without New
// (its zero value) fails every call closed.
func TestNilClient(t *testing.T) {
	if _, err := redislimiter.New(nil, "p:"); err == nil {
		t.Fatal("New took a nil client")
	}
	l := new(redislimiter.Limiter)
	ctx := context.Background()
	if _, err := l.Allow(ctx, "k", limiter.Rule{Limit: 1, Window: time.Minute}); err == nil {
		t.Fatal("Allow with a nil client succeeded")
	}
	if l.Release(ctx, "k", time.Now()) == nil || l.Ping(ctx) == nil {
		t.Fatal("Release or Ping with a nil client succeeded")
	}
}

// countingHook counts what a client sends: each command and each pipeline
// one round trip.
type countingHook struct{ commands, pipelines atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		switch cmd.Name() {
		case "hello", "client", "ping", "cluster", "command": // connection set-up
		default:
			h.commands.Add(1)
		}
		return next(ctx, cmd)
	}
}
func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.pipelines.Add(1)
		return next(ctx, cmds)
	}
}

func (h *countingHook) take() (commands, pipelines int64) {
	return h.commands.Swap(0), h.pipelines.Swap(0)
}

var three = []limiter.Request{
	{Key: "subject", Rules: []limiter.Rule{{Limit: 5, Window: time.Minute}}},
	{Key: "ip", Rules: []limiter.Rule{{Limit: 2, Window: time.Minute}}},
	{Key: "contact", Rules: []limiter.Rule{{Limit: 10, Window: time.Hour}, {Limit: 3, Window: time.Minute}}},
}

// TestAllowAllRoundTrips: on a single node, AllowAll is one script call,
// allowed or refused, and reloads the script when Redis lost it.
func TestAllowAllRoundTrips(t *testing.T) {
	client := redistest.Client(t)
	l := redistest.Must(redislimiter.New(client, redistest.Prefix(t)))(t)
	ctx := context.Background()
	ds := make([]limiter.Decision, len(three))
	if _, err := l.AllowAll(ctx, three, ds); err != nil { // loads the script
		t.Fatal(err)
	}
	hook := &countingHook{}
	client.AddHook(hook)
	for i, want := range []int{-1, 1, 1} {
		refused, err := l.AllowAll(ctx, three, ds)
		if err != nil || refused != want {
			t.Fatalf("batch %d: refused %d, %v; want %d", i, refused, err, want)
		}
		if c, p := hook.take(); c != 1 || p != 0 {
			t.Fatalf("batch %d: %d commands and %d pipelines, want one command", i, c, p)
		}
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	hook.take()
	if refused, err := l.AllowAll(ctx, three, ds); err != nil || refused != 1 {
		t.Fatalf("after SCRIPT FLUSH: refused %d, %v", refused, err)
	}
	if c, _ := hook.take(); c != 2 {
		t.Fatalf("after SCRIPT FLUSH: %d commands, want EVALSHA then EVAL", c)
	}
}

// TestClusterAllowAllRoundTrips: on a cluster, AllowAll is one pipeline, and
// a second one to give back what the other keys took when one refuses; it
// reloads the script on the nodes that lost it.
func TestClusterAllowAllRoundTrips(t *testing.T) {
	client := redistest.ClusterClient(t)
	l := redistest.Must(redislimiter.New(client, redistest.Prefix(t)))(t)
	ctx := context.Background()
	ds := make([]limiter.Decision, len(three))
	if _, err := l.AllowAll(ctx, three, ds); err != nil { // loads the script
		t.Fatal(err)
	}
	hook := &countingHook{}
	client.AddHook(hook)
	for i, c := range []struct {
		refused         int
		pipelines, cmds int64
	}{{-1, 1, 0}, {1, 2, 0}, {1, 2, 0}} {
		refused, err := l.AllowAll(ctx, three, ds)
		if err != nil || refused != c.refused {
			t.Fatalf("batch %d: refused %d, %v; want %d", i, refused, err, c.refused)
		}
		if cmds, p := hook.take(); p != c.pipelines || cmds != c.cmds {
			t.Fatalf("batch %d: %d pipelines and %d commands, want %d and %d", i, p, cmds, c.pipelines, c.cmds)
		}
	}
	// The refused batches took nothing.
	for i, r := range three {
		d, err := l.Allow(ctx, r.Key, r.Rules...)
		if err != nil || d.Allowed != (i != 1) {
			t.Fatalf("%s after the refusals: %+v, %v", r.Key, d, err)
		}
	}
	if err := client.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		return c.ScriptFlush(ctx).Err()
	}); err != nil {
		t.Fatal(err)
	}
	if refused, err := l.AllowAll(ctx, three, ds); err != nil || refused != 1 {
		t.Fatalf("after SCRIPT FLUSH: refused %d, %v", refused, err)
	}
}

// TestAllowAllRedisClock: without WithClock, Redis's TIME stamps a batch's
// events, one time for all, and the keys expire with their windows.
func TestAllowAllRedisClock(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	l := redistest.Must(redislimiter.New(client, prefix))(t)
	ctx := context.Background()
	before := time.Now()
	ds := make([]limiter.Decision, len(three))
	if refused, err := l.AllowAll(ctx, three, ds); err != nil || refused != -1 {
		t.Fatalf("refused %d, %v", refused, err)
	}
	for i, d := range ds {
		if !d.At.Equal(ds[0].At) {
			t.Fatalf("decision %d at %v, the first at %v", i, d.At, ds[0].At)
		}
	}
	if skew := ds[0].At.Sub(before); redistest.Real() && (skew < -time.Minute || skew > time.Minute) {
		t.Fatalf("At %v is far from now %v", ds[0].At, before)
	}
	key := prefix + "{636f6e74616374}" // "contact"
	if ttl := client.PTTL(ctx, key).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
		t.Fatalf("PTTL %v, want about an hour", ttl)
	}
}

func TestAllowAllFailClosed(t *testing.T) {
	proxy := redistest.NewProxy(t, redistest.Addr(t))
	l := redistest.Must(redislimiter.New(redistest.NewClient(t, proxy.Addr()), redistest.Prefix(t), redislimiter.WithTimeout(300*time.Millisecond)))(t)
	ctx := context.Background()
	ds := make([]limiter.Decision, len(three))
	for name, breakIt := range map[string]func(){"down": proxy.Cut, "hung": proxy.Hang} {
		breakIt()
		start := time.Now()
		if refused, err := l.AllowAll(ctx, three, ds); err == nil || refused != -1 || ds[0].Allowed {
			t.Fatalf("%s: AllowAll = %d, %+v, %v; want an error and no permission", name, refused, ds, err)
		}
		if elapsed := time.Since(start); elapsed > 3*time.Second {
			t.Fatalf("%s: AllowAll took %v with a 300 ms timeout", name, elapsed)
		}
		proxy.Restore()
	}
	if refused, err := l.AllowAll(ctx, three, ds); err != nil || refused != -1 {
		t.Fatalf("after Redis came back: %d, %v", refused, err)
	}
	if _, err := new(redislimiter.Limiter).AllowAll(ctx, three, ds); err == nil {
		t.Fatal("AllowAll with a nil client succeeded")
	}
}
