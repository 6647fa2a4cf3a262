package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vcodekit/vcode/internal/redistest"
	"github.com/vcodekit/vcode/store"
	"github.com/vcodekit/vcode/store/redisstore"
	"github.com/vcodekit/vcode/store/storetest"
)

func TestConformance(t *testing.T) {
	client := redistest.Client(t)
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.CodeStore {
		return redistest.Must(redisstore.New(client, redistest.Prefix(t), redisstore.WithClock(now)))(t)
	})
}

func TestClusterConformance(t *testing.T) {
	client := redistest.ClusterClient(t)
	storetest.Run(t, func(t *testing.T, now func() time.Time) store.CodeStore {
		return redistest.Must(redisstore.New(client, redistest.Prefix(t), redisstore.WithClock(now)))(t)
	})
}

// TestRedisClock runs without WithClock, as in production: expiry comes from
// Redis's TIME, and the key carries a matching TTL so Redis reclaims it.
func TestRedisClock(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	s := redistest.Must(redisstore.New(client, prefix))(t)
	ctx := context.Background()
	d := []byte("digest-of-the-code-32-bytes-long")
	if err := s.Save(ctx, "k", store.Record{Digest: d, TTL: 90 * time.Second, MaxAttempts: 5}); err != nil {
		t.Fatal(err)
	}
	keys, err := client.Keys(ctx, prefix+"*").Result() // a test may scan; the store never does
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v, %v", keys, err)
	}
	if keys[0] != prefix+"{6b}" {
		t.Fatalf("key %q, want the prefix and the hex key in a hash tag", keys[0])
	}
	ttl := client.PTTL(ctx, keys[0]).Val()
	if ttl <= 80*time.Second || ttl > 90*time.Second {
		t.Fatalf("PTTL %v, want about 90 s", ttl)
	}
	if r, err := s.Consume(ctx, "k", []byte("wrong")); err != nil || r != store.Mismatch {
		t.Fatalf("Consume wrong = %v, %v", r, err)
	}
	if r, err := s.Consume(ctx, "k", d); err != nil || r != store.Match {
		t.Fatalf("Consume right = %v, %v", r, err)
	}
	if n := client.Exists(ctx, keys[0]).Val(); n != 0 {
		t.Fatal("a consumed record is still in Redis")
	}
}

// TestFailClosed: with Redis unreachable every operation errors (never a
// match), and a hung Redis cannot hold a call past the timeout; service
// resumes when Redis is back, without a new client.
func TestFailClosed(t *testing.T) {
	proxy := redistest.NewProxy(t, redistest.Addr(t))
	client := redistest.NewClient(t, proxy.Addr())
	s := redistest.Must(redisstore.New(client, redistest.Prefix(t), redisstore.WithTimeout(300*time.Millisecond)))(t)
	ctx := context.Background()
	d := []byte("digest")
	if err := s.Save(ctx, "k", store.Record{Digest: d, TTL: time.Minute, MaxAttempts: 5}); err != nil {
		t.Fatal(err)
	}

	for name, breakIt := range map[string]func(){"down": proxy.Cut, "hung": proxy.Hang} {
		breakIt()
		start := time.Now()
		if r, err := s.Consume(ctx, "k", d); err == nil || r == store.Match {
			t.Fatalf("%s: Consume = %v, %v; want an error", name, r, err)
		}
		if err := s.Save(ctx, "k2", store.Record{Digest: d, TTL: time.Minute, MaxAttempts: 5}); err == nil {
			t.Fatalf("%s: Save succeeded", name)
		}
		if err := s.Delete(ctx, "k2"); err == nil {
			t.Fatalf("%s: Delete succeeded", name)
		}
		if err := s.Ping(ctx); err == nil {
			t.Fatalf("%s: Ping succeeded", name)
		}
		if elapsed := time.Since(start); elapsed > 5*time.Second {
			t.Fatalf("%s: four calls took %v with a 300 ms timeout", name, elapsed)
		}
		proxy.Restore()
	}
	if r, err := s.Consume(ctx, "k", d); err != nil || r != store.Match {
		t.Fatalf("after Redis came back: %v, %v", r, err)
	}
}

// TestNilClient: New refuses a nil client, and a Store made without New
// (its zero value) fails every call closed.
func TestNilClient(t *testing.T) {
	if _, err := redisstore.New(nil, "p:"); err == nil {
		t.Fatal("New took a nil client")
	}
	s := new(redisstore.Store)
	ctx := context.Background()
	if err := s.Save(ctx, "k", store.Record{Digest: []byte("d"), TTL: time.Minute, MaxAttempts: 1}); err == nil {
		t.Fatal("Save with a nil client succeeded")
	}
	if _, err := s.Consume(ctx, "k", []byte("d")); err == nil {
		t.Fatal("Consume with a nil client succeeded")
	}
	if s.Delete(ctx, "k") == nil || s.Ping(ctx) == nil {
		t.Fatal("Delete or Ping with a nil client succeeded")
	}
}

// TestNoScriptFallback: a server that lost its script cache (a restart, a
// SCRIPT FLUSH) gets the script again through EVAL.
func TestNoScriptFallback(t *testing.T) {
	client := redistest.Client(t)
	s := redistest.Must(redisstore.New(client, redistest.Prefix(t)))(t)
	ctx := context.Background()
	if err := s.Save(ctx, "k", store.Record{Digest: []byte("d"), TTL: time.Minute, MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	if err := client.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Consume(ctx, "k", []byte("d")); err != nil || r != store.Match {
		t.Fatalf("after SCRIPT FLUSH: %v, %v", r, err)
	}
}

var _ redis.UniversalClient = (*redis.ClusterClient)(nil)

func TestKeyLayout(t *testing.T) {
	client := redistest.Client(t)
	prefix := redistest.Prefix(t)
	s := redistest.Must(redisstore.New(client, prefix))(t)
	ctx := context.Background()
	if err := s.Save(ctx, "\x00{}\xff", store.Record{Digest: []byte("d"), TTL: time.Minute, MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	keys := client.Keys(ctx, prefix+"*").Val()
	if len(keys) != 1 || keys[0] != prefix+"{007b7dff}" || strings.Count(keys[0], "{") != 1 {
		t.Fatalf("keys %q: binary keys must be hex inside one hash tag", keys)
	}
}
